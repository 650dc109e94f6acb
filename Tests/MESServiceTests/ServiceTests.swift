import Foundation
import Testing
import TestSupport
import MESCore
import MESDelivery
import MESRender
@testable import MESService
@testable import MESStore
@testable import MESSystem

/// Always the same bytes: codes are `AAAAAAAAAAAA`, one-time codes `000000`.
struct ConstantRandom: RandomSource {
    func bytes(_ count: Int) -> [UInt8] { [UInt8](repeating: 0, count: count) }
}

/// A clock tests move by hand.
final class ManualClock: Clock, @unchecked Sendable {
    var instant: Instant
    init(_ text: String) { instant = Instant.parse(text)! }
    func now() -> Instant { instant }
    func advance(_ seconds: Int64) { instant = instant.adding(seconds: seconds) }
}

/// A transport that keeps what it was handed, then records it in the outbox as the real one does.
final class CapturingTransport: MessageOutbox, @unchecked Sendable {
    let store: Store
    var sent: [OutgoingMessage] = []
    init(store: Store) { self.store = store }
    func deliver(_ message: OutgoingMessage, to personID: Int64?, at now: Instant, sync: Bool) throws -> OutboxEntry {
        sent.append(message)
        return try store.deliver(message, to: personID, now: now, sync: sync)
    }
}

/// A demo store in a fresh directory, with every seam under the test's control.
struct Harness {
    let directory: String
    let clock = ManualClock("2022-02-03T10:00:00Z")
    let service: Service
    let transport: CapturingTransport

    init(policy: Policy = .standard) throws {
        directory = temporaryPath("mes-service")
        _ = try Service.initialize(directory, demo: true)
        let store = try Store.open(directory)
        transport = CapturingTransport(store: store)
        service = try Service(store: store, clock: clock, random: ConstantRandom(), outbox: transport, policy: policy)
    }

    static let martine = CardIdentity(nir: DemoData.martineNIR, card: .plain, serial: "953701166")
    static let code = "AAAAAAAAAAAA"

    /// Martine identified with a fresh code: her session.
    func martineSession() throws -> IdentifiedSession {
        _ = try service.requestCode(CodeRequest(card: Self.martine, birthDate: DemoData.martineBirthDate))
        return try service.identify(code: Self.code, card: Self.martine)
    }

    func error(_ body: () throws -> Void) -> MESError? {
        do { try body(); return nil } catch let e as MESError { return e } catch { return nil }
    }
}

@Suite struct CodeRequestServiceTests {
    @Test func aCodeGoesThroughTheTransportAndIsThrottled() throws {
        let h = try Harness()
        let d = try h.service.requestCode(CodeRequest(card: Harness.martine, birthDate: DemoData.martineBirthDate))
        #expect(d.channel == .email)
        #expect(h.transport.sent.count == 1)
        #expect(String(decoding: h.transport.sent[0].body, as: UTF8.self).contains(Harness.code))
        #expect(d.expiresAt == h.clock.now().adding(seconds: 15 * 60))
        #expect(h.error { _ = try h.service.requestCode(CodeRequest(card: Harness.martine, birthDate: DemoData.martineBirthDate)) }?.code == .tooSoon)
        h.clock.advance(31)
        _ = try h.service.requestCode(CodeRequest(card: Harness.martine, birthDate: DemoData.martineBirthDate))
        #expect(h.transport.sent.count == 2)
    }

    @Test func twinsNeedAFirstName() throws {
        let h = try Harness()
        let card = CardIdentity(nir: DemoData.nir("2850597105123"), card: .photo, serial: "04512378963")
        let birth = CalendarDate(year: 2016, month: 4, day: 12)!
        let e = h.error { _ = try h.service.requestCode(CodeRequest(card: card, birthDate: birth)) }
        #expect(e?.code == .profileAmbiguous)
        #expect(e?.message.contains("--") == false, "core and service messages name no flag")
        let d = try h.service.requestCode(CodeRequest(card: card, birthDate: birth, firstName: "lucas"))
        #expect(d.person.firstName == "Lucas")
    }

    @Test func anUnknownPersonIsNotFound() throws {
        let h = try Harness()
        let e = h.error { _ = try h.service.requestCode(CodeRequest(card: Harness.martine, birthDate: CalendarDate(year: 1988, month: 6, day: 9)!)) }
        #expect(e?.code == .identityNotFound)
    }
}

@Suite struct IdentificationServiceTests {
    @Test func aCodeOpensOneSessionAndIsSpent() throws {
        let h = try Harness()
        let s = try h.martineSession()
        #expect(s.person.firstName == "Martine Julie")
        #expect(s.attached.count == 5)
        #expect(s.expiresAt == h.clock.now().adding(seconds: 30 * 60))
        #expect(h.error { _ = try h.service.identify(code: Harness.code, card: Harness.martine) }?.code == .codeUsed)
    }

    @Test func fiveWrongCodesLockTheCardAndAreRecordedDespiteTheFailure() throws {
        let h = try Harness()
        _ = try h.service.requestCode(CodeRequest(card: Harness.martine, birthDate: DemoData.martineBirthDate))
        var codes: [ErrorCode] = []
        for _ in 0..<5 { codes.append(h.error { _ = try h.service.identify(code: "BBBBBBBBBBBB", card: Harness.martine) }?.code ?? .usage) }
        #expect(codes.last == .locked)
        #expect(h.error { _ = try h.service.identify(code: Harness.code, card: Harness.martine) }?.code == .locked)
    }
}

@Suite struct OppositionServiceTests {
    @Test func anInlineCodeFilesTheOppositionAndItsReceipt() throws {
        let h = try Harness()
        _ = try h.service.requestCode(CodeRequest(card: Harness.martine, birthDate: DemoData.martineBirthDate))
        let r = try h.service.oppose(OppositionRequest(identity: .code(Harness.code, Harness.martine)))
        guard case .opposed(let receipt, let path) = r.outcome else { Issue.record("not opposed"); return }
        #expect(r.person.state == .opposed)
        #expect(receipt.decidedOn == CalendarDate(year: 2022, month: 2, day: 3)!)
        #expect(try h.service.verifyReceipt(try FileIO.read(path)).status == .authentic)
        #expect(try h.service.store.history(nir: DemoData.martineNIR).contains { $0.event == "opposition" && $0.actor == "self" })
    }

    @Test func aWrongInlineCodeFilesNothingButCounts() throws {
        let h = try Harness()
        _ = try h.service.requestCode(CodeRequest(card: Harness.martine, birthDate: DemoData.martineBirthDate))
        let e = h.error { _ = try h.service.oppose(OppositionRequest(identity: .code("BBBBBBBBBBBB", Harness.martine))) }
        #expect(e?.code == .identityNotFound)
        #expect(try h.service.store.history(nir: DemoData.martineNIR).contains { $0.event == "identification_failed" })
        #expect(try h.service.store.people(nir: DemoData.martineNIR)[0].state == .pending)
    }

    @Test func opposingTwiceReportsTheFirstOpposition() throws {
        let h = try Harness()
        let s = try h.martineSession()
        _ = try h.service.oppose(OppositionRequest(identity: .session(s.token)))
        h.clock.advance(60)
        let again = try h.service.oppose(OppositionRequest(identity: .session(s.token)))
        guard case .alreadyOpposed(let since, let receipt) = again.outcome else { Issue.record("opposed twice"); return }
        #expect(since == Instant.parse("2022-02-03T10:00:00Z")!)
        #expect(receipt != nil)
    }

    @Test func aMinorsProfileNeedsTheLegalRepresentative() throws {
        let h = try Harness()
        let s = try h.martineSession()
        let child = try #require(s.attached.first { $0.firstName == "Jean-Jacques" })
        let e = h.error { _ = try h.service.oppose(OppositionRequest(identity: .attachedProfile(session: s.token, profileID: child.id))) }
        #expect(e?.code == .legalRepresentativeRequired)
        #expect(e?.status == .refused)
        let r = try h.service.oppose(OppositionRequest(identity: .attachedProfile(session: s.token, profileID: child.id), legalRepresentative: true))
        #expect(r.person.state == .opposed)
        #expect(try h.service.store.history(nir: DemoData.martineNIR).contains { $0.event == "opposition" && $0.actor == "legal_representative" && $0.person?.id == child.id })
    }

    @Test func aProfileOutsideTheFamilyIsRefused() throws {
        let h = try Harness()
        let s = try h.martineSession()
        #expect(h.error { _ = try h.service.oppose(OppositionRequest(identity: .attachedProfile(session: s.token, profileID: 999))) }?.code == .profileNotFound)
    }

    @Test func theAssistedPathIsAuditedWithTheAdviser() throws {
        let h = try Harness()
        let r = try h.service.oppose(OppositionRequest(identity: .assisted(adviser: "A042", nir: DemoData.martineNIR,
                                                                          birthDate: DemoData.martineBirthDate, lastName: "LEGUELLEC", firstName: nil)))
        #expect(r.person.state == .opposed)
        let line = try #require(try h.service.store.history(nir: DemoData.martineNIR).first { $0.event == "opposition" })
        #expect(line.channel == "phone" && line.actor == "adviser" && line.actorID == "A042")
        let wrong = h.error { _ = try h.service.oppose(OppositionRequest(identity: .assisted(adviser: "A042", nir: DemoData.martineNIR,
                                                                                            birthDate: DemoData.martineBirthDate, lastName: "Martin", firstName: nil))) }
        #expect(wrong?.code == .identityNotFound)
    }

    @Test func anActiveSpaceIsRefused() throws {
        let h = try Harness()
        let claire = CardIdentity(nir: DemoData.nir("2900631555101"), card: .photo, serial: "09876543210")
        _ = try h.service.requestCode(CodeRequest(card: claire, birthDate: CalendarDate(year: 1990, month: 6, day: 27)!))
        let e = h.error { _ = try h.service.oppose(OppositionRequest(identity: .code(Harness.code, claire))) }
        #expect(e?.code == .alreadyActive)
        // The code was not consumed: the refusal rolled everything back.
        #expect(try h.service.identify(code: Harness.code, card: claire).person.state == .active)
    }
}

@Suite struct ActivationServiceTests {
    @Test func contactCodeThenActivation() throws {
        let h = try Harness()
        let s = try h.martineSession()
        let step1 = try h.service.activate(ActivationRequest(session: s.token, newEmail: "martine@example.fr")) { Issue.record("no password yet"); return ("", "") }
        guard case .codesSent(let sent, _) = step1 else { Issue.record("no code sent"); return }
        #expect(sent.count == 1 && sent[0].1 == "martine@example.fr")
        let bad = h.error { _ = try h.service.activate(ActivationRequest(session: s.token, newEmail: "martine@example.fr", emailCode: "111111",
                                                                         username: "martine.l")) { ("Soleil#2022x", "Soleil#2022x") } }
        #expect(bad?.code == .otpRejected)
        let done = try h.service.activate(ActivationRequest(session: s.token, newEmail: "martine@example.fr", emailCode: "000000",
                                                            username: "martine.l")) { ("Soleil#2022x", "Soleil#2022x") }
        guard case .activated(let username, let profile, _, _, _) = done else { Issue.record("not activated"); return }
        #expect(username == "martine.l" && profile.state == .active)
        #expect(h.transport.sent.last?.subject == "Votre profil Mon espace santé a bien été activé")
    }

    /// Seed 002: a contact change is confirmed at its own step. A wrong one-time code is refused
    /// when it is given, before any identifier, and counted; the right one changes the contact
    /// there, and the contact screen shows it; the last step needs no code again.
    @Test func aContactChangeIsConfirmedAtItsOwnStep() throws {
        let h = try Harness()
        let s = try h.martineSession()
        let noPassword: PasswordReader = { Issue.record("no password at the contact step"); return ("", "") }
        _ = try h.service.activate(ActivationRequest(session: s.token, newMobile: "0611121314"), password: noPassword)
        let wrong = h.error { _ = try h.service.activate(ActivationRequest(session: s.token, newMobile: "0611121314", mobileCode: "111111"),
                                                         password: noPassword) }
        #expect(wrong?.code == .otpRejected && wrong?.field == "mobile-otp")
        #expect(try h.service.store.db.first("SELECT failed_attempts FROM otps ORDER BY id DESC LIMIT 1")?.int(0) == 1, "the wrong code counts")
        let step = try h.service.activate(ActivationRequest(session: s.token, newMobile: "0611121314", mobileCode: "000000"), password: noPassword)
        guard case .contactsToCheck(let contacts) = step else { Issue.record("\(step)"); return }
        #expect(contacts.mobile == "0611121314")
        #expect(try h.service.store.history(nir: DemoData.martineNIR).contains { $0.event == "contact_confirmed" && $0.detail == "mobile" })
        // The last step, with the same flags again: the confirmed contact needs no code again.
        let done = try h.service.activate(ActivationRequest(session: s.token, newMobile: "0611121314", mobileCode: "000000",
                                                            username: "martine.l")) { ("Soleil#2022x", "Soleil#2022x") }
        guard case .activated = done else { Issue.record("\(done)"); return }
    }

    @Test func everyPasswordRuleIsListedAtOnce() throws {
        let h = try Harness()
        let s = try h.martineSession()
        let e = h.error { _ = try h.service.activate(ActivationRequest(session: s.token, username: "martine.l")) { ("abc", "abd") } }
        #expect(e?.code == .passwordInvalid)
        #expect(e?.field == "password")
    }

    @Test func aDeceasedProfileCannotBeActivated() throws {
        let h = try Harness()
        let henri = CardIdentity(nir: DemoData.nir("1380475056042"), card: .plain, serial: "12345678")
        _ = try h.service.requestCode(CodeRequest(card: henri, birthDate: CalendarDate(year: 1938, month: 4, day: 19)!))
        let s = try h.service.identify(code: Harness.code, card: henri)
        #expect(h.error { _ = try h.service.activate(ActivationRequest(session: s.token, username: "henri.lefebvre")) { ("Soleil#2022x", "Soleil#2022x") } }?.code == .notActivable)
    }

    @Test func anAttachedMinorIsActivatedByTheLegalRepresentative() throws {
        let h = try Harness()
        let s = try h.martineSession()
        let child = try #require(s.attached.first { $0.firstName == "Gerard" })
        #expect(h.error { _ = try h.service.activateProfile(session: s.token, profileID: child.id, legalRepresentative: false) }?.code == .legalRepresentativeRequired)
        let (p, _) = try h.service.activateProfile(session: s.token, profileID: child.id, legalRepresentative: true)
        #expect(p.state == .active)
        let line = try #require(try h.service.store.history(nir: DemoData.martineNIR).last { $0.event == "activation" })
        #expect(line.actor == "legal_representative")
    }
}

@Suite struct AccountServiceTests {
    func activated(_ h: Harness) throws -> IdentifiedSession {
        let s = try h.martineSession()
        _ = try h.service.activate(ActivationRequest(session: s.token, username: "martine.l")) { ("Soleil#2022x", "Soleil#2022x") }
        return s
    }

    @Test func loginThenAccessCodeOpensASession() throws {
        let h = try Harness()
        _ = try activated(h)
        let sent = try h.service.login(username: "martine.l", password: "Soleil#2022x", via: nil)
        #expect(sent.channel == "email")
        let signed = try h.service.login(username: "martine.l", accessCode: "000000")
        #expect(signed.person.firstName == "Martine Julie")
        #expect(try h.service.profiles(session: signed.token).attached.count == 5)
    }

    @Test func wrongPasswordsLockTheAccount() throws {
        let h = try Harness()
        _ = try activated(h)
        var codes: [ErrorCode] = []
        for _ in 0..<5 { codes.append(h.error { _ = try h.service.login(username: "martine.l", password: "wrong", via: nil) }?.code ?? .usage) }
        #expect(codes.prefix(4).allSatisfy { $0 == .identityNotFound } && codes.last == .locked)
        #expect(h.error { _ = try h.service.login(username: "martine.l", password: "Soleil#2022x", via: nil) }?.code == .locked)
        h.clock.advance(15 * 60 + 1)
        _ = try h.service.login(username: "martine.l", password: "Soleil#2022x", via: nil)
    }

    @Test func closeThenSweep() throws {
        let h = try Harness()
        let s = try activated(h)
        let closed = try h.service.close(session: s.token, delete: true)
        #expect(closed.person.state == .closed && closed.delete)
        #expect(h.error { _ = try h.service.login(username: "martine.l", password: "Soleil#2022x", via: nil) }?.code == .identityNotFound)
        let wave = try h.service.notify(forceLetter: false)
        #expect(wave.notified > 0)
        // The windows start when the information is sent: e-mails acknowledged, letters posted.
        _ = try h.service(transports: Transports([.email: SelectiveTransport()])).sendOutbox()
        let letters = temporaryPath("close-sweep") + ".pdf"
        #expect(try h.service.printLetters(to: letters, replace: false).batch != nil)
        _ = try h.service.recordPosting(of: letters, at: nil)
        #expect(try h.service.sweep(dryRun: false).created == 0)
        h.clock.advance(43 * 86_400)
        let dry = try h.service.sweep(dryRun: true, list: true)
        #expect(dry.created == wave.notified && dry.dryRun && dry.createdProfiles.count == dry.created)
        // Groups of 2: the same result, walked in several transactions.
        let swept = try h.service.sweep(dryRun: false, groupSize: 2)
        #expect(swept.created == dry.created && swept.createdProfiles.isEmpty)
        #expect(try h.service.sweep(dryRun: false).created == 0)
    }
}

@Suite struct ReceiptServiceTests {
    @Test func aDuplicateIsNumberedAndTheOriginalStillVerifies() throws {
        let h = try Harness()
        let s = try h.martineSession()
        let r = try h.service.oppose(OppositionRequest(identity: .session(s.token)))
        guard case .opposed(let receipt, let path) = r.outcome else { Issue.record("not opposed"); return }
        let copy = try h.service.reissueReceipt(.id(receipt.id), format: .pdf, output: nil, force: false)
        #expect(copy.receipt.copy == 2)
        #expect(try h.service.verifyReceipt(copy.bytes).status == .authentic)
        let altered = try #require(forgingPage(try FileIO.read(path)) {
            replacingFirst(Array("LEGUELLEC".utf8), with: Array("LEGUELLEX".utf8), in: $0)
        })
        #expect(try h.service.verifyReceipt(altered).status == .altered)
        #expect(h.error { _ = try h.service.reissueReceipt(.id("JO-NOPE"), format: .text, output: nil, force: false) }?.code == .receiptNotFound)
    }
}

@Suite struct RegisterServiceTests {
    @Test func importRejectsABirthBefore1870LikeEveryOtherPath() throws {
        let h = try Harness()
        let csv = "nir,birth_date,first_name,last_name,card_type,serial\n\(DemoData.nir("1690175056042").compact),01/01/1869,Jean,Ancien,plain,12345678\n"
        let e = h.error { _ = try h.service.importRoster { body in try Array(csv.utf8).withUnsafeBufferPointer { try body($0) } } }
        #expect(e?.code == .rosterInvalid)
        #expect(e?.message.contains("année trop ancienne") == true)
        #expect(BirthDateRule.validate("01/01/1869", today: CalendarDate(year: 2022, month: 2, day: 3)!) == .failure(.tooOld))
    }

    /// The wave walks the register in groups: one profile per group gives the same messages
    /// (a family in one message, whatever the group its profiles fall in) as one big group.
    @Test func notificationGroupsDoNotChangeTheMessages() throws {
        let big = try Harness(), small = try Harness()
        let a = try big.service.notify(forceLetter: false)
        let b = try small.service.notify(forceLetter: false, groupSize: 1)
        #expect(a.notified == b.notified && a.messages == b.messages && a.withoutAddress == b.withoutAddress && a.byEmail == b.byEmail)
        #expect(big.transport.sent.map(\.subject) == small.transport.sent.map(\.subject))
        #expect(big.transport.sent.map(\.recipientMasked) == small.transport.sent.map(\.recipientMasked))
        #expect(a.messages < a.notified, "a family gets one message")
        // Nobody twice, and the profiles left without an address are counted once per wave.
        let again = try small.service.notify(forceLetter: false, groupSize: 1)
        #expect(again.notified == 0 && again.messages == 0 && again.withoutAddress == a.withoutAddress)
    }

    @Test func theOutboxFiltersByNIRAndShowsTheCode() throws {
        let h = try Harness()
        _ = try h.service.requestCode(CodeRequest(card: Harness.martine, birthDate: DemoData.martineBirthDate))
        var seen: [Int64] = []
        try h.service.outbox(nir: DemoData.martineNIR) { seen.append($0.id) }
        #expect(seen.count == 1)
        try h.service.outbox(nir: DemoData.nir("2900631555101")) { seen.append($0.id) }
        #expect(seen.count == 1)
        #expect(try h.service.outboxMessage(id: nil).code == Harness.code)
        #expect(h.error { _ = try h.service.outboxMessage(id: 42) }?.code == .messageNotFound)
    }

    @Test func theDemoJourneyOpposesThenReportsTheOpposition() throws {
        let h = try Harness()
        let run = try h.service.demo()
        #expect(run.status == "opposed")
        guard case .opposed(let journey) = run.outcome else { Issue.record("not opposed"); return }
        #expect(journey.verdict == .authentic)  // the CLI words it "authentique"
        #expect(try h.service.demo().status == "already_opposed")
    }
}

/// Collects a batch's published rows in memory.
final class CollectingSink: BatchSink {
    var rows: [BatchOpposition.Result] = []
    func publish(_ results: [BatchOpposition.Result]) throws { rows += results }
    func progress(rows: Int, estimatedTotal: Int?, elapsed: Double) {}
}

@Suite struct BatchServiceTests {
    @Test func membersAreFiledRefusedOrReportedRowByRow() throws {
        let h = try Harness()
        _ = try h.service.requestCode(CodeRequest(card: Harness.martine, birthDate: DemoData.martineBirthDate))
        let csv = """
        nir;date_naissance;type_carte;numero_serie;code
        \(DemoData.martineNIR.compact);08/06/1988;sans photo;953701166;\(Harness.code)
        \(DemoData.martineNIR.compact);08/06/1988;sans photo;953701166;\(Harness.code)
        123;08/06/1988;sans photo;953701166;\(Harness.code)
        \(DemoData.nir("2900631555101").compact);27/06/1990;avec photo;09876543210;

        """
        let dir = h.directory + "/justificatifs"
        let sink = CollectingSink()
        var options = BatchOptions(receiptsDirectory: dir)
        options.groupSize = 2
        let summary = try h.service.batchOppose({ body in try Array(csv.utf8).withUnsafeBufferPointer { try body($0) } },
                                                totalBytes: 0, options: options, sink: sink)
        #expect(sink.rows.map(\.status) == [.opposed, .alreadyOpposed, .invalid, .invalid])
        #expect(sink.rows[3].error?.code == .codeRequired)
        #expect(summary.rows == 4 && summary.counts[.opposed] == 1)
        let file = try #require(sink.rows[0].file)
        #expect(try h.service.verifyReceipt(try FileIO.read(file)).status == .authentic)
        // The connection's batch tuning is undone before anything else commits on it (issue 27:
        // a mailed receipt's acknowledgement must survive a power cut): synchronous FULL again.
        #expect(try h.service.store.db.first("PRAGMA synchronous")?.int(0) == 2)
        #expect(try h.service.store.db.first("PRAGMA foreign_keys")?.int(0) == 1)
    }
}

extension BatchServiceTests {
    /// Runs `csv` as a batch into `dir` (groups of 2 rows).
    static func run(_ h: Harness, _ csv: String, into dir: String) throws -> (BatchSummary, [BatchOpposition.Result]) {
        let sink = CollectingSink()
        var options = BatchOptions(receiptsDirectory: dir)
        options.groupSize = 2
        options.association = "Les Amis"
        let summary = try h.service.batchOppose({ body in try Array(csv.utf8).withUnsafeBufferPointer { try body($0) } },
                                                totalBytes: 0, options: options, sink: sink)
        return (summary, sink.rows)
    }

    /// Run again, a filed row reports its opposition and repairs its receipt file (the one
    /// decision use case's repair, through the batch's pipeline); a wrong code is counted.
    @Test func aRerunReportsFiledRowsAndRepairsTheirReceipts() throws {
        let h = try Harness()
        _ = try h.service.requestCode(CodeRequest(card: Harness.martine, birthDate: DemoData.martineBirthDate))
        let csv = """
        nir;date_naissance;type_carte;numero_serie;code
        \(DemoData.martineNIR.compact);08/06/1988;sans photo;953701166;\(Harness.code)
        \(DemoData.martineNIR.compact);08/06/1988;sans photo;953701166;BBBBBBBBBBBB

        """
        let dir = h.directory + "/justificatifs"
        let (first, rows) = try Self.run(h, csv, into: dir)
        #expect(rows.map(\.status) == [.opposed, .identityMismatch])
        #expect(first.exitStatus == .identificationFailed)
        let file = try #require(rows[0].file)
        #expect(file.hasPrefix(dir + "/JO-") && file.hasSuffix("_LEGUELLEC.pdf"))
        let original = try FileIO.read(file)
        let events = try h.service.store.history(nir: DemoData.martineNIR)
        let filed = try #require(events.last { $0.event == "opposition" })
        #expect(filed.channel == "batch" && filed.actor == "association" && filed.actorID == "Les Amis")
        #expect(!events.contains { $0.event == "identified" }, "a batch's success is the decision's own audit line")

        // A crash between the commit and the sync can leave the file cut short: a re-run repairs it.
        try FileIO.write(file, Array(original.prefix(100)), field: "receipts")
        let (_, again) = try Self.run(h, csv, into: dir)
        // The wrong code is not tried again: it would count against the card once more.
        #expect(again.map(\.status) == [.alreadyOpposed, .notRetried])
        #expect(again[1].previousStatus == .identityMismatch && again[1].tries == 1 && again[1].maxTries == 5)
        #expect(again[0].filedBy == .thisAssociation)
        #expect(again[0].receipt == rows[0].receipt && again[0].file == file)
        #expect(try h.service.verifyReceipt(try FileIO.read(file)).status == .authentic)
        // A missing file too.
        FileIO.remove(file)
        _ = try Self.run(h, csv, into: dir)
        #expect(try h.service.verifyReceipt(try FileIO.read(file)).status == .authentic)
        // The wrong code was counted once, by the first run, and attributed to the association.
        let failures = try h.service.store.history(nir: DemoData.martineNIR).filter { $0.event == "identification_failed" }
        #expect(failures.count == 1)
        #expect(failures.allSatisfy { $0.channel == "batch" && $0.actor == "association" && $0.actorID == "Les Amis" })
    }
}

/// The import's id → CSV line map keeps only where the run of lines breaks.
@Suite struct LineMapTests {
    @Test func linesComeBackForEveryIdWhateverTheBreaks() {
        var map = LineMap()
        var expected: [Int64: Int] = [:]
        var line: Int32 = 2
        for id in Int64(1)...5_000 {
            if id % 97 == 0 { line += 3 }       // a row left for later, a record over lines
            if id == 1_234 { line += 10_000 }
            map.append(id: id, line: line)
            expected[id] = Int(line)
            line += 1
        }
        #expect(expected.allSatisfy { map.line(of: $0.key) == $0.value })
        #expect(map.line(of: 0) == 0 && LineMap().line(of: 1) == 0)
    }
}
