/// A small PDF 1.5 writer: one or more pages of text in the standard Helvetica fonts with
/// WinAnsiEncoding (so French accents render without embedding a font), compressed streams and
/// object and cross-reference streams, exact offsets, and deterministic bytes for the same input. A line holding letters beyond WinAnsi
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

    /// Content-stream bytes drawn before a page's runs: a fixed part rendered and compressed
    /// once by the caller.
    public struct Prefix: Sendable {
        public let bytes: [UInt8]
        let packed: Flate.Prefix

        public init(_ bytes: [UInt8]) {
            self.bytes = bytes
            packed = Flate.Prefix(bytes)
        }

        public static let empty = Prefix([])
    }

    public struct Page: Sendable {
        public var prefix: Prefix = .empty
        public var runs: [TextRun] = []
        public var rules: [Rule] = []
        public init() {}
    }

    /// A text string of the document information, encoded once: a literal string in
    /// PDFDocEncoding when every character has a byte there, otherwise UTF-16BE with a
    /// byte-order mark, in hex. Constant metadata can be kept in a `static let`.
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
    /// The receipt layout the document follows (`/ReceiptLayout` in its information); none if nil.
    public var receiptLayout: Int?
    /// A signature field with an empty signature to fill (`PDFSignature.swift`); none by default.
    public var signature: SignatureSlot?

    public init() {}

    /// The document's bytes.
    public func render() -> [UInt8] { renderDocument().bytes }

    /// The bytes, and where the signature dictionary's `/ByteRange` array and `/Contents` hex
    /// string are when there is a signature slot.
    ///
    /// Objects: 1 catalog, 2 page tree, 3 document information, then each page and its content
    /// stream, then the signature's widget and dictionary, then the embedded font's objects;
    /// then one object stream holding every dictionary but the signature's (compressed), and
    /// the cross-reference stream. Written at the top level: the streams and the signature
    /// dictionary (whose `/Contents` the signature leaves out). The standard fonts are direct
    /// objects of the page's resources.
    func renderDocument() -> (bytes: [UInt8], slot: (byteRange: Int, contents: Range<Int>)?) {
        var slot: (byteRange: Int, contents: Range<Int>)?
        let firstPage = 4
        // With a signature: its widget annotation and signature dictionary follow the pages.
        let widget = firstPage + pages.count * 2
        // With lines in the embedded font: its five objects come after.
        let latin = latinSubset()
        let latinFont = widget + (signature != nil ? 2 : 0)
        // Each object's body, or nil for the signature dictionary (written in place).
        var objects: [(body: [UInt8]?, packed: Bool)] = []
        func add(_ body: [UInt8]?, packed: Bool) { objects.append((body, packed)) }

        var catalog: [UInt8] = []
        if signature != nil {
            catalog += Self.catalogOpen
            Self.appendInt(widget, to: &catalog)
            catalog += " 0 R] /SigFlags 3 >> >>".utf8
        } else {
            catalog += Self.catalog
        }
        add(catalog, packed: true)
        var tree: [UInt8] = Array("<< /Type /Pages /Kids [".utf8)
        for i in pages.indices {
            if i > 0 { tree.append(0x20) }
            Self.appendInt(firstPage + i * 2, to: &tree)
            tree += " 0 R".utf8
        }
        tree += "] /Count ".utf8
        Self.appendInt(pages.count, to: &tree)
        tree += " >>".utf8
        add(tree, packed: true)
        var info: [UInt8] = []
        info += "<< /Title ".utf8; info += title.encoded
        info += " /Producer ".utf8; info += producer.encoded
        if !author.isEmpty { info += " /Author ".utf8; info += author.encoded }
        if !subject.isEmpty { info += " /Subject ".utf8; info += subject.encoded }
        if !keywords.isEmpty { info += " /Keywords ".utf8; info += keywords.encoded }
        if !creationDate.isEmpty { info += " /CreationDate (".utf8; info += creationDate; info.append(0x29) }
        if let receiptLayout { info += " /\(Self.receiptLayoutKey) ".utf8; Self.appendInt(receiptLayout, to: &info) }
        info += " >>".utf8
        add(info, packed: true)
        for (i, page) in pages.enumerated() {
            var dict = Self.pageOpen
            if latin != nil {
                dict += " /F3 ".utf8
                Self.appendInt(latinFont, to: &dict)
                dict += " 0 R".utf8
            }
            dict += " >> >> /Contents ".utf8
            Self.appendInt(firstPage + i * 2 + 1, to: &dict)
            if i == 0 && signature != nil {
                dict += " 0 R /Annots [".utf8
                Self.appendInt(widget, to: &dict)
                dict += " 0 R] >>".utf8
            } else {
                dict += " 0 R >>".utf8
            }
            add(dict, packed: true)
            var stream: [UInt8] = []
            Self.appendStream(Flate.stream(prefix: page.prefix.packed, Self.content(runs: page.runs, rules: page.rules, latin: latin?.code)),
                              to: &stream)
            add(stream, packed: false)
        }
        if let signature {
            var w: [UInt8] = []
            signature.appendWidget(signatureObject: widget + 1, page: firstPage, to: &w)
            add(w, packed: true)
            add(nil, packed: false)
        }
        if let latin {
            for (k, object) in Self.fontObjects(latin, first: latinFont).enumerated() { add(object, packed: k < 3) }
        }

        // The file: the top-level objects in order, then the object stream, then the
        // cross-reference stream.
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        out += Self.header
        let objectStream = objects.count + 1, xrefStream = objects.count + 2
        var offsets = [Int](repeating: 0, count: objects.count + 3)
        func open(_ n: Int) {
            offsets[n] = out.count
            Self.appendInt(n, to: &out)
            out += Self.objOpen
        }
        var packed: [(number: Int, body: [UInt8])] = []
        for (k, object) in objects.enumerated() {
            let n = k + 1
            if object.packed, let body = object.body {
                packed.append((n, body))
                continue
            }
            open(n)
            if let body = object.body {
                out += body
            } else if let signature {
                slot = signature.appendDictionary(to: &out)
            }
            out += Self.objClose
        }
        // The object stream: the document information last, so that what comes before it (the
        // same in every receipt of a kind) is compressed once (`Flate.Prefix.cached`).
        packed.sort { ($0.number == 3 ? 1 : 0, $0.number) < ($1.number == 3 ? 1 : 0, $1.number) }
        var packedIndex = [Int](repeating: 0, count: objects.count + 1)
        var packedHeader: [UInt8] = [], packedBodies: [UInt8] = []
        for (index, object) in packed.enumerated() {
            packedIndex[object.number] = index
            if index > 0 { packedHeader.append(0x20) }
            Self.appendInt(object.number, to: &packedHeader)
            packedHeader.append(0x20)
            Self.appendInt(packedBodies.count, to: &packedHeader)
            if index < packed.count - 1 {
                packedBodies += object.body
                packedBodies.append(0x0A)
            }
        }
        packedHeader.append(0x0A)
        open(objectStream)
        Self.appendStream(Flate.stream(prefix: Flate.Prefix.cached(packedHeader + packedBodies), (packed.last?.body ?? []) + [0x0A]),
                          extra: " /Type /ObjStm /N \(packed.count) /First \(packedHeader.count)", to: &out)
        out += Self.objClose
        open(xrefStream)
        // Entries of 1 + w + 2 bytes: type, offset (or object stream), generation (or index).
        var w = 1
        while out.count >= 1 << (8 * w) { w += 1 }
        var table: [UInt8] = []
        func entry(_ type: UInt8, _ field: Int, _ last: Int) {
            table.append(type)
            for shift in stride(from: 8 * (w - 1), through: 0, by: -8) { table.append(UInt8(truncatingIfNeeded: field >> shift)) }
            table.append(UInt8(truncatingIfNeeded: last >> 8))
            table.append(UInt8(truncatingIfNeeded: last))
        }
        entry(0, 0, 65535)
        for n in 1...xrefStream {
            if n <= objects.count, objects[n - 1].packed, objects[n - 1].body != nil {
                entry(2, objectStream, packedIndex[n])
            } else {
                entry(1, offsets[n], 0)
            }
        }
        Self.appendStream(Flate.stream(table),
                          extra: " /Type /XRef /Size \(xrefStream + 1) /W [1 \(w) 2] /Root 1 0 R /Info 3 0 R", to: &out)
        out += Self.objClose
        out += "startxref\n".utf8
        Self.appendInt(offsets[xrefStream], to: &out)
        out += "\n%%EOF\n".utf8
        return (out, slot)
    }

    /// A compressed stream object's body: `<< /Length n /Filter /FlateDecode >> stream … endstream`.
    static func appendStream(_ zlib: [UInt8], extra: String = "", to out: inout [UInt8]) {
        out += "<< /Length ".utf8
        appendInt(zlib.count, to: &out)
        out += " /Filter /FlateDecode".utf8
        out += extra.utf8
        out += " >>\nstream\n".utf8
        out += zlib
        out += "\nendstream".utf8
    }

    /// The document information key naming the receipt layout (`ReceiptLayout`).
    static let receiptLayoutKey = "ReceiptLayout"

    static let header: [UInt8] = Array("%PDF-1.5\n%".utf8) + [0xE2, 0xE3, 0xCF, 0xD3, 0x0A]
    static let objOpen: [UInt8] = Array(" 0 obj\n".utf8)
    static let objClose: [UInt8] = Array("\nendobj\n".utf8)
    static let catalog: [UInt8] = Array("<< /Type /Catalog /Pages 2 0 R >>".utf8)
    static let catalogOpen: [UInt8] = Array("<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [".utf8)
    /// A page up to its font resources, the standard fonts written in it (direct objects).
    static let pageOpen: [UInt8] = Array(("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Resources << /Font << "
        + "/F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >> "
        + "/F2 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>").utf8)
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

    /// A text string for the document information: a literal in PDFDocEncoding when the text
    /// is all printable ASCII and Latin-1 letters (the two encodings agree there), otherwise
    /// UTF-16BE with a byte-order mark, in hex.
    static func textString(_ s: String, into out: inout [UInt8]) {
        if s.unicodeScalars.allSatisfy({ (0x20...0x7E).contains($0.value) || ((0xA1...0xFF).contains($0.value) && $0.value != 0xAD) }) {
            literal(s.unicodeScalars.map { UInt8($0.value) }, into: &out)
            return
        }
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
