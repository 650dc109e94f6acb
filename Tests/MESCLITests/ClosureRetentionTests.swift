import Foundation
import Testing
import TestSupport
@testable import MESStore

/// The end of the journey through the binary: the signed closure receipt, retention applied by
/// `sweep` (3 months / 10 years), and recovering a forgotten identifier or password.
@Suite struct ClosureRetentionTests {
    let signatures = ReceiptSignatureEndToEndTests()

    func write(_ s: Scenario, _ name: String, _ text: String) throws -> String {
        let p = s.dir.appendingPathComponent(name).path
        try text.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }

    // MARK: closure receipt

    @Test func aClosureWritesASignedReceiptInTheServicesWords() throws {
        let s = try Scenario()
        let (token, _) = try s.activeMartine()
        let file = s.dir.appendingPathComponent("cloture.pdf").path
        let c = try s.run(["close", "--session", token, "--yes", "--receipt", file, "--json"])
        #expect(c.status == 0, "\(c.stderr)")
        let id = try #require(c.json["receipt"] as? String)
        #expect(id.hasPrefix("JC-") && id.count == 13, "\(id)")
        #expect(c.json["receipt_file"] as? String == file)
        #expect(c.json["content_deleted_after"] as? String == "2032-02-03T10:00:00Z")
        try signatures.expectSignedWhole(file, "closure")
        let text = try #require(signatures.tools.tool("pdftotext"))
        let (_, page) = try signatures.tools.exec(text, [file, "-"])
        #expect(page.contains("Votre justificatif de clôture"), "\(page)")
        #expect(page.contains("Votre demande de clôture de Mon espace santé a bien été prise en compte le 03/02/2022."), "\(page)")
        #expect(!page.contains("opposition"), "\(page)")
        let v = try s.run(["receipt", "verify", file, "--json"])
        #expect(v.json["status"] as? String == "authentic", "\(v.stdout)")
        #expect(v.json["receipt"] as? String == id)
        // The e-mail names the receipt and the date the content goes.
        let mail = try s.run(["outbox", "show", "last"]).stdout
        #expect(mail.contains("justificatif de clôture \(id)") && mail.contains("supprimé (le 03/02/2032)"), "\(mail)")
    }

    @Test func aClosureReceiptIsReissuedAsADuplicateAndNeverTakenForTheOpposition() throws {
        let s = try Scenario()
        let (token, _) = try s.activeMartine()
        let c = try s.run(["close", "--session", token, "--yes", "--delete", "--json"])
        let id = try #require(c.json["receipt"] as? String)
        // Default place: the store's receipts folder.
        let stored = try #require(c.json["receipt_file"] as? String)
        #expect(stored.hasSuffix("/receipts/\(id).pdf") && FileManager.default.fileExists(atPath: stored))
        let dup = try s.run(["receipt", "--id", id, "--format", "json"])
        #expect(dup.status == 0, "\(dup.stderr)")
        #expect(dup.json["kind"] as? String == "closure" && dup.json["copy"] as? Int == 2, "\(dup.stdout)")
        #expect((dup.json["sentences"] as? [String] ?? []).first == "Votre justificatif de clôture")
        // A new session on the closed profile has no opposition receipt to give.
        s.advance(seconds: 60)
        let t2 = try s.martineSession()
        let none = try s.run(["receipt", "--session", t2, "--json"])
        #expect(none.errorJSON["code"] as? String == "no_receipt" && none.status == 69, "\(none.stderr)")
    }

    /// A run killed after the closure's commit leaves no receipt and no output: the person
    /// identifies again, closes again, and gets that closure's receipt, not a new closure.
    @Test func closingAgainReportsTheClosureAndRepairsItsReceipt() throws {
        let s = try Scenario()
        let (token, _) = try s.activeMartine()
        let first = try s.run(["close", "--session", token, "--yes", "--delete", "--json"])
        let id = try #require(first.json["receipt"] as? String)
        let stored = try #require(first.json["receipt_file"] as? String)
        try FileManager.default.removeItem(atPath: stored)
        s.advance(seconds: 3600)
        let t2 = try s.martineSession()
        let again = try s.run(["close", "--session", t2, "--yes", "--json"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.json["status"] as? String == "already_closed" && again.json["receipt"] as? String == id, "\(again.stdout)")
        #expect(again.json["content"] as? String == "delete_within_3_months")
        #expect(again.json["content_deleted_after"] as? String == "2022-05-03T10:00:00Z")
        #expect(try s.run(["receipt", "verify", stored, "--json"]).json["status"] as? String == "authentic")
        let closures = (try s.run(["history", "--json"]).json["events"] as? [[String: Any]] ?? []).filter { $0["event"] as? String == "closure" }
        #expect(closures.count == 1)
    }

    @Test func aClosureReceiptPathIsCheckedBeforeAnythingIsRecorded() throws {
        let s = try Scenario()
        let (token, _) = try s.activeMartine()
        let taken = try write(s, "taken.pdf", "not mine")
        let r = try s.run(["close", "--session", token, "--yes", "--receipt", taken, "--json"])
        #expect(r.status == 73 && r.errorJSON["code"] as? String == "file_exists", "\(r.stderr)")
        let victim = try write(s, "victim", "precious")
        let link = s.dir.appendingPathComponent("link.pdf").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: victim)
        #expect(try s.run(["close", "--session", token, "--yes", "--receipt", link]).status == 73)
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious")
        // Found by the attack: a missing folder was found only after the closure was recorded.
        let noDir = try s.run(["close", "--session", token, "--yes", "--delete", "--receipt", s.dir.appendingPathComponent("nodir/x.pdf").path, "--json"])
        #expect(noDir.status == 73 && noDir.errorJSON["field"] as? String == "receipt", "\(noDir.stderr)")
        // Nothing was recorded: the space is still active and the session still works.
        #expect(try s.run(["profiles", "list", "--session", token, "--json"]).json["profile"].map { ($0 as? [String: Any])?["state"] as? String } == "active")
        // A write that fails only once tried (here /proc refuses the file) comes after the
        // closure is recorded: the error says the space is closed and how to get the receipt.
        let late = try s.run(["close", "--session", token, "--yes", "--receipt", "/proc/cloture.pdf", "--json"])
        let message = late.errorJSON["message"] as? String ?? ""
        #expect(late.status == 73 && message.contains("Mon espace santé est clôturé"), "\(late.stderr)")
        let id = try #require(message.range(of: "JC-").map { String(message[$0.lowerBound...].prefix(13)) })
        let copy = s.dir.appendingPathComponent("copie.pdf").path
        #expect(try s.run(["receipt", "--id", id, "-o", copy]).status == 0)
        #expect(try s.run(["receipt", "verify", copy, "--json"]).json["status"] as? String == "authentic")
    }

    @Test func anAlteredClosureReceiptDoesNotVerify() throws {
        let s = try Scenario()
        let (token, _) = try s.activeMartine()
        let file = s.dir.appendingPathComponent("c.pdf").path
        #expect(try s.run(["close", "--session", token, "--yes", "--receipt", file]).status == 0)
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        let bytes = Data(try #require(forgingPage(original) { replacingFirst(Array("03/02/2022".utf8), with: Array("04/02/2022".utf8), in: $0) }))
        #expect(bytes != Data(original))
        let forged = s.dir.appendingPathComponent("forged.pdf").path
        try bytes.write(to: URL(fileURLWithPath: forged))
        let v = try s.run(["receipt", "verify", forged, "--json"])
        #expect(v.json["status"] as? String == "altered", "\(v.stdout)")
    }

    // MARK: retention

    @Test func sweepDeletesTheContentThreeMonthsAfterAClosureThatAskedForIt() throws {
        let s = try Scenario()
        let (token, pw) = try s.activeMartine()
        let c = try s.run(["close", "--session", token, "--yes", "--delete", "--json"])
        #expect(c.json["content_deleted_after"] as? String == "2022-05-03T10:00:00Z", "\(c.stdout)")
        let messages = (try s.run(["outbox", "list", "--json"]).json["messages"] as? [[String: Any]] ?? []).count
        #expect(messages >= 3)
        func inDatabase(_ text: String) -> Bool {
            ["mes.db", "mes.db-wal"].contains { name in
                ((try? Data(contentsOf: URL(fileURLWithPath: s.store + "/" + name))) ?? Data()).range(of: Data(text.utf8)) != nil
            }
        }
        #expect(inDatabase("atos.net") && inDatabase("martine.l"))

        // One second early: nothing.
        s.now = "2022-05-03T09:59:59Z"
        let early = try s.run(["sweep", "--json"])
        #expect(early.json["content_deleted"] as? Int == 0, "\(early.stdout)")
        s.now = "2022-05-03T10:00:00Z"
        let dry = try s.run(["sweep", "--dry-run", "--json"])
        #expect(dry.json["content_deleted"] as? Int == 1)
        #expect((try s.run(["outbox", "list", "--json"]).json["messages"] as? [[String: Any]] ?? []).count == messages)
        let swept = try s.run(["sweep", "--json"])
        #expect(swept.json["content_deleted"] as? Int == 1, "\(swept.stdout)")

        // Her messages (rows and files), contacts and account are gone; her identifier is free.
        #expect((try s.run(["outbox", "list", "--json"]).json["messages"] as? [[String: Any]] ?? []).isEmpty)
        let contacts = try s.run(["contacts", "show"] + Scenario.martine + Scenario.martineBirth)
        #expect(contacts.stdout.contains("Adresse e-mail : Aucune adresse enregistrée"), "\(contacts.stdout)")
        #expect(try s.run(["login", "--username", "martine.l", "--password-file", pw]).status == 77)
        // Not even in the database's free space or its journal.
        #expect(!inDatabase("atos.net") && !inDatabase("martine.l"))
        // The audit keeps the trace; the register keeps the decisions.
        let h = try s.run(["history", "--nir", "116304403801618", "--json"])
        let events = (h.json["events"] as? [[String: Any]] ?? []).compactMap { $0["event"] as? String }
        #expect(events.contains("closure") && events.last == "content_deleted", "\(events)")
        #expect(!h.stdout.contains("atos.net"))
        // Once only.
        #expect(try s.run(["sweep", "--json"]).json["content_deleted"] as? Int == 0)
    }

    @Test func archivedContentStaysTenYearsAndAReactivationKeepsIt() throws {
        let s = try Scenario()
        let (token, pw) = try s.activeMartine()
        #expect(try s.run(["close", "--session", token, "--yes"]).status == 0)
        s.now = "2032-02-03T09:59:59Z"
        #expect(try s.run(["sweep", "--json"]).json["content_deleted"] as? Int == 0)
        s.now = "2032-02-03T10:00:00Z"
        #expect(try s.run(["sweep", "--json"]).json["content_deleted"] as? Int == 1)

        // Closed with deletion asked, then active again before the deadline: nothing is deleted.
        let t = try Scenario()
        let (token2, _) = try t.activeMartine()
        #expect(try t.run(["close", "--session", token2, "--yes", "--delete"]).status == 0)
        t.advance(seconds: 86_400)
        let again = try t.martineSession()
        #expect(try t.run(["activate", "--session", again, "--accept-cgu", "--username", "martine.l", "--password-file", pw]).status == 0)
        t.now = "2022-09-01T00:00:00Z"
        #expect(try t.run(["sweep", "--json"]).json["content_deleted"] as? Int == 0)
        #expect(try t.run(["login", "--username", "martine.l", "--password-file", pw]).status == 0)
    }

    /// Found by the attack: spaces imported closed were never scheduled, so never deleted.
    @Test func aSpaceImportedClosedIsDeletedTenYearsAfterItsClosure() throws {
        let s = try Scenario(demo: false)
        #expect(try s.run(["init", "--test-clock"]).status == 0)
        let roster = try write(s, "r.csv", """
            nir,birth_date,first_name,last_name,card_type,serial,email,mobile,address,holder_birth_date,deceased,state,state_since,notified_at
            290063155510117,1990-06-15,Claire,Martin,plain,12345678,claire.m@example.fr,0612345678,,,,closed,2021-06-01,
            185034410912379,1985-03-15,Karim,Benali,plain,87654321,karim.b@example.fr,,,,,active,2021-06-01,

            """)
        let imported = try s.run(["import", roster])
        #expect(imported.status == 0, "\(imported.stderr)")
        s.now = "2031-05-31T23:59:59Z"
        #expect(try s.run(["sweep", "--json"]).json["content_deleted"] as? Int == 0)
        s.now = "2031-06-01T00:00:00Z"
        let swept = try s.run(["sweep", "--json"])
        #expect(swept.json["content_deleted"] as? Int == 1, "\(swept.stdout)")
        let db = (try? Data(contentsOf: URL(fileURLWithPath: s.store + "/mes.db"))) ?? Data()
        #expect(db.range(of: Data("claire.m@example.fr".utf8)) == nil && db.range(of: Data("karim.b@example.fr".utf8)) != nil)
    }

    /// Attacking the review: two sweeps at once create each space once between them.
    @Test func twoSweepsAtOnceCreateEachSpaceOnce() throws {
        let s = try Scenario(demo: false)
        #expect(try s.run(["init", "--test-clock"]).status == 0)
        try s.importSynthetic(count: 3000, seed: "two-sweeps")
        s.deliverToMaildir()
        #expect(try s.run(["notify"]).status == 0)
        try s.printAndPostLetters()
        let env = ["MES_HOME": s.store, "MES_NOW": "2022-03-20T10:00:00Z"]
        let other = try startBinary(["sweep", "--json"], env: env)
        let mine = try runBinary(["sweep", "--json"], env: env)
        other.waitUntilExit()
        #expect(mine.status == 0 && other.terminationStatus == 0)
        let db = try Database(path: s.store + "/mes.db", create: false)
        let decisions = try #require(try db.first("SELECT count(*), count(DISTINCT person_id) FROM decisions WHERE kind = 'automatic_creation'"))
        #expect(decisions.int(0)! > 1000 && decisions.int(0) == decisions.int(1), "\(decisions.int(0)!) decisions for \(decisions.int(1)!) profiles")
        #expect(try db.first("SELECT count(*) FROM people WHERE state = 'pending' AND notified_at IS NOT NULL AND deceased = 0")?.int(0) == 0)
    }

    // MARK: recovery

    @Test func aForgottenIdentifierComesBackThroughACodeSentToTheContactOnFile() throws {
        let s = try Scenario()
        _ = try s.activeMartine()
        let ask = try s.run(["recover", "identifier", "--json"] + Scenario.martine + Scenario.martineBirth)
        #expect(ask.status == 0, "\(ask.stderr)")
        #expect(ask.json["destination"] as? String == "dlf*****@atos.net", "\(ask.stdout)")
        let code = try s.lastCode()
        #expect(code.count == 6)
        let mail = try s.run(["outbox", "show", "last"]).stdout
        #expect(mail.contains("Vous avez demandé à retrouver votre identifiant."), "\(mail)")
        // A wrong code, then the right one (from a file: never needed on argv).
        let wrong = try write(s, "wrong", code == "000000" ? "000001\n" : "000000\n")
        let w = try s.run(["recover", "identifier", "--otp-file", wrong, "--json"] + Scenario.martine + Scenario.martineBirth)
        #expect(w.status == 77 && w.errorJSON["code"] as? String == "otp_rejected", "\(w.stderr)")
        let right = try write(s, "otp", code + "\n")
        let r = try s.run(["recover", "identifier", "--otp-file", right] + Scenario.martine + Scenario.martineBirth)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Votre identifiant Mon espace santé : martine.l"), "\(r.stdout)")
        // Single use.
        let again = try s.run(["recover", "identifier", "--otp-file", right, "--json"] + Scenario.martine + Scenario.martineBirth)
        #expect(again.status == 77)
    }

    @Test func identifierRecoveryHoldsItsAttemptLimitAndNeedsAnAccount() throws {
        let s = try Scenario()
        // Never activated: refused, and no code sent.
        let none = try s.run(["recover", "identifier", "--json"] + Scenario.martine + Scenario.martineBirth)
        #expect(none.status == 69 && none.errorJSON["code"] as? String == "no_account", "\(none.stderr)")
        _ = try s.activeMartine()
        s.advance(seconds: 60)
        #expect(try s.run(["recover", "identifier"] + Scenario.martine + Scenario.martineBirth).status == 0)
        let code = try s.lastCode()
        var codes: [String] = []
        for guess in 0..<5 {
            let g = String(format: "%06d", guess == 0 && code == "000000" ? 999_999 : guess)
            let f = try write(s, "g\(guess)", g == code ? "123457" : g)
            codes.append(try s.run(["recover", "identifier", "--otp-file", f, "--json"] + Scenario.martine + Scenario.martineBirth)
                .errorJSON["code"] as? String ?? "ok")
        }
        #expect(codes.last == "locked", "\(codes)")
        // Locked: even the right code fails now.
        let right = try write(s, "otp", code)
        #expect(try s.run(["recover", "identifier", "--otp-file", right] + Scenario.martine + Scenario.martineBirth).status == 77)
    }

    @Test func aForgottenPasswordIsReplacedThroughACodeAndEndsEverySession() throws {
        let s = try Scenario()
        let (token, _) = try s.activeMartine()
        let ask = try s.run(["recover", "password", "--username", "martine.l", "--json"])
        #expect(ask.status == 0, "\(ask.stderr)")
        #expect(ask.json["destination"] == nil && ask.json["channel"] == nil, "no contact named: \(ask.stdout)")
        let code = try s.lastCode()
        // An unknown identifier gets the very same answer, and nothing is sent.
        let before = try s.run(["outbox", "list", "--json"]).json["messages"] as? [[String: Any]] ?? []
        let unknown = try s.run(["recover", "password", "--username", "nobody.here", "--json"])
        #expect(unknown.status == 0 && unknown.stdout == ask.stdout, "\(unknown.stdout)")
        #expect((try s.run(["outbox", "list", "--json"]).json["messages"] as? [[String: Any]] ?? []).count == before.count)

        let otp = try write(s, "otp", code)
        // A weak password is refused and spends nothing.
        let weak = try write(s, "weak", "soleil\nsoleil\n")
        let refused = try s.run(["recover", "password", "--username", "martine.l", "--otp-file", otp, "--password-file", weak, "--json"])
        #expect(refused.status == 65, "\(refused.stderr)")
        let pw = try write(s, "pw", "Lune#2023abc\nLune#2023abc\n")
        let r = try s.run(["recover", "password", "--username", "martine.l", "--otp-file", otp, "--password-file", pw])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Votre mot de passe a été modifié"))
        let mail = try s.run(["outbox", "show", "last"]).stdout
        #expect(mail.contains("vient d'être modifié"), "\(mail)")
        // The old session ended; the old password fails, the new one works.
        #expect(try s.run(["profiles", "list", "--session", token]).status == 77)
        let old = try write(s, "old", "Soleil#2022x\n")
        #expect(try s.run(["login", "--username", "martine.l", "--password-file", old]).status == 77)
        #expect(try s.run(["login", "--username", "martine.l", "--password-file", pw]).status == 0)
        // The code was single use.
        #expect(try s.run(["recover", "password", "--username", "martine.l", "--otp-file", otp, "--password-file", pw]).status == 77)
    }

    /// Found by the attack: with a transport configured, sending inline took longer for an
    /// identifier that exists. The code is queued for `mes outbox send`, never sent inline;
    /// an empty or huge identifier is refused before anything is counted.
    @Test func passwordRecoveryNeverSendsInlineAndRefusesEmptyIdentifiers() throws {
        let s = try Scenario()
        _ = try s.activeMartine()
        // A transport that would hang: nothing may wait for it.
        let env = ["MES_HOME": s.store, "MES_NOW": s.now, "MES_MAIL_URL": "smtp://127.0.0.1:9"]
        for user in ["martine.l", "nobody.here"] {
            let r = try runBinary(["recover", "password", "--username", user, "--json"], env: env)
            #expect(r.status == 0 && r.json["status"] as? String == "code_sent", "\(user): \(r.stderr)")
        }
        let last = try s.run(["outbox", "show", "last", "--json"])
        #expect(last.json["status"] as? String == "queued" && (last.json["attempts"] as? Int) == 0, "\(last.stdout.prefix(300))")
        for user in ["", "   ", String(repeating: "a", count: 100_000)] {
            let r = try s.run(["recover", "password", "--username", user, "--json"])
            #expect(r.status == 65, "\(user.prefix(10)): \(r.stderr.prefix(200))")
        }
    }

    /// Found by the attack: an identifier that could not be shown (stdout full) spent the code.
    @Test func anIdentifierThatCannotBeShownSpendsNothing() throws {
        let s = try Scenario()
        _ = try s.activeMartine()
        #expect(try s.run(["recover", "identifier"] + Scenario.martine + Scenario.martineBirth).status == 0)
        let otp = try write(s, "otp", try s.lastCode())
        let args = (["recover", "identifier", "--otp-file", otp] + Scenario.martine + Scenario.martineBirth)
            .map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let full = try sh("\"$MES\" \(args) > /dev/full", env: ["MES_HOME": s.store, "MES_NOW": s.now])
        #expect(full.status == 74, "\(full.err)")
        let r = try s.run(["recover", "identifier", "--otp-file", otp] + Scenario.martine + Scenario.martineBirth)
        #expect(r.status == 0 && r.stdout.contains("martine.l"), "\(r.stderr)")
    }

    @Test func passwordRecoveryCodesLockTheIdentifierLikeSignIn() throws {
        let s = try Scenario()
        _ = try s.activeMartine()
        #expect(try s.run(["recover", "password", "--username", "martine.l"]).status == 0)
        let code = try s.lastCode()
        let pw = try write(s, "pw", "Lune#2023abc\nLune#2023abc\n")
        var codes: [String] = []
        for guess in 0..<5 {
            let f = try write(s, "g\(guess)", String(format: "%06d", (Int(code)! + 1 + guess) % 1_000_000))
            codes.append(try s.run(["recover", "password", "--username", "martine.l", "--otp-file", f, "--password-file", pw, "--json"])
                .errorJSON["code"] as? String ?? "ok")
        }
        #expect(codes == ["otp_rejected", "otp_rejected", "otp_rejected", "otp_rejected", "locked"], "\(codes)")
        let right = try write(s, "otp", code)
        #expect(try s.run(["recover", "password", "--username", "martine.l", "--otp-file", right, "--password-file", pw]).status == 77)
        // The lock also holds for sign-in (one bound per identifier).
        #expect(try s.run(["login", "--username", "martine.l", "--password-file", pw, "--json"]).errorJSON["code"] as? String == "locked")
    }
}
