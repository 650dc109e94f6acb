/// The Assurance Maladie's own NIR validator (`assurance-maladie-digital/nir-validation`, PHP,
/// `Cnamts\Nir\Constraints\NirValidator`, version 2), reproduced for its verdicts:
///
/// - cleaning: every U+0020 space removed, then PHP's `trim` (tab, line feed, carriage return,
///   NUL, vertical tab) at both ends, then `mb_strtoupper` (full Unicode case mapping);
/// - length in characters 13 or 15 (its `LENGTH_ERROR`); the key is checked only at 15, so 13
///   characters with a valid structure are valid;
/// - structure (its `NIR_INVALID`): sex 1 or 2, two year digits, month 01–12 or 20–99, a 2-digit
///   department or 2A/2B, 3 commune and 3 order digits (000 allowed), and a key 00–97;
/// - key (its `NIR_KEY_INVALID`): 97 − body mod 97 with 2A as 19 and 2B as 18, `NIR.key`.
///
/// A valid 13-character input becomes the NIR with its computed key. Reasons: `empty` and
/// `length` are its length error, `key` with a digit key 00–97 its key error; every other
/// reason (and `key` for 98 or 99) its format error.
enum CnamRules {
    /// PHP's default `trim` set, less the space (already removed).
    @inline(__always) static func isTrimmed(_ c: UInt8) -> Bool { c == 0x09 || c == 0x0A || c == 0x0D || c == 0x00 || c == 0x0B }

    /// Validates raw bytes; input that is not ASCII goes through the Unicode path.
    static func validate(bytes input: UnsafeBufferPointer<UInt8>) -> NIRVerdict {
        guard input.allSatisfy({ $0 < 0x80 }) else { return validate(String(decoding: input, as: UTF8.self)) }
        var b = [UInt8]()
        b.reserveCapacity(16)
        for c in input where c != 0x20 { b.append(c >= 0x61 && c <= 0x7A ? c - 32 : c) }
        var lo = 0, hi = b.count
        while lo < hi, isTrimmed(b[lo]) { lo += 1 }
        while hi > lo, isTrimmed(b[hi - 1]) { hi -= 1 }
        return verdict(b[lo..<hi])
    }

    /// The Unicode path: upper-casing may change the number of characters (ß → SS), which
    /// decides between the length and the format errors.
    static func validate(_ input: String) -> NIRVerdict {
        var scalars = Array(input.unicodeScalars.filter { $0 != " " })
        while let f = scalars.first, f.isASCII, isTrimmed(UInt8(f.value)) { scalars.removeFirst() }
        while let l = scalars.last, l.isASCII, isTrimmed(UInt8(l.value)) { scalars.removeLast() }
        var s = String.UnicodeScalarView()
        s.append(contentsOf: scalars)
        let upper = String(s).uppercased().unicodeScalars
        guard upper.count == 13 || upper.count == 15 else { return .invalid(upper.isEmpty ? .empty : .length) }
        guard upper.allSatisfy(\.isASCII) else { return .invalid(.character) }
        return verdict(ArraySlice(upper.map { UInt8($0.value) }))
    }

    /// Length, structure and key of cleaned, upper-cased ASCII.
    static func verdict(_ b: ArraySlice<UInt8>) -> NIRVerdict {
        let b = Array(b)
        guard b.count == 13 || b.count == 15 else { return .invalid(b.isEmpty ? .empty : .length) }
        let corsica = b[5] == 0x32 && (b[6] == 0x41 || b[6] == 0x42)
        for (i, c) in b.enumerated() where !(c >= 0x30 && c <= 0x39) && !(i == 6 && corsica) { return .invalid(.character) }
        func number(_ i: Int) -> Int { Int(b[i] - 0x30) * 10 + Int(b[i + 1] - 0x30) }
        if b[0] != 0x31 && b[0] != 0x32 { return .invalid(.sex) }
        let month = number(3)
        if month == 0 || (13...19).contains(month) { return .invalid(.month) }
        if b.count == 15 {
            guard number(13) == NIR.key(forBody: b[0..<13]) else { return .invalid(.key) }
            return .valid(NIR(uncheckedCompact: String(decoding: b, as: UTF8.self)))
        }
        return .valid(NIR(uncheckedCompact: NIR.completing(body: b)!))
    }
}
