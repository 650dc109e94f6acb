import MESCore

/// The insurer's register.
extension Store {
    static let personColumns = "id, nir, birth_date, first_name, last_name, card_type, serial, email, mobile, address, holder_id, deceased, state, state_since, notified_at, failed_attempts, notice_id"
    /// How many columns `personColumns` reads (queries that select more put them after these).
    static let personColumnCount = 17

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
        p.noticeID = r.int(16)
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
        // A space that is no longer closed keeps its content: no deletion is scheduled.
        try db.run("""
            UPDATE people SET state = ?1, state_since = ?2,
                delete_content_after = CASE WHEN ?1 = 'closed' THEN delete_content_after END WHERE id = ?3
            """, .text(state.rawValue), .int(since.seconds), .int(id))
    }

    /// Pending, living profiles never notified (for `mes notify`).
    public func unnotified(after: Int64 = 0, limit: Int = .max) throws -> [Person] {
        try db.query("""
            SELECT \(Self.personColumns) FROM people WHERE id > ? AND \(Self.due)
            ORDER BY id LIMIT ?
            """, .int(after), .int(Int64(limit))).map(person(from:))
    }

    /// The ids of the next `limit` pending profiles notified before `cutoff` after `after`, as
    /// the range from the first to the last (nil when there is none): a group of `mes sweep`.
    public func pendingNotifiedRange(before cutoff: Instant, after: Int64, limit: Int) throws -> ClosedRange<Int64>? {
        guard let r = try db.first("""
            SELECT min(id), max(id) FROM (SELECT id FROM people WHERE id > ? AND state = 'pending' AND notified_at IS NOT NULL
            AND notified_at <= ? ORDER BY id LIMIT ?)
            """, .int(after), .int(cutoff.seconds), .int(Int64(limit))), let lo = r.int(0), let hi = r.int(1) else { return nil }
        return lo...hi
    }

    /// How many living pending profiles with ids in `ids` were notified before `cutoff`.
    public func pendingNotifiedCount(ids: ClosedRange<Int64>, before cutoff: Instant) throws -> Int {
        Int(try db.first("""
            SELECT count(*) FROM people WHERE id BETWEEN ? AND ? AND state = 'pending' AND notified_at IS NOT NULL
            AND notified_at <= ? AND deceased = 0
            """, .int(ids.lowerBound), .int(ids.upperBound), .int(cutoff.seconds))?.int(0) ?? 0)
    }

    /// Pending profiles notified before `cutoff` (for `mes sweep`), after `after` by id, at most `limit`.
    public func pendingNotified(before cutoff: Instant, after: Int64 = 0, limit: Int = .max) throws -> [Person] {
        try db.query("""
            SELECT \(Self.personColumns) FROM people WHERE id > ? AND state = 'pending' AND notified_at IS NOT NULL AND notified_at <= ?
            ORDER BY id LIMIT ?
            """, .int(after), .int(cutoff.seconds), .int(Int64(limit))).map(person(from:))
    }

    public func markNotified(_ id: Int64, at: Instant) throws {
        try db.run("UPDATE people SET notified_at = ? WHERE id = ?", .int(at.seconds), .int(id))
    }

    /// The holder (a profile attached to nobody) with this NIR and birth date.
    public func holderID(nir: NIR, birthDate: CalendarDate) throws -> Int64? {
        try db.first("SELECT id FROM people WHERE nir = ? AND birth_date = ? AND holder_id IS NULL", .text(nir.compact), .text(birthDate.iso))?.int(0)
    }

    public func peopleCount() throws -> Int { Int(try db.first("SELECT count(*) FROM people")?.int(0) ?? 0) }

    /// Whether the register has nobody (one row read, where `peopleCount` reads them all).
    public func registerIsEmpty() throws -> Bool { try db.first("SELECT EXISTS (SELECT 1 FROM people)")?.int(0) == 0 }

    /// The highest person id so far (0 for an empty register): people added later have higher ids.
    public func lastPersonID() throws -> Int64 { try db.first("SELECT coalesce(max(id), 0) FROM people")?.int(0) ?? 0 }

    /// The identities (id, NIR, ISO birth date, first name) of the people added after `lastID`,
    /// by id, at most `limit` of them (e.g. the ids an import just gave, a page at a time).
    public func forEachIdentity(after lastID: Int64, limit: Int = .max, _ body: (Int64, String, String, String) throws -> Void) throws {
        try db.forEach("SELECT id, nir, birth_date, first_name FROM people WHERE id > ? ORDER BY id LIMIT ?",
                       [.int(lastID), .int(Int64(limit))]) { r in
            try body(r.int(0)!, r.text(1)!, r.text(2)!, r.text(3)!)
        }
    }

    /// The person to contact for a profile (`Person.contact(holder:)`), its holder read only
    /// when needed.
    public func contact(for p: Person) throws -> Person {
        p.contact(holder: p.contactNeedsHolder ? try p.holderID.flatMap { try person(id: $0) } : nil)
    }
}
