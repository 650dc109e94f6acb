import Foundation
import Testing
import TestSupport

/// Seed 004 (issue 29): "Au cours des différentes étapes… vous pouvez contacter un conseiller au
/// 34 22". An adviser sends a new code and reads the masked contacts, with the hours, identity
/// questions, locks and audit of `oppose --assisted`.
@Suite struct AdvisersAtEveryStepTests {
    static let martine = ["--nir", "116304403801618", "--birth-date", "08/06/1988"]

    @Test func anAdviserSendsANewCodeToTheContactOnFile() throws {
        let s = try Scenario()
        let r = try s.run(["--json", "code", "generate", "--assisted", "--adviser", "A042", "--last-name", "LEGUELLEC"] + Self.martine)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.json["channel"] as? String == "email" && r.json["destination"] as? String == "dlf*****@atos.net", "\(r.stdout)")
        let code = try s.lastCode()
        // The code works on the web, with the card.
        let id = try s.run(["identify", "--code", code, "--nir", "116304403801618", "--card", "plain", "--serial", "953701166"])
        #expect(id.status == 0, "\(id.stderr)")
        let events = try s.run(["history", "--nir", "116304403801618", "--json"]).json["events"] as? [[String: Any]] ?? []
        let issued = events.first { $0["event"] as? String == "code_issued" }
        #expect(issued?["channel"] as? String == "phone" && issued?["actor"] as? String == "adviser" && issued?["actor_id"] as? String == "A042",
                "\(events)")
        #expect(events.contains { $0["event"] as? String == "assisted_identified" })
    }

    @Test func anAdviserReadsTheMaskedContacts() throws {
        let s = try Scenario()
        let r = try s.run(["--json", "contacts", "show", "--assisted", "--adviser", "A042", "--last-name", "Leguellec"] + Self.martine)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.json["email"] as? String == "dlf*****@atos.net" && r.json["masked"] as? Bool == true, "\(r.stdout)")
        let needsName = try s.run(["contacts", "show", "--assisted", "--adviser", "A042"] + Self.martine)
        #expect(needsName.status == 64 && needsName.stderr.contains("--last-name"), "\(needsName.stderr)")
        let noCard = try s.run(["contacts", "show", "--assisted", "--adviser", "A042", "--last-name", "Leguellec", "--card", "plain"] + Self.martine)
        #expect(noCard.status == 64, "\(noCard.stderr)")
    }

    /// Wrong answers count against the NIR whatever the path: five on the phone lock the
    /// self-service questions too; an unknown adviser and closed hours are refused.
    @Test func theLimitsHoldAcrossPathsAndHours() throws {
        let s = try Scenario()
        for _ in 0..<5 {
            let wrong = try s.run(["code", "generate", "--assisted", "--adviser", "A042", "--last-name", "Martin"] + Self.martine)
            #expect(wrong.status == 77, "\(wrong.stderr)")
        }
        let locked = try s.run(["--json", "code", "generate", "--assisted", "--adviser", "A042", "--last-name", "Leguellec"] + Self.martine)
        #expect(locked.status == 77 && locked.errorJSON["code"] as? String == "locked", "\(locked.stderr)")
        let web = try s.run(["--json", "code", "generate", "--card", "plain", "--serial", "953701166"] + Self.martine)
        #expect(web.errorJSON["code"] as? String == "locked", "the self-service questions share the lock: \(web.stderr)")
        let unknown = try s.run(["--json", "contacts", "show", "--assisted", "--adviser", "Z999", "--last-name", "Leguellec"] + Self.martine)
        #expect(unknown.errorJSON["code"] as? String == "adviser_unknown", "\(unknown.stderr)")
        s.advance(seconds: 2 * 86_400)  // Saturday
        let closed = try s.run(["--json", "contacts", "show", "--assisted", "--adviser", "A042", "--last-name", "Leguellec"] + Self.martine)
        #expect(closed.status == 69 && closed.errorJSON["code"] as? String == "phone_closed", "\(closed.stderr)")
    }
}
