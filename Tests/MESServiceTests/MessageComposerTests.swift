import Foundation
import TestSupport
import Testing
import MESCore
import MESDelivery
import MESRender
@testable import MESService
@testable import MESStore

/// A transport that keeps every envelope it is handed and acknowledges it.
final class CapturingMessageTransport: MessageTransport, @unchecked Sendable {
    var envelopes: [Envelope] = []
    func send(_ envelope: Envelope) throws(DeliveryError) -> TransportReceipt {
        envelopes.append(envelope)
        return TransportReceipt(messageID: envelope.messageID, status: 250, reply: "250 ok")
    }
}

extension Harness {
    static let karim = CardIdentity(nir: DemoData.nir("1850344109123"), card: .photo, serial: "01024576124")
    static let karimBirthDate = CalendarDate(year: 1985, month: 3, day: 15)!
    static let paul = CardIdentity(nir: DemoData.nir("152072A004017"), card: .plain, serial: "87654321")
    static let paulBirthDate = CalendarDate(year: 1952, month: 7, day: 3)!

    /// The same store and seams, with `transports` as the channel → transport map.
    func service(transports: Transports, policy: Policy = .standard) throws -> Service {
        try Service(store: service.store, clock: clock, random: ConstantRandom(), outbox: transport, policy: policy,
                    delivery: .transports(transports))
    }

    var lastText: String { String(decoding: transport.sent.last!.body, as: UTF8.self) }
}

@Suite struct MessageComposerTests {
    let at = Instant.parse("2022-02-03T10:00:00Z")!

    @Test func everyKindHasItsTagInOneMessageIDScheme() {
        var seen = Set<String>()
        for kind in MessageID.Kind.allCases {
            for channel in [MessageChannel.email, .sms] { seen.insert(MessageID.tag(kind, channel)) }
        }
        // Kinds sent by e-mail only share their tag across channels; the others differ.
        #expect(seen.count == 14)
        #expect(MessageID.make(.onDemandCode, on: .email, to: 7, at: at) == "1643882400.7.d@mes.invalid")
        #expect(MessageID.make(.onDemandCode, on: .sms, to: 7, at: at) == "1643882400.7.s@mes.invalid")
        #expect(MessageID.receipt("JO-7K2M9QXD4T") == "JO-7K2M9QXD4T@mes.invalid")
    }

    @Test func anOnDemandCodeByEmailIsTheSeedsText() throws {
        let h = try Harness()
        let d = try h.service.requestCode(CodeRequest(card: Harness.martine, birthDate: DemoData.martineBirthDate))
        let m = h.transport.sent[0]
        #expect(m.channel == .email && m.subject == MessageTemplates.onDemandSubject)
        #expect(m.messageID == "1643882400.\(d.person.id).d@mes.invalid")
        #expect(m.recipient == "dlfr-cn5-tma-support-cobra@atos.net" && m.shownTo == nil)
        #expect(h.lastText.contains("Message-ID: <1643882400.\(d.person.id).d@mes.invalid>\r\n"))
        #expect(h.lastText.contains("\r\n\r\nAAAAAAAAAAAA\r\n\r\nCe code est valable 15 minutes.\r\n"))
    }

    @Test func anSMSCarriesItsFramingAsFieldsAndTheGatewayGetsTheTextAlone() throws {
        let h = try Harness()
        let gateway = CapturingMessageTransport()
        let service = try h.service(transports: Transports([.sms: gateway]))
        let d = try service.requestCode(CodeRequest(card: Harness.karim, birthDate: Harness.karimBirthDate))
        #expect(d.channel == .sms)
        let m = h.transport.sent[0]
        let text = "Mon espace santé : votre code provisoire est AAAAAAAAAAAA. Il est valable 15 minutes et ne fonctionne qu'une seule fois."
        #expect(m.channel == .sms && m.subject == "SMS")
        #expect(String(decoding: m.body, as: UTF8.self) == text)
        #expect(m.shownTo == "06 63 78 13 77" && m.recipient == "+33663781377" && m.recipientMasked == Masking.mobile("06 63 78 13 77"))
        #expect(m.messageID == "1643882400.\(d.person.id).s@mes.invalid")
        // The outbox shows it framed, as earlier builds stored it.
        #expect(try service.outboxMessage(id: d.entry.id).body == "À : 06 63 78 13 77\n\n" + text + "\n")
        #expect(service.sendNow(d.entry.id).status == .sent)
        #expect(gateway.envelopes == [Envelope.sms(to: "+33663781377", text: text, messageID: m.messageID)])
    }

    @Test func anSMSQueuedByAnEarlierBuildIsSentWithoutItsHeader() throws {
        let h = try Harness()
        let gateway = CapturingMessageTransport()
        let service = try h.service(transports: Transports([.sms: gateway]))
        let framed = "À : 06 63 78 13 77\n\nMon espace santé : votre code provisoire est AAAAAAAAAAAA.\n"
        let entry = try service.store.transaction {
            try service.store.deliver(OutgoingMessage(channel: .sms, recipientMasked: "06******77", subject: "SMS", body: Array(framed.utf8),
                                                      recipient: "+33663781377", messageID: "old.s@mes.invalid"), to: nil, now: h.clock.now())
        }
        #expect(try service.outboxMessage(id: entry.id).body == framed)
        #expect(try service.sendOutbox().sent == 1)
        #expect(gateway.envelopes.map { String(decoding: $0.payload, as: UTF8.self) } == ["Mon espace santé : votre code provisoire est AAAAAAAAAAAA."])
    }

    @Test func aLetterCarriesTheAddressAndTheNotificationsValidity() throws {
        let h = try Harness()
        let d = try h.service.requestCode(CodeRequest(card: Harness.paul, birthDate: Harness.paulBirthDate))
        let m = h.transport.sent[0]
        #expect(d.channel == .letter && m.channel == .letter && m.recipient == nil && m.messageID == "")
        #expect(h.lastText.hasPrefix("Paul-Antoine Santoni\n4 cours Napoléon, 20000 Ajaccio\n\nBonjour,\n"))
        #expect(h.lastText.contains("Ce code est valable 6 semaines à partir de son envoi"))
    }

    @Test func theNotificationGoesByEmailOrLetterWithItsTag() throws {
        let h = try Harness()
        _ = try h.service.notify(forceLetter: false)
        let mails = h.transport.sent.filter { $0.channel == .email }
        let letters = h.transport.sent.filter { $0.channel == .letter }
        #expect(!mails.isEmpty && !letters.isEmpty)
        #expect(mails.allSatisfy { $0.messageID.hasPrefix("1643882400.") && $0.messageID.hasSuffix(".n@mes.invalid") })
        for m in mails + letters {
            let text = String(decoding: m.body, as: UTF8.self)
            #expect(text.contains("Dans un délai de 6 semaines à partir de la réception de"))
            #expect(text.contains("Ce code provisoire est confidentiel et valable 6 semaines à partir de la réception de"))
        }
    }

    @Test func confirmationsAndOneTimeCodesHaveTheirTags() {
        let c = MessageComposer()
        let adult = Person(id: 3, nir: DemoData.nir("1850344109123"), birthDate: Harness.karimBirthDate, firstName: "Karim", lastName: "Benali",
                           card: .photo, serial: "01024576124")
        let tagged: [(OutgoingMessage, String)] = [
            (c.activated(to: "a@b.fr", about: adult, at: at), "a"),
            (c.passwordChanged(to: "a@b.fr", personID: 3, at: at), "pw"),
            (c.closed(to: "a@b.fr", about: adult, receipt: "JC-1", deletionAsked: true, deletedAt: at.adding(months: 3), at: at), "c"),
            (c.oneTimeCode("123456", for: .login, on: .email, to: "a@b.fr", personID: 3, at: at), "l"),
            (c.oneTimeCode("123456", for: .login, on: .sms, to: "06 12 34 56 78", personID: 3, at: at), "ls"),
            (c.oneTimeCode("123456", for: .email, on: .email, to: "a@b.fr", personID: 3, at: at), "o"),
            (c.oneTimeCode("123456", for: .mobile, on: .sms, to: "06 12 34 56 78", personID: 3, at: at), "os"),
            (c.oneTimeCode("123456", for: .recoverIdentifier, on: .email, to: "a@b.fr", personID: 3, at: at), "ri"),
            (c.oneTimeCode("123456", for: .recoverPassword, on: .sms, to: "06 12 34 56 78", personID: 3, at: at), "rps"),
        ]
        for (m, tag) in tagged { #expect(m.messageID == "1643882400.3.\(tag)@mes.invalid") }
        let recover = c.oneTimeCode("123456", for: .recoverPassword, on: .sms, to: "06 12 34 56 78", personID: 3, at: at)
        #expect(String(decoding: recover.body, as: UTF8.self)
                == "Mon espace santé : Vous avez demandé à choisir un nouveau mot de passe. Votre code à usage unique : 123456. Valable 15 minutes.")
        #expect(recover.shownTo == "06 12 34 56 78" && recover.recipient == "+33612345678")
        let login = String(decoding: tagged[3].0.body, as: UTF8.self)
        #expect(tagged[3].0.subject == "Votre code d'accès Mon espace santé" && tagged[5].0.subject == "Votre code à usage unique Mon espace santé")
        #expect(login.contains("\r\n\r\nBonjour,\r\n\r\nVotre code d'accès : 123456\r\n\r\nCe code est valable 15 minutes et ne fonctionne qu'une seule fois.\r\n\r\nAvec toute mon attention,"))
    }

    @Test func theTextsSayThePolicysDurations() throws {
        var policy = Policy()
        policy.onDemandValidity = 10 * 60
        policy.oneTimeCodeValidity = 5 * 60
        policy.notificationValidity = 8 * 7 * 86_400
        policy.creationWindowDays = 60
        let c = MessageComposer(policy: policy)
        let karim = Person(nir: DemoData.nir("1850344109123"), birthDate: Harness.karimBirthDate, firstName: "Karim", lastName: "Benali",
                           card: .photo, serial: "01024576124", email: "k@b.fr", mobile: "06 63 78 13 77", address: "1 rue A")
        func text(_ m: OutgoingMessage) -> String { String(decoding: m.body, as: UTF8.self) }
        #expect(text(c.onDemandCode("AAAAAAAAAAAA", for: karim, contact: karim, on: .email, at: at)).contains("Ce code est valable 10 minutes."))
        #expect(text(c.onDemandCode("AAAAAAAAAAAA", for: karim, contact: karim, on: .sms, at: at)).contains("Il est valable 10 minutes"))
        #expect(text(c.onDemandCode("AAAAAAAAAAAA", for: karim, contact: karim, on: .letter, at: at)).contains("Ce code est valable 8 semaines"))
        #expect(text(c.oneTimeCode("123456", for: .login, on: .sms, to: "06 63 78 13 77", personID: 1, at: at)).hasSuffix("Valable 5 minutes."))
        let n = text(c.notification(to: karim, codes: [(karim, "AAAAAAAAAAAA")], on: .email, at: at))
        #expect(n.contains("Dans un délai de 60 jours à partir") && n.contains("valable 8 semaines à partir"))
        #expect(Policy.french(seconds: 30) == "30 secondes" && Policy.french(seconds: 3_600) == "1 heure" && Policy.french(seconds: 86_400) == "1 jour")
        #expect(Policy.standard.minimumIntervalText == "30 secondes" && Policy.standard.lockText == "15 minutes")
        #expect(Messages.tooSoon == "Une erreur est survenue. Veuillez attendre 30 secondes puis réessayez.")
    }
}

@Suite struct TransportMapTests {
    @Test func eachChannelGoesToItsOwnTransportAndOthersStayQueued() throws {
        let h = try Harness()
        let mail = CapturingMessageTransport()
        let service = try h.service(transports: Transports([.email: mail], mailFrom: "envoi@mes.example.fr"))
        let sms = try service.requestCode(CodeRequest(card: Harness.karim, birthDate: Harness.karimBirthDate))
        h.clock.advance(60)
        let email = try service.requestCode(CodeRequest(card: Harness.martine, birthDate: DemoData.martineBirthDate))
        let report = try service.sendOutbox()
        #expect(report.sent == 1 && report.queued == 1)
        #expect(mail.envelopes.count == 1 && mail.envelopes[0].channel == .email && mail.envelopes[0].sender == "envoi@mes.example.fr")
        // What the server receives is the queued message in 7 bits (quoted-printable body).
        #expect(mail.envelopes[0].payload == MIME.sevenBit(h.transport.sent[1].body))
        #expect(mail.envelopes[0].payload.allSatisfy { $0 < 0x80 } && h.transport.sent[1].body.contains { $0 >= 0x80 })
        #expect(try service.store.outboxEntry(id: email.entry.id)?.status == .sent)
        #expect(try service.store.outboxEntry(id: sms.entry.id)?.status == .queued)
    }

    @Test func withoutTransportsMessagesStayQueued() throws {
        let h = try Harness()
        let d = try h.service.requestCode(CodeRequest(card: Harness.martine, birthDate: DemoData.martineBirthDate))
        #expect(try h.service.transports().isEmpty)
        #expect(h.service.sendNow(d.entry.id).status == .queued)
    }

    @Test func settingsKeepOnlyTheDeliveryKeysAndABadOneIsReportedWhenSending() throws {
        let s = DeliverySettings(environment: ["HOME": "/root", "PATH": "/bin", "MES_MAIL_URL": "ftp://x", "MES_NOW": "2022"])
        #expect(s.environment == ["MES_MAIL_URL": "ftp://x"])
        let h = try Harness()
        let service = try Service(store: h.service.store, clock: h.clock, random: ConstantRandom(), outbox: h.transport, delivery: .settings(s))
        let d = try service.requestCode(CodeRequest(card: Harness.martine, birthDate: DemoData.martineBirthDate))
        #expect(h.error { _ = try service.transports() }?.code == .deliveryConfigInvalid)
        #expect(service.sendNow(d.entry.id).status == .queued)
        let file = DeliverySettings.File(path: "/s/mes.conf", bytes: Array("MES_MAIL_URL=sendmail:/bin/true\n".utf8))
        let fromFile = try Service(store: h.service.store, clock: h.clock, delivery: .settings(DeliverySettings(file: file))).transports()
        #expect(fromFile[.email] != nil && fromFile[.sms] == nil)
        let unreadable = DeliverySettings(file: DeliverySettings.File(path: "/s/mes.conf", bytes: [], readError: "Permission denied"))
        #expect(h.error { _ = try Service(store: h.service.store, clock: h.clock, delivery: .settings(unreadable)).transports() }?.message
                == "Configuration d'envoi invalide : /s/mes.conf : lecture impossible : Permission denied")
    }
}

/// Every kind of e-mail the service composes, as a transport hands it over (`MIME.sevenBit`),
/// passes the strict checks a demanding server applies (mail_check.py: Python's
/// `email.policy.strict`, CRLF only, lines within 998 octets, 7-bit headers within 78 columns,
/// 8-bit content encoded, Date, Message-ID and a named From), long names and sender included.
@Suite struct StrictMailTests {
    static let checker = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("MESDeliveryTests/Resources/mail_check.py").path

    /// mail_check.py's findings for each of `messages`, by file name.
    func problems(_ messages: [[UInt8]]) throws -> [String: [String]] {
        let dir = temporaryPath("strict-mail")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var files: [String] = []
        for (i, m) in messages.enumerated() {
            files.append(dir + "/\(i).eml")
            try Data(m).write(to: URL(fileURLWithPath: files[i]))
        }
        let r = try runCaptured(URL(fileURLWithPath: "/usr/bin/env"), ["python3", Self.checker] + files, environment: ["PATH": "/usr/bin:/bin"])
        let found = (try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [String: [String]] ?? ["python": [r.stderr]]
        return found.filter { !$0.value.isEmpty }.reduce(into: [:]) { $0[($1.key as NSString).lastPathComponent] = $1.value }
    }

    @Test func everyKindOfEmailPassesAStrictParseOnceHandedOver() throws {
        let h = try Harness()
        let martine = try #require(try h.service.store.people(nir: DemoData.martineNIR).first)
        let c = MessageComposer(from: "Caisse primaire d'assurance maladie de Loire-Atlantique, service Mon espace santé <envoi@mes.example.fr>")
        let now = h.clock.now()
        let family = (1...6).map { i in
            var p = martine
            (p.id, p.firstName, p.lastName) = (Int64(100 + i), "Marie-Éléonore-Françoise \(i)", "LE GUELLEC-DE-KERGOAT")
            return (person: p, code: "ABCDEFGHJK\(i)\(i)")
        }
        let receipt = OppositionReceipt(id: "JO-7K2M9QXD4T", nir: NIRValidator().validate("116304403801618").nir!,
                                        name: "ŁUKASZ-ÉLÉONORE Żółć", greeting: "Łukasz-Éléonore Żółć", decidedOn: CalendarDate(year: 2022, month: 2, day: 3)!,
                                        issuedAt: now, verification: "ABCD-EFGH-JKMN", copy: 1)
        let queued = [
            c.onDemandCode("ABCDEFGHJKLM", for: martine, contact: martine, on: .email, at: now),
            c.oneTimeCode("123456", for: .login, on: .email, to: "martine@example.fr", personID: martine.id, at: now),
            c.notification(to: martine, codes: family, on: .email, at: now),
            c.activated(to: "martine@example.fr", about: martine, at: now),
            c.passwordChanged(to: "martine@example.fr", personID: martine.id, at: now),
            c.closed(to: "martine@example.fr", about: martine, receipt: "JC-7K2M9QXD4T", deletionAsked: true, deletedAt: now, at: now),
            c.oppositionReceipt(receipt, document: Array("%PDF-1.7\n".utf8) + [UInt8](repeating: 0xE9, count: 5_000), to: "martine@example.fr", at: now),
        ].map(\.body)
        #expect(try problems(queued.map(MIME.sevenBit)) == [:])
        // As queued, the single-part ones carry 8-bit bodies: what the conversion fixes, and
        // the only thing it fixes.
        let raw = try problems(queued)
        #expect(raw.count == 6 && raw.values.allSatisfy { $0 == ["8-bit body without BODY=8BITMIME"] }, "\(raw)")
    }
}
