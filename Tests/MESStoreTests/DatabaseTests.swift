import Foundation
import Testing
@testable import MESStore

/// The SQLite layer: binding, reading rows in place, the statement cache.
@Suite struct DatabaseTests {
    func database() throws -> Database {
        let db = try Database(path: ":memory:", create: true)
        try db.exec("CREATE TABLE t (i INTEGER, s TEXT, b BLOB)")
        return db
    }

    @Test func valuesRoundTripThroughRowsAndCursors() throws {
        let db = try database()
        let long = String(repeating: "é", count: 40)  // not a small string, not ASCII
        try db.run("INSERT INTO t VALUES (?, ?, ?)", .int(-7), .text(long), .blob([0, 1, 255]))
        try db.run("INSERT INTO t VALUES (?, ?, ?)", .null, .text(""), .blob([]))
        let rows = try db.query("SELECT i, s, b FROM t ORDER BY rowid")
        #expect(rows.count == 2)
        #expect(rows[0].int(0) == -7 && rows[0].text(1) == long && rows[0].blob(2) == [0, 1, 255])
        // An empty string is bound as '' (not NULL); an empty blob reads back as a blob.
        #expect(rows[1].int(0) == nil && rows[1].text(1) == "")
        #expect(try db.first("SELECT count(*) FROM t WHERE s IS NULL")?.int(0) == 0)
        var seen: [String] = []
        try db.forEach("SELECT i, s, b FROM t ORDER BY rowid", []) { c in
            seen.append(c.text(1)!)
            #expect(c.row.values == rows[seen.count - 1].values)
        }
        #expect(seen == [long, ""])
        let bytes = try db.first("SELECT s FROM t WHERE i = ?", .int(-7)) { c in c.withBytes(0) { Array($0) } }
        #expect(bytes == Array(long.utf8))
        #expect(try db.first("SELECT i FROM t WHERE i = 99", as: { $0.int(0) }) == nil)
        // A number read as text, and NULL read as anything.
        #expect(try db.first("SELECT i, i, NULL FROM t WHERE i = -7") { c in [c.text(0), c.text(1), c.text(2)] } == ["-7", "-7", nil])
        #expect(try db.first("SELECT NULL") { c in c.blob(0) == nil && c.int(0) == nil } == true)
    }

    @Test func parametersNotGivenAreNullNotLeftOver() throws {
        let db = try database()
        try db.run("INSERT INTO t (i, s) VALUES (?, ?)", .int(1), .text("first"))
        try db.run("INSERT INTO t (i, s) VALUES (?, ?)", .int(2))  // the cached statement: `s` must not keep "first"
        #expect(try db.first("SELECT s FROM t WHERE i = 2")?.text(0) == nil)
    }

    @Test func cachedStatementsAreResetBetweenCalls() throws {
        let db = try database()
        for k in 1...3 { try db.run("INSERT INTO t (i) VALUES (?)", .int(Int64(k))) }
        // A query left after its first row must not keep its read transaction or its position.
        #expect(try db.first("SELECT i FROM t ORDER BY i")?.int(0) == 1)
        #expect(try db.first("SELECT i FROM t ORDER BY i")?.int(0) == 1)
        #expect(try db.query("SELECT i FROM t ORDER BY i").compactMap { $0.int(0) } == [1, 2, 3])
        #expect(try db.run("DELETE FROM t WHERE i > ?", .int(1)) == 2)
    }

    @Test func textsThatHashAlikeKeepTheirOwnStatements() throws {
        let db = try database()
        let a = "SELECT 1 AS value, 'same tail for the hash of the key'"
        let b = "SELECT 2 AS value, 'same tail for the hash of the key'"
        #expect(SQLKey(a).hashValue == SQLKey(b).hashValue)
        for _ in 0..<2 {
            #expect(try db.first(a)?.int(0) == 1)
            #expect(try db.first(b)?.int(0) == 2)
        }
    }

    @Test func theJournalCanBeSyncedOnDemand() throws {
        let dir = tempDir()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let db = try Database(path: dir + "/j.db", create: true)
        try db.syncJournal()  // nothing open yet: nothing to do
        try db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; CREATE TABLE t (i INTEGER)")
        let before = db.totalChanges
        try db.run("INSERT INTO t VALUES (1)")
        #expect(db.totalChanges == before + 1)
        try db.syncJournal()
        #expect(FileManager.default.fileExists(atPath: dir + "/j.db-wal"))
    }

    @Test func errorsCarryTheLibraryMessage() throws {
        let db = try database()
        #expect(throws: SQLiteError.self) { try db.run("INSERT INTO nowhere VALUES (1)") }
        do { _ = try db.query("SELECT nope FROM t", []) } catch let e as SQLiteError { #expect(e.message.contains("nope")) }
    }
}
