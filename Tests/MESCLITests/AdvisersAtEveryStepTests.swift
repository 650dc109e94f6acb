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

    /// The adviser starts the activation; the caller finishes it alone, with an identifier and a
    /// password of their own.
    @Test func anAdviserStartsAnActivationTheCallerFinishes() throws {
        let s = try Scenario()
        let r = try s.run(["--json", "activate", "--assisted", "--adviser", "A042", "--last-name", "Leguellec"] + Self.martine)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.json["status"] as? String == "code_sent" && r.json["destination"] as? String == "dlf*****@atos.net", "\(r.stdout)")
        let text = try s.run(["activate", "--assisted", "--adviser", "A042", "--last-name", "Leguellec", "--via", "email"] + Self.martine)
        #expect(text.status == 75 || text.status == 0, "\(text.stderr)")  // a second code within 30 s is refused
        let events = try s.run(["history", "--nir", "116304403801618", "--json"]).json["events"] as? [[String: Any]] ?? []
        let started = events.first { $0["event"] as? String == "activation_started" }
        #expect(started?["channel"] as? String == "phone" && started?["actor"] as? String == "adviser"
                && started?["actor_id"] as? String == "A042", "\(events)")
        // The caller identifies with the code (the activation is offered first) and activates.
        let id = try s.run(["identify", "--json", "--code", try s.lastCode()] + Scenario.martine)
        #expect(id.status == 0, "\(id.stderr)")
        let decisions = id.json["decisions"] as? [[String: Any]] ?? []
        #expect(decisions.first?["action"] as? String == "activate", "\(decisions)")
        let pw = s.dir.appendingPathComponent("pw").path
        try "Soleil#2022x\nSoleil#2022x\n".write(toFile: pw, atomically: true, encoding: .utf8)
        let token = id.json["session"] as? String ?? ""
        let done = try s.run(["activate", "--session", token, "--accept-cgu", "--username", "martine.l", "--password-file", pw])
        #expect(done.status == 0, "\(done.stderr)")
        // Once active, an adviser cannot start it again; no code is sent.
        let again = try s.run(["--json", "activate", "--assisted", "--adviser", "A042", "--last-name", "Leguellec"] + Self.martine)
        #expect(again.status == 69 && again.errorJSON["code"] as? String == "already_active", "\(again.stderr)")
    }

    @Test func noActivationIsStartedForADeceasedPersonNorWithoutTheQuestions() throws {
        let s = try Scenario()
        let before = try s.run(["--json", "outbox", "list"]).json["messages"] as? [Any] ?? []
        let deceased = try s.run(["--json", "activate", "--assisted", "--adviser", "A042", "--last-name", "Lefebvre",
                                  "--nir", "138047505604231", "--birth-date", "19/04/1938"])
        #expect(deceased.status == 69 && deceased.errorJSON["code"] as? String == "not_activable", "\(deceased.stderr)")
        let wrongName = try s.run(["--json", "activate", "--assisted", "--adviser", "A042", "--last-name", "Dupont"] + Self.martine)
        #expect(wrongName.status == 77, "\(wrongName.stderr)")
        // A NIR on file with a wrong name and a NIR nobody has get the same answer: the adviser's
        // screen does not tell which NIRs exist.
        let unknown = try s.run(["--json", "activate", "--assisted", "--adviser", "A042", "--last-name", "Dupont",
                                 "--nir", "152077544744663", "--birth-date", "08/06/1988"])
        #expect(unknown.status == wrongName.status && unknown.stderr == wrongName.stderr, "\(unknown.stderr) / \(wrongName.stderr)")
        let after = try s.run(["--json", "outbox", "list"]).json["messages"] as? [Any] ?? []
        #expect(after.count == before.count, "no code sent")
        // The adviser's options go with --assisted only; --assisted needs no CGU (the caller accepts them).
        let stray = try s.run(["--json", "activate", "--adviser", "A042", "--session", "x", "--accept-cgu"])
        #expect(stray.status == 64 && stray.errorJSON["code"] as? String == "conflicting_options", "\(stray.stderr)")
        let mixed = try s.run(["--json", "activate", "--assisted", "--adviser", "A042", "--last-name", "Leguellec", "--username", "x"]
                              + Self.martine)
        #expect(mixed.status == 64 && mixed.errorJSON["field"] as? String == "username", "\(mixed.stderr)")
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
