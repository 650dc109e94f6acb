/// A small PDF 1.4 writer: one or more pages of text in the standard Helvetica fonts with
/// WinAnsiEncoding (so French accents render without embedding a font), exact cross-reference
/// offsets, and deterministic bytes for the same input. A line holding letters beyond WinAnsi
/// (Ł, Ş, ễ…) is drawn in `LatinFont`, of which the document embeds the glyphs it uses.
import MESCore

public struct PDFWriter {
    /// A4 in points.
    public static let pageWidth = 595.28
    public static let pageHeight = 841.89

    /// `latin`: the embedded font (`LatinFont`), for lines the standard fonts cannot draw.
    public enum Font: String, Sendable { case regular = "F1", bold = "F2", latin = "F3" }

    /// One line of text at a position (points from the bottom-left corner).
    public struct TextRun: Sendable {
        /// The text in WinAnsi bytes (UTF-8 for the `latin` font).
        public var bytes: [UInt8]
        public var text: String { font == .latin ? String(decoding: bytes, as: UTF8.self) : WinAnsi.decode(bytes) }
        public var x: Double
        public var y: Double
        public var size: Double
        public var font: Font
        /// 0 black … 1 white.
        public var gray: Double

        public init(_ text: String, x: Double, y: Double, size: Double = 11, font: Font = .regular, gray: Double = 0) {
            self.init(bytes: WinAnsi.encode(text), x: x, y: y, size: size, font: font, gray: gray)
        }

        public init(bytes: [UInt8], x: Double, y: Double, size: Double = 11, font: Font = .regular, gray: Double = 0) {
            self.bytes = bytes
            self.x = x
            self.y = y
            self.size = size
            self.font = font
            self.gray = gray
        }

        /// A line of any text a name may hold (`NameRepertoire`): in `font` when the standard
        /// fonts draw it all, otherwise in the embedded `latin` font, so that it prints exactly.
        public static func exact(_ text: String, x: Double, y: Double, size: Double = 11, font: Font = .regular,
                                 gray: Double = 0) -> TextRun {
            if NameRepertoire.isStandard(text) { return TextRun(text, x: x, y: y, size: size, font: font, gray: gray) }
            return TextRun(bytes: Array(text.utf8), x: x, y: y, size: size, font: .latin, gray: gray)
        }
    }

    /// A horizontal rule.
    public struct Rule: Sendable {
        public var x1: Double, x2: Double, y: Double, width: Double, gray: Double
        public init(x1: Double, x2: Double, y: Double, width: Double = 0.5, gray: Double = 0.6) {
            self.x1 = x1
            self.x2 = x2
            self.y = y
            self.width = width
            self.gray = gray
        }
    }

    public struct Page: Sendable {
        /// Content-stream bytes drawn before the runs (a fixed part rendered once by the caller).
        public var prefix: [UInt8] = []
        public var runs: [TextRun] = []
        public var rules: [Rule] = []
        public init() {}
    }

    /// A text string of the document information, encoded once (UTF-16BE with a byte-order
    /// mark, in hex): constant metadata can be kept in a `static let`.
    public struct TextString: ExpressibleByStringLiteral, Sendable {
        let encoded: [UInt8]
        public let isEmpty: Bool

        public init(_ s: String) {
            var out: [UInt8] = []
            PDFWriter.textString(s, into: &out)
            encoded = out
            isEmpty = s.isEmpty
        }

        public init(stringLiteral s: String) { self.init(s) }
    }

    public var pages: [Page] = []
    public var title: TextString = ""
    public var author: TextString = ""
    public var subject: TextString = ""
    public var keywords: TextString = ""
    public var producer: TextString = "mes"
    /// `D:20220203110000+01'00'`.
    public var creationDate: [UInt8] = []
    /// A signature field with an empty signature to fill (`PDFSignature.swift`); none by default.
    public var signature: SignatureSlot?

    public init() {}

    /// The document's bytes.
    public func render() -> [UInt8] { renderDocument().bytes }

    /// The bytes, and where the signature dictionary's `/ByteRange` array and `/Contents` hex
    /// string are when there is a signature slot.
    func renderDocument() -> (bytes: [UInt8], slot: (byteRange: Int, contents: Range<Int>)?) {
        var slot: (byteRange: Int, contents: Range<Int>)?
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        var offsets: [Int] = []
        func begin() {
            offsets.append(out.count)
            Self.appendInt(offsets.count, to: &out)
            out += Self.objOpen
        }
        out += Self.header
        let firstPage = 6
        // With a signature: its widget annotation and signature dictionary follow the pages.
        let widget = firstPage + pages.count * 2
        // With lines in the embedded font: its five objects come last.
        let latin = latinSubset()
        let latinFont = widget + (signature != nil ? 2 : 0)
        begin()
        if signature != nil {
            out += Self.catalogOpen
            Self.appendInt(widget, to: &out)
            out += " 0 R] /SigFlags 3 >> >>".utf8
        } else {
            out += Self.catalog
        }
        out += Self.objClose
        begin()
        out += "<< /Type /Pages /Kids [".utf8
        for i in pages.indices {
            if i > 0 { out.append(0x20) }
            Self.appendInt(firstPage + i * 2, to: &out)
            out += " 0 R".utf8
        }
        out += "] /Count ".utf8
        Self.appendInt(pages.count, to: &out)
        out += " >>".utf8
        out += Self.objClose
        begin(); out += Self.helvetica; out += Self.objClose
        begin(); out += Self.helveticaBold; out += Self.objClose
        begin()
        out += "<< /Title ".utf8; out += title.encoded
        out += " /Producer ".utf8; out += producer.encoded
        if !author.isEmpty { out += " /Author ".utf8; out += author.encoded }
        if !subject.isEmpty { out += " /Subject ".utf8; out += subject.encoded }
        if !keywords.isEmpty { out += " /Keywords ".utf8; out += keywords.encoded }
        if !creationDate.isEmpty { out += " /CreationDate (".utf8; out += creationDate; out.append(0x29) }
        out += " >>".utf8
        out += Self.objClose
        for (i, page) in pages.enumerated() {
            begin()
            if latin != nil {
                out += Self.pageOpenWithLatin
                Self.appendInt(latinFont, to: &out)
                out += " 0 R >> >> /Contents ".utf8
            } else {
                out += Self.pageOpen
            }
            Self.appendInt(firstPage + i * 2 + 1, to: &out)
            if i == 0 && signature != nil {
                out += " 0 R /Annots [".utf8
                Self.appendInt(widget, to: &out)
                out += " 0 R] >>".utf8
            } else {
                out += " 0 R >>".utf8
            }
            out += Self.objClose
            let stream = content(page, latin: latin?.code)
            begin()
            out += "<< /Length ".utf8
            Self.appendInt(stream.count, to: &out)
            out += " >>\nstream\n".utf8
            out += stream
            out += "\nendstream".utf8
            out += Self.objClose
        }
        if let signature {
            begin()
            signature.appendWidget(signatureObject: widget + 1, page: firstPage, to: &out)
            out += Self.objClose
            begin()
            slot = signature.appendDictionary(to: &out)
            out += Self.objClose
        }
        if let latin {
            for object in Self.fontObjects(latin, first: latinFont) {
                begin()
                out += object
                out += Self.objClose
            }
        }
        let xref = out.count
        out += "xref\n0 ".utf8
        Self.appendInt(offsets.count + 1, to: &out)
        out += "\n0000000000 65535 f \n".utf8
        for o in offsets {
            var digits = [UInt8](repeating: 0x30, count: 10)
            var v = o, k = 9
            while v > 0 && k >= 0 { digits[k] = UInt8(0x30 + v % 10); v /= 10; k -= 1 }
            out += digits
            out += " 00000 n \n".utf8
        }
        out += "trailer\n<< /Size ".utf8
        Self.appendInt(offsets.count + 1, to: &out)
        out += " /Root 1 0 R /Info 5 0 R >>\nstartxref\n".utf8
        Self.appendInt(xref, to: &out)
        out += "\n%%EOF\n".utf8
        return (out, slot)
    }

    static let header: [UInt8] = Array("%PDF-1.4\n%".utf8) + [0xE2, 0xE3, 0xCF, 0xD3, 0x0A]
    static let objOpen: [UInt8] = Array(" 0 obj\n".utf8)
    static let objClose: [UInt8] = Array("\nendobj\n".utf8)
    static let catalog: [UInt8] = Array("<< /Type /Catalog /Pages 2 0 R >>".utf8)
    static let catalogOpen: [UInt8] = Array("<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [".utf8)
    static let helvetica: [UInt8] = Array("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".utf8)
    static let helveticaBold: [UInt8] = Array("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>".utf8)
    static let pageOpen: [UInt8] = Array("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents ".utf8)
    static let pageOpenWithLatin: [UInt8] = Array("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Resources << /Font << /F1 3 0 R /F2 4 0 R /F3 ".utf8)
    static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Appends a non-negative integer in decimal.
    static func appendInt(_ v: Int, to out: inout [UInt8]) {
        if v < 10 { out.append(UInt8(0x30 + v)); return }
        var n = v, divisor = 1
        while n >= 10 { n /= 10; divisor *= 10 }
        n = v
        while divisor > 0 { out.append(UInt8(0x30 + n / divisor)); n %= divisor; divisor /= 10 }
    }

    /// Appends a number with at most two decimals, no exponent, no trailing zeros.
    static func appendNum(_ v: Double, to out: inout [UInt8]) {
        let scaled = Int((v * 100).rounded())
        if scaled < 0 { out.append(0x2D) }
        let a = abs(scaled)
        appendInt(a / 100, to: &out)
        let frac = a % 100
        if frac == 0 { return }
        out.append(0x2E)
        out.append(UInt8(0x30 + frac / 10))
        if frac % 10 != 0 { out.append(UInt8(0x30 + frac % 10)) }
    }

    /// A number as the writer prints it (tests).
    func num(_ v: Double) -> String {
        var b: [UInt8] = []
        Self.appendNum(v, to: &b)
        return String(decoding: b, as: UTF8.self)
    }

    private func content(_ page: Page, latin: [UInt32: UInt16]?) -> [UInt8] {
        var s = page.prefix
        s += Self.content(runs: page.runs, rules: page.rules, latin: latin)
        return s
    }

    /// The content-stream operators drawing `rules` then `runs`; `latin` maps the characters
    /// of `latin` runs to the embedded subset's glyphs.
    public static func content(runs: [TextRun], rules: [Rule], latin: [UInt32: UInt16]? = nil) -> [UInt8] {
        var s: [UInt8] = []
        s.reserveCapacity(2048)
        for r in rules {
            append("q ", to: &s); appendNum(r.gray, to: &s)
            append(" G ", to: &s); appendNum(r.width, to: &s)
            append(" w ", to: &s); appendNum(r.x1, to: &s)
            s.append(0x20); appendNum(r.y, to: &s)
            append(" m ", to: &s); appendNum(r.x2, to: &s)
            s.append(0x20); appendNum(r.y, to: &s)
            append(" l S Q\n", to: &s)
        }
        for r in runs {
            switch r.font {
            case .regular: append("BT /F1 ", to: &s)
            case .bold: append("BT /F2 ", to: &s)
            case .latin: append("BT /F3 ", to: &s)
            }
            appendNum(r.size, to: &s)
            append(" Tf ", to: &s); appendNum(r.gray, to: &s)
            append(" g ", to: &s); appendNum(r.x, to: &s)
            s.append(0x20); appendNum(r.y, to: &s)
            append(" Td ", to: &s)
            if r.font == .latin {
                // Identity-H: each character as its glyph's two bytes, in hex.
                s.append(0x3C)
                for u in r.text.unicodeScalars {
                    let g = latin?[u.value] ?? 0
                    for shift in [12, 8, 4, 0] { s.append(hexDigits[Int(g >> UInt16(shift) & 15)]) }
                }
                s.append(0x3E)
            } else {
                literal(r.bytes, into: &s)
            }
            append(" Tj ET\n", to: &s)
        }
        return s
    }

    /// Appends the bytes of a literal (no `String` work).
    @inline(__always)
    static func append(_ text: StaticString, to out: inout [UInt8]) {
        text.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    /// A PDF literal string with `( ) \` escaped.
    func literal(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        Self.literal(bytes, into: &out)
        return out
    }

    static func literal(_ bytes: [UInt8], into out: inout [UInt8]) {
        out.append(0x28)
        if !bytes.contains(where: { $0 == 0x28 || $0 == 0x29 || $0 == 0x5C || $0 == 0x0D || $0 == 0x0A }) {
            out += bytes
            out.append(0x29)
            return
        }
        for b in bytes { literalByte(b, into: &out) }
        out.append(0x29)
    }

    /// One byte of a literal string: `( ) \` escaped, and line ends (a bare carriage return
    /// would be read as a line feed).
    @inline(__always) static func literalByte(_ b: UInt8, into out: inout [UInt8]) {
        switch b {
        case 0x28, 0x29, 0x5C: out.append(0x5C); out.append(b)
        case 0x0D: out.append(0x5C); out.append(0x72)
        case 0x0A: out.append(0x5C); out.append(0x6E)
        default: out.append(b)
        }
    }

    /// A text string for the document information: UTF-16BE with a byte-order mark, in hex.
    static func textString(_ s: String, into out: inout [UInt8]) {
        out += "<FEFF".utf8
        for u in s.utf16 {
            out.append(hexDigits[Int(u >> 12)])
            out.append(hexDigits[Int((u >> 8) & 15)])
            out.append(hexDigits[Int((u >> 4) & 15)])
            out.append(hexDigits[Int(u & 15)])
        }
        out.append(0x3E)
    }

    /// Width of `text` in points in a standard Helvetica font (for layout and wrapping).
    /// Width of WinAnsi bytes in points.
    public static func width(bytes: [UInt8], size: Double, font: Font = .regular) -> Double {
        var units = 0
        for b in bytes { units += HelveticaMetrics.width(b, bold: font == .bold) }
        return Double(units) * size / 1000
    }

    public static func width(_ text: some StringProtocol, size: Double, font: Font = .regular) -> Double {
        var units = 0
        for u in text.unicodeScalars { units += HelveticaMetrics.width(WinAnsi.byte(u), bold: font == .bold) }
        return Double(units) * size / 1000
    }

    /// Splits WinAnsi text into lines no wider than `maxWidth` (greedy, one pass).
    public static func wrap(bytes: [UInt8], size: Double, font: Font = .regular, maxWidth: Double) -> [[UInt8]] {
        let bold = font == .bold
        let limit = Int(maxWidth * 1000 / size)
        let space = HelveticaMetrics.width(0x20, bold: bold)
        var lines: [[UInt8]] = []
        var lineStart = 0, lineEnd = 0, lineUnits = 0
        var i = 0
        let n = bytes.count
        while i < n {
            while i < n && bytes[i] == 0x20 { i += 1 }
            if i >= n { break }
            let start = i
            var units = 0
            while i < n && bytes[i] != 0x20 { units += HelveticaMetrics.width(bytes[i], bold: bold); i += 1 }
            if lineEnd > lineStart && lineUnits + space + units > limit {
                lines.append(Array(bytes[lineStart..<lineEnd]))
                lineStart = start
                lineUnits = units
            } else if lineEnd == lineStart {
                lineStart = start
                lineUnits = units
            } else {
                lineUnits += space + units
            }
            lineEnd = i
        }
        if lineEnd > lineStart { lines.append(Array(bytes[lineStart..<lineEnd])) }
        return lines
    }

    /// Splits a paragraph into lines no wider than `maxWidth`.
    public static func wrap(_ text: String, size: Double, font: Font = .regular, maxWidth: Double) -> [String] {
        wrap(bytes: WinAnsi.encode(text), size: size, font: font, maxWidth: maxWidth).map(WinAnsi.decode)
    }
}

/// Windows-1252 (WinAnsiEncoding), the 8-bit encoding of the standard PDF fonts.
public enum WinAnsi {
    static let high: [UInt32: UInt8] = [
        0x20AC: 0x80, 0x201A: 0x82, 0x0192: 0x83, 0x201E: 0x84, 0x2026: 0x85, 0x2020: 0x86, 0x2021: 0x87, 0x02C6: 0x88,
        0x2030: 0x89, 0x0160: 0x8A, 0x2039: 0x8B, 0x0152: 0x8C, 0x017D: 0x8E, 0x2018: 0x91, 0x2019: 0x92, 0x201C: 0x93,
        0x201D: 0x94, 0x2022: 0x95, 0x2013: 0x96, 0x2014: 0x97, 0x02DC: 0x98, 0x2122: 0x99, 0x0161: 0x9A, 0x203A: 0x9B,
        0x0153: 0x9C, 0x017E: 0x9E, 0x0178: 0x9F,
    ]

    /// The byte of one character; characters outside the encoding become `?`.
    @inline(__always)
    public static func byte(_ u: Unicode.Scalar) -> UInt8 {
        let v = u.value
        if v < 0x80 || (v >= 0xA0 && v <= 0xFF) { return UInt8(v) }
        if v == 0x202F { return 0x20 }
        return high[v] ?? 0x3F
    }

    /// Encodes text; characters outside the encoding become `?`.
    public static func encode(_ s: String) -> [UInt8] {
        let ascii: [UInt8]? = s.utf8.withContiguousStorageIfAvailable { u in
            u.allSatisfy { $0 < 0x80 } ? Array(u) : nil
        } ?? nil
        if let ascii { return ascii }
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars { out.append(byte(u)) }
        return out
    }

    /// Decodes WinAnsi bytes back to text.
    public static func decode(_ bytes: [UInt8]) -> String {
        var reverse: [UInt8: UInt32] = [:]
        for (k, v) in high { reverse[v] = k }
        var s = String.UnicodeScalarView()
        for b in bytes {
            let v = reverse[b] ?? UInt32(b)
            if let u = Unicode.Scalar(v) { s.append(u) }
        }
        return String(s)
    }
}
