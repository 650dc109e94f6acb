#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MESCore
import MESRender
import MESSystem

/// The first write error of an output stream (a closed pipe, a full disk, a closed descriptor…).
public struct OutputFailure: Equatable, Sendable {
    /// The stream, as a field name: `stdout`, `stderr`, or `fd5`.
    public let stream: String
    /// The `errno` of the failed write (`EPIPE`, `ENOSPC`, `EBADF`…).
    public let code: Int32

    public init(stream: String, code: Int32) {
        self.stream = stream
        self.code = code
    }

    /// The reader went away (`| head -1`): scripts often treat this as a normal end.
    public var isBrokenPipe: Bool { code == EPIPE }

    /// The error to report: 73 (`output_failed`), naming the stream and the system's reason.
    ///
    /// 73 (`.cannotCreate`, "cannot create output … full disk") because `ExitStatus` has no
    /// 74 (`EX_IOERR`) yet; switch to it when it is added.
    public var error: MESError {
        let name: String
        switch stream {
        case "stdout": name = "la sortie standard"
        case "stderr": name = "la sortie d'erreur"
        default: name = "le descripteur \(stream.dropFirst(2))"
        }
        return MESError(.outputFailed,
                        "Écriture impossible sur \(name) (\(FileIO.errnoText(code))) : la sortie est incomplète.",
                        field: stream)
    }
}

/// A buffered byte stream: a file descriptor, or memory (tests run commands in-process).
///
/// Write errors are not ignored: the first one is kept in `failure`, everything written after
/// it is dropped at once (no formatting, no system call), and `check()` throws it. Long loops
/// poll `hasFailed` to stop working for a reader that went away (`mes nir generate | head -1`).
///
/// Delivering before a side effect: a command whose output must reach its reader before it
/// commits something that cannot be undone (showing a one-time code, then marking it used)
/// writes with `writeNow` (or `write` then `check()`), and commits only if that did not throw:
///
///     try ctx.stdout.writeNow(code + "\n")   // 73 output_failed: nothing consumed
///     try store.consume(code)
///
/// A write that succeeded means the kernel took the bytes (a pipe's buffer, the page cache),
/// not that the reader read them or that they are on disk.
public final class Output {
    private let fd: Int32?
    /// The stream's field name in errors: `stdout`, `stderr` or `fdN`.
    public let name: String
    private var buffer: [UInt8] = []
    /// Everything written, when capturing.
    public private(set) var captured: [UInt8] = []
    public let isTerminal: Bool
    /// The first write error, if any.
    public private(set) var failure: OutputFailure?
    /// Same as `failure != nil`, kept apart for the hot paths.
    private var failed = false
    /// An in-memory stream made to fail at its first flush (tests).
    private var simulated: Int32?

    public init(fd: Int32, name: String? = nil) {
        self.fd = fd
        self.name = name ?? (fd == 1 ? "stdout" : fd == 2 ? "stderr" : "fd\(fd)")
        self.isTerminal = isatty(fd) == 1
        buffer.reserveCapacity(1 << 16)
    }

    /// An in-memory stream.
    public init() {
        fd = nil
        name = "stdout"
        isTerminal = false
    }

    /// An in-memory stream whose first flush fails with `code` (`ENOSPC`, `EPIPE`…): tests of
    /// what a command does when its output cannot be written.
    public init(failingWith code: Int32, name: String = "stdout") {
        fd = nil
        self.name = name
        isTerminal = false
        simulated = code
    }

    public var text: String { String(decoding: captured, as: UTF8.self) }

    /// Whether a write failed: everything since is dropped. Cheap: poll it in long loops.
    public var hasFailed: Bool { failed }

    public func write(_ s: String) {
        if failed { return }
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    public func write(bytes: [UInt8]) {
        if failed { return }
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { flush() }
    }

    /// Appends bytes through a closure writing straight into the buffer (hot paths); the
    /// closure is not called once the stream has failed.
    public func append(_ body: (inout [UInt8]) -> Void) {
        if failed { return }
        body(&buffer)
        if buffer.count >= 1 << 16 { flush() }
    }

    public func line(_ s: String) { write(s); write("\n") }

    /// Writes out the buffer; a write error is recorded in `failure` (the first one only) and
    /// the data dropped.
    public func flush() {
        guard !buffer.isEmpty else { return }
        defer { buffer.removeAll(keepingCapacity: true) }
        if failed { return }
        guard let fd else {
            if let code = simulated { record(code) } else { captured.append(contentsOf: buffer) }
            return
        }
        let code: Int32 = buffer.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + off, raw.count - off)
                if n > 0 { off += n; continue }
                if n == 0 { return EIO }
                switch errno {
                case EINTR: continue
                case EAGAIN, EWOULDBLOCK:
                    // A descriptor left non-blocking by someone else: wait until it can take more.
                    var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&p, 1, -1)
                default: return errno
                }
            }
            return 0
        }
        if code != 0 { record(code) }
    }

    private func record(_ code: Int32) {
        failed = true
        if failure == nil { failure = OutputFailure(stream: name, code: code) }
    }

    /// Flushes, then throws the first write error (74, `output_failed`) if there was one. The
    /// entry point to make sure output was delivered; `MES.run` calls it after each command.
    public func check() throws {
        flush()
        if let failure { throw failure.error }
    }

    /// Writes `s` and delivers it at once: flushes and throws (74, `output_failed`) if it, or
    /// anything before it, could not be written. See the type's note on side effects.
    public func writeNow(_ s: String) throws {
        write(s)
        try check()
    }

    /// `writeNow` for bytes.
    public func writeNow(bytes: [UInt8]) throws {
        write(bytes: bytes)
        try check()
    }
}

/// Standard input: a file descriptor read in chunks, or bytes given by a test. Every way of
/// reading it is bounded (`InputLimits`): an endless input ends with 65, memory stays flat.
public final class Input {
    private let fd: Int32?
    private var memory: [UInt8]
    public let isTerminal: Bool

    public init(fd: Int32) {
        self.fd = fd
        memory = []
        isTerminal = isatty(fd) == 1
    }

    public init(bytes: [UInt8]) {
        fd = nil
        memory = bytes
        isTerminal = false
    }

    public convenience init(_ text: String) { self.init(bytes: Array(text.utf8)) }

    /// Calls `body` with each line (without `\n`; a trailing `\r` is kept), streaming in chunks:
    /// lines are handed out in place from the chunk read, only a line cut by a chunk's end is
    /// copied. A line longer than `maxLineLength` bytes (`InputLimits.nirLine`, 4 Kio, for NIR
    /// lists and typed answers) stops the reading at once with 65 (`line_too_long`) naming its
    /// number, whatever follows (`nir check < /dev/zero` ends after one chunk); memory stays
    /// within a chunk and a line.
    public func forEachLine(maxLineLength: Int, field: String = "stdin",
                            _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        var pending = [UInt8]()
        var lines = 0
        try forEachChunk { chunk in
            let n = chunk.count
            var start = 0
            if !pending.isEmpty {
                // The line carried over from the previous chunk.
                let nl = chunk.baseAddress.flatMap { memchr($0, 0x0A, n) }
                    .map { chunk.baseAddress!.distance(to: $0.assumingMemoryBound(to: UInt8.self)) } ?? n
                guard pending.count + nl <= maxLineLength else {
                    throw InputLimits.lineTooLong(line: lines + 1, limit: maxLineLength, field: field)
                }
                pending.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[0..<nl]))
                guard nl < n else { return }
                lines += 1
                try pending.withUnsafeBufferPointer { try body($0) }
                pending.removeAll(keepingCapacity: true)
                start = nl + 1
            }
            // Each line end found by memchr (whole words at a time, not byte by byte).
            if let base = chunk.baseAddress {
                while start < n, let found = memchr(base + start, 0x0A, n - start) {
                    let i = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                    if i - start > maxLineLength {
                        throw InputLimits.lineTooLong(line: lines + 1, limit: maxLineLength, field: field)
                    }
                    lines += 1
                    try body(UnsafeBufferPointer(rebasing: chunk[start..<i]))
                    start = i + 1
                }
            }
            if start < n {
                guard n - start <= maxLineLength else {
                    throw InputLimits.lineTooLong(line: lines + 1, limit: maxLineLength, field: field)
                }
                pending.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[start..<n]))
            }
        }
        if !pending.isEmpty { try pending.withUnsafeBufferPointer { try body($0) } }
    }

    /// Calls `body` with each line, however long.
    ///
    /// Deprecated: unbounded (an endless line is buffered until memory runs out); use
    /// `forEachLine(maxLineLength:field:_:)`.
    public func forEachLine(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        try forEachLine(maxLineLength: .max, body)
    }

    /// Calls `body` with the input in chunks (the one read loop of standard input). Unbounded:
    /// the caller bounds what it keeps (a CSV reader's record limit, a line limit).
    public func forEachChunk(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        guard let fd else {
            try memory.withUnsafeBufferPointer { try body($0) }
            return
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { try Interruption.stopIfRequested(); continue }
                throw MESError(.stdinUnreadable,
                               "Lecture impossible sur l'entrée standard (\(FileIO.errnoText()))", field: "stdin")
            }
            if n == 0 { return }
            try chunk.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[0..<n])) }
        }
    }

    /// Reads everything, at most `limit` bytes: more is invalid data (65, `input_too_large`,
    /// "Entrée standard trop volumineuse (plus de 4 Kio)"), found after reading at most one
    /// chunk past the limit (`< /dev/zero` ends at once).
    public func readAll(limit: Int, field: String = "stdin") throws -> [UInt8] {
        var out = [UInt8]()
        try forEachChunk { chunk in
            guard out.count + chunk.count <= limit else { throw InputLimits.inputTooLarge(limit: limit, field: field) }
            out.append(contentsOf: chunk)
        }
        return out
    }

    /// Reads everything (small inputs: passwords, files given as `-`).
    ///
    /// Deprecated: use `readAll(limit:field:)` with the limit of what is read. This one is
    /// bounded by `InputLimits.standardInput` (4 Mio).
    public func readAll() throws -> [UInt8] {
        try readAll(limit: InputLimits.standardInput)
    }
}
