import MESCore

/// What `fixtures --members` leaves in a test store so that running it again can reuse the
/// population or replace it: per seed, the count, clock and fixtures version it was made
/// with, and a mark of the store's content right after (any row added or removed since changes it).
extension Store {
    public struct FixturesRecord: Equatable, Sendable {
        public let count: Int
        /// The clock the population was made at (seconds).
        public let now: Int64
        public let version: Int
        /// The cases asked for (`--case`), none for the whole population.
        public let cases: Set<FixtureCase>
        /// `changeMark()` when the population was recorded.
        public let mark: String

        public init(count: Int, now: Int64, version: Int, cases: Set<FixtureCase> = [], mark: String) {
            self.count = count
            self.now = now
            self.version = version
            self.cases = cases
            self.mark = mark
        }

        var text: String {
            "count=\(count);now=\(now);version=\(version);cases=\(cases.sorted().map(\.rawValue).joined(separator: "+"));mark=\(mark)"
        }

        init?(text: String) {
            var fields: [Substring: Substring] = [:]
            for part in text.split(separator: ";") {
                guard let eq = part.firstIndex(of: "=") else { return nil }
                fields[part[..<eq]] = part[part.index(after: eq)...]
            }
            guard let c = fields["count"].flatMap({ Int($0) }), let n = fields["now"].flatMap({ Int64($0) }),
                  let v = fields["version"].flatMap({ Int($0) }), let m = fields["mark"] else { return nil }
            let cases = (fields["cases"] ?? "").split(separator: "+").compactMap { FixtureCase(rawValue: String($0)) }
            self.init(count: c, now: n, version: v, cases: Set(cases), mark: String(m))
        }
    }

    /// The tables a population fills (everything but settings, advisers and the signing identity).
    static let registerTables = ["receipt_mails", "outbox_bodies", "batch_failures", "receipts", "sessions", "decisions", "otps",
                                 "accounts", "attempts", "codes", "outbox", "print_batches", "audit", "people"]

    static func fixturesKey(_ seed: UInt64) -> String { "fixtures:\(seed)" }

    /// What fixtures recorded for `seed`, if anything.
    public func fixturesRecord(seed: UInt64) throws -> FixturesRecord? {
        try db.first("SELECT value FROM settings WHERE key = ?", .text(Self.fixturesKey(seed)))?.text(0).flatMap(FixturesRecord.init(text:))
    }

    /// Records `seed`'s population (inside the transaction that made it).
    public func recordFixtures(seed: UInt64, _ record: FixturesRecord) throws {
        try db.run("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", .text(Self.fixturesKey(seed)), .text(record.text))
    }

    /// A summary of the register's rows (how many and the last rowid, per table; for attempt
    /// counters their sum and last update): equal marks mean nothing was added or removed in
    /// between, and no attempt counted.
    public func changeMark() throws -> String {
        try Self.registerTables.map { table in
            // Tables without a rowid: what their rows change when they are updated.
            let last = ["attempts": "sum(failures) + max(updated_at)", "batch_failures": "max(failed_at)",
                        "receipt_mails": "max(outbox_id)"][table] ?? "max(rowid)"
            let row = try db.first("SELECT count(*), coalesce(\(last), 0) FROM \(table)")
            return "\(row?.int(0) ?? 0).\(row?.int(1) ?? 0)"
        }.joined(separator: ",")
    }

    /// Empties the register (people, codes, decisions, receipts' records, messages, the audit
    /// trail, accounts, sessions, attempts) and forgets every recorded population, keeping the
    /// settings, advisers and signing identity: `fixtures --members --force` on a store that
    /// holds only an earlier population of its seed. Inside the caller's transaction.
    public func clearRegister() throws {
        try db.exec("PRAGMA defer_foreign_keys=ON")
        for table in Self.registerTables { _ = try db.run("DELETE FROM \(table)") }
        _ = try db.run("DELETE FROM settings WHERE key LIKE 'fixtures:%'")
    }
}
