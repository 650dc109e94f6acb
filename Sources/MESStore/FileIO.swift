#if canImport(Glibc)
import Glibc
#endif
import MESCore

/// File output that is never half-written: temporary file, fsync, then link or rename.
public enum FileIO {
    /// Reads a whole file (66 when it is missing or unreadable).
    /// `read`, refusing (65) a file larger than `limit` bytes without reading it all.
    public static func read(_ path: String, limit: Int, field: String) throws -> [UInt8] {
        struct TooLarge: Error {}
        var out = [UInt8]()
        do {
            try Chunks(path: path, field: field).forEach {
                out.append(contentsOf: $0)
                if out.count > limit { throw TooLarge() }
            }
        } catch is TooLarge {
            throw MESError.invalid(.fileTooLarge, "Fichier trop volumineux (plus de \(limit >> 10) Kio) : \(path)", field: field)
        }
        return out
    }

    public static func read(_ path: String, field: String = "file") throws -> [UInt8] {
        var out = [UInt8]()
        try Chunks(path: path, field: field).forEach { out.append(contentsOf: $0) }
        return out
    }

    /// A file read in 64 KiB chunks (memory stays flat on large inputs).
    public final class Chunks {
        let fd: Int32
        let path: String
        let field: String
        let owned: Bool

        public init(path: String, field: String) throws {
            self.path = path
            self.field = field
            owned = true
            fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw MESError(.fileUnreadable, "Fichier introuvable ou illisible : \(path) (\(errnoText()))", field: field)
            }
        }

        deinit { if owned { close(fd) } }

        /// The file's size when it is a regular file, else 0.
        public var size: Int {
            var st = stat()
            return fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG ? Int(st.st_size) : 0
        }

        /// Calls `body` with each chunk, in order.
        public func forEach(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw MESError(.fileUnreadable, "Lecture impossible : \(path) (\(errnoText()))", field: field)
                }
                if n == 0 { return }
                try chunk.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[0..<n])) }
            }
        }
    }

    /// Creates a directory (and its parents) with mode 0700; fine when it exists.
    /// Returns the directories it created, parents first.
    @discardableResult
    public static func makeDirectory(_ path: String, field: String = "store") throws -> [String] {
        var prefix = path.hasPrefix("/") ? "" : "."
        var created: [String] = []
        for part in path.split(separator: "/") {
            prefix += "/" + part
            if mkdir(prefix, 0o700) == 0 { created.append(prefix) } else if errno != EEXIST {
                throw MESError(.cannotCreate, "Impossible de créer le dossier \(prefix) (\(errnoText()))", field: field)
            }
        }
        return created
    }

    /// Removes directories that are empty, in reverse order (what `makeDirectory` created).
    public static func removeEmptyDirectories(_ dirs: [String]) {
        for d in dirs.reversed() { rmdir(d) }
    }

    /// Writes `bytes` to `path` atomically: a reader sees the old file or the whole new one.
    /// Without `overwrite`, an existing file is an error (73) and is left alone.
    /// With `sync` false the data is not fsynced (callers that sync a group of files themselves).
    public static func writeAtomically(_ path: String, _ bytes: [UInt8], overwrite: Bool, sync: Bool = true,
                                       mode: mode_t = 0o600, field: String = "output") throws {
        let dir = directoryName(path)
        let tmp = dir + "/.mes-tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = Glibc.open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw cannotCreate(path, field) }
        var ok = writeAll(fd, bytes)
        let savedErrno = errno
        if ok && sync && fsync(fd) != 0 { ok = false }
        if close(fd) != 0 { ok = false }
        guard ok else {
            unlink(tmp)
            errno = savedErrno
            throw cannotCreate(path, field)
        }
        if overwrite {
            guard rename(tmp, path) == 0 else { let e = cannotCreate(path, field); unlink(tmp); throw e }
        } else {
            if link(tmp, path) != 0 {
                let exists = errno == EEXIST
                unlink(tmp)
                if exists { throw MESError.fileExists(path, field: field) }
                throw cannotCreate(path, field)
            }
            unlink(tmp)
        }
        if sync { syncDirectory(dir) }
    }

    /// Writes a file in place, unsynced (callers that sync a group of files at once and can
    /// rewrite the file after a crash). Replaces an existing file.
    public static func write(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o600, field: String = "output") throws {
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw cannotCreate(path, field) }
        var ok = writeAll(fd, bytes)
        if close(fd) != 0 { ok = false }
        if !ok { let e = cannotCreate(path, field); unlink(path); throw e }
    }

    /// The names in a directory (no `.` and `..`).
    public static func list(_ dir: String) -> [String] {
        guard let d = opendir(dir) else { return [] }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Writes every byte (retrying short writes and EINTR); false on an error, errno set.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + off, raw.count - off)
                if n < 0 { if errno == EINTR { continue }; return false }
                off += n
            }
            return true
        }
    }

    /// Flushes a directory entry (after renames) to disk.
    public static func syncDirectory(_ dir: String) {
        let fd = Glibc.open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { fsync(fd); close(fd) }
    }

    /// Flushes every file written under `dir`'s file system (one call for a group of files).
    @discardableResult
    public static func syncFilesystem(_ dir: String) -> Bool {
        let fd = Glibc.open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return linux_syncfs(fd) == 0 && fsync(fd) == 0
    }

    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Whether two paths are on the same file system (false when either cannot be read).
    public static func sameFileSystem(_ a: String, _ b: String) -> Bool {
        var sa = stat(), sb = stat()
        return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev
    }

    /// Refuses (73) an output path that exists unless `force`: checked before any work is done.
    public static func refuseExisting(_ path: String?, force: Bool, field: String) throws {
        if let path, !force, exists(path) { throw MESError.fileExists(path, field: field) }
    }

    public static func remove(_ path: String) { unlink(path) }

    static func directoryName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func cannotCreate(_ path: String, _ field: String) -> MESError {
        let reason = errnoText()
        let code: ErrorCode = errno == ENOSPC ? .diskFull : .cannotCreate
        return MESError(code, "Impossible d'écrire \(path) (\(reason))", field: field)
    }

    /// The text of the current `errno`.
    public static func errnoText() -> String { String(cString: strerror(errno)) }
}

/// Linux `syncfs(2)` (declared by glibc only under _GNU_SOURCE).
@_silgen_name("syncfs")
private func linux_syncfs(_ fd: Int32) -> Int32
