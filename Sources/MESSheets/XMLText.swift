/// Text made safe for the XML the writer produces, written as UTF-8 bytes.
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

    /// Escaped for element content and attribute values (see `append`).
    static func escape(_ s: String) -> String {
        var out: [UInt8] = []
        append(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static let amp = Array("&amp;".utf8), lt = Array("&lt;".utf8), gt = Array("&gt;".utf8)
    private static let quot = Array("&quot;".utf8), apos = Array("&apos;".utf8)
    private static let tab = Array("&#9;".utf8), lf = Array("&#10;".utf8), cr = Array("&#13;".utf8)
    private static let underscore = Array("_x005F".utf8)

    /// Whether `b[i]` starts an OOXML escape `_xHHHH_`.
    static func startsOOXMLEscape(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, end: Int) -> Bool {
        guard b[i] == UInt8(ascii: "_"), i + 6 < end, b[i + 1] | 0x20 == UInt8(ascii: "x"), b[i + 6] == UInt8(ascii: "_") else { return false }
        for k in (i + 2)..<(i + 6) {
            let c = b[k] | 0x20
            guard (c >= 0x30 && c <= 0x39) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f")) else { return false }
        }
        return true
    }

    /// Appends `b[range]` escaped: `& < > " '`, and tab, line feed and carriage return as
    /// character references (a parser keeps them as they are); the characters XML forbids are
    /// dropped. With `ooxmlUnderscores`, an underscore that would start an OOXML escape
    /// (`_x0041_`) is written `_x005F_` so that it reads back as itself.
    static func append(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, to out: inout [UInt8], ooxmlUnderscores: Bool = false) {
        var i = range.lowerBound, run = range.lowerBound
        let end = range.upperBound
        while i < end {
            let c = b[i]
            let replacement: [UInt8]
            var width = 1
            switch c {
            case UInt8(ascii: "&"): replacement = amp
            case UInt8(ascii: "<"): replacement = lt
            case UInt8(ascii: ">"): replacement = gt
            case UInt8(ascii: "\""): replacement = quot
            case UInt8(ascii: "'"): replacement = apos
            case 0x09: replacement = tab
            case 0x0A: replacement = lf
            case 0x0D: replacement = cr
            case 0x00..<0x20: replacement = []
            case 0xEF where i + 2 < end && b[i + 1] == 0xBF && (b[i + 2] == 0xBE || b[i + 2] == 0xBF):
                replacement = []  // U+FFFE, U+FFFF
                width = 3
            case UInt8(ascii: "_") where ooxmlUnderscores && startsOOXMLEscape(b, i, end: end):
                replacement = underscore
                width = 0  // the underscore itself follows, as the escape's end
            default:
                i += 1
                continue
            }
            out.append(contentsOf: b[run..<i])
            out.append(contentsOf: replacement)
            i += width
            if width == 0 { out.append(UInt8(ascii: "_")); i += 1 }
            run = i
        }
        out.append(contentsOf: b[run..<end])
    }

    /// Appends the whole string escaped (see the other `append`).
    static func append(_ s: String, to out: inout [UInt8], ooxmlUnderscores: Bool = false) {
        var s = s
        s.withUTF8 { append($0, 0..<$0.count, to: &out, ooxmlUnderscores: ooxmlUnderscores) }
    }

    /// Appends a cell's text as ODF paragraphs: one `text:p` per line (LF, CRLF or CR), tabs
    /// as `text:tab`, and every space ODF would fold (at a paragraph's start, after a tab, or
    /// after another space) as `text:s`, as LibreOffice writes them.
    static func appendODFParagraphs(_ value: String, to out: inout [UInt8]) {
        var value = value
        value.withUTF8 { b in
            var start = 0
            while start <= b.count {
                var end = start
                while end < b.count, b[end] != 0x0A, b[end] != 0x0D { end += 1 }
                paragraph(b, start..<end, to: &out)
                guard end < b.count else { break }
                start = end + (b[end] == 0x0D && end + 1 < b.count && b[end + 1] == 0x0A ? 2 : 1)
                if start == b.count { paragraph(b, start..<start, to: &out); break }
            }
        }
    }

    private static func paragraph(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, to out: inout [UInt8]) {
        guard !range.isEmpty else { out.append(contentsOf: "<text:p/>".utf8); return }
        out.append(contentsOf: "<text:p>".utf8)
        var i = range.lowerBound
        var afterText = false  // a literal space would be kept here
        while i < range.upperBound {
            switch b[i] {
            case 0x20:
                var n = 0
                while i + n < range.upperBound, b[i + n] == 0x20 { n += 1 }
                if afterText { out.append(0x20); n -= 1 }
                if n == 1 { out.append(contentsOf: "<text:s/>".utf8) }
                if n > 1 { out.append(contentsOf: "<text:s text:c=\"\(n)\"/>".utf8) }
                i += n + (afterText ? 1 : 0)
                afterText = false
            case 0x09:
                out.append(contentsOf: "<text:tab/>".utf8)
                i += 1
                afterText = false
            default:
                var j = i
                while j < range.upperBound, b[j] != 0x20, b[j] != 0x09 { j += 1 }
                let before = out.count
                append(b, i..<j, to: &out)
                if out.count > before { afterText = true }
                i = j
            }
        }
        out.append(contentsOf: "</text:p>".utf8)
    }
}
