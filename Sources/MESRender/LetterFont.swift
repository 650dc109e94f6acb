/// The one font of a letter book: the whole of `LatinFont` (every character a name may hold, so
/// French text with œ, « », ’ and names such as Łukasz, Ørsted or Dvořák), embedded once and
/// shared by every page, since a streamed book cannot know at its start which glyphs its last
/// letter will draw. Text is written as two-byte glyph codes (Identity-H) in binary literal
/// strings; its `/ToUnicode` map lets `pdftotext` read it back.
struct LetterFont: Sendable {
    static let shared = LetterFont()

    /// Every glyph of `LatinFont`, renumbered.
    let subset: LatinFont.Subset
    /// Unicode scalar → glyph code << 16 | advance in thousandths of an em (0: no glyph), for
    /// the scalars below `table.count` (the font's last character is U+2122, the minus U+2212 is drawn as a hyphen).
    let table: [UInt32]
    /// The entry drawn for a character the font lacks: `?`.
    let missing: UInt32
    /// The glyph code of the space (U+0020), the only place a line breaks.
    let spaceCode: UInt16
    /// Ascent and descent in thousandths of an em (descent negative).
    let ascent: Double, descent: Double

    init() {
        let font = LatinFont.shared
        let subset = font.subset(Set(font.glyphOf.keys))
        var table = [UInt32](repeating: 0, count: 0x2220)
        for (scalar, code) in subset.code where scalar < UInt32(table.count) {
            table[Int(scalar)] = UInt32(code) << 16 | UInt32(subset.widths[Int(code)])
        }
        // Spaces and dashes the font has no glyph of are drawn as their nearest kin: the narrow
        // and thin no-break spaces of French typography as a no-break space (no line break
        // there), the other spaces as a space, non-breaking hyphens and the minus as a hyphen.
        for (alias, target): (Int, Int) in [(0x202F, 0xA0), (0x2007, 0xA0), (0x2009, 0xA0), (0x200A, 0xA0), (0x2008, 0xA0),
                                            (0x2002, 0x20), (0x2003, 0x20), (0x2004, 0x20), (0x2005, 0x20), (0x2006, 0x20),
                                            (0x2010, 0x2D), (0x2011, 0x2D), (0x2212, 0x2D)] where table[alias] == 0 {
            table[alias] = table[target]
        }
        self.subset = subset
        self.table = table
        missing = table[0x3F]
        spaceCode = UInt16(table[0x20] >> 16)
        ascent = Double(font.ascent)
        descent = Double(font.descent)
    }

    /// The packed entry of `u` (its glyph code and advance), `?` when the font lacks it.
    @inline(__always)
    func entry(_ u: Unicode.Scalar) -> UInt32 {
        let v = Int(u.value)
        if v < table.count {
            let e = table[v]
            if e != 0 { return e }
        }
        return missing
    }

    /// The entries of one line of text (see `lines`).
    func entries(_ text: String) -> [UInt32] {
        lines(text).first ?? []
    }

    /// The entries of each line of `text` (lines end at line feeds): tabs and runs of spaces
    /// become one space, leading and trailing spaces go, other control and invisible characters
    /// (soft hyphen, zero-width and direction marks) are dropped. One pass over the scalars.
    func lines(_ text: String) -> [[UInt32]] {
        var lines: [[UInt32]] = []
        var out: [UInt32] = []
        let space = table[0x20]
        func close() {
            while out.last == space { out.removeLast() }
            lines.append(out)
            out.removeAll(keepingCapacity: true)
        }
        for u in text.unicodeScalars {
            let v = u.value
            if v == 0x0A { close(); continue }
            if v == 0x20 || v == 0x09 {
                if let last = out.last, last != space { out.append(space) }
                continue
            }
            if v < 0x20 || (v >= 0x7F && v < 0xA0) || v == 0xAD || (v >= 0x200B && v <= 0x200F) || v == 0xFEFF { continue }
            out.append(entry(u))
        }
        close()
        return lines
    }

    /// The width in points of `entries` at `size`.
    func width(_ entries: ArraySlice<UInt32>, size: Double) -> Double {
        var units = 0
        for e in entries { units += Int(e & 0xFFFF) }
        return Double(units) * size / 1000
    }

    /// Appends `entries` as a binary literal string of two-byte codes: `(` `)` `\` and line ends
    /// escaped (a bare carriage return would be read as a line feed).
    static func appendString(_ entries: ArraySlice<UInt32>, to out: inout [UInt8]) {
        out.append(0x28)
        for e in entries {
            PDFWriter.literalByte(UInt8(e >> 24), into: &out)
            PDFWriter.literalByte(UInt8(e >> 16 & 0xFF), into: &out)
        }
        out.append(0x29)
    }
}
