import Glibc
import MESCore
import MESCrypto
import MESSystem

/// A message whose bytes are packed and sealed (`Store.seal`): its header (the message without
/// its bytes) and the sealed bytes.
public struct SealedMessage: Sendable {
    public let header: OutgoingMessage
    public let sealed: [UInt8]
}

/// The outbox: each delivered message is a row of the database, its bytes included, packed
/// (`MessagePacking`) and sealed with a key derived from the store's key (messages queued before schema 8 keep theirs in a
/// file under `outbox/`).
extension Store {
    /// Queues the message: one row, in the caller's transaction. `sync` is kept for callers
    /// that batch their syncs; the commit makes the row durable.
    @discardableResult
    public func deliver(_ m: OutgoingMessage, to personID: Int64?, now: Instant, sync: Bool = true) throws -> OutboxEntry {
        try deliver(seal(m), to: personID, now: now)
    }

    /// The message with its bytes packed and sealed, ready for `deliver(_:to:now:)`: work a
    /// caller may do ahead, on another thread (this store's sealing key must not be used by two
    /// threads at once).
    public func seal(_ m: OutgoingMessage) -> SealedMessage {
        let context = Self.sealContext(channel: m.channel.rawValue, recipient: m.recipient, messageID: m.messageID,
                                       shownTo: m.shownTo, subject: m.subject)
        return SealedMessage(header: m.header, sealed: sealing.seal(MessagePacking.pack(m.body), context: context))
    }

    /// What a message's sealing is bound to (`seal` 2): the fields of its row that say where it
    /// goes and what it is, each preceded by its length (absent: 0xFFFFFFFF), so that no two
    /// rows give the same context.
    static func sealContext(channel: String, recipient: String?, messageID: String, shownTo: String?, subject: String) -> [UInt8] {
        var c: [UInt8] = []
        c.reserveCapacity(41 + channel.utf8.count + (recipient?.utf8.count ?? 0) + messageID.utf8.count
                          + (shownTo?.utf8.count ?? 0) + subject.utf8.count)
        c += "mes-outbox-message-v2".utf8
        // One allocation, no intermediate arrays: a notification wave builds one per message.
        func append(_ field: String?) {
            guard let field else { c += [0xFF, 0xFF, 0xFF, 0xFF]; return }
            let n = field.utf8.count
            c.append(UInt8(n >> 24 & 0xFF)); c.append(UInt8(n >> 16 & 0xFF)); c.append(UInt8(n >> 8 & 0xFF)); c.append(UInt8(n & 0xFF))
            c += field.utf8
        }
        append(channel); append(recipient); append(messageID); append(shownTo); append(subject)
        return c
    }

    /// Queues a sealed message: one row and its body, in the caller's transaction.
    @discardableResult
    public func deliver(_ s: SealedMessage, to personID: Int64?, now: Instant) throws -> OutboxEntry {
        let m = s.header
        let status = DeliveryStatus.initial(m.channel)
        try db.run(Self.insertMessage, personID.map { .int($0) } ?? .null, .text(m.channel.rawValue), .text(m.recipientMasked),
                   .text(m.subject), .int(now.seconds), .text(status.rawValue),
                   m.recipient.map { .text($0) } ?? .null, .text(m.messageID), m.shownTo.map { .text($0) } ?? .null)
        let id = db.lastInsertID
        try db.run(Self.insertBody, .int(id), .blob(s.sealed))
        return OutboxEntry(id: id, personID: personID, channel: m.channel, recipientMasked: m.recipientMasked,
                           subject: m.subject, file: nil, createdAt: now, status: status, shownTo: m.shownTo)
    }

    static let insertMessage = """
        INSERT INTO outbox (person_id, channel, recipient_masked, subject, file, created_at, status, recipient, message_id, shown_to, seal)
        VALUES (?, ?, ?, ?, '', ?, ?, ?, ?, ?, 2)
        """
    static let insertBody = "INSERT INTO outbox_bodies (id, sealed) VALUES (?, ?)"

    /// The context of messages sealed before schema 11 (`seal` NULL).
    static let sealContext = Array("mes-outbox-message-v1".utf8)

    /// A message's row as its bytes need it: 0 file, 1 seal, 2–6 what the sealing is bound to
    /// (channel, recipient, Message-ID, number shown, subject), 7 the sealed body, 8 the id.
    static let bodyColumns = """
        SELECT o.file, o.seal, o.channel, o.recipient, o.message_id, o.shown_to, o.subject, b.sealed, o.id
        FROM outbox o LEFT JOIN outbox_bodies b ON b.id = o.id
        """

    /// What the sealing of a row read through `bodyColumns` is bound to.
    static func sealContext(ofRow r: Row) -> [UInt8] {
        sealContext(channel: r.text(2) ?? "", recipient: r.text(3), messageID: r.text(4) ?? "", shownTo: r.text(5), subject: r.text(6) ?? "")
    }

    /// A message's bytes: from its row (sealed: the database never holds a code in clear), or
    /// from its file for a message queued before schema 8. Opened against the row as it stands,
    /// read once: a body moved from another row, or a recipient changed since, does not open (65
    /// `message_tampered`).
    public func messageBody(_ entry: OutboxEntry, field: String = "ID") throws -> [UInt8] {
        let row = try db.first(Self.bodyColumns + " WHERE o.id = ?", .int(entry.id))
        if let row, !(row.text(0) ?? "").isEmpty { return try legacyBody(row, id: entry.id, field: field) }
        guard let row, let body = openedBody(row) else {
            throw MESError(.messageTampered, "Le message \(entry.id) de la boîte d'envoi ne s'ouvre pas : il a été déplacé ou modifié "
                           + "(destinataire, objet), ou scellé par une autre clé. Il ne sera pas envoyé.", field: field)
        }
        return body
    }

    /// Seals again, bound to its row (`seal` 2), every body sealed before schema 11 under the
    /// constant context alone (inside the migration's transaction). A body that does not open is
    /// left as it is: `check` and `outbox send` report it.
    func resealUnboundBodies() throws {
        var after: Int64 = 0
        while true {
            let rows = try db.query(Self.bodyColumns + " WHERE o.seal IS NULL AND b.id IS NOT NULL AND o.id > ? ORDER BY o.id LIMIT 2000",
                                    .int(after))
            guard let last = rows.last?.int(8) else { return }
            for r in rows {
                guard let id = r.int(8), let packed = sealing.open(r.blob(7) ?? [], context: Self.sealContext) else { continue }
                try db.run("UPDATE outbox_bodies SET sealed = ? WHERE id = ?", .blob(sealing.seal(packed, context: Self.sealContext(ofRow: r))), .int(id))
                try db.run("UPDATE outbox SET seal = 2 WHERE id = ?", .int(id))
            }
            after = last
        }
    }

    /// A row's file name as messages queued before schema 8 kept it: a bare name in `outbox/`
    /// (no `/`, not `.` or `..`, not hidden), else nil.
    static func legacyFile(_ name: String?) -> String? {
        guard let name, !name.isEmpty, !name.contains("/"), !name.hasPrefix("."), !name.contains("\u{0}") else { return nil }
        return name
    }

    /// The bytes of a message queued before schema 8: the file of `outbox/` its row names, only
    /// for a row sealed the old way (`seal` NULL) that has no sealed body, read without
    /// following a link. Any other file named by a row — a path out of `outbox/`, a row made since
    /// — is a tampered row: never read, never sent.
    func legacyBody(_ r: Row, id: Int64, field: String) throws -> [UInt8] {
        guard let name = Self.legacyFile(r.text(0)), r.int(1) == nil, r.blob(7) == nil else {
            throw MESError(.messageTampered, "Le message \(id) de la boîte d'envoi nomme un fichier qu'il ne peut pas nommer : "
                           + "la ligne a été modifiée. Il ne sera pas envoyé.", field: field)
        }
        let dir = try FileIO.Directory(outboxDirectory, field: field)
        return try dir.read(name, limit: InputLimits.receiptFile, field: field)
    }

    /// The row's body opened against the row's own fields, or nil when it does not open. Every
    /// body is bound to its row since schema 11 (older ones were sealed again by the
    /// migration): one sealed the old way is a body planted from elsewhere.
    func openedBody(_ r: Row) -> [UInt8]? {
        guard r.int(1) == 2, let sealed = r.blob(7), let packed = sealing.open(sealed, context: Self.sealContext(ofRow: r)) else { return nil }
        return MessagePacking.unpack(packed)
    }

    /// `openedBody` of the row with id `id`.
    func openedBody(_ id: Int64) throws -> [UInt8]? {
        try db.first(Self.bodyColumns + " WHERE o.id = ?", .int(id)).flatMap(openedBody)
    }

    /// A person's letters since `since`: how many, the oldest of them and the last one ever.
    public func letters(personID: Int64, since: Instant) throws -> (count: Int, oldest: Instant?, last: Instant?) {
        let r = try db.first("""
            SELECT (SELECT count(*) FROM outbox WHERE person_id = ?1 AND channel = 'letter' AND created_at >= ?2),
                   (SELECT min(created_at) FROM outbox WHERE person_id = ?1 AND channel = 'letter' AND created_at >= ?2),
                   (SELECT max(created_at) FROM outbox WHERE person_id = ?1 AND channel = 'letter')
            """, .int(personID), .int(since.seconds))
        return (Int(r?.int(0) ?? 0), r?.int(1).map(Instant.init(seconds:)), r?.int(2).map(Instant.init(seconds:)))
    }

    /// The last message queued, if any.
    public func lastOutboxEntry() throws -> OutboxEntry? {
        try db.first(Self.entryColumns + " ORDER BY id DESC LIMIT 1").map(entry(from:))
    }

    /// Messages after `after` (by number), oldest first, at most `limit`; from `since` on when
    /// given; for one person's profiles (`people`) when given; in one `status` when given. A page of the outbox, for
    /// listings that stream.
    public func outboxPage(after: Int64, limit: Int, since: Instant? = nil, people: [Int64]? = nil, status: DeliveryStatus? = nil) throws -> [OutboxEntry] {
        var sql = Self.entryColumns + " WHERE id > ?"
        var args: [SQLValue] = [.int(after)]
        if let status { sql += " AND status = ?"; args.append(.text(status.rawValue)) }
        if let since { sql += " AND created_at >= ?"; args.append(.int(since.seconds)) }
        if let people {
            sql += " AND person_id IN (" + people.map { _ in "?" }.joined(separator: ",") + ")"
            args += people.map { .int($0) }
        }
        sql += " ORDER BY id LIMIT ?"
        args.append(.int(Int64(limit)))
        return try db.query(sql, args).map(entry(from:))
    }

    public func outbox(personID: Int64? = nil) throws -> [OutboxEntry] {
        let sql = Self.entryColumns
        let rows = try personID.map { try db.query(sql + " WHERE person_id = ? ORDER BY id", .int($0)) } ?? db.query(sql + " ORDER BY id")
        return rows.map(entry(from:))
    }

    public func outboxEntry(id: Int64) throws -> OutboxEntry? {
        try db.first(Self.entryColumns + " WHERE id = ?", .int(id))
            .map(entry(from:))
    }

    static let entryColumns = """
        SELECT id, person_id, channel, recipient_masked, subject, file, created_at, status, attempts, last_error, sent_at,
        recipient, message_id, shown_to FROM outbox
        """

    func entry(from r: Row) -> OutboxEntry {
        // A channel this build does not know is never handed to a transport (as a letter).
        OutboxEntry(id: r.int(0)!, personID: r.int(1), channel: MessageChannel(rawValue: r.text(2) ?? "") ?? .letter, recipientMasked: r.text(3)!, subject: r.text(4)!,
                    file: Self.legacyFile(r.text(5)).map { outboxDirectory + "/" + $0 }, createdAt: Instant(seconds: r.int(6)!),
                    status: DeliveryStatus(rawValue: r.text(7) ?? "") ?? .queued, attempts: Int(r.int(8) ?? 0), lastError: r.text(9),
                    sentAt: r.int(10).map(Instant.init(seconds:)), shownTo: r.text(13))
    }

    // MARK: the queue

    /// Messages due to be sent now (queued, and past their next try; every queued one with
    /// `ignoringBackoff`) after message `after`, oldest first; `only` one.
    public func dueMessages(now: Instant, after: Int64 = 0, only: Int64? = nil, limit: Int = 1_000, ignoringBackoff: Bool = false) throws -> [QueuedMessage] {
        let now = ignoringBackoff ? Instant(seconds: Int64.max) : now
        // One message: looked up by its id (the queue's index would make SQLite scan every queued row).
        let rows = try only.map { id in
            try db.query(Self.entryColumns + " WHERE id = ? AND id > ? AND status = 'queued' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)",
                         .int(id), .int(after), .int(now.seconds))
        } ?? db.query(Self.entryColumns + """
             WHERE status = 'queued' AND (next_attempt_at IS NULL OR next_attempt_at <= ?) AND id > ? ORDER BY id LIMIT ?
            """, [.int(now.seconds), .int(after), .int(Int64(limit))])
        return rows.map { QueuedMessage(entry: entry(from: $0), recipient: $0.text(11), messageID: $0.text(12) ?? "") }
    }

    /// Records a failed try: tried again at `retryAt`, or given up (`retryAt` nil). Its own
    /// transaction.
    public func markFailed(_ id: Int64, error: String, retryAt: Instant?) throws {
        try transaction { try recordFailure(id, error: error, retryAt: retryAt) }
    }

    /// `markFailed` inside the caller's transaction.
    public func recordFailure(_ id: Int64, error: String, retryAt: Instant?) throws {
        _ = try db.run("UPDATE outbox SET status = ?, attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
                       .text(retryAt == nil ? "failed" : "queued"), .text(error), retryAt.map { .int($0.seconds) } ?? .null, .int(id))
    }

    /// How many messages wait in the queue.
    public func queuedCount() throws -> Int { Int(try db.first("SELECT count(*) FROM outbox WHERE status = 'queued'")?.int(0) ?? 0) }

    /// The store's sending lock, held while messages are handed to transports: one sender at a
    /// time, so that two never send the same queued message. Nil when another process holds it
    /// (released when its holder ends, even killed).
    public func trySendingLock() throws -> SendingLock? {
        let fd = Glibc.open(directory + "/.sending-lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw MESError(.cannotCreate, "Impossible de verrouiller l'envoi dans \(directory)", field: "store") }
        var rc: Int32
        repeat { rc = flock(fd, LOCK_EX | LOCK_NB) } while rc != 0 && errno == EINTR
        guard rc == 0 else {
            close(fd)
            return nil
        }
        return SendingLock(fd: fd)
    }
}

/// Held while sending (see `Store.trySendingLock`); released when it goes.
public final class SendingLock {
    let fd: Int32
    init(fd: Int32) { self.fd = fd }
    deinit { close(fd) }
}
