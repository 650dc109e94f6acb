/// A JSON value whose objects keep their key order, so that output is stable and readable.
public indirect enum JSON: Equatable, Sendable {
    /// The version of the JSON contract every document and JSON Lines row carries
    /// (`schema_version`); see "JSON OUTPUT" in mes(1) for what changed since version 1.
    public static let schemaVersion = 2

    case null
    case bool(Bool)
    case int(Int)
    /// A finite number (non-finite ones are written as null).
    case double(Double)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    public static func == (l: JSON, r: JSON) -> Bool { l.serialized() == r.serialized() }

    /// An object from ordered pairs, dropping pairs whose value is nil.
    public static func obj(_ pairs: [(String, JSON?)]) -> JSON {
        .object(pairs.compactMap { k, v in v.map { (k, $0) } })
    }

    /// Compact serialization (one line), UTF-8 kept as is.
    public func serialized() -> String {
        var out = [UInt8]()
        write(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public func write(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d): out.append(contentsOf: (d.isFinite ? String(d) : "null").utf8)
        case .string(let s): JSON.writeString(s, into: &out)
        case .array(let a):
            out.append(0x5B)
            for (i, v) in a.enumerated() {
                if i > 0 { out.append(0x2C) }
                v.write(into: &out)
            }
            out.append(0x5D)
        case .object(let pairs):
            out.append(0x7B)
            for (i, (k, v)) in pairs.enumerated() {
                if i > 0 { out.append(0x2C) }
                JSON.writeString(k, into: &out)
                out.append(0x3A)
                v.write(into: &out)
            }
            out.append(0x7D)
        }
    }

    /// Writes a JSON string literal (RFC 8259 escapes).
    public static func writeString(_ s: String, into out: inout [UInt8]) {
        var s = s
        s.withUTF8 { writeString(utf8: $0, into: &out) }
    }

    /// Writes bytes that may not be UTF-8 (a line of input) as a JSON string literal, invalid
    /// sequences replaced by U+FFFD. One pass over an ASCII line: its bytes are escaped as they
    /// are scanned, and only a line with a byte of 0x80 or more is decoded as a String.
    public static func writeString(repairing b: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        let mark = out.count
        out.append(0x22)
        var start = 0, i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c >= 0x20 && c != 0x22 && c != 0x5C && c < 0x7F { i += 1; continue }
            if c >= 0x80 {
                out.removeSubrange(mark...)
                writeString(String(decoding: b, as: UTF8.self), into: &out)
                return
            }
            if start < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[start..<i])) }
            appendEscape(c, into: &out)
            i += 1
            start = i
        }
        if start < n { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[start..<n])) }
        out.append(0x22)
    }

    /// The escape of one byte that JSON strings may not hold as it is.
    @inline(__always) static func appendEscape(_ c: UInt8, into out: inout [UInt8]) {
        switch c {
        case 0x22: out.append(0x5C); out.append(0x22)
        case 0x5C: out.append(0x5C); out.append(0x5C)
        case 0x0A: out.append(0x5C); out.append(0x6E)
        case 0x0D: out.append(0x5C); out.append(0x72)
        case 0x09: out.append(0x5C); out.append(0x74)
        default:  // the other controls and DEL: \u00XX
            let high = c >> 4, low = c & 15
            out.append(0x5C); out.append(0x75); out.append(0x30); out.append(0x30)
            out.append(0x30 + high)
            out.append(low < 10 ? 0x30 + low : 0x61 + low - 10)
        }
    }

    /// Writes valid UTF-8 bytes as a JSON string literal.
    public static func writeString(utf8 b: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        out.append(0x22)
        if !b.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x7F }) {
            out.append(contentsOf: b)
            out.append(0x22)
            return
        }
        // Runs of bytes that need no escape go in one copy each (long lines full of quotes and
        // backslashes, such as garbage fed to `nir check`, were appended byte by byte).
        var start = 0
        for i in 0..<b.count {
            let c = b[i]
            guard c < 0x20 || c == 0x22 || c == 0x5C || c == 0x7F else { continue }
            if start < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[start..<i])) }
            appendEscape(c, into: &out)
            start = i + 1
        }
        if start < b.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[start...])) }
        out.append(0x22)
    }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
}

extension JSON {
    /// `.string` of an optional, or nil.
    public static func str(_ s: String?) -> JSON? { s.map { .string($0) } }
}
