/// Neutralising hostile data before it is shown: names, addresses, details and file contents
/// come from rosters, batches and people, and must not drive a terminal or a spreadsheet.
public enum TextEscaping {
    /// `s` made safe to print on a terminal as (part of) one line: every character that a
    /// terminal interprets or that reorders text is shown as a visible escape instead:
    ///
    /// - C0 controls U+0000–U+001F: `\t`, `\n`, `\r`, else `\x1b` style (two hex digits) —
    ///   tabs and line ends included, since a field shown on one line must stay on one line;
    /// - DEL (U+007F): `\x7f`;
    /// - C1 controls U+0080–U+009F (U+009B is a one-byte CSI on some terminals): `\u{9b}`;
    /// - bidirectional overrides and isolates U+202A–U+202E, U+2066–U+2069 (the "Trojan
    ///   Source" characters), the marks U+200E, U+200F, U+061C, and the line and paragraph
    ///   separators U+2028, U+2029: `\u{202e}`.
    ///
    /// Everything else (accents, « », ’, non-breaking spaces…) is kept. A backslash is not
    /// escaped: the output is for people, not meant to be parsed back. Clean input (the common
    /// case, checked on the UTF-8 bytes) is returned unchanged without copying.
    public static func terminalSafe(_ s: String) -> String {
        guard needsTerminalEscaping(s) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 16)
        for u in s.unicodeScalars {
            if let e = escape(u) { out += e } else { out.unicodeScalars.append(u) }
        }
        return out
    }

    /// `terminalSafe` for bytes written straight into an output buffer (hot paths such as
    /// `nir check` echoing its input): invalid UTF-8 is repaired with U+FFFD, as
    /// `String(decoding:as:)` does. Printable ASCII is appended as is, without a copy to `String`.
    public static func appendTerminalSafe(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var plain = true
        for c in bytes where c < 0x20 || c >= 0x7F { plain = false; break }
        if plain { out.append(contentsOf: bytes); return }
        out.append(contentsOf: terminalSafe(String(decoding: bytes, as: UTF8.self)).utf8)
    }

    /// Whether `terminalSafe` would change `s`.
    public static func needsTerminalEscaping(_ s: String) -> Bool {
        // Fast path on the bytes: ASCII controls and DEL, and the lead bytes of the only
        // multi-byte ranges concerned (C2: U+0080–U+00BF, D8: U+0600–U+063F, E2: U+2000–U+2FFF).
        let suspicious: Bool? = s.utf8.withContiguousStorageIfAvailable { b in
            for c in b where c < 0x20 || c == 0x7F || c == 0xC2 || c == 0xD8 || c == 0xE2 { return true }
            return false
        }
        if suspicious == false { return false }
        return s.unicodeScalars.contains { escape($0) != nil }
    }

    /// The visible escape of a scalar that must not reach a terminal, or nil.
    static func escape(_ u: Unicode.Scalar) -> String? {
        let v = u.value
        switch v {
        case 0x09: return "\\t"
        case 0x0A: return "\\n"
        case 0x0D: return "\\r"
        case 0x00..<0x20, 0x7F:
            return "\\x" + (v < 0x10 ? "0" : "") + String(v, radix: 16)
        case 0x80...0x9F, 0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069:
            return "\\u{" + String(v, radix: 16) + "}"
        default:
            return nil
        }
    }

    /// `s` made safe as one cell of a file a spreadsheet may open (CSV or tab-separated), per
    /// OWASP's "CSV Injection" guidance: a cell beginning with `=`, `+`, `-`, `@`, a tab or a
    /// carriage return (or the full-width `＝`, `＋`, `－`, `＠`, read as formulas by some
    /// spreadsheet locales), or with one of them after white space, is prefixed with a single
    /// quote `'`, so that it is read as text (`=HYPERLINK(…)` → `'=HYPERLINK(…)`).
    ///
    /// With `tabSeparated` (the default), tabs, line feeds and carriage returns inside the cell
    /// are replaced by spaces, since tab-separated text has no quoting; CSV output
    /// (`tabSeparated: false`) keeps them and relies on `CSVWriter` quoting the field.
    ///
    /// The cells `mes` writes are names, NIRs, dates, codes and labels, never numbers: a
    /// negative number such as `-1` would also gain a quote, which is not a concern here.
    /// Clean input is returned unchanged.
    public static func spreadsheetCell(_ s: String, tabSeparated: Bool = true) -> String {
        var v = s
        if tabSeparated && s.utf8.contains(where: { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            v = String(String.UnicodeScalarView(s.unicodeScalars.map { u in
                u == "\t" || u == "\n" || u == "\r" ? " " : u
            }))
        }
        // After leading white space too: LibreOffice's « Trim spaces » import reads « ␠=1 » as « =1 ».
        if let first = s.unicodeScalars.first(where: { $0 == "\t" || $0 == "\r" || !$0.properties.isWhitespace }),
           formulaStarts.contains(first) { v = "'" + v }
        return v
    }

    /// The first characters that make a spreadsheet read a cell as a formula.
    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r", "\u{FF1D}", "\u{FF0B}", "\u{FF0D}", "\u{FF20}"]
}
