/// A small PDF 1.4 writer: one or more pages of text in the standard Helvetica fonts with
/// WinAnsiEncoding (so French accents render without embedding a font), exact cross-reference
/// offsets, and deterministic bytes for the same input.
public struct PDFWriter {
    /// A4 in points.
    public static let pageWidth = 595.28
    public static let pageHeight = 841.89

    public enum Font: String, Sendable { case regular = "F1", bold = "F2" }

    /// One line of text at a position (points from the bottom-left corner).
    public struct TextRun: Sendable {
        public var text: String
        public var x: Double
        public var y: Double
        public var size: Double
        public var font: Font
        /// 0 black … 1 white.
        public var gray: Double

        public init(_ text: String, x: Double, y: Double, size: Double = 11, font: Font = .regular, gray: Double = 0) {
            self.text = text
            self.x = x
            self.y = y
            self.size = size
            self.font = font
            self.gray = gray
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
        public var runs: [TextRun] = []
        public var rules: [Rule] = []
        public init() {}
    }

    public var pages: [Page] = []
    public var title = ""
    public var author = ""
    public var subject = ""
    public var keywords = ""
    public var producer = "mes"
    /// `D:20220203110000+01'00'`.
    public var creationDate = ""

    public init() {}

    /// The document's bytes.
    public func render() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        var offsets: [Int] = []
        func object(_ body: (inout [UInt8]) -> Void) {
            offsets.append(out.count)
            out += "\(offsets.count) 0 obj\n".utf8
            body(&out)
            out += "\nendobj\n".utf8
        }
        out += "%PDF-1.4\n%".utf8
        out += [0xE2, 0xE3, 0xCF, 0xD3, 0x0A]
        let firstPage = 6
        let kids = pages.indices.map { "\(firstPage + $0 * 2) 0 R" }.joined(separator: " ")
        object { $0 += "<< /Type /Catalog /Pages 2 0 R >>".utf8 }
        object { $0 += "<< /Type /Pages /Kids [\(kids)] /Count \(pages.count) >>".utf8 }
        object { $0 += "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".utf8 }
        object { $0 += "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>".utf8 }
        object { o in
            o += "<< /Title ".utf8; o += textString(title)
            o += " /Producer ".utf8; o += textString(producer)
            if !author.isEmpty { o += " /Author ".utf8; o += textString(author) }
            if !subject.isEmpty { o += " /Subject ".utf8; o += textString(subject) }
            if !keywords.isEmpty { o += " /Keywords ".utf8; o += textString(keywords) }
            if !creationDate.isEmpty { o += " /CreationDate (\(creationDate))".utf8 }
            o += " >>".utf8
        }
        for (i, page) in pages.enumerated() {
            let contentNum = firstPage + i * 2 + 1
            object {
                $0 += "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 \(num(Self.pageWidth)) \(num(Self.pageHeight))] ".utf8
                $0 += "/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents \(contentNum) 0 R >>".utf8
            }
            let stream = content(page)
            object {
                $0 += "<< /Length \(stream.count) >>\nstream\n".utf8
                $0 += stream
                $0 += "\nendstream".utf8
            }
        }
        let xref = out.count
        out += "xref\n0 \(offsets.count + 1)\n0000000000 65535 f \n".utf8
        for o in offsets {
            let s = String(o)
            out += repeatElement(UInt8(0x30), count: 10 - s.utf8.count)
            out += s.utf8
            out += " 00000 n \n".utf8
        }
        out += "trailer\n<< /Size \(offsets.count + 1) /Root 1 0 R /Info 5 0 R >>\nstartxref\n\(xref)\n%%EOF\n".utf8
        return out
    }

    private func content(_ page: Page) -> [UInt8] {
        var s: [UInt8] = []
        s.reserveCapacity(2048)
        for r in page.rules {
            s += "q \(num(r.gray)) G \(num(r.width)) w \(num(r.x1)) \(num(r.y)) m \(num(r.x2)) \(num(r.y)) l S Q\n".utf8
        }
        for r in page.runs {
            s += "BT /\(r.font.rawValue) \(num(r.size)) Tf \(num(r.gray)) g \(num(r.x)) \(num(r.y)) Td ".utf8
            s += literal(WinAnsi.encode(r.text))
            s += " Tj ET\n".utf8
        }
        return s
    }

    /// A PDF literal string with `( ) \` escaped.
    func literal(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x28]
        for b in bytes {
            if b == 0x28 || b == 0x29 || b == 0x5C { out.append(0x5C) }
            if b == 0x0D { out += [0x5C, 0x72]; continue }
            if b == 0x0A { out += [0x5C, 0x6E]; continue }
            out.append(b)
        }
        out.append(0x29)
        return out
    }

    /// A text string for the document information: UTF-16BE with a byte-order mark, in hex.
    func textString(_ s: String) -> [UInt8] {
        var hex = "<FEFF"
        for u in s.utf16 {
            let h = String(u, radix: 16, uppercase: true)
            hex += String(repeating: "0", count: 4 - h.count) + h
        }
        return Array((hex + ">").utf8)
    }

    /// Numbers with at most two decimals, no exponent, no trailing zeros.
    func num(_ v: Double) -> String {
        let scaled = Int((v * 100).rounded())
        let sign = scaled < 0 ? "-" : ""
        let a = abs(scaled)
        let whole = a / 100, frac = a % 100
        if frac == 0 { return sign + String(whole) }
        return sign + String(whole) + "." + (frac % 10 == 0 ? String(frac / 10) : (frac < 10 ? "0\(frac)" : String(frac)))
    }

    /// Width of `text` in points in a standard Helvetica font (for layout and wrapping).
    public static func width(_ text: some StringProtocol, size: Double, font: Font = .regular) -> Double {
        var units = 0
        for u in text.unicodeScalars { units += HelveticaMetrics.width(WinAnsi.byte(u), bold: font == .bold) }
        return Double(units) * size / 1000
    }

    /// Splits a paragraph into lines no wider than `maxWidth` (greedy, one pass).
    public static func wrap(_ text: String, size: Double, font: Font = .regular, maxWidth: Double) -> [String] {
        let space = width(" ", size: size, font: font)
        var lines: [String] = []
        var line = ""
        var lineWidth = 0.0
        for word in text.split(separator: " ") {
            let w = width(word, size: size, font: font)
            if !line.isEmpty && lineWidth + space + w > maxWidth {
                lines.append(line)
                line = String(word)
                lineWidth = w
            } else {
                if !line.isEmpty { line += " "; lineWidth += space }
                line += word
                lineWidth += w
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
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
