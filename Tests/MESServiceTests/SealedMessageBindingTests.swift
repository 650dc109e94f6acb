import Foundation
import Testing
import MESCore
import MESDelivery
@testable import MESService
@testable import MESStore

/// A queued message's sealed bytes are bound to their row: whoever can write `mes.db` without
/// `secret.key` can neither move Martine's code to another row nor redirect it.
@Suite struct SealedMessageBindingTests {
    /// Martine's and Paul's codes queued by e-mail, and a service that sends to `mail`.
    func twoQueued(_ mail: CapturingMessageTransport) throws -> (Harness, Service, martine: Int64, other: Int64) {
        let h = try Harness()
        let service = try h.service(transports: Transports([.email: mail], mailFrom: "envoi@mes.example.fr"))
        let martine = try service.requestCode(CodeRequest(card: Harness.martine, birthDate: DemoData.martineBirthDate))
        h.clock.advance(60)
        // A second e-mail for someone else: another row to move her body to.
        try service.store.db.run("UPDATE people SET email = 'paul@example.fr' WHERE nir = ?", .text(Harness.paul.nir.compact))
        let other = try service.requestCode(CodeRequest(card: Harness.paul, birthDate: Harness.paulBirthDate))
        return (h, service, martine.entry.id, other.entry.id)
    }

    @Test func aChangedRecipientIsNeverSent() throws {
        let mail = CapturingMessageTransport()
        let (h, service, martine, other) = try twoQueued(mail)
        try service.store.db.run("UPDATE outbox SET recipient = 'attacker@evil.example' WHERE id = ?", .int(martine))
        let report = try service.sendOutbox()
        #expect(report.sent == 1 && report.failed == 1)
        #expect(!mail.envelopes.contains { $0.recipient.contains("evil") })
        let failed = try #require(try service.store.outboxEntry(id: martine))
        #expect(failed.status == .failed && failed.lastError?.hasPrefix("message_tampered") == true)
        #expect(try service.store.outboxEntry(id: other)?.status == .sent)
        let e = h.error { _ = try service.store.messageBody(failed) }
        #expect(e?.code == .messageTampered && e?.message.contains("ne sera pas envoyé") == true)
    }

    @Test func aBodyMovedToAnotherRowIsNeverSent() throws {
        let mail = CapturingMessageTransport()
        let (_, service, martine, other) = try twoQueued(mail)
        // Martine's sealed body copied over the other row's.
        try service.store.db.run("UPDATE outbox_bodies SET sealed = (SELECT sealed FROM outbox_bodies WHERE id = ?) WHERE id = ?",
                                 .int(martine), .int(other))
        let report = try service.sendOutbox()
        #expect(report.sent == 1 && report.failed == 1)
        #expect(mail.envelopes.count == 1 && mail.envelopes[0].recipient != "paul@example.fr")
        #expect(try service.store.outboxEntry(id: other)?.status == .failed)
        // `check` names it.
        #expect(try service.check(receipts: nil).problems.contains { $0.code == "message_unreadable" })
    }

    /// A row made to name a file (the path of messages queued before schema 8) reads nothing
    /// out of `outbox/`, and nothing that is not a legacy row's: `secret.key` is never mailed.
    @Test func aRowNamingAFileSendsNothing() throws {
        let mail = CapturingMessageTransport()
        let (h, service, martine, other) = try twoQueued(mail)
        try service.store.db.run("UPDATE outbox SET file = '../secret.key', recipient = 'attacker@evil.example' WHERE id = ?", .int(martine))
        // A bare name of outbox/ on a row sealed since schema 11 is refused too.
        _ = FileManager.default.createFile(atPath: h.directory + "/outbox/planted.eml", contents: Data("Subject: x\r\n\r\nplanted".utf8))
        try service.store.db.run("UPDATE outbox SET file = 'planted.eml' WHERE id = ?", .int(other))
        let report = try service.sendOutbox()
        #expect(report.sent == 0 && report.failed == 2, "\(report)")
        #expect(mail.envelopes.isEmpty)
        for id in [martine, other] {
            let entry = try #require(try service.store.outboxEntry(id: id))
            #expect(entry.status == .failed && entry.lastError?.hasPrefix("message_tampered") == true, "\(String(describing: entry.lastError))")
            #expect(h.error { _ = try service.store.messageBody(entry) }?.code == .messageTampered)
        }
    }

    /// Bodies sealed before schema 11 are sealed again, bound, by the migration; one sealed the
    /// old way that turns up afterwards (planted from an old copy of mes.db) never opens.
    @Test func olderBodiesAreBoundAtMigrationAndUnboundOnesNeverOpen() throws {
        let mail = CapturingMessageTransport()
        let (h, service, martine, _) = try twoQueued(mail)
        let body = try service.store.messageBody(try #require(try service.store.outboxEntry(id: martine)))
        let legacy = service.store.sealing.seal(MessagePacking.pack(body), context: Store.sealContext)
        try service.store.db.run("UPDATE outbox_bodies SET sealed = ? WHERE id = ?", .blob(legacy), .int(martine))
        try service.store.db.run("UPDATE outbox SET seal = NULL WHERE id = ?", .int(martine))
        #expect(h.error { _ = try service.store.messageBody(try #require(try service.store.outboxEntry(id: martine))) }?.code == .messageTampered)
        // What the schema-11 migration does to such a row.
        try service.store.transaction { try service.store.resealUnboundBodies() }
        #expect(try service.store.messageBody(try #require(try service.store.outboxEntry(id: martine))) == body)
        #expect(try service.store.db.first("SELECT seal FROM outbox WHERE id = ?", .int(martine))?.int(0) == 2)
        #expect(try service.sendOutbox().sent == 2)
    }
}
