/// The encodings a CSV file is read in. Spreadsheets save CSV in UTF-8 only when asked: Excel's
/// and LibreOffice's default is the system's "ANSI" code page (Windows-1252 for French), and
/// Excel's "Texte Unicode" is UTF-16.
public enum TextEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    case windows1252 = "windows-1252"
    case utf16LE = "utf-16le"
    case utf16BE = "utf-16be"

    /// What a run says, once, of a file not saved in UTF-8 (nil for UTF-8): the file was read
    /// in its encoding, and how to save it in UTF-8.
    public var notice: String? {
        let name: String
        switch self {
        case .utf8: return nil
        case .windows1252: name = "Windows-1252 (ANSI)"
        case .utf16LE: name = "UTF-16 (little-endian)"
        case .utf16BE: name = "UTF-16 (big-endian)"
        }
        return "Fichier enregistré en \(name) : lu comme tel. Enregistrez-le en UTF-8 (« CSV UTF-8 » dans Excel, "
            + "jeu de caractères « Unicode (UTF-8) » dans LibreOffice) pour qu'il soit lu sans deviner son encodage."
    }
}

/// Turns a CSV file's bytes, fed in chunks of any size, into UTF-8 (no I/O: the service wraps
/// its byte sources with it).
///
/// The encoding is decided once, on the start of the input (`probeBytes`, or all of it when
/// shorter): a byte-order mark says it (UTF-8, UTF-16 LE or BE); else NUL bytes in most pairs of
/// bytes, on one side, say UTF-16 (ASCII text in UTF-16 has one in each pair); else the start is read as
/// UTF-8, and it is Windows-1252 when it holds more invalid UTF-8 sequences than valid
/// multi-byte ones (a Windows-1252 "é" is a lone byte ≥ 0x80; a UTF-8 file with a few stray
/// bytes stays UTF-8).
///
/// Nothing is dropped in silence: what cannot be decoded becomes U+FFFD, which the row
/// validators refuse (`encoding_invalid`, `ExportTrap.encodingInvalid`), so a name is never
/// stored with a replacement character. That is:
/// - in UTF-8, an invalid sequence (a Windows-1252 byte after a start that was UTF-8: mixed
///   encodings), or one cut by the end of the input;
/// - in Windows-1252, the five bytes it leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D), and
///   UTF-8 sequences of accented letters and punctuation (`Ã©`, `â€™`: a UTF-8 part in a file
///   that started in Windows-1252), which would otherwise become plausible wrong names;
/// - in UTF-16, an unpaired surrogate, or an odd last byte.
/// UTF-8 passes through in place, validated (8 ASCII bytes at a time); a sequence cut by a
/// chunk's end is carried over to the next chunk, as is half a UTF-16 code unit or surrogate pair.
public struct TextTranscoder {
    /// How much of the start decides the encoding.
    public static let probeBytes = 65_536

    /// The encoding, once decided (nil before the start was read).
    public private(set) var encoding: TextEncoding?

    private var probe: [UInt8] = []
    /// UTF-8: an incomplete sequence at the end of the last chunk. Windows-1252: the bytes that
    /// may start a UTF-8 sequence, held until the next chunk says.
    private var carry: [UInt8] = []
    /// UTF-16: the first byte of a code unit cut by a chunk's end.
    private var oddByte: UInt8?
    /// UTF-16: a high surrogate waiting for its low half.
    private var highSurrogate: UInt32?
    /// UTF-16: the first code unit is still to come (a U+FEFF there is the byte-order mark).
    private var atStart = true
    private var out: [UInt8] = []

    /// Detects the encoding on the input's start.
    public init() {}

    /// Reads in `encoding`, decided beforehand (on the same start, by `detect`).
    public init(encoding: TextEncoding) { self.encoding = encoding }

    /// Feeds bytes; calls `emit` with UTF-8 bytes (valid only during the call).
    public mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>, _ emit: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        guard encoding != nil else {
            probe.append(contentsOf: bytes)
            guard probe.count >= Self.probeBytes else { return }
            try decideAndRelease(complete: false, emit)
            return
        }
        try convert(bytes, emit)
    }

    /// Call at the end of the input: decides the encoding of a short input, and ends what was
    /// left cut (a U+FFFD for a sequence the input ends in the middle of).
    public mutating func finish(_ emit: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        if encoding == nil { try decideAndRelease(complete: true, emit) }
        out.removeAll(keepingCapacity: true)
        switch encoding! {
        case .utf8:
            if !carry.isEmpty { Self.putReplacement(&out) }
        case .windows1252:
            for b in carry { Self.put1252(b, &out) }
        case .utf16LE, .utf16BE:
            if highSurrogate != nil || oddByte != nil { Self.putReplacement(&out) }
        }
        carry = []
        oddByte = nil
        highSurrogate = nil
        if !out.isEmpty { try out.withUnsafeBufferPointer { try emit($0) } }
    }

    private mutating func decideAndRelease(complete: Bool, _ emit: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        let head = probe
        probe = []
        encoding = head.withUnsafeBufferPointer { Self.detect($0, complete: complete) }
        try head.withUnsafeBufferPointer { try convert($0, emit) }
    }

    /// The encoding of a file starting with `head`; `complete`: `head` is the whole file (a
    /// UTF-8 sequence cut at its end is then invalid, not merely cut by the probe's end).
    public static func detect(_ head: UnsafeBufferPointer<UInt8>, complete: Bool) -> TextEncoding {
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { return .utf8 }
        if head.starts(with: [0xFF, 0xFE]) { return .utf16LE }
        if head.starts(with: [0xFE, 0xFF]) { return .utf16BE }
        let pairs = head.count / 2
        if pairs > 0 {
            var zeroEven = 0, zeroOdd = 0
            for k in 0..<pairs {
                if head[2 * k] == 0 { zeroEven += 1 }
                if head[2 * k + 1] == 0 { zeroOdd += 1 }
            }
            // Text in UTF-16: a NUL in most pairs (every ASCII or Latin-1 character), on one
            // side far more than the other. /dev/zero has them on both sides: it is no text at
            // all, and reads as one endless UTF-8 line.
            if zeroOdd * 2 >= pairs && zeroEven * 3 < zeroOdd { return .utf16LE }
            if zeroEven * 2 >= pairs && zeroOdd * 3 < zeroEven { return .utf16BE }
        }
        var invalid = 0, multiByte = 0, i = 0
        let n = head.count
        while i < n {
            if head[i] < 0x80 { i += 1; continue }
            let r = sequence(head, at: i)
            if r > 0 { multiByte += 1; i += r } else if r == 0 { if complete { invalid += 1 }; break } else { invalid += 1; i -= r }
        }
        return invalid > multiByte ? .windows1252 : .utf8
    }

    /// The UTF-8 sequence starting at `i` (its first byte ≥ 0x80): its length when it is valid
    /// (shortest form, no surrogate, at most U+10FFFF); 0 when `b` ends before it is complete,
    /// every byte so far valid; else minus the length of its invalid part (the lead byte and
    /// the continuation bytes that could still belong to it: one U+FFFD each).
    @inline(__always)
    static func sequence(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
        let lead = b[i]
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF  // the second byte's range
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE, 0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: return -1
        }
        var k = 1
        while k < length {
            guard i + k < b.count else { return 0 }
            let c = b[i + k]
            if k == 1 { guard c >= low && c <= high else { return -1 } } else { guard c >= 0x80 && c <= 0xBF else { return -k } }
            k += 1
        }
        return length
    }

    private mutating func convert(_ input: UnsafeBufferPointer<UInt8>, _ emit: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        switch encoding! {
        case .utf8: try utf8(input, emit)
        case .windows1252: try windows1252(input, emit)
        case .utf16LE: try utf16(input, bigEndian: false, emit)
        case .utf16BE: try utf16(input, bigEndian: true, emit)
        }
    }

    // MARK: UTF-8

    private static let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]

    @inline(__always)
    static func putReplacement(_ out: inout [UInt8]) { out.append(0xEF); out.append(0xBF); out.append(0xBD) }

    /// Valid runs are handed on in place; an invalid sequence becomes U+FFFD.
    private mutating func utf8(_ input: UnsafeBufferPointer<UInt8>, _ emit: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        let n = input.count
        var i = 0
        if !carry.isEmpty {
            // Complete the sequence cut by the last chunk's end.
            let held = carry.count
            var joined = carry
            joined.append(contentsOf: UnsafeBufferPointer(rebasing: input[0..<min(n, 4 - held)]))
            let r = joined.withUnsafeBufferPointer { Self.sequence($0, at: 0) }
            if r == 0 { carry = joined; return }  // still cut: the chunk was shorter than the rest of it
            carry = []
            if r > 0 {
                try joined.withUnsafeBufferPointer { try emit(UnsafeBufferPointer(rebasing: $0[0..<r])) }
                i = r - held
            } else {
                try Self.replacement.withUnsafeBufferPointer { try emit($0) }
                i = max(0, -r - held)
            }
        }
        var start = i
        guard let base = input.baseAddress else { return }
        while i < n {
            let c = input[i]
            if c < 0x80 {
                // ASCII, 8 bytes at a time, up to the first byte that is not (in little-endian
                // order, the lowest high bit set is the first such byte).
                i += 1
                while i + 8 <= n {
                    let high = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080
                    if high != 0 { i += high.littleEndian.trailingZeroBitCount >> 3; break }
                    i += 8
                }
                if i + 8 > n { while i < n && input[i] < 0x80 { i += 1 } }
                continue
            }
            // The usual accented letter: two bytes.
            if c >= 0xC2 && c <= 0xDF && i + 1 < n && input[i + 1] & 0xC0 == 0x80 { i += 2; continue }
            let r = Self.sequence(input, at: i)
            if r > 0 { i += r; continue }
            if i > start { try emit(UnsafeBufferPointer(rebasing: input[start..<i])) }
            if r == 0 {
                carry = Array(input[i..<n])
                return
            }
            try Self.replacement.withUnsafeBufferPointer { try emit($0) }
            i -= r
            start = i
        }
        if n > start { try emit(UnsafeBufferPointer(rebasing: input[start..<n])) }
    }

    // MARK: Windows-1252

    /// 0x80–0x9F in Windows-1252 (0: undefined).
    static let high1252: [UInt16] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
        0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    ]

    /// The UTF-8 of byte `b` (≥ 0x80) read as Windows-1252.
    @inline(__always)
    static func put1252(_ b: UInt8, _ out: inout [UInt8]) {
        if b < 0x80 { out.append(b); return }
        let v = b >= 0xA0 ? UInt32(b) : UInt32(high1252[Int(b) - 0x80])
        if v == 0 { putReplacement(&out); return }
        putScalar(v, &out)
    }

    @inline(__always)
    static func putScalar(_ v: UInt32, _ out: inout [UInt8]) {
        if v < 0x80 {
            out.append(UInt8(v))
        } else if v < 0x800 {
            out.append(UInt8(0xC0 | v >> 6)); out.append(UInt8(0x80 | v & 0x3F))
        } else if v < 0x10000 {
            out.append(UInt8(0xE0 | v >> 12)); out.append(UInt8(0x80 | v >> 6 & 0x3F)); out.append(UInt8(0x80 | v & 0x3F))
        } else {
            out.append(UInt8(0xF0 | v >> 18)); out.append(UInt8(0x80 | v >> 12 & 0x3F))
            out.append(UInt8(0x80 | v >> 6 & 0x3F)); out.append(UInt8(0x80 | v & 0x3F))
        }
    }

    private mutating func windows1252(_ input: UnsafeBufferPointer<UInt8>, _ emit: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        out.removeAll(keepingCapacity: true)
        var i = 0
        if !carry.isEmpty {
            // The held bytes and enough of this chunk to decide them.
            let held = carry.count
            var joined = carry
            joined.append(contentsOf: UnsafeBufferPointer(rebasing: input[0..<min(input.count, 3)]))
            let used = joined.withUnsafeBufferPointer { Self.decode1252($0, from: 0, final: false, into: &out) }
            if used < held || used < joined.count && input.count <= 3 {
                // Still undecided: this short chunk is all held.
                carry = Array(joined[used...])
            } else {
                carry = []
                i = used - held
            }
        }
        if carry.isEmpty {
            let used = Self.decode1252(input, from: i, final: false, into: &out)
            carry = Array(input[used...])
        }
        if !out.isEmpty { try out.withUnsafeBufferPointer { try emit($0) } }
    }

    /// Decodes `b` from `from` into `out`; returns where it stopped: `b.count`, or (not `final`)
    /// the start of a possible UTF-8 sequence cut by the end of `b`.
    static func decode1252(_ b: UnsafeBufferPointer<UInt8>, from: Int, final: Bool, into out: inout [UInt8]) -> Int {
        let n = b.count
        var i = from
        out.reserveCapacity(out.count + (n - from) * 3 / 2 + 8)
        while i < n {
            var j = i
            while j < n && b[j] < 0x80 { j += 1 }
            if j > i { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[i..<j])); i = j; if i == n { break } }
            let c = b[i]
            // `Ã©`, `Â `, `â€™`: UTF-8 accented letters and punctuation read as Windows-1252,
            // which a French text never holds.
            if c == 0xC2 || c == 0xC3 {
                if i + 1 == n { if !final { return i } } else if b[i + 1] >= 0x80 && b[i + 1] <= 0xBF {
                    putReplacement(&out); i += 2; continue
                }
            } else if c == 0xE2 {
                let second = i + 1 < n ? b[i + 1] : nil
                if let second, second < 0x80 || second > 0x84 {
                    // not a UTF-8 punctuation mark
                } else if i + 2 >= n {
                    if !final { return i }
                } else if b[i + 2] >= 0x80 && b[i + 2] <= 0xBF {
                    putReplacement(&out); i += 3; continue
                }
            }
            put1252(c, &out)
            i += 1
        }
        return n
    }

    // MARK: UTF-16

    private mutating func utf16(_ input: UnsafeBufferPointer<UInt8>, bigEndian: Bool, _ emit: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        out.removeAll(keepingCapacity: true)
        out.reserveCapacity(input.count * 3 / 2 + 8)
        let n = input.count
        var i = 0
        if let first = oddByte, n > 0 {
            oddByte = nil
            unit(bigEndian ? UInt32(first) << 8 | UInt32(input[0]) : UInt32(input[0]) << 8 | UInt32(first))
            i = 1
        }
        while i + 1 < n {
            unit(bigEndian ? UInt32(input[i]) << 8 | UInt32(input[i + 1]) : UInt32(input[i + 1]) << 8 | UInt32(input[i]))
            i += 2
        }
        if i < n { oddByte = input[i] }
        if !out.isEmpty { try out.withUnsafeBufferPointer { try emit($0) } }
    }

    @inline(__always)
    private mutating func unit(_ u: UInt32) {
        if u < 0x80 && highSurrogate == nil { out.append(UInt8(u)); atStart = false; return }
        if let h = highSurrogate {
            highSurrogate = nil
            if u >= 0xDC00 && u <= 0xDFFF {
                Self.putScalar(0x10000 + (h - 0xD800) << 10 + (u - 0xDC00), &out)
                return
            }
            Self.putReplacement(&out)  // a high surrogate alone; `u` is read for itself
        }
        defer { atStart = false }
        switch u {
        case 0xD800...0xDBFF: highSurrogate = u
        case 0xDC00...0xDFFF: Self.putReplacement(&out)
        case 0xFEFF where atStart: break  // the byte-order mark
        default: Self.putScalar(u, &out)
        }
    }
}
