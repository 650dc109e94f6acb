/// The objects of a letter book: pages, their content streams, the nodes of the page tree, the
/// sender block and the cross-reference entries.
extension LetterBook {
    /// `N 0 obj\n`.
    static func open(_ n: Int, _ out: inout [UInt8]) {
        PDFWriter.appendInt(n, to: &out)
        out += PDFWriter.objOpen
    }

    /// A page object (its content stream is the next object). Its length depends only on its
    /// numbers: the cross-reference table recomputes it rather than keep it.
    static func appendPageObject(_ n: Int, parent: Int, to out: inout [UInt8]) {
        open(n, &out)
        PDFWriter.append("<< /Type /Page /Parent ", to: &out)
        PDFWriter.appendInt(parent, to: &out)
        PDFWriter.append(" 0 R /Contents ", to: &out)
        PDFWriter.appendInt(n + 1, to: &out)
        PDFWriter.append(" 0 R >>", to: &out)
        out += PDFWriter.objClose
    }

    /// One cross-reference entry: a 10-digit offset, in use.
    static func appendEntry(_ offset: UInt64, to out: inout [UInt8]) {
        var digits = [UInt8](repeating: 0x30, count: 10)
        var v = offset, k = 9
        while v > 0 && k >= 0 { digits[k] = UInt8(0x30 + v % 10); v /= 10; k -= 1 }
        out += digits
        PDFWriter.append(" 00000 n \n", to: &out)
    }

    /// Appends a page and its content stream, opening a run of the page tree when needed and
    /// writing its node when the run is full.
    mutating func appendPage(_ content: [UInt8], to out: inout [UInt8]) {
        if runs.last.map({ $0.nodeOffset != 0 }) ?? true {
            var lengths: [UInt32] = []
            lengths.reserveCapacity(pagesPerNode)
            runs.append(PageRun(node: nextObject, start: size + UInt64(out.count), lengths: lengths))
            nextObject += 1
        }
        let r = runs.count - 1
        let page = nextObject
        nextObject += 2
        let before = out.count
        Self.appendPageObject(page, parent: runs[r].node, to: &out)
        Self.open(page + 1, &out)
        PDFWriter.append("<< /Length ", to: &out)
        PDFWriter.appendInt(content.count, to: &out)
        PDFWriter.append(" >>\nstream\n", to: &out)
        out += content
        PDFWriter.append("\nendstream", to: &out)
        out += PDFWriter.objClose
        runs[r].lengths.append(UInt32(out.count - before))
        pageCount += 1
        if runs[r].pageCount == pagesPerNode { appendNode(of: r, to: &out) }
    }

    /// The `/Pages` node of run `r`, whose pages are the numbers after it, two each.
    mutating func appendNode(of r: Int, to out: inout [UInt8]) {
        let run = runs[r]
        runs[r].nodeOffset = size + UInt64(out.count)
        Self.open(run.node, &out)
        PDFWriter.append("<< /Type /Pages /Parent 2 0 R /Kids [", to: &out)
        for i in 0..<run.pageCount {
            if i > 0 { out.append(0x20) }
            PDFWriter.appendInt(run.node + 1 + 2 * i, to: &out)
            PDFWriter.append(" 0 R", to: &out)
        }
        PDFWriter.append("] /Count ", to: &out)
        PDFWriter.appendInt(run.pageCount, to: &out)
        PDFWriter.append(" >>", to: &out)
        out += PDFWriter.objClose
    }

    /// The address block in the window zone, top-aligned, at its fitted size.
    func appendAddress(_ block: (size: Double, lines: [[UInt32]]), to out: inout [UInt8]) {
        guard !block.lines.isEmpty else { return }
        let zone = LetterLayout.addressZone
        PDFWriter.append("BT /F1 ", to: &out)
        PDFWriter.appendNum(block.size, to: &out)
        PDFWriter.append(" Tf ", to: &out)
        PDFWriter.appendNum(LetterLayout.x(zone.left), to: &out)
        out.append(0x20)
        PDFWriter.appendNum(((LetterLayout.y(zone.top) - font.ascent / 1000 * block.size) * 100).rounded(.down) / 100, to: &out)
        PDFWriter.append(" Td ", to: &out)
        for (i, line) in block.lines.enumerated() {
            if i > 0 {
                PDFWriter.append("0 -", to: &out)
                PDFWriter.appendNum((120 * block.size).rounded(.down) / 100, to: &out)
                PDFWriter.append(" Td ", to: &out)
            }
            LetterFont.appendString(line[...], to: &out)
            PDFWriter.append(" Tj\n", to: &out)
        }
        PDFWriter.append("ET\n", to: &out)
    }

    /// The text lines of a page, each placed relative to the one before.
    func appendText(_ lines: [LetterLayout.PlacedLine], to out: inout [UInt8]) {
        guard !lines.isEmpty else { return }
        PDFWriter.append("BT /F1 ", to: &out)
        PDFWriter.appendNum(LetterLayout.textSize, to: &out)
        PDFWriter.append(" Tf\n", to: &out)
        var x = 0.0, y = 0.0
        for line in lines {
            PDFWriter.appendNum(line.x - x, to: &out)
            out.append(0x20)
            PDFWriter.appendNum(line.y - y, to: &out)
            PDFWriter.append(" Td ", to: &out)
            LetterFont.appendString(line.entries, to: &out)
            PDFWriter.append(" Tj\n", to: &out)
            x = line.x
            y = line.y
        }
        PDFWriter.append("ET\n", to: &out)
    }

    /// One line at a place, size and gray.
    func appendLine(_ entries: ArraySlice<UInt32>, size: Double, gray: Double, x: Double, y: Double, to out: inout [UInt8]) {
        guard !entries.isEmpty else { return }
        PDFWriter.append("q ", to: &out)
        PDFWriter.appendNum(gray, to: &out)
        PDFWriter.append(" g BT /F1 ", to: &out)
        PDFWriter.appendNum(size, to: &out)
        PDFWriter.append(" Tf ", to: &out)
        PDFWriter.appendNum(x, to: &out)
        out.append(0x20)
        PDFWriter.appendNum(y, to: &out)
        PDFWriter.append(" Td ", to: &out)
        LetterFont.appendString(entries, to: &out)
        PDFWriter.append(" Tj ET Q\n", to: &out)
    }

    /// The sender block, top left: its first line in 14 pt, the others in 9 pt.
    func senderContent() -> [UInt8] {
        var out: [UInt8] = []
        let left = LetterLayout.x(LetterLayout.sender.left)
        var y = LetterLayout.y(LetterLayout.sender.baseline)
        for (i, line) in sender.enumerated() {
            let size = i == 0 ? 14.0 : 9.0
            if i == 1 { y -= 16 } else if i > 1 { y -= 11 }
            appendLine(font.entries(line)[...], size: size, gray: 0.1, x: left, y: y, to: &out)
        }
        return out
    }
}
