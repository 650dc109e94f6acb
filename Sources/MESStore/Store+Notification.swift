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
            SELECT max(id) FROM (SELECT id FROM people WHERE id > ? AND notified_at IS NULL AND state = 'pending' AND deceased = 0
            ORDER BY id LIMIT ?)
            """, .int(after), .int(Int64(limit)))?.int(0) else { return nil }
        var byNIR: [String: [Person]] = [:]
        try db.forEach("""
            SELECT \(Self.personColumns) FROM people WHERE nir IN (SELECT nir FROM people WHERE id > ?1 AND id <= ?2
            AND notified_at IS NULL AND state = 'pending' AND deceased = 0)
            """, [.int(after), .int(last)]) { c in
            let p = person(from: c)
            byNIR[p.nir.compact, default: []].append(p)
        }
        return NotificationGroup(last: last, families: byNIR.values.map { $0.sorted { $0.id < $1.id } })
    }

    /// Marks a profile notified at `at` if it is still due (pending, living, never notified):
    /// false when another process notified it or a decision came first since it was read.
    public func markNotifiedIfDue(_ id: Int64, at: Instant) throws -> Bool {
        try db.run("UPDATE people SET notified_at = ? WHERE id = ? AND notified_at IS NULL AND state = 'pending' AND deceased = 0",
                   .int(at.seconds), .int(id)) == 1
    }

    /// Undoes `markNotifiedIfDue` (inside the same transaction).
    public func unmarkNotified(_ id: Int64) throws {
        try db.run("UPDATE people SET notified_at = NULL WHERE id = ?", .int(id))
    }

    /// How many profiles with ids in `ids` are still due a notification (pending, living, never
    /// notified).
    public func dueCount(ids: ClosedRange<Int64>) throws -> Int {
        Int(try db.first("SELECT count(*) FROM people WHERE id BETWEEN ? AND ? AND notified_at IS NULL AND state = 'pending' AND deceased = 0",
                         .int(ids.lowerBound), .int(ids.upperBound))?.int(0) ?? 0)
    }
}
