#if canImport(Glibc)
import Glibc
#endif
import MESCore

/// The one way `mes` reads and writes files.
///
/// Writing: a temporary file is created next to the target (relative to its directory's
/// descriptor, `O_EXCL|O_NOFOLLOW`), written whole, synced, then renamed into place. An existing
/// path is never opened for writing, so a symbolic link planted at the target is never followed:
/// without `replace` the target is never replaced (a file, a link, anything: 73); with `replace`
/// a regular file or a link is replaced by the new file (the link itself, never what it points
/// to), and a directory, device node, FIFO, socket or the store's own files are refused (73).
///
/// Reading: bounded (`read(_:limit:field:allowStreams:)`, limits in `InputLimits`), and only
/// regular files unless streams are allowed.
public enum FileIO {
    // MARK: - Reading

    /// Reads a whole file of at most `limit` bytes.
    ///
    /// - A file larger than `limit` is invalid data (65, `file_too_large`, "Fichier trop
    ///   volumineux (plus de 4 Mio)"): a regular file is refused from its size before reading,
    ///   anything else after reading at most `limit + 1` bytes (so `/dev/zero` ends at once).
    /// - Missing or unreadable: 66 (`file_unreadable`). A directory: 66 (`file_not_regular`).
    /// - A device node, FIFO or socket: 66 (`file_not_regular`) unless `allowStreams` (for
    ///   inputs a person may give as `<(command)` or `/dev/stdin`, e.g. a password file); even
    ///   then the bound holds. The file is opened without blocking (a FIFO without a writer does
    ///   not hang), then read normally. Standard input given as `-` is the caller's business
    ///   (`Input.readAll(limit:)`).
    ///
    /// Symbolic links are followed: reading through a link is harmless.
    public static func read(_ path: String, limit: Int, field: String, allowStreams: Bool = false) throws -> [UInt8] {
        do throws(ReadFailure) {
            return try readBytes(path, limit: limit, allowStreams: allowStreams)
        } catch {
            switch error {
            case .cannotOpen(let code):
                throw MESError(.fileUnreadable, "Fichier introuvable ou illisible : \(path) (\(errnoText(code)))", field: field)
            case .cannotRead(let code):
                throw MESError(.fileUnreadable, "Lecture impossible : \(path) (\(errnoText(code)))", field: field)
            case .notRegular(let kind):
                throw MESError(.fileNotRegular, "\(path) n'est pas un fichier ordinaire (\(kindName(kind)))", field: field)
            case .tooLarge:
                throw InputLimits.fileTooLarge(path, limit: limit, field: field)
            }
        }
    }

    /// Why `readBytes` refused or failed, for callers that word their own errors.
    public enum ReadFailure: Error, Sendable, Equatable {
        /// `open` failed, with its `errno`.
        case cannotOpen(errno: Int32)
        /// `fstat` or `read` failed, with its `errno`.
        case cannotRead(errno: Int32)
        /// A directory, or (without `allowStreams`) a device node, FIFO or socket (its `S_IFMT` bits).
        case notRegular(kind: mode_t)
        /// More than the limit.
        case tooLarge
    }

    /// The reading behind `read(_:limit:field:allowStreams:)`, with the same rules, failing with
    /// a `ReadFailure` instead of a worded error.
    public static func readBytes(_ path: String, limit: Int, allowStreams: Bool = false) throws(ReadFailure) -> [UInt8] {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { throw .cannotOpen(errno: errno) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .cannotRead(errno: errno) }
        let kind = st.st_mode & S_IFMT
        if kind == S_IFREG {
            if Int(st.st_size) > limit { throw .tooLarge }
        } else if kind == S_IFDIR || !allowStreams {
            throw .notRegular(kind: kind)
        }
        // Blocking reads from here on (a FIFO waits for its writer's data; a regular file
        // ignores the flag).
        if kind != S_IFREG {
            let flags = fcntl(fd, F_GETFL)
            if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
        }

        // Read into the result itself: sized from the file's size (one more byte to see the
        // end), grown by doubling for streams, never past `limit + 1`.
        var out = [UInt8](repeating: 0, count: min(limit + 1, kind == S_IFREG ? Int(st.st_size) + 1 : 1 << 12))
        var count = 0
        while true {
            if count == out.count {
                if count > limit { break }
                out += [UInt8](repeating: 0, count: min(out.count, limit + 1 - out.count))
            }
            let n = out.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .cannotRead(errno: errno)
            }
            if n == 0 {
                out.removeSubrange(count...)
                return out
            }
            count += n
        }
        throw .tooLarge
    }

    /// Reads a whole file (66 when it is missing or unreadable).
    ///
    /// Deprecated: use `read(_:limit:field:allowStreams:)` with the limit of what is read
    /// (`InputLimits`). This one is bounded at 4 Mio (65 beyond) and still accepts devices and
    /// FIFOs, as it always did (a FIFO without a writer reads as empty instead of hanging).
    public static func read(_ path: String, field: String = "file") throws -> [UInt8] {
        try read(path, limit: anyFileLimit, field: field, allowStreams: true)
    }

    /// The bound of the deprecated `read(_:field:)`.
    static let anyFileLimit = 4 << 20

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
            // Opened without blocking first, to see what it is (a device is never waited on).
            let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
            guard fd >= 0 else {
                throw MESError(.fileUnreadable, "Fichier introuvable ou illisible : \(path) (\(errnoText()))", field: field)
            }
            // A regular file, or a pipe (`<(zcat roster.csv.gz)`); a directory, a device
            // (`/dev/zero`) or a socket is not a data file.
            var st = stat()
            let kind = fstat(fd, &st) == 0 ? st.st_mode & S_IFMT : 0
            guard kind == S_IFREG || kind == S_IFIFO else {
                close(fd)
                throw MESError(.fileNotRegular, "\(path) n'est pas un fichier ordinaire (\(FileIO.kindName(kind)))", field: field)
            }
            if kind == S_IFIFO {
                // A named pipe is read as `cat` reads it: from its writer, waiting for one to
                // come (a pipe with no writer yet reads as empty on a descriptor opened without
                // blocking). This end stays open meanwhile: a writer that wrote and left before
                // a second open would have taken its bytes with it (they belong to the pipe,
                // which dies with its last descriptor), and a new open would wait forever. Linux
                // reports neither data nor a hang-up on a pipe no writer has opened since.
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                while poll(&p, 1, -1) < 0 && errno == EINTR {}
            }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
            self.fd = fd
        }

        deinit { if owned { close(fd) } }

        /// The file's size when it is a regular file, else 0.
        public var size: Int {
            var st = stat()
            return fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG ? Int(st.st_size) : 0
        }

        /// The first `count` bytes of a regular file (fewer when it is shorter), read without
        /// moving on: what the file is can be told before it is read. Empty for a pipe, which
        /// cannot be read twice.
        public func peek(_ count: Int) -> [UInt8] {
            guard size > 0 else { return [] }
            var head = [UInt8](repeating: 0, count: count)
            let n = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, count, 0) }
            return n > 0 ? Array(head[..<n]) : []
        }

        /// The whole rest of the file, refused past `limit` bytes (`file_too_large`).
        public func readAll(limit: Int) throws -> [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(min(size, limit))
            try forEach { chunk in
                guard out.count + chunk.count <= limit else {
                    throw InputLimits.fileTooLarge(path, limit: limit, field: field)
                }
                out += chunk
            }
            return out
        }

        /// The next chunk (at most 1 MiB), or nil at the end: for a reader that pulls.
        public func next() throws -> [UInt8]? {
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw MESError(.fileUnreadable, "Lecture impossible : \(path) (\(errnoText()))", field: field)
                }
                if n == 0 { return nil }
                chunk.removeSubrange(n...)
                return chunk
            }
        }

        /// Calls `body` with each chunk, in order.
        public func forEach(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
                if n < 0 {
                    if errno == EINTR { try Interruption.stopIfRequested(); continue }
                    throw MESError(.fileUnreadable, "Lecture impossible : \(path) (\(errnoText()))", field: field)
                }
                if n == 0 { return }
                try chunk.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[0..<n])) }
            }
        }
    }

    // MARK: - Directories

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

    // MARK: - Writing

    /// Writes `bytes` to `path` atomically: a reader sees the old file or the whole new one, and
    /// nothing that exists at `path` is ever opened, truncated or followed.
    ///
    /// A temporary `.mes-tmp-<random>-<name>` is created in the target's directory, relative to that
    /// directory's descriptor (`openat`, `O_CREAT|O_EXCL|O_NOFOLLOW`, `mode`), written whole
    /// (short writes and `EINTR` retried), fsynced when `sync`, then put in place:
    ///
    /// - `replace: false`: `renameat2(RENAME_NOREPLACE)` (or `linkat` + `unlinkat` where the file
    ///   system lacks it): anything at `path` — file, symbolic link (even dangling), directory —
    ///   is left alone and the write fails with 73 `file_exists`.
    /// - `replace: true` (`--force`, repairs): `renameat` replaces a regular file or a symbolic
    ///   link (the link itself, never its target). Refused with 73 `unsafe_output`, even then: a
    ///   directory, a device node, a FIFO or a socket at `path`, the store's own files (`mes.db`,
    ///   `mes.db-wal`, `mes.db-shm`, `secret.key` in a directory that holds `mes.db` and
    ///   `secret.key`) and anything in a store's `outbox/`.
    ///
    /// With `storeDirectory`, `refuseDangerousTarget` is checked first as well (by identity and
    /// resolved path, in both modes). With `sync` the directory is fsynced after the rename; with
    /// `sync` false nothing is (callers that sync a group of files themselves, e.g. one `syncfs`,
    /// and rewrite a file cut by a crash), and with `sync` false and `replace` a free name is
    /// created directly (`O_CREAT|O_EXCL|O_NOFOLLOW`, no temporary file: a concurrent reader may
    /// see it being written) — only something already there goes through the rename.
    /// On any failure the temporary file is removed. Errors: 73 (`cannot_create`, `disk_full`,
    /// `file_exists`, `unsafe_output`). Many files into one directory: `Directory`.
    public static func writeAtomically(_ path: String, _ bytes: [UInt8], replace: Bool, sync: Bool = true,
                                       mode: mode_t = 0o600, field: String = "output",
                                       storeDirectory: String? = nil) throws {
        if let storeDirectory { try refuseDangerousTarget(path, storeDirectory: storeDirectory, field: field) }
        let (dir, name) = try split(path, field: field)
        try Directory(dir, field: field, guarding: replace).write(name, bytes, replace: replace, sync: sync, mode: mode,
                                                                  field: field, shownAs: path)
    }

    /// Writes `bytes` to `path` atomically (see `writeAtomically(_:_:replace:sync:mode:field:storeDirectory:)`).
    ///
    /// Deprecated spelling: `overwrite` is `replace`.
    public static func writeAtomically(_ path: String, _ bytes: [UInt8], overwrite: Bool, sync: Bool = true,
                                       mode: mode_t = 0o600, field: String = "output") throws {
        try writeAtomically(path, bytes, replace: overwrite, sync: sync, mode: mode, field: field)
    }

    /// Writes a file, unsynced, replacing what is there (callers that sync a group of files at
    /// once and can rewrite the file after a crash).
    ///
    /// Deprecated: now exactly `writeAtomically(path, bytes, replace: true, sync: false, …)` —
    /// it no longer opens the path with `O_TRUNC`, so a symbolic link at `path` is replaced,
    /// never written through. Many files into one directory: `Directory.write`.
    public static func write(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o600, field: String = "output") throws {
        try writeAtomically(path, bytes, replace: true, sync: false, mode: mode, field: field)
    }

    /// A file written piece by piece, as its content is made, and put in place whole by `commit`:
    /// `writeAtomically` for output too large to hold (the same checks, temporary file and
    /// placing). Until `commit` nothing is at `path`; a file dropped without it (an error, a
    /// throw) is removed, and a process killed meanwhile leaves nothing behind where the file
    /// system has unnamed files (`O_TMPFILE`; elsewhere a `.mes-tmp-…` file stays).
    public final class AtomicFile {
        public let path: String
        let directory: Directory
        let pending: Directory.Pending
        let replace: Bool

        /// Checks `path` as `writeAtomically` does and opens its temporary file.
        public init(_ path: String, replace: Bool, mode: mode_t = 0o600, field: String = "output",
                    storeDirectory: String? = nil) throws {
            if let storeDirectory { try refuseDangerousTarget(path, storeDirectory: storeDirectory, field: field) }
            let (dir, name) = try split(path, field: field)
            directory = try Directory(dir, field: field, guarding: replace)
            try directory.checkName(name, path: path, field: field)
            if replace {
                try directory.refuseStoreFiles(name, path: path, field: field)
                try directory.refuseSpecialFiles(name, path: path, field: field)
            }
            pending = try Directory.Pending(in: directory, for: name, mode: mode, field: field, shownAs: path)
            self.path = path
            self.replace = replace
        }

        /// Appends `bytes`; 73 (`cannot_create`, `disk_full`).
        public func write(_ bytes: [UInt8]) throws { try pending.write(bytes) }

        /// Puts the file in place (synced when `sync`): 73 `file_exists` when something came to
        /// `path` meanwhile and `replace` is false.
        public func commit(sync: Bool = true) throws {
            if replace { try directory.refuseSpecialFiles(pending.name, path: path, field: pending.field) }
            try pending.place(replace: replace, sync: sync)
        }
    }

    /// A directory opened once for many atomic writes (a batch's receipts): what concerns the
    /// directory itself (is it a store's outbox, does it hold a store's files) is checked once,
    /// so each write costs a create, a write and a rename (plus one `fstatat` when replacing).
    /// The writes are those of `writeAtomically`, relative to the directory's descriptor: a
    /// directory renamed or replaced by a link after it was opened is not followed.
    public final class Directory: Sendable {
        /// The directory, as given.
        public let path: String
        let fd: Int32
        /// The directory holds a store (`mes.db` and `secret.key`): its files are never replaced.
        let holdsStore: Bool
        /// The directory is a store's `outbox/`: nothing in it is replaced.
        let isOutbox: Bool
        /// A random tag for this handle's temporary names.
        let tag: String

        /// Opens `path` (73 `cannot_create` when it is missing or not a directory).
        public convenience init(_ path: String, field: String = "output") throws {
            try self.init(path, field: field, guarding: true)
        }

        /// Opens `path`; `guarding: false` lets writes replace a store's own files (for the store
        /// itself, never for outputs).
        public init(_ path: String, field: String, guarding: Bool) throws {
            self.path = path
            tag = String(UInt64.random(in: 0...UInt64.max), radix: 16)
            fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard fd >= 0 else { throw cannotCreate(path, field) }
            guard guarding else { holdsStore = false; isOutbox = false; return }
            holdsStore = Self.holdsStore(fd, prefix: "")
            var here = stat(), outbox = stat()
            isOutbox = fstatat(fd, "../outbox", &outbox, 0) == 0 && fstat(fd, &here) == 0
                && here.st_dev == outbox.st_dev && here.st_ino == outbox.st_ino && Self.holdsStore(fd, prefix: "../")
        }

        deinit { close(fd) }

        /// The bytes of the regular file `name` of this directory (a bare name), opened relative
        /// to the directory without following a link; 66 when it is missing, a link or not a
        /// regular file, 65 over `limit`.
        public func read(_ name: String, limit: Int, field: String) throws -> [UInt8] {
            let shown = path + "/" + name
            let f = openat(fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
            guard f >= 0 else { throw MESError(.fileUnreadable, "Fichier introuvable ou illisible : \(shown)", field: field) }
            defer { close(f) }
            var st = stat()
            guard fstat(f, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
                throw MESError(.fileNotRegular, "Ce n'est pas un fichier ordinaire : \(shown)", field: field)
            }
            guard Int(st.st_size) <= limit else { throw InputLimits.fileTooLarge(shown, limit: limit, field: field) }
            var out = [UInt8](repeating: 0, count: Int(st.st_size))
            var done = 0
            while done < out.count {
                let n = out.withUnsafeMutableBytes { Glibc.read(f, $0.baseAddress! + done, $0.count - done) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { break }
                done += n
            }
            return Array(out.prefix(done))
        }

        /// Writes `bytes` as the file `name` of this directory, atomically, as `writeAtomically`
        /// does (`name` is one component: no `/`).
        public func write(_ name: String, _ bytes: [UInt8], replace: Bool, sync: Bool = true, mode: mode_t = 0o600,
                          field: String = "output") throws {
            try write(name, bytes, replace: replace, sync: sync, mode: mode, field: field, shownAs: path + "/" + name)
        }

        /// Flushes the directory's entries (after unsynced writes); false on an error.
        @discardableResult
        public func sync() -> Bool { fsync(fd) == 0 }

        /// `write(_:_:replace:sync:mode:field:)`, naming the file `path` in errors.
        public func write(_ name: String, _ bytes: [UInt8], replace: Bool, sync: Bool, mode: mode_t, field: String,
                          shownAs path: String) throws {
            try checkName(name, path: path, field: field)
            if replace {
                try refuseStoreFiles(name, path: path, field: field)
                if !sync {
                    // Unsynced (a batch's receipts, synced as a group and repaired after a crash):
                    // a free name is created directly, exclusively — still never an existing path —
                    // which saves the rename (about 8 µs a file); what exists is replaced below.
                    let dfd = openat(fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
                    if dfd >= 0 {
                        var ok = writeAll(dfd, bytes)
                        var err = ok ? 0 : errno
                        if close(dfd) != 0 && ok { ok = false; err = errno }
                        if ok { return }
                        unlinkat(fd, name, 0)
                        errno = err
                        throw cannotCreate(path, field)
                    }
                    if errno != EEXIST { throw cannotCreate(path, field) }
                }
                try refuseSpecialFiles(name, path: path, field: field)
            }
            let file = try Pending(in: self, for: name, mode: mode, field: field, shownAs: path)
            try file.write(bytes)
            try file.place(replace: replace, sync: sync)
        }

        /// Refuses (73) a name that is not one component of a path.
        func checkName(_ name: String, path: String, field: String) throws {
            guard !name.isEmpty, name != ".", name != "..", !name.contains("/") else {
                throw MESError(.cannotCreate, "Impossible d'écrire \(path) : ce n'est pas un nom de fichier", field: field)
            }
        }

        /// A file of this directory being written, unseen under its name until `place`: an
        /// unnamed file (`O_TMPFILE`, linked in once whole: a process killed while writing leaves
        /// nothing behind) or, where the file system has none, a temporary `.mes-tmp-…` file.
        /// Dropped before `place` (an error, a throw), it is removed.
        final class Pending {
            let directory: Directory
            let name: String
            let field: String
            /// The target, as shown in errors.
            let path: String
            private var fd: Int32
            /// The temporary name, or nil for an unnamed file.
            private let temporary: String?

            init(in directory: Directory, for name: String, mode: mode_t, field: String, shownAs path: String) throws {
                (self.directory, self.name, self.field, self.path) = (directory, name, field, path)
                let dfd = directory.fd
                // Unnamed where the file system makes such files and /proc can link them in.
                if Self.procLinks {
                    let ufd = openat(dfd, ".", oTmpFile | O_WRONLY | O_CLOEXEC, mode)
                    if ufd >= 0 {
                        (fd, temporary) = (ufd, nil)
                        return
                    }
                    guard errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL || errno == ENOENT else {
                        throw cannotCreate(path, field)
                    }
                }
                // The temporary name: the directory handle's random tag and the target's name
                // (no system call for randomness per file); a fresh random one if that is taken.
                var tmp = ".mes-tmp-" + directory.tag + "-" + name
                var tfd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
                for _ in 0..<16 where tfd < 0 && (errno == EEXIST || errno == ENAMETOOLONG) {
                    tmp = ".mes-tmp-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
                    tfd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
                }
                guard tfd >= 0 else { throw cannotCreate(path, field) }
                (fd, temporary) = (tfd, tmp)
            }

            deinit { discard() }

            /// Whether unnamed files can be linked in through /proc (looked at once, not per file:
            /// a batch writes 100,000 receipts).
            static let procLinks = access("/proc/self/fd", F_OK) == 0

            /// Appends `bytes` (short writes and `EINTR` retried); 73 (`cannot_create`, `disk_full`).
            func write(_ bytes: [UInt8]) throws {
                guard fd >= 0 else { throw MESError(.internal, "Écriture après la fin : \(path)", field: field) }
                guard writeAll(fd, bytes) else { throw cannotCreate(path, field) }
            }

            /// Puts the file in place as `name` (synced first when `sync`, and the directory after):
            /// never replacing anything (73 `file_exists`), or with `replace` replacing a file or a
            /// link (never a directory: 73 `unsafe_output`).
            func place(replace: Bool, sync: Bool) throws {
                let dfd = directory.fd
                if sync && fsync(fd) != 0 { throw cannotCreate(path, field) }
                if let temporary {
                    let failed = close(fd) != 0
                    fd = -1
                    if failed {
                        let e = errno
                        unlinkat(dfd, temporary, 0)
                        errno = e
                        throw cannotCreate(path, field)
                    }
                    if replace {
                        try directory.renameOver(temporary, as: name, path: path, field: field)
                    } else {
                        try directory.placeNew(temporary, as: name, path: path, field: field)
                    }
                } else {
                    defer { close(fd); fd = -1 }
                    let proc = "/proc/self/fd/\(fd)"
                    if !replace {
                        guard linkat(AT_FDCWD, proc, dfd, name, AT_SYMLINK_FOLLOW) == 0 else {
                            if errno == EEXIST { throw MESError.fileExists(path, field: field) }
                            throw cannotCreate(path, field)
                        }
                    } else {
                        var tmp = ".mes-tmp-" + directory.tag + "-" + name
                        var linked = linkat(AT_FDCWD, proc, dfd, tmp, AT_SYMLINK_FOLLOW) == 0
                        for _ in 0..<16 where !linked && (errno == EEXIST || errno == ENAMETOOLONG) {
                            tmp = ".mes-tmp-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
                            linked = linkat(AT_FDCWD, proc, dfd, tmp, AT_SYMLINK_FOLLOW) == 0
                        }
                        guard linked else { throw cannotCreate(path, field) }
                        try directory.renameOver(tmp, as: name, path: path, field: field)
                    }
                }
                if sync { _ = fsync(dfd) }
            }

            /// Closes the file and removes it (nothing was placed).
            func discard() {
                guard fd >= 0 else { return }
                close(fd)
                fd = -1
                if let temporary { unlinkat(directory.fd, temporary, 0) }
            }
        }

        /// Puts the written temporary file `tmp` in place as `name`, replacing a file or a link
        /// (never a directory); `tmp` is removed if it cannot be.
        fileprivate func renameOver(_ tmp: String, as name: String, path: String, field: String) throws {
            guard renameat(fd, tmp, fd, name) != 0 else { return }
            let e = errno
            unlinkat(fd, tmp, 0)
            errno = e
            if e == EISDIR || e == ENOTEMPTY || e == EEXIST { throw unsafeOutput(path, "est un dossier", field) }
            throw cannotCreate(path, field)
        }

        /// Puts the written temporary file `tmp` in place as `name`, never replacing anything.
        fileprivate func placeNew(_ tmp: String, as name: String, path: String, field: String) throws {
            if linux_renameat2(fd, tmp, fd, name, renameNoReplace) == 0 { return }
            var e = errno
            if e == EINVAL || e == ENOSYS || e == ENOTSUP {
                // The file system has no RENAME_NOREPLACE: a hard link never replaces either.
                if linkat(fd, tmp, fd, name, 0) == 0 { unlinkat(fd, tmp, 0); return }
                e = errno
            }
            unlinkat(fd, tmp, 0)
            errno = e
            if e == EEXIST { throw MESError.fileExists(path, field: field) }
            throw cannotCreate(path, field)
        }

        /// Refuses (73) to replace one of a store's own files (a write-time guard of `replace`).
        fileprivate func refuseStoreFiles(_ name: String, path: String, field: String) throws {
            if isOutbox { throw unsafeOutput(path, "est dans la boîte d'envoi de la base (outbox/)", field) }
            if holdsStore && storeFiles.contains(name) { throw unsafeOutput(path, "est un fichier de la base (\(name))", field) }
        }

        /// Refuses (73) to replace what sits at `name` when it is not a regular file or a
        /// symbolic link (a write-time guard of `replace`).
        fileprivate func refuseSpecialFiles(_ name: String, path: String, field: String) throws {
            var st = stat()
            if fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 {
                let kind = st.st_mode & S_IFMT
                if kind != S_IFREG && kind != S_IFLNK { throw unsafeOutput(path, "est " + kindName(kind), field) }
            }
        }

        /// Whether the directory `prefix` (relative to `dirfd`) holds a store: `mes.db` and `secret.key`.
        private static func holdsStore(_ dirfd: Int32, prefix: String) -> Bool {
            var st = stat()
            return fstatat(dirfd, prefix + "mes.db", &st, AT_SYMLINK_NOFOLLOW) == 0
                && fstatat(dirfd, prefix + "secret.key", &st, AT_SYMLINK_NOFOLLOW) == 0
        }
    }

    /// The store's own files, never an output.
    public static let storeFiles: Set<String> = StoreLayout.fileNames

    /// Splits a path into its directory and its last component (which must name a file).
    static func split(_ path: String, field: String) throws -> (String, String) {
        let dir = directoryName(path)
        let name = path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
        guard !name.isEmpty, name != ".", name != ".." else {
            throw MESError(.cannotCreate, "Impossible d'écrire \(path) : ce n'est pas un nom de fichier", field: field)
        }
        return (dir, name)
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

    // MARK: - Output targets

    /// Refuses (73, `unsafe_output`), even with `--force`, an output path that is:
    /// a directory, a device node, a FIFO or a socket (or a symbolic link to one); one of the
    /// store's own files (`mes.db`, `mes.db-wal`, `mes.db-shm`, `secret.key` of
    /// `storeDirectory`), compared by identity (`st_dev`, `st_ino`, so a hard link or a symbolic
    /// link to one is caught) and by resolved path (so a file not created yet, such as
    /// `mes.db-wal`, is caught too); or anything inside the store's `outbox/`.
    /// A path that does not exist yet in an ordinary directory is fine. Call it before any work,
    /// with the output options; `checkOutputTarget` adds the `--force` rule.
    public static func refuseDangerousTarget(_ path: String, storeDirectory: String?, field: String) throws {
        var lst = stat(), st = stat()
        let exists = lstat(path, &lst) == 0
        let followed = exists && stat(path, &st) == 0
        if exists {
            let kind = lst.st_mode & S_IFMT
            if kind != S_IFREG && kind != S_IFLNK { throw unsafeOutput(path, "est " + kindName(kind), field) }
            if kind == S_IFLNK && followed {
                let target = st.st_mode & S_IFMT
                if target != S_IFREG { throw unsafeOutput(path, "est un lien vers " + kindName(target), field) }
            }
        }
        if path.hasSuffix("/") { throw unsafeOutput(path, "n'est pas un nom de fichier", field) }
        guard let storeDirectory else { return }

        // By identity.
        let store = storeDirectory.hasSuffix("/") ? String(storeDirectory.dropLast()) : storeDirectory
        for name in storeFiles.sorted() {
            var f = stat()
            guard stat(store + "/" + name, &f) == 0 else { continue }
            let same = { (s: stat) in s.st_dev == f.st_dev && s.st_ino == f.st_ino }
            if (exists && same(lst)) || (followed && same(st)) {
                throw unsafeOutput(path, "est un fichier de la base (\(name))", field)
            }
        }
        // By resolved path (the directory resolved, then the name; the link's target too).
        guard let storeReal = realPath(store) else { return }
        var candidates: [String] = []
        if let (dir, name) = try? split(path, field: field), let d = realPath(dir) {
            candidates.append((d == "/" ? "" : d) + "/" + name)
        }
        if followed, let r = realPath(path) { candidates.append(r) }
        for c in candidates {
            let slash = c.lastIndex(of: "/")!
            let dir = String(c[..<slash]), name = String(c[c.index(after: slash)...])
            if dir == storeReal && storeFiles.contains(name) {
                throw unsafeOutput(path, "est un fichier de la base (\(name))", field)
            }
            if c == storeReal + "/outbox" || c.hasPrefix(storeReal + "/outbox/") {
                throw unsafeOutput(path, "est dans la boîte d'envoi de la base (outbox/)", field)
            }
            if c == storeReal { throw unsafeOutput(path, "est le dossier de données", field) }
        }
    }

    /// Refuses (73, `unsafe_output`) an output folder that is the data directory itself or its
    /// `outbox/` (or inside it); the store's `receipts/` is a fine place.
    public static func refuseStoreFolder(_ dir: String, storeDirectory: String, field: String) throws {
        guard let storeReal = realPath(storeDirectory) else { return }
        let trimmed = dir.hasSuffix("/") && dir.count > 1 ? String(dir.dropLast()) : dir
        var resolved = realPath(trimmed)
        if resolved == nil, let (parent, name) = try? split(trimmed, field: field), let p = realPath(parent) {
            resolved = (p == "/" ? "" : p) + "/" + name
        }
        guard let r = resolved else { return }
        if r == storeReal { throw unsafeOutput(dir, "est le dossier de données", field) }
        if r == storeReal + "/outbox" || r.hasPrefix(storeReal + "/outbox/") {
            throw unsafeOutput(dir, "est dans la boîte d'envoi de la base (outbox/)", field)
        }
    }

    /// The checks of an output option, before any work is done: `refuseDangerousTarget` (even
    /// with `force`), then an existing path (a file, or a symbolic link even dangling) is refused
    /// (73, `file_exists`) unless `force`.
    public static func checkOutputTarget(_ path: String?, force: Bool, storeDirectory: String?, field: String) throws {
        guard let path else { return }
        try refuseDangerousTarget(path, storeDirectory: storeDirectory, field: field)
        try refuseExisting(path, force: force, field: field)
        // A folder that is missing or cannot be written is found now, before anything is recorded.
        try refuseUnwritableDirectory(path, field: field)
    }

    /// Refuses (73, `cannot_create`) an output path whose directory is missing, is not a
    /// directory or cannot be written: for outputs written only at the end of a long run (a
    /// batch's report), so that the run never does its work and then fails to report it.
    public static func refuseUnwritableDirectory(_ path: String?, field: String) throws {
        guard let path else { return }
        let (dir, _) = try split(path, field: field)
        var st = stat()
        guard stat(dir, &st) == 0 else { throw cannotCreate(path, field) }
        guard st.st_mode & S_IFMT == S_IFDIR else {
            throw MESError(.cannotCreate, "Impossible d'écrire \(path) : \(dir) n'est pas un dossier", field: field)
        }
        guard access(dir, W_OK | X_OK) == 0 else { throw cannotCreate(path, field) }
    }

    /// Refuses (73) an output path that exists (a symbolic link counts, even dangling) unless
    /// `force`: checked before any work is done. See also `checkOutputTarget`.
    public static func refuseExisting(_ path: String?, force: Bool, field: String) throws {
        var st = stat()
        if let path, !force, lstat(path, &st) == 0 { throw MESError.fileExists(path, field: field) }
    }

    // MARK: - The data directory's permissions

    /// Checks an existing data directory: when group or others have any access to it
    /// (`mode & 077 != 0`), it is fixed to 0700 (`fchmod` on the opened directory) and the note
    /// to print is returned ("Droits corrigés : … était lisible par d'autres (0777) ; ramené à
    /// 0700."); nil when nothing had to change or the directory does not exist.
    ///
    /// Refused with 73 (`store_unsafe`): a symbolic link, something that is not a directory, or a
    /// directory owned by another user. 73 ("cannot create output") rather than 77, which `mes`
    /// documents for failed identifications: the store cannot safely be used or created there.
    public static func checkPrivateDirectory(_ path: String, field: String = "store") throws -> String? {
        try checkPrivate(path, directory: true, field: field)
    }

    /// Checks an existing private file (the store's `secret.key`) like `checkPrivateDirectory`:
    /// group/other access is fixed to 0600 and a note returned; a symbolic link, a non-regular
    /// file or another user's file is refused (73, `store_unsafe`); nil when nothing changed or
    /// the file does not exist.
    public static func checkPrivateFile(_ path: String, field: String = "store") throws -> String? {
        try checkPrivate(path, directory: false, field: field)
    }

    private static func checkPrivate(_ path: String, directory: Bool, field: String) throws -> String? {
        func refuse(_ why: String) -> MESError {
            MESError(.storeUnsafe, "Refusé : \(path) \(why) ; la base n'y sera pas utilisée.", field: field)
        }
        var lst = stat()
        guard lstat(path, &lst) == 0 else {
            if errno == ENOENT { return nil }
            throw MESError(.fileUnreadable, "Fichier introuvable ou illisible : \(path) (\(errnoText()))", field: field)
        }
        if lst.st_mode & S_IFMT == S_IFLNK { throw refuse("est un lien symbolique") }
        let fd = Glibc.open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | (directory ? O_DIRECTORY : 0))
        guard fd >= 0 else {
            if errno == ELOOP { throw refuse("est un lien symbolique") }
            if errno == ENOTDIR { throw refuse("n'est pas un dossier") }
            throw MESError(.fileUnreadable, "Fichier introuvable ou illisible : \(path) (\(errnoText()))", field: field)
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw cannotCreate(path, field) }
        let kind = st.st_mode & S_IFMT
        if directory ? kind != S_IFDIR : kind != S_IFREG {
            throw refuse(directory ? "n'est pas un dossier" : "n'est pas un fichier ordinaire (\(kindName(kind)))")
        }
        if st.st_uid != geteuid() { throw refuse("appartient à un autre utilisateur (uid \(st.st_uid))") }
        let old = st.st_mode & 0o7777
        guard old & 0o077 != 0 else { return nil }
        let wanted: mode_t = directory ? 0o700 : 0o600
        guard fchmod(fd, wanted) == 0 else {
            throw MESError(.cannotCreate, "Impossible de corriger les droits de \(path) (\(errnoText()))", field: field)
        }
        let how = old & 0o044 != 0 ? "lisible par d'autres" : "accessible à d'autres"
        return "Droits corrigés : \(path) était \(how) (\(octal(old))) ; ramené à \(octal(wanted))."
    }

    static func octal(_ mode: mode_t) -> String {
        let s = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }

    // MARK: - Small helpers

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

    /// Whether `path` is a regular file (a link is not followed).
    public static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// Whether `path` is a directory (a link is not followed).
    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Removes a directory this process made and everything in it (links are removed, never
    /// followed).
    public static func removeTree(_ path: String) {
        for name in list(path) {
            let p = path + "/" + name
            if isDirectory(p) { removeTree(p) } else { unlink(p) }
        }
        rmdir(path)
    }

    /// `name` in `folder`, with one slash between them whatever `folder` ends with
    /// (`justificatifs/` + `JO-….pdf` is `justificatifs/JO-….pdf`).
    public static func join(_ folder: String, _ name: String) -> String {
        let f = folderPath(folder)
        return f == "/" ? "/" + name : f + "/" + name
    }

    /// A folder as typed, without its trailing slashes (`/` stays `/`).
    public static func folderPath(_ folder: String) -> String {
        var f = Substring(folder)
        while f.count > 1 && f.hasSuffix("/") { f = f.dropLast() }
        return String(f)
    }

    /// The folder part of a path (`.` for a bare name).
    public static func folder(of path: String) -> String { directoryName(path) }

    /// Whether two paths are on the same file system (false when either cannot be read).
    public static func sameFileSystem(_ a: String, _ b: String) -> Bool {
        var sa = stat(), sb = stat()
        return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev
    }

    public static func remove(_ path: String) { unlink(path) }

    /// Whether two output paths name the same file: the same folder (links resolved) and the
    /// same name, or the same existing file (a hard link).
    public static func sameTarget(_ a: String, _ b: String) -> Bool {
        func name(_ p: String) -> String { p.lastIndex(of: "/").map { String(p[p.index(after: $0)...]) } ?? p }
        if let da = realPath(directoryName(a)), let db = realPath(directoryName(b)), da == db, name(a) == name(b) { return true }
        var sa = stat(), sb = stat()
        return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }

    static func directoryName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The canonical path (links resolved), or nil when it cannot be resolved.
    static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    /// What a file type is called in messages ("un dossier", "un périphérique"…).
    static func kindName(_ kind: mode_t) -> String {
        switch kind {
        case S_IFDIR: return "un dossier"
        case S_IFCHR, S_IFBLK: return "un périphérique"
        case S_IFIFO: return "un tube nommé (FIFO)"
        case S_IFSOCK: return "une socket"
        case S_IFLNK: return "un lien symbolique"
        case S_IFREG: return "un fichier ordinaire"
        default: return "un fichier spécial"
        }
    }

    /// Refuses (73, `unsafe_output`, even with `--force`) an output path whose entry is the file
    /// `input` names (followed when a link): writing there would replace what is read (`what`).
    /// An output that is itself a link is replaced, never followed, so it may point there.
    public static func refuseSameFile(_ path: String?, as input: String?, _ what: String, field: String) throws {
        guard let path, let input else { return }
        var out = stat(), read = stat()
        guard lstat(path, &out) == 0, stat(input, &read) == 0 else { return }
        if out.st_dev == read.st_dev && out.st_ino == read.st_ino { throw unsafeOutput(path, "est " + what, field) }
    }

    /// An output path that must not be written, even with `--force` (73, `unsafe_output`).
    static func unsafeOutput(_ path: String, _ what: String, _ field: String) -> MESError {
        MESError(.unsafeOutput, "Refusé : \(path) \(what) ; il ne sera pas remplacé, même avec --force.", field: field)
    }

    static func cannotCreate(_ path: String, _ field: String) -> MESError {
        let error = errno
        let code: ErrorCode = error == ENOSPC || error == EDQUOT ? .diskFull : .cannotCreate
        // A file cannot be "introuvable" when it is being made: its folder is missing.
        if error == ENOENT, let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            let dir = String(path[..<slash])
            var st = stat()
            if stat(dir, &st) != 0 {
                return MESError(code, "Impossible d'écrire \(path) : le dossier \(dir) n'existe pas (créez-le d'abord)", field: field)
            }
        }
        return MESError(code, "Impossible d'écrire \(path) (\(errnoText(error)))", field: field)
    }

    /// The text of the current `errno`.
    public static func errnoText() -> String { errnoText(errno) }

    /// What `code` means, in French for the errors people meet with files (the messages they
    /// are quoted in are French); `strerror`'s text for the others.
    public static func errnoText(_ code: Int32) -> String {
        switch code {
        case ENOENT: return "fichier ou dossier introuvable"
        case EACCES, EPERM: return "permission refusée"
        case EISDIR: return "c'est un dossier"
        case ENOTDIR: return "un élément du chemin n'est pas un dossier"
        case ENOSPC: return "plus de place sur le disque"
        case EDQUOT: return "quota de disque dépassé"
        case EROFS: return "système de fichiers en lecture seule"
        case EEXIST: return "le fichier existe déjà"
        case EIO: return "erreur d'entrée-sortie"
        case ENAMETOOLONG: return "nom trop long"
        case ELOOP: return "trop de liens symboliques"
        case EMFILE, ENFILE: return "trop de fichiers ouverts"
        case EBADF: return "descripteur de fichier invalide"
        case EPIPE: return "le lecteur est parti (tube fermé)"
        case EFBIG: return "fichier trop grand"
        case ENXIO: return "périphérique absent"
        case ETXTBSY: return "fichier occupé"
        case EBUSY: return "ressource occupée"
        case EINVAL: return "argument invalide"
        default: return String(cString: strerror(code))
        }
    }
}

/// `open`'s `O_TMPFILE` (`__O_TMPFILE | O_DIRECTORY` on Linux), which the Swift module does not export.
let oTmpFile: Int32 = 0o20000000 | O_DIRECTORY

/// `renameat2`'s flag: fail with `EEXIST` rather than replace.
private let renameNoReplace: UInt32 = 1

/// Linux `syncfs(2)` (declared by glibc only under _GNU_SOURCE).
@_silgen_name("syncfs")
private func linux_syncfs(_ fd: Int32) -> Int32

/// Linux `renameat2(2)` (glibc 2.28+, declared only under _GNU_SOURCE).
@_silgen_name("renameat2")
private func linux_renameat2(_ olddirfd: Int32, _ oldpath: UnsafePointer<CChar>, _ newdirfd: Int32,
                             _ newpath: UnsafePointer<CChar>, _ flags: UInt32) -> Int32
