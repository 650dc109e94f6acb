import MESCore

/// Loading many people in one transaction (roster imports).
///
/// Into an empty register (a bulk load) the identity index is dropped first and built once at
/// the end (sorted), which is much faster than keeping it up to date row by row; a duplicate
/// then shows up when the index is built. Rows are also inserted `rowsPerStatement` at a time
/// (one statement run per group instead of per row), their ids known in advance: 1, 2, …
public final class PeopleLoader {
    let store: Store
    /// One row.
    let insert: Statement
    /// `rowsPerStatement` rows; only in a bulk load.
    let insertGroup: Statement?
    /// True when the register was empty and the identity index is built at `finish`.
    public var bulk: Bool { insertGroup != nil }

    /// Rows per statement in a bulk load. Measured on 100,000 rows of 14 values (a C program
    /// against the same SQLite): 11,800 instructions per row one by one, 9,900 by 10, 9,450 by 50;
    /// in `mes import` the inserting thread went from 10,600 to 8,900 per row.
    static let rowsPerStatement = 32
    /// Parameters per row (columns).
    static let parametersPerRow: Int32 = 15

    /// Rows of the current batch waiting for a group statement (their ids are the last ones
    /// handed out, in order).
    private var staged: [(row: RosterBatch.Row, index: Int, holderID: Int64?)] = []
    private var nextID: Int64 = 1

    /// Call inside the import's transaction.
    public init(store: Store) throws {
        self.store = store
        let bulk = try store.registerIsEmpty()
        if bulk { try store.db.exec("DROP INDEX IF EXISTS people_identity") }
        let tuple = "(" + Array(repeating: "?", count: Int(Self.parametersPerRow)).joined(separator: ", ") + ")"
        func statement(rows: Int) throws -> Statement {
            try store.db.prepare("""
                INSERT INTO people (nir, birth_date, first_name, last_name, card_type, serial, email, mobile, address, holder_id,
                                    deceased, state, state_since, notified_at, delete_content_after)
                VALUES \(Array(repeating: tuple, count: rows).joined(separator: ", "))
                """)
        }
        insert = try statement(rows: 1)
        insertGroup = bulk ? try statement(rows: Self.rowsPerStatement) : nil
        if bulk { staged.reserveCapacity(Self.rowsPerStatement) }
    }

    /// Adds row `i` of a batch, attached to `holderID`; returns its id. Call inside
    /// `batch.withView`, and `endBatch` before leaving it (a bulk load inserts rows in groups).
    /// The register already holds this person (same NIR, birth date and first name).
    public struct DuplicatePerson: Error {}

    /// Adds one row; in a non-bulk load throws `DuplicatePerson` when the person is already there.
    public func add(_ v: RosterBatch.View, _ row: RosterBatch.Row, at i: Int, holderID: Int64?) throws -> Int64 {
        guard let group = insertGroup else {
            bind(insert, row: 0, v, row, at: i, holderID: holderID)
            do { try insert.run() } catch let e as SQLiteError where e.isConstraint { throw DuplicatePerson() }
            return store.db.lastInsertID
        }
        let id = nextID
        nextID += 1
        staged.append((row, i, holderID))
        if staged.count == Self.rowsPerStatement {
            for (k, s) in staged.enumerated() { bind(group, row: k, v, s.row, at: s.index, holderID: s.holderID) }
            staged.removeAll(keepingCapacity: true)
            try group.run()
            try check(lastID: id)
        }
        return id
    }

    /// Inserts the rows of batch view `v` still waiting and unbinds its borrowed text. Call
    /// before the view goes away.
    public func endBatch(_ v: RosterBatch.View) throws {
        defer {
            staged.removeAll(keepingCapacity: true)
            insert.clearBindings()
            insertGroup?.clearBindings()
        }
        let firstID = nextID - Int64(staged.count)
        for (k, s) in staged.enumerated() {
            bind(insert, row: 0, v, s.row, at: s.index, holderID: s.holderID)
            try insert.run()
            try check(lastID: firstID + Int64(k))
        }
    }

    /// A table that grows by appends only gives each new row the next id: the ids handed out
    /// before the rows went in are theirs. (Binding them instead costs 10% more per row.)
    private func check(lastID expected: Int64) throws {
        guard store.db.lastInsertID == expected else {
            throw MESError(.storeCorrupt, "Import : identifiant \(store.db.lastInsertID) attribué au lieu de \(expected) ; rien n'a été importé.", field: "store")
        }
    }

    /// The INSERT parameter of each text column of a `RosterBatch`, counted from the row's
    /// first parameter (5 is the card type).
    static let textParameters: [Int32] = [1, 2, 3, 4, 6, 7, 8, 9]

    /// Binds row `i` of a batch to the parameters of row `k` of statement `s`.
    private func bind(_ s: Statement, row k: Int, _ v: RosterBatch.View, _ row: RosterBatch.Row, at i: Int, holderID: Int64?) {
        let base = Int32(k) * Self.parametersPerRow
        for (c, parameter) in Self.textParameters.enumerated() {
            s.bind(base + parameter, borrowing: v.column(i, c), nullWhenEmpty: c >= 5)  // e-mail, mobile, address: NULL when absent
        }
        s.bind(base + 5, static: row.card == .photo ? "photo" : "plain")
        s.bind(base + 10, holderID)
        s.bind(base + 11, Int64(row.deceased ? 1 : 0))
        s.bind(base + 12, static: Self.name(row.state))
        s.bind(base + 13, row.stateSince)
        s.bind(base + 14, row.notifiedAt)
        // A space imported closed is archived 10 years from its closure, then deleted by `sweep`
        // (the roster does not say whether its holder asked for deletion).
        s.bind(base + 15, row.state == .closed ? row.stateSince.map {
            Instant(seconds: $0).adding(months: Policy.standard.retentionMonthsArchived).seconds } : nil)
    }

    static func name(_ state: ProfileState) -> StaticString {
        switch state {
        case .pending: "pending"
        case .opposed: "opposed"
        case .active: "active"
        case .closed: "closed"
        }
    }

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
        } catch let e as SQLiteError where e.isConstraint {  // SQLITE_CONSTRAINT: say which rows
            return try store.db.query("""
                SELECT min(id), max(id) FROM people GROUP BY nir, birth_date, first_name HAVING count(*) > 1 ORDER BY min(id) LIMIT 20
                """).map { ($0.int(0)!, $0.int(1)!) }
        }
    }
}
