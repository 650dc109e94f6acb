import Foundation
import Testing
@testable import MESStore

/// The person's journey in the service's words (seeds 001–003): the decision step, the phone
/// service's hours, twins listed, a deceased person not greeted, letters valid 6 weeks.
@Suite(.serialized) struct JourneyTests {
    @Test func identifyPresentsTheDecisionAsTheServiceDoes() throws {
        let s = try Scenario()
        let r = try s.run(["code", "generate"] + Scenario.martine + Scenario.martineBirth)
        #expect(r.status == 0)
        let id = try s.run(["identify", "--code", try s.lastCode()] + Scenario.martine)
        #expect(id.stdout.contains("Je prends ma décision :"))
        #expect(id.stdout.contains("J'active Mon espace santé\n    J'ai la main sur ma santé : je gère mes informations et les partage en toute confidentialité et en toute sécurité."))
        #expect(id.stdout.contains("Je m'oppose à la création de Mon espace santé\n    Je renonce aux avantages de Mon espace santé. Si je change d'avis, je peux à tout moment l'activer."))
        // Once opposed, only activation is offered.
        s.advance(seconds: 60)
        let token = try s.martineSession()
        #expect(try s.run(["oppose", "--session", token, "--yes"]).status == 0)
        s.advance(seconds: 60)
        try s.run(["code", "generate"] + Scenario.martine + Scenario.martineBirth)
        let again = try s.run(["identify", "--json", "--code", try s.lastCode()] + Scenario.martine)
        #expect((again.json["decisions"] as? [[String: Any]] ?? []).map { $0["action"] as? String } == ["activate"])
    }

    @Test func anActiveSpaceIsOfferedOnlyClosureAndADeceasedPersonIsNotGreeted() throws {
        let s = try Scenario()
        let claire = ["--nir", "290063155510117", "--card", "photo", "--serial", "09876543210"]
        try s.run(["code", "generate", "--birth-date", "27/06/1990"] + claire)
        let c = try s.run(["identify", "--json", "--code", try s.lastCode()] + claire)
        #expect((c.json["decisions"] as? [[String: Any]] ?? []).map { $0["action"] as? String } == ["close"])
        let henri = ["--nir", "138047505604231", "--card", "plain", "--serial", "12345678"]
        let hc = try s.run(["code", "generate", "--birth-date", "19/04/1938"] + henri)
        #expect(hc.status == 0, "\(hc.stderr)")
        let h = try s.run(["identify", "--code", try s.lastCode()] + henri)
        #expect(!h.stdout.contains("Bonjour"), "\(h.stdout)")
        #expect(h.stdout.contains("personne décédée"))
        #expect(!h.stdout.contains("J'active"), "a deceased person's profile is never activated")
    }

    @Test func twinsAreListedByFirstName() throws {
        let s = try Scenario()
        let r = try s.run(["code", "generate", "--nir", "285059710512311", "--birth-date", "12/04/2016", "--card", "photo",
                           "--serial", "04512378963", "--json"])
        let message = r.errorJSON["message"] as? String ?? ""
        #expect(message.contains("Léa") && message.contains("Lucas"), "\(message)")
    }

    @Test func thePhoneServiceKeepsItsHours() throws {
        let s = try Scenario()
        let args = ["oppose", "--assisted", "--adviser", "A042", "--nir", "116304403801618", "--birth-date", "08/06/1988",
                    "--last-name", "Leguellec", "--yes", "--json"]
        s.now = "2022-02-05T20:00:00Z"  // Saturday, 21:00 in Paris
        let saturday = try s.run(args)
        #expect(saturday.status == 69 && saturday.errorJSON["code"] as? String == "phone_closed", "\(saturday.stderr)")
        #expect((saturday.errorJSON["message"] as? String ?? "").contains("du lundi au vendredi de 8h30 à 17h30"))
        s.now = "2022-02-07T07:00:00Z"  // Monday, 8:00 in Paris: not yet
        #expect(try s.run(args).status == 69)
        s.now = "2022-02-07T07:30:00Z"  // Monday, 8:30 in Paris
        #expect(try s.run(args).status == 0)
    }

    /// Found by the attack: children whose row carries their holder's e-mail got one message
    /// each. A family's notification goes once to each address, naming every profile.
    @Test func oneNotificationPerAddressEvenWhenChildrenCarryTheHoldersEmail() throws {
        let s = try Scenario(demo: false)
        #expect(try s.run(["init", "--test-clock"]).status == 0)
        try s.importSynthetic(count: 400, seed: "families")
        let wave = try s.run(["notify", "--no-send", "--json"])
        #expect(wave.status == 0, "\(wave.stderr)")
        let db = try Database(path: s.store + "/mes.db", create: false)
        let row = try #require(try db.first("SELECT count(*), count(DISTINCT lower(recipient)) FROM outbox WHERE channel = 'email'"))
        #expect(row.int(0)! > 50 && row.int(0) == row.int(1), "\(row.int(0)!) e-mails to \(row.int(1)!) addresses")
        #expect((wave.json["messages"] as? Int ?? 0) < (wave.json["notified"] as? Int ?? 0))
    }

    @Test func aLetterSaysSixWeeks() throws {
        let s = try Scenario()
        let santoni = ["--nir", "152072A00401765", "--birth-date", "03/07/1952", "--card", "plain", "--serial", "87654321"]
        let r = try s.run(["code", "generate"] + santoni)
        #expect(r.status == 0, "\(r.stderr)")
        let letter = try s.run(["outbox", "show", "last"]).stdout
        #expect(letter.contains("valable 6 semaines"), "\(letter)")
    }

    @Test func closureIsConfirmedInItsOwnWordsAndTheHolderTakesBackTheirIdentifier() throws {
        let s = try Scenario()
        let (token, pw) = try s.activeMartine()
        let noYes = try s.run(["close", "--session", token, "--json"])
        #expect(noYes.status == 64)
        #expect((noYes.errorJSON["message"] as? String ?? "").contains("Je clôture Mon espace santé"), "\(noYes.stderr)")
        #expect(!(noYes.errorJSON["message"] as? String ?? "").contains("opposition"))
        #expect(try s.run(["close", "--session", token, "--yes"]).status == 0)
        let mail = try s.run(["outbox", "show", "last"]).stdout
        #expect(mail.contains("Mon espace santé a été clôturé le 03/02/2022") && mail.contains("archivé pendant 10 ans"), "\(mail)")
        s.advance(seconds: 60)
        let t2 = try s.martineSession()
        let again = try s.run(["activate", "--session", t2, "--accept-cgu", "--username", "martine.l", "--password-file", pw])
        #expect(again.status == 0, "\(again.stderr)")
    }

    @Test func noLetterWithoutAPostalAddressAndAUsedCodeIsExplained() throws {
        let s = try Scenario()
        let karim = ["--nir", "185034410912379", "--birth-date", "15/03/1985", "--card", "photo", "--serial", "01024576124"]
        let letter = try s.run(["code", "generate", "--via", "sms"] + karim)
        #expect(letter.status == 0, "SMS works: \(letter.stderr)")
        try s.run(["code", "generate"] + Scenario.martine + Scenario.martineBirth)
        let code = try s.lastCode()
        #expect(try s.run(["identify", "--code", code] + Scenario.martine).status == 0)
        let used = try s.run(["identify", "--code", code, "--json"] + Scenario.martine)
        #expect((used.errorJSON["message"] as? String ?? "").contains("ne peut servir qu'une seule fois"))
    }

    @Test func contactsAreShownBeforeACodeAndAtActivationOnTheirOwn() throws {
        let s = try Scenario()
        let before = try s.run(["contacts", "show"] + Scenario.martine + Scenario.martineBirth)
        #expect(before.status == 0, "\(before.stderr)")
        #expect(before.stdout.contains("Je vérifie mes coordonnées de contact"))
        #expect(before.stdout.contains("Adresse e-mail : dlf*****@atos.net"))
        #expect(before.stdout.contains("Numéro de téléphone mobile : Aucun numéro enregistré"))
        #expect(before.stdout.contains("Mes coordonnées sont incorrectes ?"))
        let token = try s.martineSession()
        let step = try s.run(["activate", "--session", token, "--accept-cgu"])
        #expect(step.status == 0, "\(step.stderr)")
        #expect(step.stdout.contains("Adresse e-mail : dlfr-cn5-tma-support-cobra@atos.net"))
        #expect(step.stdout.contains("--username"))
        // Wrong identities before a code count toward the same lockout as code requests.
        var codes: [String] = []
        for day in ["01", "02", "03", "04", "05"] {
            let r = try s.run(["contacts", "show", "--nir", "116304403801618", "--birth-date", "\(day)/06/1988", "--card", "plain",
                               "--serial", "953701166", "--json"])
            codes.append(r.errorJSON["code"] as? String ?? "shown")
        }
        #expect(codes.last == "locked", "\(codes)")
    }

    @Test func messagesCarryTheServicesBlocks() throws {
        let s = try Scenario()
        #expect(try s.run(["notify"]).status == 0)
        let list = try s.run(["outbox", "list", "--json"]).json["messages"] as? [[String: Any]] ?? []
        let mail = try #require(list.first { $0["channel"] as? String == "email" })
        let body = try s.run(["outbox", "show", "\(mail["id"] as! Int)"]).stdout
        #expect(body.contains("ACTIVER MON ESPACE SANTÉ"))
        #expect(body.contains("Avec Mon espace santé, vous pouvez :"))
        #expect(body.contains("messagerie de santé sécurisée"))
        _ = try s.activeMartine()
        let activated = try s.run(["outbox", "show", "last"]).stdout
        #expect(activated.contains("Votre profil a bien été activé !") && activated.contains("ME CONNECTER"), "\(activated)")
    }

    @Test func oneNotificationPerHolderNamesEveryProfile() throws {
        let s = try Scenario()
        let n = try s.run(["notify", "--json"])
        #expect(n.status == 0)
        let list = try s.run(["outbox", "list", "--nir", "116304403801618", "--json"]).json["messages"] as? [[String: Any]] ?? []
        #expect(list.count == 1, "the Capanelli children's codes go to Martine in one message: \(list.count)")
        let shown = try s.run(["outbox", "show", "\(list.first?["id"] as? Int ?? 0)", "--json"])
        let body = shown.json["body"] as? String ?? ""
        for child in ["Jean-Jacques Capanelli", "Gerard Capanelli", "Brigitte Capanelli", "Vincent Capanelli"] {
            #expect(body.contains("Code provisoire pour votre enfant \(child) : "), "\(child)")
        }
        // The message goes to Martine about her children (issue 32): it never tells her she will benefit.
        #expect(body.contains("Vos proches vont bénéficier de Mon espace santé.") && !body.contains("Vous allez bénéficier"), "\(body)")
        #expect(!body.contains("Virginie"), "already opposed: not notified")
        let codes = shown.json["codes"] as? [String] ?? []
        #expect(codes.count == 4)
        // Each code identifies its own profile on the holder's card.
        let id = try s.run(["identify", "--json", "--code", codes[2]] + Scenario.martine)
        #expect((id.json["profile"] as? [String: Any])?["first_name"] as? String == "Brigitte")
    }
}
