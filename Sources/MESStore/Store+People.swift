import MESCore

/// The insurer's register.
extension Store {
    static let personColumns = "id, nir, birth_date, first_name, last_name, card_type, serial, email, mobile, address, holder_id, deceased, state, state_since, notified_at, failed_attempts"

    static let personByID = "SELECT \(personColumns) FROM people WHERE id = ?"

    /// The same columns, qualified with the alias `p`.
    static let personColumnsQualified = personColumns.split(separator: ",").map { "p." + String($0).trimmingSpaces }.joined(separator: ", ")

    func person<R: ColumnReader>(from r: R) -> Person {
        var p = Person(id: r.int(0)!, nir: NIR(trusted: r.text(1)!), birthDate: CalendarDate.parse(r.text(2)!)!,
               firstName: r.text(3)!, lastName: r.text(4)!, card: CardType(rawValue: r.text(5)!)!, serial: r.text(6)!,
               email: r.text(7), mobile: r.text(8), address: r.text(9), holderID: r.int(10), deceased: r.int(11) == 1,
               state: ProfileState(rawValue: r.text(12)!)!, stateSince: r.int(13).map(Instant.init(seconds:)),
               notifiedAt: r.int(14).map(Instant.init(seconds:)))
        p.failedAttempts = Int(r.int(15) ?? 0)
        return p
    }

    /// Adds a person; returns the new id. (The caller runs inside `db.write`.)
    @discardableResult
    public func insert(_ p: Person) throws -> Int64 {
        try db.run("""
            INSERT INTO people (nir, birth_date, first_name, last_name, card_type, serial, email, mobile, address, holder_id,
                                deceased, state, state_since, notified_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            .text(p.nir.compact), .text(p.birthDate.iso), .text(p.firstName), .text(p.lastName), .text(p.card.rawValue),
            .text(p.serial), opt(p.email), opt(p.mobile), opt(p.address), p.holderID.map { .int($0) } ?? .null,
            .int(p.deceased ? 1 : 0), .text(p.state.rawValue), p.stateSince.map { .int($0.seconds) } ?? .null,
            p.notifiedAt.map { .int($0.seconds) } ?? .null)
        return db.lastInsertID
    }

    private func opt(_ s: String?) -> SQLValue { s.map { .text($0) } ?? .null }

    public func person(id: Int64) throws -> Person? {
        try db.first(Self.personByID, .int(id), as: person(from:))
    }

    /// The profiles attached to one Carte Vitale (same NIR, card model and serial).
    public func people(nir: NIR, card: CardType, serial: String) throws -> [Person] {
        try db.query("SELECT \(Self.personColumns) FROM people WHERE nir = ? AND serial = ? AND card_type = ? ORDER BY id",
                     .text(nir.compact), .text(serial), .text(card.rawValue)).map(person(from:))
    }

    /// Every profile under a NIR.
    public func people(nir: NIR) throws -> [Person] {
        try db.query("SELECT \(Self.personColumns) FROM people WHERE nir = ? ORDER BY id", .text(nir.compact)).map(person(from:))
    }

    /// The other profiles a holder manages: for a holder, its attached profiles; for an attached
    /// profile, nothing (only the holder manages the family).
    public func attached(to p: Person) throws -> [Person] {
        guard p.holderID == nil else { return [] }
        return try db.query("SELECT \(Self.personColumns) FROM people WHERE nir = ? AND holder_id = ? ORDER BY birth_date, id",
                            .text(p.nir.compact), .int(p.id))
            .map(person(from:))
    }

    public func setState(_ id: Int64, _ state: ProfileState, since: Instant) throws {
        try db.run("UPDATE people SET state = ?, state_since = ? WHERE id = ?", .text(state.rawValue), .int(since.seconds), .int(id))
    }

    /// Pending, living profiles never notified (for `mes notify`).
    public func unnotified() throws -> [Person] {
        try db.query("SELECT \(Self.personColumns) FROM people WHERE notified_at IS NULL AND state = 'pending' AND deceased = 0 ORDER BY id")
            .map(person(from:))
    }

    /// Pending profiles notified before `cutoff` (for `mes sweep`).
    public func pendingNotified(before cutoff: Instant) throws -> [Person] {
        try db.query("SELECT \(Self.personColumns) FROM people WHERE state = 'pending' AND notified_at IS NOT NULL AND notified_at <= ? ORDER BY id",
                     .int(cutoff.seconds)).map(person(from:))
    }

    public func markNotified(_ id: Int64, at: Instant) throws {
        try db.run("UPDATE people SET notified_at = ? WHERE id = ?", .int(at.seconds), .int(id))
    }

    /// The holder (a profile attached to nobody) with this NIR and birth date.
    public func holderID(nir: NIR, birthDate: CalendarDate) throws -> Int64? {
        try db.first("SELECT id FROM people WHERE nir = ? AND birth_date = ? AND holder_id IS NULL", .text(nir.compact), .text(birthDate.iso))?.int(0)
    }

    public func peopleCount() throws -> Int { Int(try db.first("SELECT count(*) FROM people")?.int(0) ?? 0) }

    /// The person to contact for a profile: itself when it has an e-mail or mobile, else its holder.
    public func contact(for p: Person) throws -> Person {
        if p.email != nil || p.mobile != nil { return p }
        if let h = p.holderID, let holder = try person(id: h) { return holder }
        return p
    }
}


/// Loading many people in one transaction (roster imports). Into an empty register the identity
/// index is dropped first and built once at the end (sorted), which is much faster than keeping
/// it up to date row by row; a duplicate then shows up when the index is built.
public final class PeopleLoader {
    let store: Store
    let insert: Statement
    /// True when the register was empty and the identity index is built at `finish`.
    public let bulk: Bool

    /// Call inside the import's transaction.
    public init(store: Store) throws {
        self.store = store
        bulk = try store.peopleCount() == 0
        if bulk { try store.db.exec("DROP INDEX IF EXISTS people_identity") }
        insert = try store.db.prepare("""
            INSERT INTO people (nir, birth_date, first_name, last_name, card_type, serial, email, mobile, address, holder_id,
                                deceased, state, state_since, notified_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
    }

    /// The INSERT parameter of each text column of a `RosterBatch` (5 is the card type).
    static let textParameters: [Int32] = [1, 2, 3, 4, 6, 7, 8, 9]

    /// Adds row `i` of a batch, attached to `holderID`; returns its id. Call inside
    /// `batch.withView` and `clearBindings` when the batch is done.
    public func add(_ v: RosterBatch.View, _ row: RosterBatch.Row, at i: Int, holderID: Int64?) throws -> Int64 {
        for (c, parameter) in Self.textParameters.enumerated() {
            insert.bind(parameter, borrowing: v.column(i, c), nullWhenEmpty: c >= 5)  // e-mail, mobile, address: NULL when absent
        }
        insert.bind(5, static: row.card == .photo ? "photo" : "plain")
        insert.bind(10, holderID)
        insert.bind(11, Int64(row.deceased ? 1 : 0))
        insert.bind(12, row.state.rawValue)
        insert.bind(13, row.stateSince)
        insert.bind(14, row.notifiedAt)
        try insert.run()
        return store.db.lastInsertID
    }

    /// Unbinds the borrowed text of the last batch.
    public func clearBindings() { insert.clearBindings() }

    /// Builds the identity index (bulk loads). Returns the ids of duplicated profiles, if any.
    public func finish() throws -> [(Int64, Int64)] {
        guard bulk else { return [] }
        // Measured on 1,000,000 rows: the sort is fastest in small sorted runs merged by two
        // threads (a small cache), spilled to temporary files (the store keeps SQLite's default:
        // in memory they are chunk lists that made it half as fast again): 2.4 s -> 1.2 s.
        try store.db.exec("PRAGMA threads=2; PRAGMA cache_size=-2000")
        defer { try? store.db.exec("PRAGMA threads=0; PRAGMA cache_size=\(Store.cacheSize)") }
        do {
            try store.db.exec("CREATE UNIQUE INDEX people_identity ON people (nir, birth_date, first_name)")
            return []
        } catch let e as SQLiteError where e.code & 0xFF == 19 {  // SQLITE_CONSTRAINT: say which rows
            return try store.db.query("""
                SELECT min(id), max(id) FROM people GROUP BY nir, birth_date, first_name HAVING count(*) > 1 ORDER BY min(id) LIMIT 20
                """).map { ($0.int(0)!, $0.int(1)!) }
        }
    }
}
