/// Text made safe for the XML the writer produces.
enum XMLText {
    /// Whether XML 1.0 may hold the character (C0 controls other than tab, line feed and
    /// carriage return are forbidden, and so are U+FFFE and U+FFFF).
    static func isAllowed(_ c: Unicode.Scalar) -> Bool {
        c.value >= 0x20 ? c.value != 0xFFFE && c.value != 0xFFFF : c == "\t" || c == "\n" || c == "\r"
    }

    /// The text without the characters XML 1.0 forbids.
    static func allowed(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { !isAllowed($0) }) else { return s }
        return String(String.UnicodeScalarView(s.unicodeScalars.filter(isAllowed)))
    }

    /// Escaped for element content and attribute values: `& < > " '`, and tab, line feed and
    /// carriage return as character references (a parser keeps them as they are); forbidden
    /// characters dropped.
    static func escape(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for c in s.unicodeScalars where isAllowed(c) {
            switch c {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "'": out.append(contentsOf: "&apos;".unicodeScalars)
            case "\t": out.append(contentsOf: "&#9;".unicodeScalars)
            case "\n": out.append(contentsOf: "&#10;".unicodeScalars)
            case "\r": out.append(contentsOf: "&#13;".unicodeScalars)
            default: out.append(c)
            }
        }
        return String(out)
    }

    /// OOXML reads `_xHHHH_` as an escaped character: an underscore that would start one is
    /// written `_x005F_`, so the text reads back as it was.
    static func escapeOOXMLUnderscores(_ s: String) -> String {
        guard s.contains("_x") || s.contains("_X") else { return s }
        let u = Array(s.unicodeScalars)
        var out = String.UnicodeScalarView()
        for (i, c) in u.enumerated() {
            if c == "_", i + 6 < u.count, u[i + 1] == "x" || u[i + 1] == "X", u[i + 6] == "_",
               u[(i + 2)..<(i + 6)].allSatisfy(\.properties.isASCIIHexDigit) {
                out.append(contentsOf: "_x005F_".unicodeScalars)
            } else {
                out.append(c)
            }
        }
        return String(out)
    }

    /// A cell's text as ODF paragraphs: one `text:p` per line (LF, CRLF or CR), tabs as
    /// `text:tab`, and every space ODF would fold (at either end, or after another) as `text:s`.
    static func odfParagraphs(_ value: String) -> [UInt8] {
        var out: [UInt8] = []
        let normalised = value.replacingAll("\r\n", with: "\n").replacingAll("\r", with: "\n")
        for line in normalised.split(separator: "\n", omittingEmptySubsequences: false) {
            let scalars = Array(line.unicodeScalars.filter(isAllowed))
            if scalars.isEmpty { out += Array("<text:p/>".utf8); continue }
            out += Array("<text:p>".utf8)
            var i = 0
            while i < scalars.count {
                let c = scalars[i]
                if c == " " {
                    var n = 0
                    while i + n < scalars.count, scalars[i + n] == " " { n += 1 }
                    let inside = i > 0 && scalars[i - 1] != "\t" && i + n < scalars.count
                    if inside { out.append(0x20) }
                    let folded = inside ? n - 1 : n
                    if folded == 1 { out += Array("<text:s/>".utf8) }
                    if folded > 1 { out += Array("<text:s text:c=\"\(folded)\"/>".utf8) }
                    i += n
                    continue
                }
                if c == "\t" { out += Array("<text:tab/>".utf8) } else { out += Array(escape(String(c)).utf8) }
                i += 1
            }
            out += Array("</text:p>".utf8)
        }
        return out
    }
}

extension String {
    /// Every occurrence of `target` replaced (no Foundation).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        var out = ""
        var rest = self[...]
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}
