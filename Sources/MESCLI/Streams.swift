#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MESCore
import MESRender

/// A buffered byte stream: a file descriptor, or memory (tests run commands in-process).
public final class Output {
    private let fd: Int32?
    private var buffer: [UInt8] = []
    /// Everything written, when capturing.
    public private(set) var captured: [UInt8] = []
    public let isTerminal: Bool

    public init(fd: Int32) {
        self.fd = fd
        self.isTerminal = isatty(fd) == 1
        buffer.reserveCapacity(1 << 16)
    }

    /// An in-memory stream.
    public init() {
        fd = nil
        isTerminal = false
    }

    public var text: String { String(decoding: captured, as: UTF8.self) }

    public func write(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    public func write(bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { flush() }
    }

    /// Appends bytes through a closure writing straight into the buffer (hot paths).
    public func append(_ body: (inout [UInt8]) -> Void) {
        body(&buffer)
        if buffer.count >= 1 << 16 { flush() }
    }

    public func line(_ s: String) { write(s); write("\n") }

    public func flush() {
        guard !buffer.isEmpty else { return }
        if let fd {
            buffer.withUnsafeBytes { raw in
                var off = 0
                while off < raw.count {
                    let n = Glibc.write(fd, raw.baseAddress! + off, raw.count - off)
                    if n < 0 { if errno == EINTR { continue }; break }
                    off += n
                }
            }
        } else {
            captured.append(contentsOf: buffer)
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Standard input: a file descriptor read in chunks, or bytes given by a test.
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

    /// Calls `body` with each line (without `\n`; a trailing `\r` is kept), streaming in chunks.
    public func forEachLine(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        var pending = [UInt8]()
        try forEachChunk { chunk in
            pending.append(contentsOf: chunk)
            if let lastNL = pending.lastIndex(of: 0x0A) {
                try pending.withUnsafeBufferPointer { try Self.split(UnsafeBufferPointer(rebasing: $0[0...lastNL]), body) }
                pending.removeSubrange(0...lastNL)
            }
        }
        if !pending.isEmpty {
            pending.append(0x0A)
            try pending.withUnsafeBufferPointer { try Self.split($0, body) }
        }
    }

    /// Calls `body` with the input in chunks (the one read loop of standard input).
    public func forEachChunk(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        guard let fd else {
            try memory.withUnsafeBufferPointer { try body($0) }
            return
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw MESError(.stdinUnreadable, "standard input is unreadable") }
            if n == 0 { return }
            try chunk.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[0..<n])) }
        }
    }

    /// Reads everything (small inputs: passwords, files given as `-`).
    public func readAll() throws -> [UInt8] {
        var out = [UInt8]()
        try forEachChunk { out.append(contentsOf: $0) }
        return out
    }

    private static func split(_ b: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        var start = 0
        var i = 0
        let n = b.count
        while i < n {
            if b[i] == 0x0A {
                try body(UnsafeBufferPointer(rebasing: b[start..<i]))
                start = i + 1
            }
            i += 1
        }
    }
}

