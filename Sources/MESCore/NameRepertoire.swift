/// Which characters a person's name may hold: those every receipt, letter and message prints
/// exactly, so that the signed page shows the name the register holds and `receipt verify`
/// reads it back.
///
/// French civil status writes names in Latin script; people born abroad bring Latin letters
/// beyond French's (Ł, Ş, ğ, ı, Đ, ễ). A name may hold, once in Unicode NFC:
/// - the characters of the standard PDF fonts' encoding (WinAnsi: ASCII, Latin-1 and 27 more,
///   such as œ, Œ, Š, ’), less the soft hyphen;
/// - the Latin Extended-A and -B letters (U+0100–U+024F) and Latin Extended Additional
///   (U+1E00–U+1EFB: Vietnamese and others), printed with an embedded font.
///
/// Everything else is refused at the input, naming the character: other scripts (Greek,
/// Cyrillic, Arabic, CJK), emoji, control characters (C0, C1 with NEL), line and paragraph
/// separators, bidirectional controls, zero-width characters, and combining marks left over
/// after NFC.
public enum NameRepertoire {
    /// The 27 characters WinAnsi places in 0x80–0x9F (the rest of 0x80–0x9F are C1 controls).
    public static let winAnsiHigh: Set<UInt32> = [
        0x20AC, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x017D,
        0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x017E, 0x0178,
    ]

    /// The Latin ranges beyond WinAnsi that the embedded font prints (`scripts/make-latin-font.py`).
    public static let extendedRanges: [ClosedRange<UInt32>] = [0x0100...0x024F, 0x1E00...0x1EFB]

    /// Whether the standard fonts print `u` (no embedded font needed).
    @inline(__always)
    public static func isStandard(_ u: Unicode.Scalar) -> Bool {
        let v = u.value
        if v >= 0x20 && v < 0x7F { return true }
        if v >= 0xA0 && v <= 0xFF { return v != 0xAD }
        return winAnsiHigh.contains(v)
    }

    /// Whether a name may hold `u`.
    /// A letter is allowed with its capital (receipts print last names in capitals): the few
    /// whose capital lies outside the repertoire (ȿ, ɀ) are not.
    @inline(__always)
    public static func allows(_ u: Unicode.Scalar) -> Bool {
        if isStandard(u) { return true }
        guard isExtended(u) else { return false }
        return u.properties.uppercaseMapping.unicodeScalars.allSatisfy { isStandard($0) || isExtended($0) }
    }

    static func isExtended(_ u: Unicode.Scalar) -> Bool {
        let v = u.value
        return extendedRanges.contains { $0.contains(v) }
    }

    /// Whether `bytes` are UTF-8 holding only allowed characters, none of them a no-break space
    /// at either end: then they are stored as they are (already NFC). Read in place; invalid
    /// UTF-8 (a continuation byte missing, an overlong form) is false.
    public static func allowsAsStored(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0, first = true
        var last: UInt32 = 0
        let n = bytes.count
        @inline(__always) func continuation(_ k: Int) -> UInt32? {
            let c = bytes[k]
            return c & 0xC0 == 0x80 ? UInt32(c & 0x3F) : nil
        }
        while i < n {
            let b0 = UInt32(bytes[i])
            var v: UInt32, len: Int
            if b0 < 0x80 { v = b0; len = 1 }
            else if b0 >> 5 == 0x6, i + 1 < n, let c1 = continuation(i + 1) { v = (b0 & 0x1F) << 6 | c1; len = 2; guard v >= 0x80 else { return false } }
            else if b0 >> 4 == 0xE, i + 2 < n, let c1 = continuation(i + 1), let c2 = continuation(i + 2) {
                v = (b0 & 0x0F) << 12 | c1 << 6 | c2; len = 3
                guard v >= 0x800 else { return false }
            } else if b0 >> 3 == 0x1E, i + 3 < n, let c1 = continuation(i + 1), let c2 = continuation(i + 2), let c3 = continuation(i + 3) {
                v = (b0 & 0x07) << 18 | c1 << 12 | c2 << 6 | c3; len = 4
                guard v >= 0x10000 else { return false }
            } else { return false }
            guard let u = Unicode.Scalar(v), allows(u) else { return false }
            if first && v == 0xA0 { return false }
            first = false
            last = v
            i += len
        }
        return last != 0xA0
    }

    /// Whether the standard fonts print all of `s`.
    public static func isStandard(_ s: some StringProtocol) -> Bool {
        s.unicodeScalars.allSatisfy(isStandard)
    }

    /// `s` in Unicode NFC (composed: `e` + U+0302 + U+0303 becomes `ễ`).
    public static func nfc(_ s: String) -> String {
        String(decoding: s._nfcCodeUnits, as: UTF8.self)
    }

    /// The first character of `s` (taken in NFC) that a name may not hold, or nil.
    public static func firstRefused(in s: String) -> Unicode.Scalar? {
        nfc(s).unicodeScalars.first { !allows($0) }
    }

    /// The French reason a name holding `u` is refused: the character (when it is visible) and
    /// its code point, e.g. `caractère non imprimable sur le justificatif : « 李 » (U+674E)`.
    public static func refusal(_ u: Unicode.Scalar) -> String {
        let hex = String(u.value, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        let p = u.properties
        let visible = !(p.generalCategory == .control || p.generalCategory == .format || p.generalCategory == .lineSeparator
                        || p.generalCategory == .paragraphSeparator || p.generalCategory == .spaceSeparator
                        || p.generalCategory == .nonspacingMark || p.generalCategory == .enclosingMark
                        || p.generalCategory == .spacingMark || p.generalCategory == .unassigned
                        || p.generalCategory == .privateUse || p.generalCategory == .surrogate)
        return "caractère non imprimable sur le justificatif : " + (visible ? "« \(Character(u)) » " : "") + "(\(code))"
    }
}
