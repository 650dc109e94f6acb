import Foundation
import Testing

/// The opposition journey of the seeds, run with the built binary as a user would.
@Suite(.serialized) struct EnrolmentEndToEndTests {
    @Test func seed001Journey() throws {
        let s = try Scenario()
        let gen = try s.run(["code", "generate"] + Scenario.martine + Scenario.martineBirth)
        #expect(gen.status == 0, "\(gen.stderr)")
        #expect(gen.stdout.contains("Par e-mail : dlf*****@atos.net"))
        let mail = try s.run(["outbox", "show", "last"])
        #expect(mail.stdout.contains("Pour poursuivre votre identification, veuillez saisir le code provisoire suivant"))
        #expect(mail.stdout.contains("To: <dlfr-cn5-tma-support-cobra@atos.net>"))
        let code = try s.lastCode()
        #expect(code.count == 12)
        let id = try s.run(["identify", "--code", code] + Scenario.martine)
        #expect(id.status == 0)
        #expect(id.stdout.contains("Bonjour Martine Julie !"))
        #expect(id.stdout.contains("Virginie Capanelli — Profil opposé le 07/12/2021"))
        #expect(id.stdout.contains("Jean-Jacques Capanelli — En attente de décision"))
        let token = String(id.stdout.split(separator: "\n").first { $0.hasPrefix("Session : ") }!.dropFirst(10).prefix(32))
        let receipt = s.dir.appendingPathComponent("justificatif.pdf").path
        let op = try s.run(["oppose", "--session", token, "--yes", "--receipt", receipt, "--json"])
        #expect(op.status == 0, "\(op.stderr)")
        #expect(op.json["status"] as? String == "opposed")
        #expect(op.json["decided_on"] as? String == "2022-02-03")
        #expect(FileManager.default.contents(atPath: receipt)?.starts(with: Data("%PDF".utf8)) == true)
        let verify = try s.run(["receipt", "verify", receipt])
        #expect(verify.status == 0)
        #expect(verify.stdout.hasPrefix("authentique"))
        let again = try s.run(["oppose", "--session", token, "--yes", "--json"])
        #expect(again.status == 0)
        #expect(again.json["status"] as? String == "already_opposed")
        let hist = try s.run(["history", "--nir", "116304403801618", "--json"])
        let events = (hist.json["events"] as? [[String: Any]] ?? []).map { $0["event"] as? String ?? "" }
        #expect(events.contains("code_issued") && events.contains("identified") && events.contains("opposition"))
        let opposition = (hist.json["events"] as? [[String: Any]] ?? []).first { $0["event"] as? String == "opposition" }
        #expect(opposition?["channel"] as? String == "web")
        #expect(opposition?["actor"] as? String == "self")
    }

    @Test func inlineIdentificationOpposesInOneStep() throws {
        let s = try Scenario()
        try s.run(["code", "generate"] + Scenario.martine + Scenario.martineBirth)
        let code = try s.lastCode()
        let r = try s.run(["oppose", "--code", code, "--yes", "--json"] + Scenario.martine)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: r.json["receipt_file"] as? String ?? "/nonexistent"))
    }

    @Test func seed003CodeAlreadyUsed() throws {
        let s = try Scenario()
        try s.run(["code", "generate"] + Scenario.martine + Scenario.martineBirth)
        let code = try s.lastCode()
        #expect(try s.run(["identify", "--code", code] + Scenario.martine).status == 0)
        let r = try s.run(["identify", "--code", code] + Scenario.martine)
        #expect(r.status == 77)
        #expect(r.stderr.contains("Votre code provisoire a déjà été utilisé"))
        let j = try s.run(["identify", "--json", "--code", code] + Scenario.martine)
        #expect(j.errorJSON["code"] as? String == "code_used")
    }

    @Test func onDemandCodeExpiresAfter15Minutes() throws {
        let s = try Scenario()
        try s.run(["code", "generate"] + Scenario.martine + Scenario.martineBirth)
        let code = try s.lastCode()
        s.advance(seconds: 15 * 60)
        let r = try s.run(["identify", "--json", "--code", code] + Scenario.martine)
        #expect(r.status == 77)
        #expect(r.errorJSON["code"] as? String == "code_expired")
        #expect(r.errorJSON["message"] as? String == "Votre code provisoire a expiré")
    }

    @Test func notificationCodeLastsSixWeeks() throws {
        let s = try Scenario()
        let n = try s.run(["notify", "--json"])
        #expect(n.status == 0)
        // 13 demo people less Martine (notified), the opposed, the active and the deceased; Karim
        // has neither e-mail nor postal address: nothing is sent to him.
        #expect(n.json["notified"] as? Int == 8)
        #expect(n.json["without_address"] as? Int == 1)
        // Martine's notification e-mail: find it by its recipient.
        let list = try s.run(["outbox", "list", "--nir", "116304403801618", "--json"])
        let messages = list.json["messages"] as? [[String: Any]] ?? []
        let mine = try #require(messages.first { $0["to"] as? String == "dlf*****@atos.net" })
        let shown = try s.run(["outbox", "show", "\(mine["id"] as! Int)", "--json"])
        #expect((shown.json["body"] as? String ?? "").contains("Dans un délai de 6 semaines"))
        let code = try #require(shown.json["code"] as? String)
        s.advance(seconds: 42 * 86_400)
        #expect(try s.run(["identify", "--json", "--code", code] + Scenario.martine).errorJSON["code"] as? String == "code_expired")
        s.now = "2022-03-16T09:59:00Z"  // 41 days, 23:59 later
        #expect(try s.run(["identify", "--code", code] + Scenario.martine).status == 0)
        // Profiles with no e-mail get a letter.
        let letters = (try s.run(["outbox", "list", "--json"]).json["messages"] as? [[String: Any]] ?? []).filter { $0["channel"] as? String == "letter" }
        #expect(!letters.isEmpty)
    }

    @Test func lockoutAfterRepeatedWrongCodes() throws {
        let s = try Scenario()
        try s.run(["code", "generate"] + Scenario.martine + Scenario.martineBirth)
        let code = try s.lastCode()
        var statuses: [String] = []
        for wrong in ["AAAAAAAAAAAA", "BBBBBBBBBBBB", "CCCCCCCCCCCC", "DDDDDDDDDDDD", "EEEEEEEEEEEE"] {
            let r = try s.run(["identify", "--json", "--code", wrong] + Scenario.martine)
            #expect(r.status == 77)
            statuses.append(r.errorJSON["code"] as? String ?? "")
        }
        #expect(statuses == ["identity_not_found", "identity_not_found", "identity_not_found", "identity_not_found", "locked"])
        let right = try s.run(["identify", "--json", "--code", code] + Scenario.martine)
        #expect(right.errorJSON["code"] as? String == "locked")
        // A new code (30 s later) works again.
        s.advance(seconds: 31)
        #expect(try s.run(["code", "generate"] + Scenario.martine + Scenario.martineBirth).status == 0)
        #expect(try s.run(["identify", "--code", try s.lastCode()] + Scenario.martine).status == 0)
    }

    @Test func thirtySecondsBetweenRequests() throws {
        let s = try Scenario()
        #expect(try s.run(["code", "generate"] + Scenario.martine + Scenario.martineBirth).status == 0)
        s.advance(seconds: 10)
        let r = try s.run(["code", "generate"] + Scenario.martine + Scenario.martineBirth)
        #expect(r.status == 75)
        #expect(r.stderr.contains("Veuillez attendre 30 secondes puis réessayez."))
        s.advance(seconds: 20)
        #expect(try s.run(["code", "generate"] + Scenario.martine + Scenario.martineBirth).status == 0)
    }

    @Test func childProfileOpposedFromTheParentsSession() throws {
        let s = try Scenario()
        let token = try s.martineSession()
        let list = try s.run(["profiles", "list", "--session", token, "--json"])
        let profiles = list.json["profiles"] as? [[String: Any]] ?? []
        let vincent = try #require(profiles.first { $0["first_name"] as? String == "Vincent" })
        let id = "\(vincent["id"] as! Int)"
        let refused = try s.run(["profiles", "oppose", "--session", token, "--profile", id, "--yes"])
        #expect(refused.status == 69)
        #expect(refused.stderr.contains("représentant légal"))
        let ok = try s.run(["profiles", "oppose", "--session", token, "--profile", id, "--yes", "--legal-representative", "--json"])
        #expect(ok.status == 0, "\(ok.stderr)")
        let after = try s.run(["profiles", "list", "--session", token])
        #expect(after.stdout.contains("Vincent Capanelli — Profil opposé le 03/02/2022"))
        let hist = try s.run(["history", "--json"])
        let ev = (hist.json["events"] as? [[String: Any]] ?? []).last { $0["event"] as? String == "opposition" }
        #expect(ev?["actor"] as? String == "legal_representative")
        #expect((ev?["profile"] as? [String: Any])?["nir"] as? String == "1 16 30 ** *** *** **")
    }

    @Test func twinsChooseByFirstName() throws {
        let s = try Scenario()
        let twins = ["--nir", "2 85 05 971 05 123 " + twinKey(), "--birth-date", "12/04/2016", "--card", "photo", "--serial", "04512378963"]
        let r = try s.run(["code", "generate", "--json"] + twins)
        #expect(r.status == 65)
        #expect(r.errorJSON["code"] as? String == "profile_ambiguous")
        #expect((r.errorJSON["message"] as? String ?? "").hasPrefix("Plusieurs personnes rattachées à votre carte Vitale ont la même date de naissance."))
        let ok = try s.run(["code", "generate", "--first-name", "lea"] + twins)
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("sop*****@example.fr"))  // a child's code goes to the holder
        let id = try s.run(["identify", "--json", "--code", try s.lastCode(), "--nir", twins[1], "--card", "photo", "--serial", "04512378963"])
        #expect((id.json["profile"] as? [String: Any])?["first_name"] as? String == "Léa")
    }

    func twinKey() -> String {
        let k = 97 - Int(2_850_597_105_123 % 97)
        return k < 10 ? "0\(k)" : "\(k)"
    }

    @Test func smsAndLetterChannels() throws {
        let s = try Scenario()
        let karim = ["--nir", "1850344109123" + key("1850344109123"), "--birth-date", "1985-03-15", "--card", "photo", "--serial", "0102457612 4"]
        let sms = try s.run(["code", "generate"] + karim)
        #expect(sms.stdout.contains("Par SMS : ** ** ** *3 77"), "\(sms.stderr)")
        #expect(try s.run(["code", "generate", "--via", "email"] + karim).status == 65)
        let paul = ["--nir", "152072A004017" + key("152072A004017"), "--birth-date", "03/07/1952", "--card", "plain", "--serial", "87654321"]
        let letter = try s.run(["code", "generate", "--json"] + paul)
        #expect(letter.json["channel"] as? String == "letter")
        #expect(try s.run(["outbox", "show", "last"]).stdout.contains("Ajaccio"))
    }

    func key(_ body: String) -> String {
        let v = Int(body.replacingOccurrences(of: "2A", with: "19").replacingOccurrences(of: "2B", with: "18"))!
        let k = 97 - v % 97
        return k < 10 ? "0\(k)" : "\(k)"
    }

    @Test func assistedOppositionByPhone() throws {
        let s = try Scenario()
        let r = try s.run(["oppose", "--assisted", "--adviser", "A042", "--nir", "116304403801618", "--birth-date", "08/06/1988",
                           "--last-name", "LEGUELLEC", "--yes", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let hist = try s.run(["history", "--nir", "116304403801618", "--json"])
        let ev = (hist.json["events"] as? [[String: Any]] ?? []).first { $0["event"] as? String == "opposition" }
        #expect(ev?["channel"] as? String == "phone")
        #expect(ev?["actor"] as? String == "adviser")
        #expect(ev?["actor_id"] as? String == "A042")
        let wrong = try s.run(["oppose", "--assisted", "--adviser", "A042", "--nir", "116304403801618", "--birth-date", "08/06/1988",
                               "--last-name", "Martin", "--yes"])
        #expect(wrong.status == 77)
    }

    @Test func activeSpaceCannotBeOpposedDeceasedCanBe() throws {
        let s = try Scenario()
        let claire = try s.run(["oppose", "--assisted", "--adviser", "A042", "--nir", "2900631555101" + key("2900631555101"),
                                "--birth-date", "27/06/1990", "--last-name", "Fontaine", "--yes", "--json"])
        #expect(claire.status == 69)
        #expect(claire.errorJSON["code"] as? String == "already_active")
        let henri = try s.run(["oppose", "--assisted", "--adviser", "A042", "--nir", "1380475056042" + key("1380475056042"),
                               "--birth-date", "19/04/1938", "--last-name", "Lefebvre", "--yes"])
        #expect(henri.status == 0, "\(henri.stderr)")
    }

    @Test func confirmationIsRequired() throws {
        let s = try Scenario()
        try s.run(["code", "generate"] + Scenario.martine + Scenario.martineBirth)
        let code = try s.lastCode()
        let r = try s.run(["oppose", "--code", code] + Scenario.martine)
        #expect(r.status == 64)
        #expect(r.stderr.contains("--yes"))
        // The code was not consumed.
        #expect(try s.run(["oppose", "--code", code, "--yes"] + Scenario.martine).status == 0)
    }

    @Test func receiptReissueIsADuplicateAndAudited() throws {
        let s = try Scenario()
        let token = try s.martineSession()
        let op = try s.run(["oppose", "--session", token, "--yes", "--json"])
        let id = try #require(op.json["receipt"] as? String)
        let out = s.dir.appendingPathComponent("copie.pdf").path
        let r = try s.run(["receipt", "--id", id, "-o", out, "--json"])
        #expect(r.status == 0)
        #expect(r.json["copy"] as? Int == 2)
        #expect(try s.run(["receipt", "--id", id, "-o", out]).status == 73)
        #expect(try s.run(["receipt", "--id", id, "-o", out, "--force"]).status == 0)
        let text = try s.run(["receipt", "--session", token, "--format", "text"])
        #expect(text.stdout.contains("Duplicata n° 4"))
        let json = try s.run(["receipt", "--session", token, "--format", "json"])
        #expect(json.stdout.contains("\"duplicate\":true"))
        #expect(try s.run(["receipt", "verify", out]).status == 0)
        let hist = try s.run(["history", "--json"])
        #expect((hist.json["events"] as? [[String: Any]] ?? []).filter { $0["event"] as? String == "receipt_reissued" }.count == 4)
    }
}
