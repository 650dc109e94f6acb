#if canImport(Glibc)
import Glibc
#endif
import MESCore
import MESCrypto
import MESSystem

/// The data directory: `mes.db` (SQLite, WAL), `secret.key` (the per-store HMAC key),
/// `outbox/` (messages of older versions) and `receipts/` (default place for receipts).
/// Directories are 0700 and files 0600.
public final class Store {
    public let directory: String
    let db: Database
    /// The per-store key for code, token and receipt digests. Never printed.
    let secret: [UInt8]
    /// The same key, set up once for many MACs.
    lazy var hmac = HMACKey(key: secret)
    /// The key that seals queued messages (they carry codes), derived from the store's key.
    lazy var sealing = SealingKey(key: Crypto.hmacSHA256(key: secret, "mes-outbox-sealing-v1"))
    /// What was fixed when the store was opened (a data directory or key readable by others,
    /// brought back to 0700/0600), in French, for the person to be told.
    public private(set) var notes: [String] = []
    /// Files written by the transaction under way, removed if it does not commit.
    var createdFiles: [String] = []

    public var databasePath: String { directory + "/mes.db" }
    public var outboxDirectory: String { directory + "/outbox" }
    public var receiptsDirectory: String { directory + "/receipts" }
    static let secretFile = "secret.key"

    private init(directory: String, db: Database, secret: [UInt8]) {
        self.directory = directory
        self.db = db
        self.secret = secret
    }

    /// Whether a store exists in `directory`.
    public static func exists(at directory: String) -> Bool {
        access(directory + "/mes.db", F_OK) == 0 && access(directory + "/" + secretFile, F_OK) == 0
    }

    /// Opens an existing store (66 when there is none).
    /// How long (seconds) a command waits, by default, for a store kept busy by another process.
    public static let defaultLockWait = 30.0

    /// Opens the store in `directory`; `lockWait`: how long an operation waits for another
    /// process's lock before it gives up (75 `store_busy`).
    public static func open(_ directory: String, lockWait: Double = defaultLockWait) throws -> Store {
        umask(0o077)
        guard exists(at: directory) else {
            throw MESError(.storeMissing,
                           "Aucune base dans \(directory) : créez-la avec « mes init » (ou « mes init --demo »).", field: "store")
        }
        let notes = try privacyNotes(directory)
        let secret = try FileIO.read(directory + "/" + secretFile, limit: InputLimits.secretFile, field: "store")
        guard secret.count == 32 else {
            throw MESError(.storeCorrupt, "La clé de la base est illisible (\(directory)/\(secretFile)).", field: "store")
        }
        let db = try openDatabase(directory + "/mes.db", create: false, lockWait: lockWait)
        let store = Store(directory: directory, db: db, secret: secret)
        store.notes = notes
        try store.migrate()
        return store
    }

    /// A second connection to this store, for a thread that reads while this one writes (the
    /// notification wave's): a page cache of its own as small as `tuneForAppending`'s and no
    /// mapping (memory stays bounded), queries only, and its own instances of the store's keys.
    public func readingConnection() throws -> Store {
        let db = try Database(path: databasePath, create: false, lockWait: self.db.lockWait)
        try db.retryingBusy { try db.exec("PRAGMA cache_size=-\(Self.appendingCacheKiB); PRAGMA mmap_size=0; PRAGMA query_only=1;") }
        return Store(directory: directory, db: db, secret: secret)
    }

    /// An existing data directory or key file open to others is brought back to 0700/0600 (with
    /// a note); one that is a link or belongs to someone else is refused (73, `store_unsafe`).
    static func privacyNotes(_ directory: String) throws -> [String] {
        var notes: [String] = []
        if let n = try FileIO.checkPrivateDirectory(directory, field: "store") { notes.append(n) }
        for f in [secretFile, signingKeyFile] where FileIO.exists(directory + "/" + f) {
            if let n = try FileIO.checkPrivateFile(directory + "/" + f, field: "store") { notes.append(n) }
        }
        return notes
    }

    /// Creates the store (directories, key, schema); an existing store is opened as is.
    /// Returns the store and whether it was created now.
    public static func create(_ directory: String) throws -> (Store, Bool) {
        umask(0o077)
        if exists(at: directory) { return (try open(directory), false) }
        var notes: [String] = []
        if FileIO.exists(directory) { notes = try privacyNotes(directory) }
        try FileIO.makeDirectory(directory)
        for sub in ["outbox", "receipts"] { try FileIO.makeDirectory(directory + "/" + sub) }
        let keyPath = directory + "/" + secretFile
        if access(keyPath, F_OK) != 0 {
            try FileIO.writeAtomically(keyPath, Crypto.randomBytes(32), overwrite: false)
        }
        let db = try openDatabase(directory + "/mes.db", create: true)
        let store = Store(directory: directory, db: db, secret: try FileIO.read(keyPath, limit: InputLimits.secretFile, field: "store"))
        store.notes = notes
        try store.migrate()
        _ = try store.signingIdentity(now: Instant(seconds: Int64(time(nil))))
        return (store, true)
    }

    /// The page cache of a connection (`PRAGMA cache_size`: negative is KiB).
    static let cacheSize = -65_536
    /// At most this much of the database is mapped: with the page cache, what bounds a
    /// command's memory whatever the size of the store (under 200 MB in all).
    static let mmapSize = 64 << 20

    private static func openDatabase(_ path: String, create: Bool, lockWait: Double = defaultLockWait) throws -> Database {
        let db = try Database(path: path, create: create, lockWait: lockWait)
        try db.retryingBusy {
            try db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA cache_size=\(cacheSize); PRAGMA mmap_size=\(mmapSize);")
        }
        return db
    }

    /// Runs the migrations not yet applied, in one transaction. Foreign keys are off meanwhile
    /// (a migration may rebuild a table others refer to) and checked before the commit.
    ///
    /// A store made by an older version is first copied, byte for byte, to
    /// `mes.db.before-schema-N` beside it (N its schema version), with the write lock held and
    /// the WAL empty, so that the copy is the whole old database: to go back, stop every `mes`,
    /// put the copy back as `mes.db` (removing `mes.db-wal` and `mes.db-shm`) and use the previous
    /// version of `mes`. The copy is made once per version and kept.
    func migrate() throws {
        let current = Int(try db.first("PRAGMA user_version")?.int(0) ?? 0)
        guard current < Schema.migrations.count else { return }
        try db.exec("PRAGMA foreign_keys=OFF")
        defer { try? db.exec("PRAGMA foreign_keys=ON") }
        // Up to a few tries: another process may commit between the checkpoint and the lock.
        for attempt in 0..<8 {
            if current > 0 { _ = try? db.retryingBusy { try db.exec("PRAGMA wal_checkpoint(TRUNCATE)") } }
            let migrated: Bool = try db.write {
                let again = Int(try db.first("PRAGMA user_version")?.int(0) ?? 0)
                guard again < Schema.migrations.count else { return true }
                if again > 0 {
                    guard Self.walIsEmpty(databasePath) else {
                        if attempt < 7 { return false }
                        throw MESError(.storeBusy, "La base est en cours d'utilisation : sa migration attend que les autres commandes mes s'arrêtent.",
                                       field: "store")
                    }
                    try keepBeforeMigration(version: again)
                }
                for m in Schema.migrations.dropFirst(again) { try db.exec(m) }
                // Schema 11 binds sealed bodies to their rows: those sealed before are sealed
                // again, bound, in the same transaction (none is left to move to another row).
                if again < 11 && Schema.migrations.count >= 11 { try resealUnboundBodies() }
                if try db.first("PRAGMA foreign_key_check") != nil {
                    throw MESError(.storeCorrupt, "La migration de la base a laissé des références orphelines ; rien n'a été changé.", field: "store")
                }
                try db.exec("PRAGMA user_version = \(Schema.migrations.count)")
                return true
            }
            if migrated { return }
        }
    }

    /// Whether the store's WAL holds no frame (the database file alone is the whole database).
    static func walIsEmpty(_ databasePath: String) -> Bool {
        var st = stat()
        return stat(databasePath + "-wal", &st) != 0 || st.st_size == 0
    }

    /// Copies `mes.db` to `mes.db.before-schema-N` (kept if it exists), and says so in `notes`.
    func keepBeforeMigration(version: Int) throws {
        let name = "mes.db.before-schema-\(version)"
        let path = directory + "/" + name
        notes.append("Base mise à jour du schéma \(version) au schéma \(Schema.migrations.count) ; "
                     + "l'ancienne est gardée dans \(path) (voir BACKUP dans mes(1) pour revenir en arrière).")
        guard !FileIO.exists(path) else { return }
        let copy = try FileIO.AtomicFile(path, replace: false, mode: 0o600, field: "store")
        try FileIO.Chunks(path: databasePath, field: "store").forEach { try copy.write(Array($0)) }
        try copy.commit()
    }

    /// The schema version in force.
    public var schemaVersion: Int { Int((try? db.first("PRAGMA user_version")?.int(0)) ?? 0) }

    /// Runs `body` as one write transaction: the database changes and the files it created
    /// (outbox messages, receipts) all land, or none do.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        createdFiles.removeAll()
        do {
            let v = try db.write(body)
            createdFiles.removeAll()
            return v
        } catch {
            for f in createdFiles { FileIO.remove(f) }
            createdFiles.removeAll()
            throw error
        }
    }

    /// `transaction` for loading many people into an empty register (roster imports): the
    /// transaction runs under a rollback journal, so its pages are written once, to the database
    /// file, instead of to the WAL and again when the WAL is checkpointed (measured: 1.5 s of the
    /// 6 s an import of 1,000,000 people took). Only rows that existed before are journaled, and a
    /// crash is rolled back by the next open as in WAL mode. The store goes back to WAL afterwards
    /// (each open also sets it). When another connection has the store open the switch is not
    /// possible and the load runs in WAL as any transaction.
    public func loadTransaction<T>(_ body: () throws -> T) throws -> T {
        guard try registerIsEmpty(), db.setJournalMode("DELETE") == "delete" else { return try transaction(body) }
        defer { _ = try? db.retryingBusy { try db.exec("PRAGMA journal_mode=WAL") } }
        return try transaction(body)
    }

    /// Called once when the store has been busy with another process for a moment (to tell a
    /// person that the command is waiting).
    public var onWait: (() -> Void)? {
        get { db.onWait }
        set { db.onWait = newValue }
    }

    /// Runs `body` as one read transaction (a consistent snapshot; writes nothing).
    public func read<T>(_ body: () throws -> T) throws -> T { try db.read(body) }

    /// Tunes this connection for a long run of write transactions (a batch): the WAL is
    /// checkpointed in big steps (fewer syncs); foreign keys are not enforced, since every
    /// reference the batch writes comes from a row it has just read or inserted in the same
    /// transaction and enforcing them costs a statement journal per write (about 12 % of the
    /// run; tests check `foreign_key_check`); commits need no fsync of their own because the
    /// caller syncs the file system before it reports anything (`syncJournal` otherwise).
    public func tuneForBatch() throws {
        try db.exec("PRAGMA wal_autocheckpoint=20000; PRAGMA foreign_keys=OFF; PRAGMA synchronous=NORMAL")
    }

    /// `tuneForBatch` for a run whose writes all land at the ends of their tables and indexes
    /// (the notification wave: its random reads go through another connection): a small page
    /// cache and no mapping, so that the memory of both connections stays bounded.
    public func tuneForAppending() throws {
        try tuneForBatch()
        try db.exec("PRAGMA cache_size=-\(Self.appendingCacheKiB); PRAGMA mmap_size=0")
    }

    /// The page cache of a connection tuned by `tuneForAppending`, in KiB.
    static let appendingCacheKiB = 16_384

    /// Undoes `tuneForBatch` and `tuneForAppending` (the store's usual settings) after a long run, before anything
    /// else writes on this connection.
    public func endBatchTuning() throws {
        try db.exec("PRAGMA wal_autocheckpoint=1000; PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL; PRAGMA cache_size=\(Self.cacheSize); PRAGMA mmap_size=\(Self.mmapSize)")
    }

    /// How many rows this connection has changed so far (a mark to tell whether a transaction wrote).
    public var changeCount: Int64 { db.totalChanges }

    /// Makes the last commits durable through SQLite's own file handle (see `Database.syncJournal`).
    public func syncJournal() throws { try db.syncJournal() }

    /// Registers a file the current transaction created (removed on rollback).
    public func noteCreated(_ path: String) { createdFiles.append(path) }

    /// How many files the transaction under way has created (a mark for `discardCreatedFiles`).
    public var createdFileCount: Int { createdFiles.count }

    /// Removes the files created since `mark` (a savepoint rolled back).
    public func discardCreatedFiles(from mark: Int) {
        guard mark < createdFiles.count else { return }
        for f in createdFiles[mark...] { FileIO.remove(f) }
        createdFiles.removeSubrange(mark...)
    }

    // MARK: digests

    /// Keyed digest of a secret (code, token) for storage: HMAC-SHA-256 under the store key.
    public func digest(_ purpose: String, _ value: String) -> [UInt8] {
        hmac.mac(purpose + "\u{0}" + value)
    }

    /// Appends one line to the audit trail.
    public func audit(_ event: String, at: Instant, person: Int64?, channel: Channel? = nil, actor: Actor? = nil,
                      actorID: String? = nil, detail: String? = nil) throws {
        try db.run(Self.insertAudit,
                   .int(at.seconds), .text(event), person.map { .int($0) } ?? .null, channel.map { .text($0.rawValue) } ?? .null,
                   actor.map { .text($0.rawValue) } ?? .null, actorID.map { .text($0) } ?? .null, detail.map { .text($0) } ?? .null)
    }

    /// An audit line (1: when, 2: event, 3: person, 4: channel, 5: actor, 6: actor's id, 7: detail).
    static let insertAudit = "INSERT INTO audit (at, event, person_id, channel, actor, actor_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?)"
}
