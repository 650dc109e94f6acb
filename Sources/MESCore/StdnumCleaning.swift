/// python-stdnum's input cleaning for `stdnum.fr.nir`, reproduced exactly:
/// map look-alike Unicode characters to ASCII (`stdnum.util._char_map`, only the
/// entries that yield a digit, a space or a dot matter for a NIR), delete spaces
/// and dots, strip Python whitespace at both ends, upper-case.
enum StdnumCleaning {
    /// Python's `str.strip()` set, less the characters the map turns into a space first.
    static func isStripped(_ v: UInt32) -> Bool {
        switch v {
        case 0x09...0x0D, 0x1C...0x1F, 0x85, 0x2028, 0x2029: return true
        default: return false
        }
    }

    /// What `_char_map` turns a scalar into, when that is a digit, a space or a dot.
    static func mapped(_ v: UInt32) -> UInt32 {
        switch v {
        case 0xA0, 0x2000...0x200A, 0x202F, 0x205F, 0x3000: return 0x20
        case 0xB7, 0x2D9, 0x387, 0x6D4, 0x701, 0x702, 0x830, 0xF0B, 0xF0C, 0x16EB, 0x2022, 0x2024,
             0x2027, 0x2219, 0x22C5, 0x2E31, 0x2E33, 0x3002, 0x30FB, 0xFBB2, 0xFBB3, 0xFE52, 0xFF0E,
             0xFF65, 0x10101, 0x1091F, 0x10A50:
            return 0x2E
        case 0xFF10...0xFF19: return 0x30 + (v - 0xFF10)
        case 0x1D7CE...0x1D7FF: return 0x30 + (v - 0x1D7CE) % 10
        default: return v
        }
    }

    /// Fast path for ASCII input; nil when the input holds any non-ASCII byte.
    static func cleanASCII(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var out = [UInt8]()
        out.reserveCapacity(16)
        for c in input {
            if c >= 0x80 { return nil }
            if c == 0x20 || c == 0x2E { continue }
            out.append(c)
        }
        return strip(out).map { ($0 >= 0x61 && $0 <= 0x7A) ? $0 - 32 : $0 }
    }

    private static func strip(_ b: [UInt8]) -> ArraySlice<UInt8> {
        var lo = 0, hi = b.count
        while lo < hi, isStripped(UInt32(b[lo])) { lo += 1 }
        while hi > lo, isStripped(UInt32(b[hi - 1])) { hi -= 1 }
        return b[lo..<hi]
    }

    /// The full Unicode path. Any character still outside ASCII after mapping is a
    /// non-digit, so it makes the input invalid whatever Python's `upper()` does to it.
    static func validate(_ input: String) -> NIRVerdict {
        var scalars = [UInt32]()
        for s in input.unicodeScalars {
            let m = mapped(s.value)
            if m == 0x20 || m == 0x2E { continue }
            scalars.append(m)
        }
        var lo = 0, hi = scalars.count
        while lo < hi, isStripped(scalars[lo]) { lo += 1 }
        while hi > lo, isStripped(scalars[hi - 1]) { hi -= 1 }
        var bytes = [UInt8]()
        for v in scalars[lo..<hi] {
            if v >= 0x80 { return .invalid(.character) }
            let c = UInt8(v)
            bytes.append((c >= 0x61 && c <= 0x7A) ? c - 32 : c)
        }
        return NIRValidator.stdnumVerdict(bytes)
    }
}
