import Foundation
import Testing
import TestSupport
import MESCore
import MESCrypto
@testable import MESRender
@testable import MESService
@testable import MESStore

/// What members receive says only what is true of them (issue 32, finding 8): a message about
/// a minor speaks to the legal representative ("pour votre enfant …"), never "Bonjour
/// Paul-Antoine" to a five-year-old; a receipt or a message an association asked for names
/// it; a code letter says why it is a letter only when that is why.
@Suite struct HonestMessagesTests {
    static let nbsp = "\u{A0}"
    /// "à la demande de l'association « NAME »", as the texts write it.
    static func asked(_ name: String) -> String { "à la demande de l'association «\(nbsp)\(name)\(nbsp)»" }

    /// A family on one card: Jeanne (the holder, a postal address only), Paul-Antoine (5 on the
    /// Harness's clock, 2022-02-03), Lou (18 that very day) and Noé (18 the day after).
    struct Family {
        var holder, child, eighteen, almost: Person
        var card: CardIdentity { CardIdentity(nir: holder.nir, card: holder.card, serial: holder.serial) }
    }

    static func family(_ h: Harness, email: String? = nil, mobile: String? = nil) throws -> Family {
        let nir = DemoData.nir("2800175056123")
        let store = h.service.store
        return try store.transaction {
            func person(_ first: String, _ birth: String, holder: Int64?, email: String? = nil, mobile: String? = nil,
                        address: String? = nil) throws -> Person {
                let p = Person(nir: nir, birthDate: CalendarDate.parse(birth)!, firstName: first, lastName: "Dupont", card: .plain,
                               serial: "55501234", email: email, mobile: mobile, address: address, holderID: holder)
                return try store.person(id: try store.insert(p))!
            }
            let holder = try person("Jeanne", "1980-05-02", holder: nil, email: email, mobile: mobile, address: "12 rue des Lilas, 44000 Nantes")
            return Family(holder: holder, child: try person("Paul-Antoine", "2016-09-01", holder: holder.id),
                          eighteen: try person("Lou", "2004-02-03", holder: holder.id), almost: try person("Noé", "2004-02-04", holder: holder.id))
        }
    }

    func text(_ m: OutgoingMessage) -> String { String(decoding: m.body, as: UTF8.self) }

    // MARK: codes

    @Test func aCodeLetterAboutAFiveYearOldGoesToItsLegalRepresentatives() throws {
        let h = try Harness()
        let f = try Self.family(h)
        let d = try h.service.requestCode(CodeRequest(card: f.card, birthDate: f.child.birthDate))
        #expect(d.channel == .letter)
        let letter = h.lastText
        // Asked by the family, which has neither e-mail nor mobile: the letter may say so.
        #expect(letter.hasPrefix("""
            Aux représentants légaux de
            Paul-Antoine Dupont
            12 rue des Lilas, 44000 Nantes

            Bonjour,

            Vous avez demandé un nouveau code provisoire pour Mon espace santé. Aucune adresse e-mail ni aucun numéro de mobile ne figurant dans votre dossier, il vous est adressé par courrier.

            Code provisoire pour votre enfant Paul-Antoine Dupont : AAAAAAAAAAAA

            """), "\(letter)")
        #expect(!letter.contains("Bonjour Paul") && MessageTemplates.code(in: letter) == "AAAAAAAAAAAA")

        // Printed, the child's name is the address block's second line, under La Poste's norm.
        let pdf = temporaryPath("honest-letters") + ".pdf"
        defer { try? FileManager.default.removeItem(atPath: pdf) }
        let printed = try h.service.printLetters(to: pdf, replace: false)
        #expect(printed.pages >= 1 && printed.nonStandardAddresses == 0)
        let shown = try runProgram(try #require(findProgram("pdftotext")), ["-layout", pdf, "-"]).output
        let block = shown.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let at = try #require(block.firstIndex(of: "Aux représentants légaux de"), "\(shown)")
        #expect(Array(block[at...].prefix(4)) == ["Aux représentants légaux de", "Paul-Antoine Dupont", "12 rue des Lilas", "44000 NANTES"], "\(shown)")
    }

    /// The day someone turns 18 (Paris time), messages speak to them; the day before, to their
    /// legal representatives.
    @Test func turningEighteenTodayIsAnAdultAndTomorrowIsNot() throws {
        let h = try Harness()
        let f = try Self.family(h)
        _ = try h.service.requestCode(CodeRequest(card: f.card, birthDate: f.eighteen.birthDate))
        #expect(h.lastText.hasPrefix("Lou Dupont\n12 rue des Lilas, 44000 Nantes\n\nBonjour,\n"), "\(h.lastText)")
        #expect(h.lastText.contains("Code provisoire pour Lou Dupont : "))
        _ = try h.service.requestCode(CodeRequest(card: f.card, birthDate: f.almost.birthDate))
        #expect(h.lastText.hasPrefix("Aux représentants légaux de\nNoé Dupont\n"), "\(h.lastText)")
        #expect(h.lastText.contains("Code provisoire pour votre enfant Noé Dupont : "))

        // Lou's birthday starts at midnight in Paris (23:00 UTC in winter), not at midnight UTC.
        let c = MessageComposer()
        func letter(at instant: String) -> String {
            text(c.onDemandCode("AAAAAAAAAAAA", for: f.eighteen, contact: f.holder, on: .letter, at: Instant.parse(instant)!))
        }
        #expect(letter(at: "2022-02-02T23:00:00Z").hasPrefix("Lou Dupont\n"))
        #expect(letter(at: "2022-02-02T22:59:59Z").hasPrefix("Aux représentants légaux de\nLou Dupont\n"))
        #expect(ProfileRules.speaksToLegalRepresentative(about: f.eighteen, at: Instant.parse("2022-02-02T23:00:00Z")!) == false)
        #expect(ProfileRules.speaksToLegalRepresentative(about: f.eighteen, at: Instant.parse("2022-02-02T22:59:59Z")!))
    }

    /// The batch asks for codes by letter (`BatchMembers`: `requestCode(for:via: .letter, channel:
    /// .batch, actor: .association, actorID:)`) for members who have an e-mail and a mobile: the
    /// letter says the association asked, and nothing of missing contacts.
    @Test func aCodeLetterAnAssociationAskedForSaysSoAndNothingElse() throws {
        let h = try Harness()
        let f = try Self.family(h, email: "jeanne@example.fr", mobile: "06 11 22 33 44")
        let now = h.clock.now()
        func request(_ p: Person, _ association: String) throws -> String {
            _ = try h.service.store.transaction {
                try h.service.requestCode(for: p, via: .letter, now: now, channel: .batch, actor: .association, actorID: association)
            }
            return h.lastText
        }
        let adult = try request(f.holder, "Les Amis")
        #expect(adult.hasPrefix("""
            Jeanne Dupont
            12 rue des Lilas, 44000 Nantes

            Bonjour,

            Ce code provisoire vous est adressé par courrier \(Self.asked("Les Amis")), pour déposer une opposition à la création de Mon espace santé.

            Code provisoire pour Jeanne Dupont : AAAAAAAAAAAA

            """), "\(adult)")
        let child = try request(f.child, "Les Amis")
        #expect(child.hasPrefix("Aux représentants légaux de\nPaul-Antoine Dupont\n12 rue des Lilas, 44000 Nantes\n\nBonjour,\n\nCe code provisoire vous est adressé par courrier \(Self.asked("Les Amis"))"), "\(child)")
        #expect(child.contains("Code provisoire pour votre enfant Paul-Antoine Dupont : AAAAAAAAAAAA"))
        // The batch's default name names no one.
        let unnamed = try request(f.eighteen, ActorName.unnamedAssociation)
        #expect(unnamed.contains("Ce code provisoire vous est adressé par courrier à la demande d'une association, pour déposer une opposition"), "\(unnamed)")
        for letter in [adult, child, unnamed] {
            #expect(!letter.contains("Aucune adresse e-mail") && !letter.contains("mobile") && !letter.contains("Vous avez demandé"), "\(letter)")
        }
        // Printed, the association's name is on the page as typed.
        let odd = "Les « Amis » (Paris) d'Éloïse, \"section\" Nord \\ Łódź"
        _ = try request(f.almost, try ActorName.association(odd))
        let pdf = temporaryPath("honest-association-letters") + ".pdf"
        defer { try? FileManager.default.removeItem(atPath: pdf) }
        #expect(try h.service.printLetters(to: pdf, replace: false).nonStandardAddresses == 0)
        let shown = try runProgram(try #require(findProgram("pdftotext")), [pdf, "-"]).output
        #expect(flat(shown).split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
                .contains("à la demande de l'association « \(odd) », pour déposer une opposition"), "\(shown)")
        // The audit trail names the association (what the letter says it is).
        let issued = try h.service.store.history(nir: f.holder.nir).filter { $0.event == "code_issued" }
        #expect(issued.map(\.actorID) == ["Les Amis", "Les Amis", "association", odd] && issued.allSatisfy { $0.channel == "batch" })
    }

    @Test func aLetterChosenByThePersonDoesNotSayTheyHaveNoEmail() throws {
        let h = try Harness()
        let f = try Self.family(h, email: "jeanne@example.fr")
        _ = try h.service.requestCode(CodeRequest(card: f.card, birthDate: f.holder.birthDate, via: .letter))
        #expect(h.lastText.contains("Vous avez demandé un nouveau code provisoire pour Mon espace santé, à recevoir par courrier."), "\(h.lastText)")
        #expect(!h.lastText.contains("Aucune adresse e-mail"))
    }

    /// By e-mail (and SMS), a child's code names the child; the seed's text is unchanged for an adult.
    @Test func aCodeByEmailOrSMSForAChildNamesTheChild() throws {
        let h = try Harness()
        // Sophie Martin's twins, 5, on her card; her e-mail.
        let twin = CardIdentity(nir: DemoData.nir("2850597105123"), card: .photo, serial: "04512378963")
        _ = try h.service.requestCode(CodeRequest(card: twin, birthDate: CalendarDate(year: 2016, month: 4, day: 12)!, firstName: "Léa"))
        #expect(h.lastText.contains("\r\n\r\nBonjour,\r\n\r\nVous avez demandé un nouveau code provisoire pour votre enfant Léa Martin.\r\n\r\n"
                                    + "Pour poursuivre votre identification, veuillez saisir le code provisoire suivant :\r\n\r\nAAAAAAAAAAAA\r\n"), "\(h.lastText)")
        _ = try h.service.requestCode(CodeRequest(card: Harness.martine, birthDate: DemoData.martineBirthDate))
        #expect(h.lastText.contains("\r\n\r\nBonjour,\r\n\r\nPour poursuivre votre identification"))
        let f = try Self.family(h)
        let sms = text(MessageComposer().onDemandCode("AAAAAAAAAAAA", for: f.child, contact: f.holder.with(mobile: "06 11 22 33 44"), on: .sms,
                                                       at: h.clock.now()))
        #expect(sms == "Mon espace santé, pour votre enfant Paul-Antoine Dupont : votre code provisoire est AAAAAAAAAAAA. Il est valable 15 minutes et ne fonctionne qu'une seule fois.")
        #expect(MessageTemplates.code(in: sms) == "AAAAAAAAAAAA")
    }

    // MARK: notifications, activation, closure

    @Test func aNotificationNamesChildrenAsTheReadersChildren() throws {
        let h = try Harness()
        _ = try h.service.notify(forceLetter: false)
        func body(to address: String) throws -> String {
            String(decoding: try #require(h.transport.sent.first { $0.recipient == address }, "\(address)").body, as: UTF8.self)
        }
        // Martine was notified already: the message is about her four children alone.
        let martine = try body(to: "dlfr-cn5-tma-support-cobra@atos.net")
        #expect(martine.contains("Bonjour,\r\n\r\nVos proches vont bénéficier de Mon espace santé. Ce nouveau service public"), "\(martine)")
        #expect(martine.contains("sera créé automatiquement pour : votre enfant Jean-Jacques Capanelli, votre enfant Gerard Capanelli, "
                                 + "votre enfant Brigitte Capanelli, votre enfant Vincent Capanelli\r\n"), "\(martine)")
        #expect(martine.contains("Code provisoire pour votre enfant Vincent Capanelli : ") && !martine.contains("Vous allez bénéficier"))
        // Sophie and her twins: she is one of them (the seed's words), they are her children.
        let sophie = try body(to: "sophie.martin@example.fr")
        #expect(sophie.contains("Vous allez bénéficier de Mon espace santé.") && sophie.contains("pour : Sophie Martin, votre enfant Léa Martin, votre enfant Lucas Martin"),
                "\(sophie)")

        let f = try Self.family(h)
        let c = MessageComposer()
        let one = text(c.notification(to: f.holder, codes: [(f.child, "AAAAAAAAAAAA")], on: .letter, at: h.clock.now()))
        #expect(one.hasPrefix("Jeanne Dupont\n12 rue des Lilas, 44000 Nantes\n\nBonjour,\n\nVotre enfant Paul-Antoine Dupont va bénéficier de Mon espace santé."), "\(one)")
        // A minor reached at their own address (or e-mail): to their legal representatives.
        var own = f.child
        own.address = "3 place Royale, 44000 Nantes"
        let alone = text(c.notification(to: own, codes: [(own, "AAAAAAAAAAAA")], on: .letter, at: h.clock.now()))
        #expect(alone.hasPrefix("Aux représentants légaux de\nPaul-Antoine Dupont\n3 place Royale, 44000 Nantes\n\nBonjour,\n\nVotre enfant Paul-Antoine Dupont va bénéficier"), "\(alone)")
        // Lou, 18 today, is her own reader; an adult dependant is named as such.
        let lou = text(c.notification(to: f.eighteen.with(email: "lou@example.fr"), codes: [(f.eighteen.with(email: "lou@example.fr"), "A")], on: .email, at: h.clock.now()))
        #expect(lou.contains("Vous allez bénéficier de Mon espace santé.") && lou.contains("Code provisoire pour Lou Dupont : A"))
        let dependant = text(c.notification(to: f.holder, codes: [(f.eighteen, "A")], on: .letter, at: h.clock.now()))
        #expect(dependant.contains("Lou Dupont va bénéficier de Mon espace santé."), "\(dependant)")
    }

    @Test func activationAndClosureOfAChildsSpaceSpeakToTheLegalRepresentative() throws {
        let h = try Harness()
        let f = try Self.family(h)
        let c = MessageComposer(), now = h.clock.now()
        let activated = c.activated(to: "jeanne@example.fr", about: f.child, at: now)
        #expect(activated.subject == "Le profil Mon espace santé de votre enfant a bien été activé")
        #expect(text(activated).contains("Bonjour,\r\n\r\nLe profil de votre enfant Paul-Antoine Dupont a bien été activé !\r\n\r\n"
                                         + "Bienvenue sur Mon espace santé.\r\n\r\nVous avez la main sur sa santé et vous pouvez désormais :"))
        // Seed 003's e-mail: its four points and its button.
        for line in ["- Stocker et archiver en ligne l'essentiel de vos données de santé en toute sécurité ;",
                     "- Partager une synthèse de votre profil médical avec les professionnels de santé qui vous accompagnent ;",
                     "- Échanger avec vos professionnels de santé en toute confidentialité grâce à la messagerie de santé ;",
                     "- Suivre la santé de vos enfants en rattachant leur profil directement au vôtre.",
                     "ME CONNECTER À MON ESPACE SANTÉ"] {
            #expect(text(activated).contains(line), "\(line)")
        }
        let adult = c.activated(to: "lou@example.fr", about: f.eighteen, at: now)
        #expect(adult.subject == MessageTemplates.activatedSubject && text(adult).contains("\r\n\r\nVotre profil a bien été activé !\r\n"))
        #expect(MessageTemplates.activated == MessageTemplates.activated(child: nil))
        let closed = text(c.closed(to: "jeanne@example.fr", about: f.child, receipt: "JC-1", deletionAsked: false, deletedAt: now, at: now))
        #expect(closed.contains("Mon espace santé de votre enfant Paul-Antoine Dupont a été clôturé le 03/02/2022 à votre demande (justificatif de clôture JC-1)."))
        #expect(text(c.closed(to: "lou@example.fr", about: f.eighteen, receipt: "JC-1", deletionAsked: false, deletedAt: now, at: now))
                .contains("\r\n\r\nMon espace santé a été clôturé le 03/02/2022 à votre demande"))
    }

    /// The new texts, with the longest names, pass the strict checks a demanding server applies.
    @Test func theNewTextsPassAStrictParse() throws {
        let h = try Harness()
        let f = try Self.family(h, email: "jeanne@example.fr")
        var child = f.child
        (child.firstName, child.lastName) = ("Marie-Éléonore-Françoise-Ægidia", "LE GUELLEC-DE-KERGOAT-D’ARMOR")
        let c = MessageComposer(from: "Union des parents d'élèves, section \"Nord\" (Łódź) <envoi@mes.example.fr>"), now = h.clock.now()
        let odd = try ActorName.association("Les « Amis » (Paris) d'Éloïse, \"section\" Nord \\ 2022 — fin")
        let messages = [
            c.onDemandCode("ABCDEFGHJKLM", for: child, contact: f.holder, on: .email, at: now),
            c.onDemandCode("ABCDEFGHJKLM", for: child, contact: f.holder, on: .email, at: now, requester: .association(odd)),
            c.notification(to: f.holder, codes: [(child, "ABCDEFGHJKLM"), (f.almost, "ABCDEFGHJKLN")], on: .email, at: now),
            c.activated(to: "jeanne@example.fr", about: child, at: now),
            c.closed(to: "jeanne@example.fr", about: child, receipt: "JC-7K2M9QXD4T", deletionAsked: true, deletedAt: now, at: now),
        ]
        #expect(try StrictMailTests().problems(messages.map { MIME.sevenBit($0.body) }) == [:])
        #expect(text(messages[1]).contains("Ce code provisoire vous est adressé \(Self.asked(odd)), pour déposer une opposition à la création "
                                           + "de Mon espace santé pour votre enfant Marie-Éléonore-Françoise-Ægidia LE GUELLEC-DE-KERGOAT-D’ARMOR."))
    }

    // MARK: receipts

    /// The PDF's text as `pdftotext` reads it, white space flattened.
    func pdfText(_ bytes: [UInt8]) throws -> String {
        let path = temporaryPath("honest-receipt") + ".pdf"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let (status, out) = try runProgram(try #require(findProgram("pdftotext")), [path, "-"])
        #expect(status == 0)
        return out.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
    }

    /// The same with no-break spaces as spaces (`pdftotext` writes U+00A0 as it is).
    func flat(_ s: String) -> String { s.replacingOccurrences(of: Self.nbsp, with: " ") }

    @Test func aReceiptForAChildSpeaksToTheLegalRepresentativeAndVerifies() throws {
        let h = try Harness()
        let session = try h.martineSession()
        let child = try #require(session.attached.first { $0.firstName == "Jean-Jacques" })
        let filed = try h.service.oppose(OppositionRequest(identity: .attachedProfile(session: session.token, profileID: child.id),
                                                           legalRepresentative: true))
        guard case .opposed(let r, let path) = filed.outcome else { Issue.record("\(filed.outcome)"); return }
        #expect(r.forMinor && r.association == nil && r.greeting == "Jean-Jacques Capanelli")
        let sentence = "Votre demande d'opposition à la création de Mon espace santé pour votre enfant Jean-Jacques Capanelli a bien été prise en compte le 03/02/2022."
        #expect(r.sentences == ["Votre justificatif d'opposition", "Bonjour,", sentence,
                                "Vous pouvez revenir à tout moment sur votre décision en vous connectant sur monespacesante.fr."] + OppositionReceipt.closing)
        let pdf = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        let shown = try pdfText(pdf)
        #expect(shown.contains("Bonjour, " + sentence) && !shown.contains("Bonjour Jean"), "\(shown)")
        #expect(shown.contains("Nom de l'assuré : CAPANELLI Jean-Jacques"))
        #expect(try h.service.verifyReceipt(pdf).status == .authentic)
        // Re-issued as text and JSON: the old keyed check reads them back whole.
        for format in [ReceiptFormat.text, .json] {
            let copy = try h.service.reissueReceipt(.id(r.id), format: format, output: nil, force: false)
            #expect(copy.receipt.forMinor && copy.receipt.copy > 1)
            let v = try h.service.verifyReceipt(copy.bytes)
            #expect(v.status == .unsigned && v.legacy == .authentic && v.mismatch.isEmpty, "\(format): \(v)")
        }
        // Ten years on, Jean-Jacques is an adult; his receipt still shows what was decided for him then.
        h.clock.advance(10 * 365 * 86_400)
        let later = try h.service.reissueReceipt(.id(r.id), format: .pdf, output: nil, force: false)
        let laterText = try pdfText(later.bytes)
        #expect(later.receipt.forMinor && later.receipt.copy > 1 && laterText.contains("Bonjour, " + sentence), "\(laterText)")
        #expect(try h.service.verifyReceipt(later.bytes).status == .authentic)
        h.clock.advance(-10 * 365 * 86_400)
        // The receipt of an adult is the page it always was.
        let own = try h.service.oppose(OppositionRequest(identity: .session(session.token)))
        guard case .opposed(let mine, let minePath) = own.outcome else { Issue.record("\(own.outcome)"); return }
        #expect(!mine.isAddressed && mine.salutation == "Bonjour Martine Julie Leguellec,")
        let minePDF = try Array(Data(contentsOf: URL(fileURLWithPath: minePath)))
        #expect(try pdfText(minePDF).contains("Bonjour Martine Julie Leguellec, Votre demande d'opposition à la création de Mon espace santé a bien été prise en compte le 03/02/2022."))
        #expect(try h.service.verifyReceipt(minePDF).status == .authentic)
    }

    /// Files `person`'s opposition as an association's batch does (`BatchOpposition`:
    /// `recordOpposition(…, channel: .batch, actor: .association, actorID:)`), returning the receipt.
    func fileForAssociation(_ h: Harness, _ person: Person, _ association: String) throws -> OppositionReceipt {
        let filed = try h.service.store.transaction {
            try h.service.recordOpposition(person, channel: .batch, actor: .association, actorID: association, legalRepresentative: true,
                                           now: h.clock.now())
        }
        guard case .filed(_, let r) = filed else { throw MESError(.internal, "not filed: \(filed)") }
        return r
    }

    /// Association names as volunteers type them, and as an attacker would: quotes, guillemets,
    /// parentheses and backslashes (PDF string syntax), apostrophes, 100 characters, a long word
    /// the page must shrink, letters of the embedded font, double spaces, and the very words of
    /// the page's sentences. Each is printed exactly, read back, signed and verified; its e-mail
    /// passes a strict parse.
    static let associationNames = [
        "Les Amis", "Les « Amis » (Paris) d'Éloïse, \"section\" Nord \\ 2022", "Association (de) défense)) ((des usagers",
        String(repeating: "Association des usagers ", count: 5).prefix(100).trimmingCharacters(in: .whitespaces),
        "Association" + String(repeating: "X", count: 89), "Les Amis de Łódź et d'Ấp Bắc", "Les  Amis   doubles",
        "Elle a été enregistrée à la demande de l'association « X ».",
        "a bien été prise en compte le 01/01/2020. Elle a été enregistrée", "Les Amis »", "»»", "Nord ».",
    ]

    @Test func aReceiptFiledByAnAssociationNamesItAndVerifies() throws {
        let h = try Harness()
        let f = try Self.family(h)
        let people = [f.holder, f.child, f.eighteen, f.almost]
        var mails: [[UInt8]] = []
        for (i, raw) in Self.associationNames.enumerated() {
            let name = try ActorName.association(raw)
            #expect(name == raw.trimmingCharacters(in: .whitespaces))
            // A fresh profile each time (a profile is opposed once).
            let person = try h.service.store.transaction {
                var p = people[i % people.count]
                p.id = 0
                p.firstName += " \(i)"
                return try h.service.store.person(id: try h.service.store.insert(p))!
            }
            let r = try fileForAssociation(h, person, name)
            // Jeanne and Lou (18 that day) are adults; Paul-Antoine (5) and Noé (18 tomorrow) are not.
            let minor = [false, true, false, true][i % people.count]
            #expect(r.association == name && r.forMinor == minor)
            #expect(r.salutation == (minor ? "Bonjour," : "Bonjour \(person.displayName),"))
            #expect(r.filedBy == "Elle a été enregistrée \(Self.asked(name)).")
            let pdf = try h.service.receipts.document(r)
            #expect(try h.service.verifyReceipt(pdf).status == .authentic, "\(name)")
            let fields = try #require(ReceiptReader.read(pdf), "\(name)")
            #expect(fields.association == name && fields.forMinor == minor && fields.greeting == person.displayName, "\(fields)")
            let shown = try pdfText(pdf)
            let expected = flat(r.acknowledgement + " " + r.filedBy!).split(separator: " ").joined(separator: " ")
            #expect(flat(shown).contains(expected), "\(name)\n\(shown)")
            #expect(!shown.contains("?") || name.contains("?"))
            for format in [ReceiptFormat.text, .json] {
                let v = try h.service.verifyReceipt(try h.service.document(r, format: format))
                #expect(v.status == .unsigned && v.legacy == .authentic, "\(name) \(format): \(v)")
            }
            let mail = h.service.composer.oppositionReceipt(r, document: pdf, to: "membre@example.fr", at: h.clock.now())
            let body = MultipartEmail.oppositionReceipt(r, pdf: pdf, to: "membre@example.fr", date: h.clock.now(), messageID: "x@mes.invalid").body
            #expect(body.hasPrefix(r.salutation + "\n\n" + r.acknowledgement + "\n\n" + r.filedBy! + "\n\n"), "\(body)")
            mails.append(MIME.sevenBit(mail.body))
        }
        #expect(try StrictMailTests().problems(mails) == [:])
    }

    /// A receipt whose page was changed to name another association, or to drop it, is not
    /// authentic; the record says what differs.
    @Test func aReceiptShowingAnotherAssociationIsAltered() throws {
        let h = try Harness()
        let f = try Self.family(h)
        let r = try fileForAssociation(h, f.child, "Les Amis")
        func text(_ change: (String) -> String) -> [UInt8] {
            Array(change(String(decoding: try! h.service.document(r, format: .text), as: UTF8.self)).utf8)
        }
        let other = try h.service.verifyReceipt(text { $0.replacingOccurrences(of: "Les Amis", with: "Les Ennemis") })
        #expect(other.status == .unsigned && other.legacy == .altered && other.mismatch == ["association", "verification"], "\(other)")
        let dropped = try h.service.verifyReceipt(text { $0.replacingOccurrences(of: "\n" + r.filedBy! + "\n", with: "\n") })
        #expect(dropped.legacy == .altered && dropped.mismatch == ["association", "verification"], "\(dropped)")
        let grownUp = try h.service.verifyReceipt(text {
            $0.replacingOccurrences(of: "Bonjour,", with: "Bonjour Paul-Antoine Dupont,").replacingOccurrences(of: " pour votre enfant Paul-Antoine Dupont", with: "")
        })
        #expect(grownUp.legacy == .altered && grownUp.mismatch == ["for_minor", "verification"], "\(grownUp)")
        // Signed: one byte of the name changed is caught by the signature.
        let pdf = try #require(forgingPage(try h.service.receipts.document(r)) {
            replacingFirst(Array("Les Amis".utf8), with: Array("Des Amis".utf8), in: $0)
        })
        #expect(try h.service.verifyReceipt(pdf).status == .altered)
    }

    /// Closure receipts (`JC-`) of a minor speak to the legal representative too.
    @Test func aClosureReceiptForAChildReadsBack() throws {
        let signer = ReceiptSigner(identity: ReceiptSigningTests.identity)
        let base = ReceiptSigningTests.receipt(id: "JC-7K2M9QXD4T", name: "DUPONT Paul-Antoine", greeting: "Paul-Antoine Dupont")
        let r = OppositionReceipt(id: base.id, nir: base.nir, name: base.name, greeting: base.greeting, decidedOn: base.decidedOn,
                                  issuedAt: base.issuedAt, verification: base.verification, copy: 1, forMinor: true)
        let pdf = try signer.sign(r)
        #expect(SignedReceiptCheck.verify(bytes: pdf, trusted: ReceiptSigningTests.identity.certificate) == ReceiptSigningTests.authentic)
        #expect(signer.isWhole(pdf, of: r) && !signer.isWhole(pdf, of: base))
        let shown = try pdfText(pdf)
        #expect(shown.contains("Bonjour, Votre demande de clôture de Mon espace santé pour votre enfant Paul-Antoine Dupont a bien été prise en compte le 03/02/2022."), "\(shown)")
        let fields = try #require(ReceiptReader.read(pdf))
        #expect(fields.forMinor && fields.greeting == "Paul-Antoine Dupont" && fields.association == nil)
    }

    // MARK: association names

    /// What a receipt cannot print exactly is refused before anything is filed, naming the
    /// character: control characters, bidirectional marks, zero-width characters, other scripts.
    @Test(arguments: ["Les Amis\u{7}", "Les\u{200F}Amis", "\u{202B}Les Amis", "Les Amis\u{2066}", "Les\u{FEFF}Amis", "חברים", "Друзья", "友の会",
                      "Les Amis 🎉", "Les Amis\u{20DD}"])
    func namesAReceiptCannotPrintAreRefused(name: String) {
        let e = thrownError { _ = try ActorName.association(name) }
        #expect(e?.code == .associationInvalid && e?.field == "association", "\(name): \(String(describing: e))")
    }

    @Test func anAssociationNameIsKeptInNFC() throws {
        #expect(try ActorName.association("Amis de Le\u{301}a") == "Amis de Léa")
        #expect(try ActorName.association("Amis de Le\u{301}a").unicodeScalars.count == 11)
    }
}

extension Person {
    func with(email: String? = nil, mobile: String? = nil) -> Person {
        var p = self
        if let email { p.email = email }
        if let mobile { p.mobile = mobile }
        return p
    }
}
