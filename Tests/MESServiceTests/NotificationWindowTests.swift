import Foundation
import Testing
import TestSupport
import MESCore
import MESDelivery
@testable import MESService
@testable import MESStore
@testable import MESSystem

/// A transport that refuses some recipients for good (SMTP 550), fails others for now (451)
/// while `down`, and acknowledges the rest.
final class SelectiveTransport: MessageTransport, @unchecked Sendable {
    var refused: Set<String>
    var down = false
    var delivered: [Envelope] = []
    init(refusing refused: Set<String> = []) { self.refused = refused }
    func send(_ envelope: Envelope) throws(DeliveryError) -> TransportReceipt {
        if refused.contains(envelope.recipient) {
            throw DeliveryError(.permanent, .recipientRejected, "550 5.1.1 recipient rejected", status: 550)
        }
        if down { throw DeliveryError(.temporary, .connectionFailed, "connection refused") }
        delivered.append(envelope)
        return TransportReceipt(messageID: envelope.messageID, status: 250, reply: "250 ok")
    }
}

/// The six weeks run from the sending of the information (art. R1111-28), never from its
/// queueing: an e-mail acknowledged by its server, a letter whose posting is recorded.
@Suite struct NotificationWindowTests {
    static let martineMail = "dlfr-cn5-tma-support-cobra@atos.net"
    static let sophieMail = "sophie.martin@example.fr"
    static let sophieNIR = DemoData.nir("2850597105123")
    static let paulNIR = DemoData.nir("152072A004017")

    func family(_ h: Harness, _ nir: NIR) throws -> [String: Person] {
        Dictionary(uniqueKeysWithValues: try h.service.store.people(nir: nir).map { ($0.firstName, $0) })
    }

    func pendingCount(_ h: Harness) throws -> Int {
        try h.service.store.db.first("SELECT count(*) FROM people WHERE state = 'pending' AND deceased = 0")!.int(0).map(Int.init)!
    }

    /// Queued today, sent tomorrow: the window starts tomorrow; a sweep six weeks after the
    /// queueing creates none of these spaces, one six weeks after the sending creates them.
    @Test func theWindowStartsWhenTheServerAcknowledges() throws {
        let h = try Harness()
        let queuedAt = h.clock.now()
        let wave = try h.service.notify(forceLetter: false)
        #expect(wave.notified == 8 && wave.byEmail == 7)
        let waiting = try h.service.store.windowsNotStarted()
        #expect(waiting.awaitingSending == 8 && waiting.notNotified == 1 && waiting.unreachable == 0, "\(waiting)")
        #expect(try family(h, DemoData.martineNIR)["Gerard"]?.notifiedAt == nil)

        h.clock.advance(86_400)
        let transport = SelectiveTransport()
        let report = try h.service(transports: Transports([.email: transport])).sendOutbox()
        #expect(report.sent == 2 && transport.delivered.count == 2)
        let gerard = try #require(try family(h, DemoData.martineNIR)["Gerard"])
        #expect(gerard.notifiedAt == h.clock.now(), "the window starts at the acknowledgement, not at \(queuedAt)")
        let window = try #require(try h.service.notificationWindow(of: gerard))
        #expect(window.stage == .started && window.endsAt == h.clock.now().adding(seconds: 42 * 86_400))
        // The code lasts six weeks from the sending too.
        let expiry = try h.service.store.db.first("SELECT max(expires_at) FROM codes WHERE person_id = ? AND kind = 'notification'", .int(gerard.id))!.int(0)!
        #expect(expiry == h.clock.now().seconds + 42 * 86_400)
        let history = try h.service.store.history(nir: DemoData.martineNIR).filter { $0.event == "notification_sent" }
        #expect(history.count == 4 && history.allSatisfy { $0.detail == "via email ; fin du délai le 2022-03-18" }, "\(history.map(\.detail))")

        // Six weeks after the queueing: only Martine (notified on 10/01 by the demo data).
        h.clock.instant = queuedAt.adding(seconds: 42 * 86_400)
        #expect(try h.service.sweep(dryRun: false).created == 1)
        // Six weeks after the sending: the e-mailed ones; Paul-Antoine's letter was never posted.
        h.clock.instant = queuedAt.adding(seconds: 43 * 86_400)
        let swept = try h.service.sweep(dryRun: false)
        #expect(swept.created == 7 && swept.awaitingSending == 1 && swept.notNotified == 1, "\(swept)")
        #expect(try family(h, Self.paulNIR)["Paul-Antoine"]?.state == .pending)
    }

    /// A refused e-mail falls back to a letter when a postal address is on file (the law's
    /// "en cas d'échec d'envoi"), else leaves its people unreachable: sweep never creates them.
    @Test func aRefusedEmailFallsBackToALetterOrLeavesItsPeopleUnreachable() throws {
        let h = try Harness()
        _ = try h.service.notify(forceLetter: false)
        let transport = SelectiveTransport(refusing: [Self.martineMail, Self.sophieMail])
        let report = try h.service(transports: Transports([.email: transport])).sendOutbox()
        #expect(report.failed == 2 && report.fallbackLetters == 4 && report.unreachable == 3, "\(report)")
        // Martine's four children: a new letter with new codes, to her postal address.
        let children = try family(h, DemoData.martineNIR).values.filter { $0.holderID != nil && $0.state == .pending }
        let letterID = try #require(children.first?.noticeID)
        #expect(children.count == 4 && children.allSatisfy { $0.noticeID == letterID && $0.notifiedAt == nil })
        let letter = try #require(try h.service.store.outboxEntry(id: letterID))
        #expect(letter.channel == .letter && letter.status == .letter)
        let text = try h.service.outboxMessage(id: letterID).body
        #expect(text.contains("12 rue des Lilas") && text.contains("ce courrier"))
        // The e-mail's codes are superseded: only the letter's are live.
        let live = try h.service.store.db.first("""
            SELECT count(*) FROM codes WHERE person_id IN (SELECT id FROM people WHERE notice_id = ?)
            AND used_at IS NULL AND superseded_at IS NULL
            """, .int(letterID))!.int(0)!
        #expect(live == 4)
        // Sophie's family: no postal address, unreachable.
        let sophie = try family(h, Self.sophieNIR)
        #expect(try sophie.values.allSatisfy { try h.service.notificationWindow(of: $0)?.stage == .unreachable })
        #expect(try h.service.store.history(nir: Self.sophieNIR).filter { $0.event == "notification_failed" }.count == 3)

        h.clock.advance(60 * 86_400)
        let swept = try h.service.sweep(dryRun: false)
        #expect(swept.created == 1 && swept.unreachable == 3 && swept.awaitingSending == 5, "only Martine: \(swept)")
        // The unreachable are never notified again by a wave that would start a window unseen.
        #expect(try h.service.notify(forceLetter: false).notified == 0)
    }

    /// An address the composer cannot mail (held by an older store) goes by letter at once.
    @Test func anAddressMailCannotTakeGoesByLetter() throws {
        let h = try Harness()
        try h.service.store.db.run("UPDATE people SET email = 'a@b.fr>,<root', address = '3 rue X, 75001 Paris' WHERE first_name = 'Sophie'")
        let wave = try h.service.notify(forceLetter: false)
        #expect(wave.byEmail == 4 && wave.byLetter == 4, "\(wave)")
        #expect(try family(h, Self.sophieNIR)["Sophie"].flatMap { $0.noticeID }.flatMap { try h.service.store.outboxEntry(id: $0) }?.channel == .letter)
    }

    /// After an outage, `retryNow` tries every deferred message at once, each once.
    @Test func retryNowDeliversEveryDeferredMessageOnce() throws {
        let h = try Harness()
        _ = try h.service.notify(forceLetter: false)
        let transport = SelectiveTransport()
        transport.down = true
        let service = try h.service(transports: Transports([.email: transport]))
        #expect(try service.sendOutbox().deferred == 2)
        transport.down = false
        #expect(try service.sendOutbox().sent == 0, "back-off: not yet due")
        let now = try service.sendOutbox(retryNow: true)
        #expect(now.sent == 2 && transport.delivered.count == 2)
        #expect(try service.sendOutbox(retryNow: true).sent == 0 && transport.delivered.count == 2, "each once")
        let pending = try pendingCount(h)
        #expect(pending == 10, "nothing created: \(pending)")
    }

    /// `identify` tells a pending person when their window ends, or that it has not started.
    @Test func identifyTellsTheWindow() throws {
        let h = try Harness()
        let martine = try h.martineSession()
        // Martine's window started on 10/01/2022 (imported): it ends six weeks later.
        #expect(martine.window?.stage == .started && martine.window?.endsAt == Instant.parse("2022-02-21T08:00:00Z"))
    }

    /// Letters are printed into one PDF, then posted; their windows start at the posting.
    @Test func lettersArePrintedThenPostedAndTheWindowStartsAtThePosting() throws {
        let h = try Harness()
        _ = try h.service.notify(forceLetter: true)
        let dir = temporaryPath("letters")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let pdf = dir + "/courriers.pdf"
        let printed = try h.service.printLetters(to: pdf, replace: false)
        // Forced to letters: Martine's household and Paul-Antoine; Sophie's, with no postal address, gets none.
        #expect(printed.batch?.letters == 2 && printed.pages == 4, "\(printed)")
        let check = try runCaptured(URL(fileURLWithPath: "/usr/bin/qpdf"), ["--check", pdf], environment: [:])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let text = try runCaptured(URL(fileURLWithPath: "/usr/bin/pdftotext"), ["-layout", pdf, "-"], environment: [:]).stdout
        #expect(text.contains("20000 AJACCIO") && text.contains("44000 NANTES"), "\(text.prefix(400))")
        #expect(try h.service.printLetters(to: dir + "/again.pdf", replace: false).batch == nil, "nothing left to print")
        #expect(!FileManager.default.fileExists(atPath: dir + "/again.pdf"))
        let paul = try #require(try family(h, Self.paulNIR)["Paul-Antoine"])
        #expect(try h.service.notificationWindow(of: paul)?.stage == .awaitingSending)

        // A posting before the printing, a changed file: refused, nothing recorded.
        #expect(h.error { _ = try h.service.recordPosting(of: pdf, at: h.clock.now().adding(seconds: -60)) }?.code == .postingDateInvalid)
        #expect(h.error { _ = try h.service.recordPosting(of: pdf, at: h.clock.now().adding(seconds: 60)) }?.code == .postingDateInvalid)
        let altered = dir + "/altered.pdf"
        try (Data(contentsOf: URL(fileURLWithPath: pdf)) + Data("%\n".utf8)).write(to: URL(fileURLWithPath: altered))
        #expect(h.error { _ = try h.service.recordPosting(of: altered, at: nil) }?.code == .printBatchUnknown)

        h.clock.advance(2 * 86_400)
        let posted = try h.service.recordPosting(of: pdf, at: nil)
        #expect(posted.letters == 2 && posted.windowsStarted == 5, "\(posted)")
        #expect(h.error { _ = try h.service.recordPosting(of: pdf, at: nil) }?.code == .alreadyPosted)
        #expect(try family(h, Self.paulNIR)["Paul-Antoine"]?.notifiedAt == h.clock.now())
        h.clock.advance(42 * 86_400 - 1)
        #expect(try h.service.sweep(dryRun: false).created == 1, "only Martine, notified in January")
        h.clock.advance(1)
        let swept = try h.service.sweep(dryRun: false)
        #expect(swept.created == 5 && swept.notNotified == 4, "\(swept)")
    }
}
