/// The embedded font's objects: a composite (Type0) font with Identity-H encoding over a
/// CIDFontType2 whose glyphs are the document's subset of `LatinFont`, its widths, and a
/// `/ToUnicode` map so that text extraction gives back the characters drawn.
extension PDFWriter {
    /// The subset of `LatinFont` drawing every `latin` run of the document, or nil when no
    /// line needs it (the document then embeds no font).
    func latinSubset() -> LatinFont.Subset? {
        var scalars = Set<UInt32>()
        for page in pages {
            for r in page.runs where r.font == .latin {
                for u in r.text.unicodeScalars { scalars.insert(u.value) }
            }
        }
        return scalars.isEmpty ? nil : LatinFont.shared.subset(scalars)
    }

    /// The five objects, numbered from `first`: Type0 font, CIDFont, descriptor, font file,
    /// ToUnicode map.
    static func fontObjects(_ s: LatinFont.Subset, first: Int) -> [[UInt8]] {
        let font = LatinFont.shared
        let name = s.tag + "+DejaVuSans"
        func ref(_ k: Int) -> String { "\(first + k) 0 R" }
        var objects: [[UInt8]] = []
        objects.append(Array("<< /Type /Font /Subtype /Type0 /BaseFont /\(name) /Encoding /Identity-H /DescendantFonts [\(ref(1))] /ToUnicode \(ref(4)) >>".utf8))
        let widths = s.widths.map(String.init).joined(separator: " ")
        objects.append(Array(("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /\(name) /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
                              + "/FontDescriptor \(ref(2)) /CIDToGIDMap /Identity /W [0 [\(widths)]] >>").utf8))
        let bbox = font.bbox.map(String.init).joined(separator: " ")
        objects.append(Array(("<< /Type /FontDescriptor /FontName /\(name) /Flags 32 /FontBBox [\(bbox)] /ItalicAngle 0 "
                              + "/Ascent \(font.ascent) /Descent \(font.descent) /CapHeight 729 /StemV 80 /FontFile2 \(ref(3)) >>").utf8))
        var file: [UInt8] = []
        appendStream(Flate.stream(s.font), extra: " /Length1 \(s.font.count)", to: &file)
        objects.append(file)
        var map: [UInt8] = []
        appendStream(Flate.stream(toUnicode(s.code)), to: &map)
        objects.append(map)
        return objects
    }

    /// A ToUnicode CMap: glyph code → UTF-16BE, in blocks of at most 100 entries.
    static func toUnicode(_ code: [UInt32: UInt16]) -> [UInt8] {
        var out = """
            /CIDInit /ProcSet findresource begin
            12 dict begin
            begincmap
            /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
            /CMapName /Adobe-Identity-UCS def
            /CMapType 2 def
            1 begincodespacerange
            <0000> <FFFF>
            endcodespacerange

            """
        let pairs = code.sorted { $0.value < $1.value }
        func hex4(_ v: Int) -> String {
            let h = String(v, radix: 16, uppercase: true)
            return String(repeating: "0", count: max(0, 4 - h.count)) + h
        }
        func utf16(_ scalar: UInt32) -> String {
            guard let u = Unicode.Scalar(scalar) else { return "FFFD" }
            return String(u).utf16.map { hex4(Int($0)) }.joined()
        }
        var i = 0
        while i < pairs.count {
            let block = pairs[i..<min(i + 100, pairs.count)]
            out += "\(block.count) beginbfchar\n"
            for (scalar, glyph) in block { out += "<\(hex4(Int(glyph)))> <\(utf16(scalar))>\n" }
            out += "endbfchar\n"
            i += 100
        }
        out += "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"
        return Array(out.utf8)
    }
}
