import Foundation
import Testing
@testable import MESStore
import MESCore

/// A store made by the previous schema version is copied, byte for byte, before it is migrated:
/// putting the copy back gives the old store again.
@Suite struct MigrationBackupTests {
    /// A store as the previous version of `mes` left it: every migration but the last, with a
    /// person and an audit line in it.
    func previousVersionStore() throws -> String {
        let dir = tempDir()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        _ = FileManager.default.createFile(atPath: dir + "/secret.key", contents: Data(repeating: 7, count: 32), attributes: [.posixPermissions: 0o600])
        let db = try Database(path: dir + "/mes.db", create: true)
        try db.exec("PRAGMA journal_mode=WAL")
        let previous = Schema.migrations.count - 1
        try db.write {
            for m in Schema.migrations.prefix(previous) { try db.exec(m) }
            try db.exec("PRAGMA user_version = \(previous)")
        }
        try db.write {
            try db.exec("""
                INSERT INTO people (nir, birth_date, first_name, last_name, card_type, serial, state)
                VALUES ('116304403801618', '1988-06-08', 'Martine', 'Leguellec', 'plain', '953701166', 'pending');
                INSERT INTO audit (at, event) VALUES (1643882400, 'imported');
                """)
        }
        // The previous version leaves nothing in its WAL once its last connection closes.
        try db.exec("PRAGMA wal_checkpoint(TRUNCATE)")
        return dir
    }

    @Test func theOldStoreIsKeptBesideAndComesBackByteForByte() throws {
        let dir = try previousVersionStore()
        let previous = Schema.migrations.count - 1
        let before = try Data(contentsOf: URL(fileURLWithPath: dir + "/mes.db"))
        let store = try Store.open(dir)
        #expect(store.schemaVersion == Schema.migrations.count)
        let kept = dir + "/mes.db.before-schema-\(previous)"
        #expect(try Data(contentsOf: URL(fileURLWithPath: kept)) == before)
        #expect(store.notes.contains { $0.contains("mes.db.before-schema-\(previous)") && $0.contains("BACKUP") }, "\(store.notes)")
        let attrs = try FileManager.default.attributesOfItem(atPath: kept)
        #expect((attrs[.posixPermissions] as! NSNumber).intValue & 0o777 == 0o600)
        // A store that is up to date makes no copy, and the copy is not a stray file for `check`.
        #expect(try Store.open(dir).notes.isEmpty)
        #expect(store.unknownFiles().isEmpty)

        // Going back: the copy put back as mes.db is the old database, which the old version reads.
        try FileManager.default.removeItem(atPath: dir + "/mes.db")
        for f in ["mes.db-wal", "mes.db-shm"] { try? FileManager.default.removeItem(atPath: dir + "/" + f) }
        try FileManager.default.copyItem(atPath: kept, toPath: dir + "/mes.db")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/mes.db")) == before)
        let old = try Database(path: dir + "/mes.db", create: false, readOnly: true)
        #expect(try old.first("PRAGMA user_version")?.int(0) == Int64(previous))
        #expect(try old.first("SELECT last_name FROM people")?.text(0) == "Leguellec")
    }

    @Test func aNewStoreMakesNoCopy() throws {
        let dir = tempDir()
        let (store, _) = try Store.create(dir)
        #expect(!FileManager.default.fileExists(atPath: dir + "/mes.db.before-schema-0"))
        #expect(store.notes.isEmpty)
    }
}
