import CSQLite
import MESCore
import MESSystem

#if canImport(Glibc)
import Glibc
#endif

/// A SQLite error with the library's result code and message.
public struct SQLiteError: Error, CustomStringConvertible {
    public let code: Int32
    public let message: String
    /// The operating system's errno behind an I/O error (ENOSPC for a full disk), else 0.
    public var systemErrno: Int32 = 0
    public var isBusy: Bool { code & 0xFF == SQLITE_BUSY || code & 0xFF == SQLITE_LOCKED }
    public var isFull: Bool { code & 0xFF == SQLITE_FULL || (code & 0xFF == SQLITE_IOERR && systemErrno == ENOSPC) }
    public var isReadOnly: Bool { code & 0xFF == SQLITE_READONLY || code & 0xFF == SQLITE_CANTOPEN || code & 0xFF == SQLITE_PERM }
    public var description: String { "SQLite error \(code): \(message)" }
}

extension SQLiteError: MESErrorConvertible {
    /// What a storage error means for the person: busy (try again), full, read-only, or broken.
    public var mesError: MESError {
        if isBusy { return MESError(.storeBusy, "La base est restée occupée par un autre processus : réessayez, ou attendez plus longtemps avec --wait SECONDES.", field: "store") }
        if isFull { return MESError(.diskFull, "Disque plein : rien n'a été enregistré.", field: "store") }
        if isReadOnly { return MESError(.storeReadonly, "La base n'est pas accessible en écriture : rien n'a été enregistré.", field: "store") }
        return MESError(.storeError, "Erreur de la base : \(message)", field: "store")
    }

    /// A uniqueness or other constraint refused the row.
    var isConstraint: Bool { code & 0xFF == SQLITE_CONSTRAINT }
}

private let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// Binds a string's UTF-8 (copied by SQLite). An empty string binds as '' (not NULL).
private func bindText(_ s: OpaquePointer, _ i: Int32, _ text: String) -> Int32 {
    var text = text
    return text.withUTF8 { u in
        let p = UnsafeRawPointer(u.baseAddress ?? UnsafePointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self)
        return sqlite3_bind_text(s, i, p, Int32(u.count), SQLITE_TRANSIENT)
    }
}

/// A value bound to or read from a statement.
enum SQLValue: Equatable, Sendable {
    case null
    case int(Int64)
    case text(String)
    case blob([UInt8])
}

/// A statement cache key: the SQL text, hashed on its length and last bytes only (the texts
/// differ there; equal hashes still compare the whole text). Hashing the whole text of every
/// statement run was 2 % of a batch.
struct SQLKey: Hashable {
    let sql: String
    init(_ sql: String) { self.sql = sql }

    func hash(into h: inout Hasher) {
        var sql = sql
        sql.withUTF8 { b in
            h.combine(b.count)
            h.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: b[max(0, b.count - 24)...])))
        }
    }
}

/// One connection. Not thread-safe: `mes` uses one connection per process on one thread.
final class Database {
    let handle: OpaquePointer
    private var cache: [SQLKey: OpaquePointer] = [:]

    /// How long (seconds) an operation waits, in all, for another connection's lock before it
    /// gives up with SQLITE_BUSY (`--wait`).
    let lockWait: Double

    /// Process-wide settings, applied once before the first connection opens.
    private static let configured: Bool = {
        _ = mes_sqlite3_disable_memstatus()
        return true
    }()

    /// Opens (creating when asked) the database at `path`, in WAL mode with full syncs.
    init(path: String, create: Bool, readOnly: Bool = false, lockWait: Double = Store.defaultLockWait) throws {
        self.lockWait = lockWait
        _ = Self.configured
        var h: OpaquePointer?
        var flags = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE
        if create { flags |= SQLITE_OPEN_CREATE }
        flags |= SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &h, flags, nil)
        guard rc == SQLITE_OK, let h else {
            let msg = h.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let h { sqlite3_close_v2(h) }
            throw SQLiteError(code: rc, message: msg)
        }
        handle = h
        installBusyHandler()
        sqlite3_extended_result_codes(h, 1)
    }

    /// Called once, from the thread waiting, when another process has held the database for
    /// `waitNotice` seconds (a person on a terminal is told the command is waiting).
    var onWait: (() -> Void)?
    /// How long to wait before `onWait`.
    static let waitNotice = 0.5
    /// When the operation under way first met a lock (reset when it ends).
    private var busySince: Double?
    /// How deep `retryingBusy` calls are nested (the outermost one owns `busySince`).
    private var retryDepth = 0
    private var noticed = false
    private var waitForLocks = true

    /// SQLite's busy timeout as a handler of ours: an operation waits `lockWait` seconds in all
    /// (statements and retries together), and a long wait can be said.
    private func installBusyHandler() {
        sqlite3_busy_handler(handle, { context, count in
            Unmanaged<Database>.fromOpaque(context!).takeUnretainedValue().busy(Int(count))
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    private func busy(_ count: Int) -> Int32 {
        guard waitForLocks else { return 0 }
        let now = Monotonic.seconds()
        if count == 0 && (retryDepth == 0 || busySince == nil) { busySince = now }
        let waited = now - (busySince ?? now)
        if waited >= lockWait { return 0 }
        if waited >= Self.waitNotice && !noticed, let onWait {
            noticed = true
            onWait()
        }
        usleep(count < 10 ? 1_000 : 10_000)
        return 1
    }

    deinit {
        for (_, s) in cache { sqlite3_finalize(s) }
        sqlite3_close_v2(handle)
    }

    private func error(_ rc: Int32) -> SQLiteError {
        SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(handle)), systemErrno: sqlite3_system_errno(handle))
    }

    /// Runs SQL with no results (several statements allowed).
    func exec(_ sql: String) throws {
        var err: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &err)
        if rc != SQLITE_OK {
            let msg = err.map { String(cString: $0) } ?? ""
            sqlite3_free(err)
            throw SQLiteError(code: rc, message: msg, systemErrno: sqlite3_system_errno(handle))
        }
    }

    /// Sets `PRAGMA journal_mode` without waiting for other connections, and returns the mode in
    /// force afterwards (lower case), which is the old one when it could not change (leaving WAL
    /// needs the only connection to the database).
    func setJournalMode(_ mode: String) -> String? {
        waitForLocks = false
        defer { waitForLocks = true }
        return (try? first("PRAGMA journal_mode=\(mode)")?.text(0))?.lowercased()
    }

    /// The cached statement for `sql`, reset (its bindings are replaced by the caller's).
    private func statement(_ sql: String) throws -> OpaquePointer {
        if let s = cache[SQLKey(sql)] {
            sqlite3_reset(s)
            return s
        }
        var s: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &s, nil)
        guard rc == SQLITE_OK, let s else { throw error(rc) }
        cache[SQLKey(sql)] = s
        return s
    }

    /// Binds `args` to parameters 1…n (the others to NULL). Text is copied by SQLite
    /// (`SQLITE_TRANSIENT`) straight from the string's UTF-8, with no intermediate C string.
    private func bind(_ s: OpaquePointer, _ args: [SQLValue]) throws {
        if args.count < Int(sqlite3_bind_parameter_count(s)) { sqlite3_clear_bindings(s) }
        for (i, a) in args.enumerated() {
            let idx = Int32(i + 1)
            let rc: Int32
            switch a {
            case .null: rc = sqlite3_bind_null(s, idx)
            case .int(let v): rc = sqlite3_bind_int64(s, idx, v)
            case .text(let t): rc = bindText(s, idx, t)
            case .blob(let b):
                rc = b.withUnsafeBytes { sqlite3_bind_blob(s, idx, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(b.count), SQLITE_TRANSIENT) }
            }
            if rc != SQLITE_OK { throw error(rc) }
        }
    }

    /// Runs one statement; returns the number of rows it changed.
    @discardableResult
    func run(_ sql: String, _ args: SQLValue...) throws -> Int {
        try run(sql, args)
    }

    @discardableResult
    func run(_ sql: String, _ args: [SQLValue]) throws -> Int {
        let s = try statement(sql)
        defer { sqlite3_reset(s) }
        try bind(s, args)
        var rc = sqlite3_step(s)
        while rc == SQLITE_ROW { rc = sqlite3_step(s) }
        guard rc == SQLITE_DONE else { throw error(rc) }
        return Int(sqlite3_changes(handle))
    }

    /// The rowid of the last insert.
    var lastInsertID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Rows changed by this connection since it opened (to tell whether a transaction wrote).
    var totalChanges: Int64 { sqlite3_total_changes64(handle) }

    /// Flushes the write-ahead log (or rollback journal) to disk through SQLite's own handle:
    /// what a commit does under `synchronous=FULL`, for a connection that commits under
    /// `NORMAL` and wants one transaction durable now.
    func syncJournal() throws {
        var file: UnsafeMutablePointer<sqlite3_file>?
        let rc = sqlite3_file_control(handle, "main", SQLITE_FCNTL_JOURNAL_POINTER, &file)
        guard rc == SQLITE_OK else { throw error(rc) }
        guard let file, let methods = file.pointee.pMethods, let sync = methods.pointee.xSync else { return }  // no journal open
        let synced = sync(file, SQLITE_SYNC_NORMAL)
        guard synced == SQLITE_OK else { throw SQLiteError(code: synced, message: "journal sync failed", systemErrno: errno) }
    }

    /// Runs a query and returns every row.
    func query(_ sql: String, _ args: SQLValue...) throws -> [Row] {
        try query(sql, args)
    }

    func query(_ sql: String, _ args: [SQLValue]) throws -> [Row] {
        var rows: [Row] = []
        try forEach(sql, args) { rows.append($0.row) }
        return rows
    }

    /// Runs a query and calls `body` with each row, read in place (no copy of the row).
    /// The cursor is valid only during the call.
    func forEach(_ sql: String, _ args: [SQLValue], _ body: (Cursor) throws -> Void) throws {
        let s = try statement(sql)
        defer { sqlite3_reset(s) }
        try bind(s, args)
        while true {
            let rc = sqlite3_step(s)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw error(rc) }
            try body(Cursor(statement: s))
        }
    }

    /// The first row of a query read in place by `body`, if there is one.
    func first<T>(_ sql: String, _ args: SQLValue..., as body: (Cursor) throws -> T) throws -> T? {
        try first(sql, args, as: body)
    }

    func first<T>(_ sql: String, _ args: [SQLValue], as body: (Cursor) throws -> T) throws -> T? {
        let s = try statement(sql)
        defer { sqlite3_reset(s) }
        try bind(s, args)
        let rc = sqlite3_step(s)
        if rc == SQLITE_DONE { return nil }
        guard rc == SQLITE_ROW else { throw error(rc) }
        return try body(Cursor(statement: s))
    }

    /// The first row of a query, if any.
    func first(_ sql: String, _ args: SQLValue...) throws -> Row? { try first(sql, args) { $0.row } }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction, committing on success and rolling back on any
    /// error. Busy locks are retried with backoff (bounded); after that, `SQLiteError.isBusy`.
    func write<T>(_ body: () throws -> T) throws -> T {
        try retryingBusy { try exec("BEGIN IMMEDIATE") }
        do {
            let v = try body()
            try retryingBusy { try exec("COMMIT") }
            return v
        } catch {
            try? exec("ROLLBACK")
            throw error
        }
    }

    /// Runs `body` in a read transaction (a consistent snapshot), retrying busy errors.
    func read<T>(_ body: () throws -> T) throws -> T {
        try retryingBusy {
            try exec("BEGIN DEFERRED")
            do {
                let v = try body()
                try exec("COMMIT")
                return v
            } catch {
                try? exec("ROLLBACK")
                throw error
            }
        }
    }

    /// Retries an operation that met SQLITE_BUSY with growing, jittered sleeps until `lockWait`
    /// seconds have passed since it first met a lock (the busy handler's waits included).
    func retryingBusy<T>(_ body: () throws -> T) throws -> T {
        if retryDepth == 0 { busySince = nil }
        retryDepth += 1
        defer {
            retryDepth -= 1
            if retryDepth == 0 { busySince = nil }
        }
        var attempt = 0
        while true {
            do { return try body() } catch let e as SQLiteError where e.isBusy {
                let now = Monotonic.seconds()
                let since = busySince ?? now
                busySince = since
                let left = lockWait - (now - since)
                guard left > 0 else { throw e }
                attempt += 1
                let pause = min(200_000, 5_000 << min(attempt, 6)) + Int.random(in: 0..<10_000)
                usleep(UInt32(min(Double(pause), left * 1e6)))
            }
        }
    }
}

/// Typed access to the columns of a result row (a copied `Row` or a `Cursor` in place).
protocol ColumnReader {
    func int(_ i: Int) -> Int64?
    func text(_ i: Int) -> String?
    func blob(_ i: Int) -> [UInt8]?
}

/// One result row, copied out of the statement.
struct Row: Sendable, ColumnReader {
    let values: [SQLValue]

    func int(_ i: Int) -> Int64? { if case .int(let v) = values[i] { return v }; return nil }
    func text(_ i: Int) -> String? {
        switch values[i] {
        case .text(let t): return t
        case .int(let v): return String(v)
        default: return nil
        }
    }
    func blob(_ i: Int) -> [UInt8]? { if case .blob(let b) = values[i] { return b }; return nil }
}

/// The current row of a running statement, read in place: valid only inside the call that
/// hands it over (`Database.forEach`, `Database.first(_:as:)`).
struct Cursor: ColumnReader {
    let statement: OpaquePointer

    func int(_ i: Int) -> Int64? {
        sqlite3_column_type(statement, Int32(i)) == SQLITE_INTEGER ? sqlite3_column_int64(statement, Int32(i)) : nil
    }

    func text(_ i: Int) -> String? {
        switch sqlite3_column_type(statement, Int32(i)) {
        case SQLITE_TEXT:
            return withBytes(i) { String(decoding: $0, as: UTF8.self) }
        case SQLITE_INTEGER: return String(sqlite3_column_int64(statement, Int32(i)))
        default: return nil
        }
    }

    func blob(_ i: Int) -> [UInt8]? {
        sqlite3_column_type(statement, Int32(i)) == SQLITE_BLOB ? withBytes(i) { Array($0) } : nil
    }

    /// The column's bytes (text as UTF-8, or blob) without a copy, valid only during `body`.
    func withBytes<T>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        let type = sqlite3_column_type(statement, Int32(i))
        let p: UnsafeRawPointer? = type == SQLITE_BLOB ? sqlite3_column_blob(statement, Int32(i))
            : sqlite3_column_text(statement, Int32(i)).map(UnsafeRawPointer.init)
        let n = Int(sqlite3_column_bytes(statement, Int32(i)))
        return try body(UnsafeBufferPointer(start: p?.assumingMemoryBound(to: UInt8.self), count: p == nil ? 0 : n))
    }

    /// A copy of the whole row.
    var row: Row {
        let n = Int(sqlite3_column_count(statement))
        var values: [SQLValue] = []
        values.reserveCapacity(n)
        for i in 0..<n {
            switch sqlite3_column_type(statement, Int32(i)) {
            case SQLITE_INTEGER: values.append(.int(sqlite3_column_int64(statement, Int32(i))))
            case SQLITE_TEXT: values.append(.text(text(i)!))
            case SQLITE_BLOB: values.append(.blob(blob(i)!))
            default: values.append(.null)
            }
        }
        return Row(values: values)
    }
}

/// A prepared statement for hot loops: bind, step, reset, with no per-call allocation.
final class Statement {
    let handle: OpaquePointer
    unowned let db: Database

    init(_ db: Database, _ sql: String) throws {
        var s: OpaquePointer?
        let rc = sqlite3_prepare_v3(db.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &s, nil)
        guard rc == SQLITE_OK, let s else {
            throw SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(db.handle)))
        }
        handle = s
        self.db = db
    }

    deinit { sqlite3_finalize(handle) }

    func bind(_ i: Int32, _ text: String?) {
        guard let text else { sqlite3_bind_null(handle, i); return }
        _ = bindText(handle, i, text)
    }

    /// Binds bytes as text, without a copy: they must stay in place until the statement has
    /// run and been bound again or `clearBindings` was called.
    func bind(_ i: Int32, borrowing text: UnsafeBufferPointer<UInt8>, nullWhenEmpty: Bool = false) {
        if text.isEmpty && nullWhenEmpty { sqlite3_bind_null(handle, i); return }
        guard let base = text.baseAddress, !text.isEmpty else { bind(i, static: ""); return }
        _ = base.withMemoryRebound(to: CChar.self, capacity: text.count) { sqlite3_bind_text(handle, i, $0, Int32(text.count), nil) }
    }

    /// Unbinds every parameter (after binding borrowed bytes).
    func clearBindings() { sqlite3_clear_bindings(handle) }

    /// Binds text that lives as long as the program (no copy).
    func bind(_ i: Int32, static text: StaticString) {
        _ = text.utf8Start.withMemoryRebound(to: CChar.self, capacity: text.utf8CodeUnitCount) {
            sqlite3_bind_text(handle, i, $0, Int32(text.utf8CodeUnitCount), nil)
        }
    }


    func bind(_ i: Int32, _ v: Int64?) {
        if let v { sqlite3_bind_int64(handle, i, v) } else { sqlite3_bind_null(handle, i) }
    }

    /// Binds bytes as a blob (copied by SQLite).
    func bind(_ i: Int32, blob: [UInt8]) {
        _ = blob.withUnsafeBytes { sqlite3_bind_blob(handle, i, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(blob.count), SQLITE_TRANSIENT) }
    }

    /// The first column of the statement's first row as an integer (nil: no row, or NULL), then resets it.
    func firstInt() throws -> Int64? {
        defer { sqlite3_reset(handle) }
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return sqlite3_column_type(handle, 0) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, 0) }
        guard rc == SQLITE_DONE else {
            throw SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(db.handle)), systemErrno: sqlite3_system_errno(db.handle))
        }
        return nil
    }

    /// Runs the statement to completion and resets it; returns how many rows it changed.
    @discardableResult
    func run() throws -> Int {
        defer { sqlite3_reset(handle) }
        var rc = sqlite3_step(handle)
        while rc == SQLITE_ROW { rc = sqlite3_step(handle) }
        guard rc == SQLITE_DONE else {
            throw SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(db.handle)), systemErrno: sqlite3_system_errno(db.handle))
        }
        return Int(sqlite3_changes(db.handle))
    }
}

extension Database {
    /// A statement the caller keeps and reuses.
    func prepare(_ sql: String) throws -> Statement { try Statement(self, sql) }
}
