/// Where the parts of a letter go on its A4 sheet, and how its text is broken into lines and
/// pages. Positions are in millimetres from the sheet's top-left corner.
///
/// The address zone, for a DL window envelope (110 × 220 mm, window on the right):
/// - the frame a French mailing house prints the address in for window envelopes: 85 × 33 mm,
///   55 mm from the top edge and 110 mm from the left edge of the A4 sheet (EDICS, "Rédiger vos
///   adresses : les bonnes pratiques", which also gives 10 pt, "la norme postale autorise de 9
///   à 12");
/// - the usual French DL window, 100 × 45 mm at 20 mm from the right and 15 mm from the bottom
///   edge of the envelope (a catalogue figure, not found in the norm itself: check the shop's
///   envelopes). The sheet folded in three (panels of 99 mm) can move 10 mm sideways and 11 mm
///   up or down in the envelope; whatever its place, the window shows 100–190 mm from the left
///   and 50–84 mm from the top of the sheet;
/// - so the block is drawn in both: 110–190 mm from the left, 55–84 mm from the top, at most 6
///   lines of 10 pt (25.3 mm high), smaller when a block has more lines or wider lines than that
///   (`PostalAddress` reports those), never outside.
/// The sender ("Mon espace santé") is top left, outside the window; the text starts under the
/// first fold (99 mm), 20 mm from either side, in 10 pt on 13.5 pt lines.
public enum LetterLayout {
    /// A rectangle in millimetres from the sheet's top-left corner.
    public struct Zone: Sendable, Equatable {
        public let left: Double, top: Double, width: Double, height: Double
        public var right: Double { left + width }
        public var bottom: Double { top + height }
    }

    /// Where the address block is printed (inside the window of a DL envelope).
    public static let addressZone = Zone(left: 110, top: 55, width: 80, height: 29)
    /// The sender block's left edge and first baseline.
    public static let sender = (left: 20.0, baseline: 20.0)
    /// The text's column.
    public static let textLeft = 20.0, textWidth = 170.0
    /// The top of the text on a letter's first page (under the first fold) and on the next ones.
    public static let firstTextTop = 105.0, nextTextTop = 20.0
    /// No text baseline lower than this (the reference line is under it).
    public static let textBottom = 275.0
    /// The reference line's baseline.
    public static let footerBaseline = 287.0
    /// Sizes in points.
    public static let textSize = 10.0, leading = 13.5, addressSize = 10.0, footerSize = 7.0
    /// The space an empty line of the text leaves, in points.
    public static let paragraphGap = 8.0

    static let pt = 72 / 25.4
    static let pageWidth = PDFWriter.pageWidth, pageHeight = PDFWriter.pageHeight

    /// A point of the page (PDF coordinates: from the bottom-left corner, in points) for a
    /// position in millimetres from the top-left corner.
    static func x(_ mm: Double) -> Double { mm * pt }
    static func y(_ mm: Double) -> Double { pageHeight - mm * pt }

    /// One line of text placed on a page: its glyph entries and its baseline's start (points).
    struct PlacedLine {
        var entries: ArraySlice<UInt32>
        var x: Double
        var y: Double
    }

    /// The address block's size in points and lines for `lines`: 10 pt, or less so that it fits
    /// the zone in width and height.
    static func addressBlock(_ lines: [String], font: LetterFont) -> (size: Double, lines: [[UInt32]]) {
        let entries = lines.map { font.entries($0) }.filter { !$0.isEmpty }
        var size = addressSize
        // Less 0.05 pt each way, and sizes rounded down: the content stream writes numbers with
        // two decimals, which must not take a line over the edge.
        let widest = entries.map { font.width($0[...], size: 1) }.max() ?? 0
        if widest > 0 { size = min(size, (addressZone.width * pt - 0.05) / widest) }
        let em = (font.ascent - font.descent) / 1000
        if !entries.isEmpty { size = min(size, (addressZone.height * pt - 0.05) / (em + 1.2 * Double(entries.count - 1))) }
        return ((size * 100).rounded(.down) / 100, entries)
    }

    /// The text laid out in pages of lines, wrapped to the column: a line break of the text
    /// starts a line, an empty line leaves a gap, a line starting with `- ` (or `– `, `• `) is
    /// a list item whose next lines align after the dash. At least one page.
    static func pages(of text: String, font: LetterFont) -> [[PlacedLine]] {
        let size = textSize
        let left = x(textLeft), width = textWidth * pt
        let bottom = y(textBottom)
        var pages: [[PlacedLine]] = [[]]
        var baseline = y(firstTextTop) - size
        var gap = 0.0
        func place(_ entries: ArraySlice<UInt32>, at x: Double) {
            if !pages[pages.count - 1].isEmpty { baseline -= gap + leading }
            if baseline < bottom {
                pages.append([])
                baseline = y(nextTextTop) - size
            }
            pages[pages.count - 1].append(PlacedLine(entries: entries, x: x, y: baseline))
            gap = 0
        }
        let space = font.table[0x20]
        let dashes = (font.table[0x2D], font.table[0x2013], font.table[0x2022])
        for entries in font.lines(text) {
            if entries.isEmpty {
                if !pages[pages.count - 1].isEmpty { gap = paragraphGap }
                continue
            }
            let full = entries[...]
            // A list item: the dash and its space hang, the rest aligns after them.
            var indent = 0.0, prefix = 0
            if entries.count > 2, entries[1] == space,
               entries[0] == dashes.0 || entries[0] == dashes.1 || entries[0] == dashes.2 {
                prefix = 2
                indent = font.width(full[0..<2], size: size)
            }
            for (k, r) in wrap(full[prefix...], size: size, maxWidth: width - indent, font: font).enumerated() {
                if k == 0 { place(full[0..<r.upperBound], at: left) } else { place(full[r], at: left + indent) }
            }
        }
        return pages
    }

    /// The ranges of `entries` making lines no wider than `maxWidth` (greedy; a word wider than
    /// a line is cut where it reaches the edge).
    static func wrap(_ entries: ArraySlice<UInt32>, size: Double, maxWidth: Double, font: LetterFont) -> [Range<Int>] {
        let limit = Int(maxWidth * 1000 / size)
        let space = font.table[0x20]
        let spaceUnits = Int(space & 0xFFFF)
        var lines: [Range<Int>] = []
        var lineStart = -1, lineEnd = -1, lineUnits = 0
        var i = entries.startIndex
        let end = entries.endIndex
        while i < end {
            while i < end && entries[i] == space { i += 1 }
            if i >= end { break }
            var start = i, units = 0
            while i < end && entries[i] != space {
                let w = Int(entries[i] & 0xFFFF)
                if units + w > limit && i > start {
                    // A word longer than a line: its first part fills a line of its own.
                    if lineStart >= 0 { lines.append(lineStart..<lineEnd) }
                    lines.append(start..<i)
                    lineStart = -1
                    start = i
                    units = 0
                }
                units += w
                i += 1
            }
            if lineStart >= 0 && lineUnits + spaceUnits + units <= limit {
                lineUnits += spaceUnits + units
                lineEnd = i
            } else {
                if lineStart >= 0 { lines.append(lineStart..<lineEnd) }
                lineStart = start
                lineEnd = i
                lineUnits = units
            }
        }
        if lineStart >= 0 { lines.append(lineStart..<lineEnd) }
        return lines
    }
}
