import Foundation
import Testing

/// Activation, login, automatic creation, change of mind and closure, with the built binary.
@Suite(.serialized) struct ActivationEndToEndTests {
    func passwordFile(_ s: Scenario, _ lines: String) throws -> String {
        let p = s.dir.appendingPathComponent("pw-\(UUID().uuidString)").path
        try lines.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }

    /// Guide 002: CGU, e-mail change confirmed by a one-time code, identifier and password.
    func activateMartine(_ s: Scenario, token: String) throws -> String {
        let noCGU = try s.run(["activate", "--session", token, "--json"])
        #expect(noCGU.status == 65)
        #expect(noCGU.errorJSON["code"] as? String == "cgu_required")
        let sent = try s.run(["activate", "--session", token, "--accept-cgu", "--email", "mickael.rousset@atos.net", "--json"])
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(sent.json["status"] as? String == "otp_sent")
        let otp = try s.lastCode()
        #expect(otp.count == 6 && otp.allSatisfy(\.isNumber))
        let pw = try passwordFile(s, "Soleil#2022x\nSoleil#2022x\n")
        let bad = try s.run(["activate", "--session", token, "--accept-cgu", "--email", "mickael.rousset@atos.net", "--email-otp",
                             otp == "000000" ? "000001" : "000000", "--username", "martine.l", "--password-file", pw, "--json"])
        #expect(bad.status == 77)
        #expect(bad.errorJSON["code"] as? String == "otp_rejected")
        let ok = try s.run(["activate", "--session", token, "--accept-cgu", "--email", "mickael.rousset@atos.net", "--email-otp", otp,
                            "--username", "martine.l", "--password-file", pw])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("Mon espace santé a bien été activé !\nJe peux dès à présent découvrir toutes les fonctionnalités de Mon espace santé et commencer à compléter mon profil."),
                "\(ok.stdout)")
        return pw
    }

    /// Seed 002's contact step on its own: a wrong code refused at once (77, before any
    /// identifier), the right one shown on the contact screen, the mobile in pairs.
    @Test func aContactChangeIsConfirmedAtItsOwnStep() throws {
        let s = try Scenario()
        let token = try s.martineSession()
        let sent = try s.run(["activate", "--session", token, "--accept-cgu", "--mobile", "0611121314"])
        #expect(sent.status == 0 && sent.stdout.contains("Un code à usage unique vous a été envoyé au 0611121314"), "\(sent.stdout)")
        let otp = try s.lastCode()
        let wrong = try s.run(["activate", "--session", token, "--accept-cgu", "--mobile", "0611121314", "--mobile-otp",
                               otp == "000000" ? "000001" : "000000", "--json"])
        #expect(wrong.status == 77 && wrong.errorJSON["code"] as? String == "otp_rejected", "\(wrong.stderr)")
        let ok = try s.run(["activate", "--session", token, "--accept-cgu", "--mobile", "0611121314", "--mobile-otp", otp])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("Numéro de téléphone mobile : 06 11 12 13 14"), "\(ok.stdout)")
        let shown = try s.run(["contacts", "show", "--session", token])
        #expect(shown.stdout.contains("06 11 12 13 14"), "\(shown.stdout)")
    }

    @Test func guide002Activation() throws {
        let s = try Scenario()
        let token = try s.martineSession()
        _ = try activateMartine(s, token: token)
        let mail = try s.run(["outbox", "show", "last"])
        #expect(mail.stdout.contains("To: <mickael.rousset@atos.net>"))
        #expect(mail.stdout.contains("Votre profil a bien été activé"))
        let again = try s.run(["activate", "--session", token, "--accept-cgu", "--username", "martine.l2", "--password-file",
                               try passwordFile(s, "Soleil#2022x\n"), "--json"])
        #expect(again.status == 69)
        #expect(again.errorJSON["code"] as? String == "already_active")
        let oppose = try s.run(["oppose", "--session", token, "--yes", "--json"])
        #expect(oppose.status == 69)
        #expect((oppose.errorJSON["message"] as? String ?? "").contains("mes close"))
    }

    @Test func rejectedPasswordListsEveryFailureAtOnce() throws {
        let s = try Scenario()
        let token = try s.martineSession()
        let pw = try passwordFile(s, "martine\nmartine2\n")
        let r = try s.run(["activate", "--session", token, "--accept-cgu", "--username", "martine.l", "--password-file", pw, "--json"])
        #expect(r.status == 65)
        let message = r.errorJSON["message"] as? String ?? ""
        for rule in ["8 caractères minimum", "1 caractère spécial", "1 chiffre", "1 majuscule", "ne sont pas identiques",
                     "Le mot de passe saisi contient des informations personnelles."] {
            #expect(message.contains(rule), "missing \(rule) in \(message)")
        }
        let common = try s.run(["activate", "--session", token, "--accept-cgu", "--username", "martine.l", "--password-file",
                                try passwordFile(s, "Azerty123!\n"), "--json"])
        #expect(common.errorJSON["code"] as? String == "password_common")
        #expect(common.errorJSON["message"] as? String == "Mot de passe refusé : " + "Le mot de passe saisi n'est pas assez sécurisé. Veuillez réessayer.")
        for (id, code) in [("martine@x.fr", "username_invalid"), ("116304403801618", "username_invalid"), ("fr7630006000011234567890189", "username_invalid"), ("court", "username_invalid")] {
            let u = try s.run(["activate", "--session", token, "--accept-cgu", "--username", id, "--password-file",
                               try passwordFile(s, "Soleil#2022x\n"), "--json"])
            #expect(u.errorJSON["code"] as? String == code, "\(id)")
        }
    }

    @Test func usernameTakenSuggestsFreeOnes() throws {
        let s = try Scenario()
        let token = try s.martineSession()
        _ = try activateMartine(s, token: token)
        s.advance(seconds: 60)
        let nir = try s.run(["nir", "key", "1850344109123"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let card = ["--nir", "1850344109123" + nir, "--card", "photo", "--serial", "01024576124"]
        try s.run(["code", "generate", "--birth-date", "15/03/1985"] + card)
        let t = try s.run(["identify", "--json", "--code", try s.lastCode()] + card).json["session"] as? String ?? ""
        let r = try s.run(["activate", "--session", t, "--accept-cgu", "--username", "martine.l", "--password-file",
                           try passwordFile(s, "Kb#19850315x\n"), "--json"])
        #expect(r.status == 65)
        #expect(r.errorJSON["code"] as? String == "username_taken")
        #expect((r.errorJSON["message"] as? String ?? "").contains("martine.l1985"))
    }

    @Test func opposedThenActivatedSeed003() throws {
        let s = try Scenario()
        let token = try s.martineSession()
        #expect(try s.run(["oppose", "--session", token, "--yes"]).status == 0)
        s.advance(seconds: 86_400)
        let t2 = try s.martineSession()
        let r = try s.run(["activate", "--session", t2, "--accept-cgu", "--username", "martine.l", "--password-file",
                           try passwordFile(s, "Soleil#2022x\n")])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Vous vous êtes opposé à la création de Mon espace santé le 03/02/2022. Vous pouvez changer d'avis"))
        #expect(r.stdout.contains("Mon espace santé a bien été activé !"))
    }

    @Test func closeThenLoginIsRefused() throws {
        let s = try Scenario()
        let token = try s.martineSession()
        let pw = try activateMartine(s, token: token)
        let c = try s.run(["close", "--session", token, "--yes", "--json"])
        #expect(c.status == 0, "\(c.stderr)")
        #expect(c.json["content"] as? String == "archive_10_years")
        // Closing ends every session of the profile: the old token can neither close again, nor
        // list profiles, nor activate with a new identifier.
        #expect(try s.run(["close", "--session", token, "--yes"]).status == 77)
        #expect(try s.run(["profiles", "list", "--session", token]).status == 77)
        let again = try s.run(["activate", "--session", token, "--accept-cgu", "--username", "martine.bis", "--password-file", pw])
        #expect(again.status == 77)
        let login = try s.run(["login", "--username", "martine.l", "--password-file", pw])
        #expect(login.status == 77)
    }

    @Test func loginWrongThenRightAccessCodeAndLockout() throws {
        let s = try Scenario()
        let token = try s.martineSession()
        let pw = try activateMartine(s, token: token)
        let step1 = try s.run(["login", "--username", "martine.l", "--password-file", pw])
        #expect(step1.status == 0, "\(step1.stderr)")
        #expect(step1.stdout.contains("il est valable pendant 15min"))
        let code = try s.lastCode()
        let wrong = try s.run(["login", "--username", "martine.l", "--otp", code == "000000" ? "111111" : "000000", "--json"])
        #expect(wrong.status == 77)
        #expect(wrong.errorJSON["message"] as? String == "Vérifier le code à usage unique et réessayer")
        let right = try s.run(["login", "--username", "martine.l", "--otp", code, "--json"])
        #expect(right.status == 0)
        let session = try #require(right.json["session"] as? String)
        #expect(try s.run(["profiles", "list", "--session", session]).status == 0)
        // Five wrong passwords lock the account, even for the right password, for 15 minutes.
        let bad = try passwordFile(s, "Wrong#Pass1\n")
        var codes: [String] = []
        for _ in 0..<5 { codes.append(try s.run(["login", "--username", "martine.l", "--password-file", bad, "--json"]).errorJSON["code"] as? String ?? "") }
        #expect(codes == ["identity_not_found", "identity_not_found", "identity_not_found", "identity_not_found", "locked"])
        #expect(try s.run(["login", "--username", "martine.l", "--password-file", pw, "--json"]).errorJSON["code"] as? String == "locked")
        s.advance(seconds: 15 * 60)
        #expect(try s.run(["login", "--username", "martine.l", "--password-file", pw]).status == 0)
        // Unknown identifiers get the same answer.
        #expect(try s.run(["login", "--username", "personne.inconnue", "--password-file", pw, "--json"]).errorJSON["code"] as? String == "identity_not_found")
    }

    @Test func sweepBeforeAndAfterSixWeeks() throws {
        let s = try Scenario()
        s.deliverToMaildir()
        try s.run(["notify"])
        try s.printAndPostLetters()
        s.advance(seconds: 41 * 86_400)
        // Only Martine, notified on 10/01/2022 by the demo data, is past her window.
        let early = try s.run(["sweep", "--json"])
        #expect(early.json["created"] as? Int == 1)
        s.advance(seconds: 86_400)
        let dry = try s.run(["sweep", "--dry-run", "--json"])
        // Karim, with neither e-mail nor postal address, was never notified: no window runs for him.
        #expect(dry.json["created"] as? Int == 8)
        let done = try s.run(["sweep", "--json"])
        #expect(done.json["created"] as? Int == 8)
        #expect(try s.run(["sweep", "--json"]).json["created"] as? Int == 0)
        let hist = try s.run(["history", "--json"])
        let auto = (hist.json["events"] as? [[String: Any]] ?? []).filter { $0["event"] as? String == "automatic_creation" }
        #expect(auto.count == 9)
        #expect(auto.allSatisfy { $0["actor"] as? String == "system" && $0["channel"] as? String == "automatic" })
    }

    @Test func deceasedCannotBeActivated() throws {
        let s = try Scenario()
        let key = 97 - Int(1_380_475_056_042 % 97)
        let card = ["--nir", "1380475056042" + (key < 10 ? "0\(key)" : "\(key)"), "--card", "plain", "--serial", "12345678"]
        try s.run(["code", "generate", "--birth-date", "19/04/1938"] + card)
        let t = try s.run(["identify", "--json", "--code", try s.lastCode()] + card).json["session"] as? String ?? ""
        let r = try s.run(["activate", "--session", t, "--accept-cgu", "--username", "henri.lefebvre", "--password-file",
                           try passwordFile(s, "Soleil#2022x\n"), "--json"])
        #expect(r.status == 69)
        #expect(r.errorJSON["message"] as? String == "Ce profil ne peut pas être activé")
    }

    @Test func noPasswordOrOneTimeCodeInClear() throws {
        let s = try Scenario()
        let token = try s.martineSession()
        let pw = try activateMartine(s, token: token)
        try s.run(["login", "--username", "martine.l", "--password-file", pw])
        let code = try s.lastCode()
        let session = try s.run(["login", "--username", "martine.l", "--otp", code, "--json"]).json["session"] as? String ?? "?"
        for (name, bytes) in s.bytesOutsideOutbox() {
            for secret in ["Soleil#2022x", code, session, token] {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret) in \(name)")
            }
        }
    }
}
