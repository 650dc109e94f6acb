import MESCore

/// The notification wave's reads: the register walked by id, a group at a time, with the
/// families of the group's profiles read in the same step.
extension Store {
    /// A group of the notification wave.
    public struct NotificationGroup: Sendable {
        /// The greatest id the group covers: the next group starts after it.
        public let last: Int64
        /// Every profile under the NIRs of the group's profiles (whatever their state), one
        /// array per NIR, each in order of id.
        public let families: [[Person]]
    }

    /// The next group of the wave: the first `limit` pending, living profiles never notified
    /// with ids after `after`, with their families (one query: the NIRs are looked up in the
    /// order of the identity index, rather than one lookup per family). Nil when none is left.
    public func unnotifiedGroup(after: Int64, limit: Int) throws -> NotificationGroup? {
        guard let last = try db.first("""
            SELECT max(id) FROM (SELECT id FROM people WHERE id > ? AND \(Self.due) ORDER BY id LIMIT ?)
            """, .int(after), .int(Int64(limit)))?.int(0) else { return nil }
        var byNIR: [String: [Person]] = [:]
        try db.forEach("""
            SELECT \(Self.personColumns) FROM people WHERE nir IN (SELECT nir FROM people WHERE id > ?1 AND id <= ?2 AND \(Self.due))
            """, [.int(after), .int(last)]) { c in
            let p = person(from: c)
            byNIR[p.nir.compact, default: []].append(p)
        }
        return NotificationGroup(last: last, families: byNIR.values.map { $0.sorted { $0.id < $1.id } })
    }

    /// Marks a profile's notification issued (1: its message, 2: the profile) if it is still due
    /// (pending, living, never notified, none issued).
    static let markNoticeIfDue = "UPDATE people SET notice_id = ? WHERE id = ? AND \(due)"

    /// The NIRs of the profiles with ids in `ids` still due a notification (pending, living,
    /// never notified).
    public func dueFamilies(ids: ClosedRange<Int64>) throws -> [NIR] {
        try db.query("SELECT DISTINCT nir FROM people WHERE id BETWEEN ? AND ? AND \(Self.due)", .int(ids.lowerBound), .int(ids.upperBound))
            .map { NIR(trusted: $0.text(0)!) }
    }

    /// How many profiles with ids in `ids` are still due a notification.
    public func dueCount(ids: ClosedRange<Int64>) throws -> Int {
        Int(try db.first("SELECT count(*) FROM people WHERE id BETWEEN ? AND ? AND \(Self.due)",
                         .int(ids.lowerBound), .int(ids.upperBound))?.int(0) ?? 0)
    }

    /// A profile due a notification (`Person.isDueNotification`), in SQL.
    static let due = "notified_at IS NULL AND notice_id IS NULL AND state = 'pending' AND deceased = 0"
}

/// Records a wave's notifications on one connection, through statements prepared once (the
/// wave's hot path): the same SQL as `Store.recordCode` and `Store.audit`.
public final class NotificationRecorder {
    private let mark, remark, unmark, supersede, insertCode, audit, nextID: Statement
    /// The number the next message takes, known from the last one queued in this transaction.
    private var next: Int64?

    public init(_ store: Store) throws {
        let db = store.db
        mark = try db.prepare(Store.markNoticeIfDue)
        remark = try db.prepare("UPDATE people SET notice_id = ?1 WHERE id = ?2 AND notice_id = ?3 AND notified_at IS NULL AND state = 'pending' AND deceased = 0")
        unmark = try db.prepare("UPDATE people SET notice_id = ?2 WHERE id = ?1")
        nextID = try db.prepare("SELECT coalesce(max(id), 0) + 1 FROM outbox")
        supersede = try db.prepare(Store.supersedeCodes)
        insertCode = try db.prepare(Store.insertCode)
        audit = try db.prepare(Store.insertAudit)
    }

    /// Marks each profile's notification issued as message `notice` if it is still due: false,
    /// with none marked, when one of them no longer is (another process notified it, or a
    /// decision came first, since it was read).
    /// With `replacing`: each profile still waiting for that notification (pending, living, its
    /// window not started) moves to `notice` instead (a letter replacing a failed e-mail).
    public func markIfDue(_ ids: [Int64], notice: Int64, replacing: Int64? = nil) throws -> Bool {
        let statement = replacing == nil ? mark : remark
        for (i, id) in ids.enumerated() {
            statement.bind(1, notice)
            statement.bind(2, id)
            if let replacing { statement.bind(3, replacing) }
            if try statement.run() == 1 { continue }
            for earlier in ids[..<i] {
                unmark.bind(1, earlier)
                unmark.bind(2, replacing)
                try unmark.run()
            }
            return false
        }
        return true
    }

    /// The number the next message queued in this transaction takes (SQLite gives a new row
    /// the greatest id plus one): what a notification's profiles are marked with before its
    /// message is queued.
    /// Asked of the database once per transaction (`begin`), then followed (`queued`): one
    /// query less per message of a wave.
    public func nextMessageID() throws -> Int64 {
        if let next { return next }
        let n = try nextID.firstInt() ?? 1
        next = n
        return n
    }

    /// A new transaction: the next message's number is asked of the database again.
    public func begin() { next = nil }

    /// Message `id` was queued in this transaction: the next takes `id + 1`.
    public func queued(_ id: Int64) { next = id + 1 }

    /// Marks again, as `actual`, the profiles `ids` marked with a predicted message number
    /// (when the outbox numbered the message otherwise).
    public func renumber(_ ids: [Int64], notice actual: Int64) throws {
        for id in ids {
            unmark.bind(1, id)
            unmark.bind(2, actual)
            try unmark.run()
        }
    }

    /// A notification code for a profile marked by `markIfDue` (its digest; its earlier live
    /// codes superseded), and its audit line (`notified`, with `detail`).
    public func record(_ id: Int64, codeDigest: [UInt8], validity: Int64, detail: String, now: Instant) throws {
        supersede.bind(1, now.seconds)
        supersede.bind(2, id)
        try supersede.run()
        insertCode.bind(1, id)
        insertCode.bind(2, CodeKind.notification.rawValue)
        insertCode.bind(3, blob: codeDigest)
        insertCode.bind(4, now.seconds)
        insertCode.bind(5, now.seconds + validity)
        try insertCode.run()
        audit.bind(1, now.seconds)
        audit.bind(2, static: "notified")
        audit.bind(3, id)
        audit.bind(4, Channel.automatic.rawValue)
        audit.bind(5, nil as Int64?)
        audit.bind(6, nil as Int64?)
        audit.bind(7, detail)
        try audit.run()
    }
}
