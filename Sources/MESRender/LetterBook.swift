import MESCore

/// One letter of a book: the address block (`PostalAddress.lines`), the text and a short
/// reference printed small at the foot of its pages (`Lettre n° 123`: no personal data).
public struct PrintedLetter: Sendable {
    public var addressLines: [String]
    /// The letter's text (without the address): its line breaks start lines, an empty line
    /// separates paragraphs, `- ` starts a list item.
    public var text: String
    public var reference: String

    public init(addressLines: [String], text: String, reference: String) {
        self.addressLines = addressLines
        self.text = text
        self.reference = reference
    }
}

/// A print-ready PDF of many letters, written as a stream: `begin()`, then `add(_:)` for each
/// letter, then `finish`; each returns the bytes to append to the file. A4 portrait, each letter
/// on sheets of its own (`LetterLayout` says where everything goes).
///
/// Memory stays flat in the number of letters: a letter is laid out, turned into bytes and
/// forgotten. What is kept for the cross-reference table is 4 bytes per page (the length of its
/// two objects, a `UInt32`; the page object's own length is recomputed from its numbers) and
/// about 70 bytes per run of 4,096 pages: 8 MB for a million one-page letters printed duplex. The page tree is two levels deep: each run of 4,096 pages has its
/// `/Pages` node, numbered before its pages and written after them, and the root (object 2)
/// lists the nodes at the end, so that no array holds more than 8,191 elements (the classic
/// implementation limit) below 33 million pages.
///
/// The font (`LetterFont`: all of `LatinFont`) and the sender block (a form XObject) are
/// written once and shared by every page (`begin()`: 62 KB); content streams are not
/// compressed (a one-page notification takes about 3.9 KB with its blank back).
///
/// Objects: 1 catalog, 2 page tree root, 3 information, 4–8 the font, 9 the sender block, then
/// for each run of pages its node and two objects per page (page, content stream).
public struct LetterBook: Sendable {
    /// `duplex`: every letter takes an even number of pages (a blank back when it has one page),
    /// so that printed on both sides each letter is on sheets of its own. `simplex`: a page per
    /// sheet, no blank pages.
    public enum Sides: Sendable { case duplex, simplex }

    /// Object offsets are written with 10 digits: a book ends before this size. Check `isFull`
    /// before adding a letter and start a new book then.
    public static let maximumSize: UInt64 = 9_999_999_999

    public let sides: Sides
    /// Letters and pages added so far, and the bytes returned so far.
    public internal(set) var letterCount = 0
    public internal(set) var pageCount = 0
    public internal(set) var size: UInt64 = 0
    /// Whether the book is too close to `maximumSize` to take another letter (100 MB margin).
    public var isFull: Bool { size > Self.maximumSize - 100_000_000 }

    let sender: [String]
    let title: PDFWriter.TextString
    let creationDate: [UInt8]
    let font = LetterFont.shared
    /// The offsets of objects 1 to 9.
    var headerOffsets = [UInt64](repeating: 0, count: 9)
    var runs: [PageRun] = []
    var nextObject = 10
    /// Pages under one node of the page tree (tests make it small).
    var pagesPerNode = 4096
    var begun = false, finished = false

    /// A run of up to 4,096 pages and its `/Pages` node.
    struct PageRun: Sendable {
        /// The node's object number; its pages are the next numbers, two each.
        let node: Int
        /// Where its first page starts.
        let start: UInt64
        /// Bytes of each page's two objects.
        var lengths: [UInt32]
        var nodeOffset: UInt64 = 0
        var pageCount: Int { lengths.count }
    }

    /// `sender`: the lines of the sender block (the first is the service's name, printed larger);
    /// `createdAt`: the document's creation date (none: the bytes depend only on the letters).
    public init(sender: [String] = ["Mon espace santé"], sides: Sides = .duplex,
                title: String = "Courriers Mon espace santé", createdAt: Instant? = nil) {
        self.sender = sender
        self.sides = sides
        self.title = PDFWriter.TextString(title)
        creationDate = createdAt.map(ReceiptRenderer.pdfDate) ?? []
    }

    /// The header, the catalog, the document information, the font and the sender block.
    public mutating func begin() -> [UInt8] {
        precondition(!begun, "LetterBook.begin() called twice")
        begun = true
        var out: [UInt8] = []
        out.reserveCapacity(80_000)
        out += PDFWriter.header
        func object(_ n: Int, _ body: [UInt8]) {
            headerOffsets[n - 1] = UInt64(out.count)
            Self.open(n, &out)
            out += body
            out += PDFWriter.objClose
        }
        object(1, PDFWriter.catalog)
        var info: [UInt8] = Array("<< /Title ".utf8) + title.encoded + Array(" /Producer ".utf8) + PDFWriter.TextString("mes").encoded
        if !creationDate.isEmpty { info += " /CreationDate (".utf8; info += creationDate; info.append(0x29) }
        info += " >>".utf8
        object(3, info)
        for (k, body) in PDFWriter.fontObjects(font.subset, first: 4).enumerated() { object(4 + k, body) }
        let form = senderContent()
        var xobject: [UInt8] = Array("<< /Type /XObject /Subtype /Form /BBox [0 0 595.28 841.89] /Resources << /Font << /F1 4 0 R >> >> /Length ".utf8)
        PDFWriter.appendInt(form.count, to: &xobject)
        xobject += " >>\nstream\n".utf8
        xobject += form
        xobject += "\nendstream".utf8
        object(9, xobject)
        size = UInt64(out.count)
        return out
    }

    /// The bytes of one letter's pages (and of a page-tree node when a run of pages is complete).
    public mutating func add(_ letter: PrintedLetter) -> [UInt8] {
        precondition(begun && !finished, "LetterBook.add(_:) outside begin() … finish()")
        precondition(!isFull, "LetterBook is full: start a new book")
        var pages = LetterLayout.pages(of: letter.text, font: font)
        let address = LetterLayout.addressBlock(letter.addressLines, font: font)
        let textPages = pages.count
        if sides == .duplex && textPages % 2 == 1 { pages.append([]) }
        var out: [UInt8] = []
        out.reserveCapacity(6_000 * pages.count)
        var content: [UInt8] = []
        content.reserveCapacity(6_000)
        for (i, lines) in pages.enumerated() {
            content.removeAll(keepingCapacity: true)
            if i < textPages {
                if i == 0 { content += "/S Do\n".utf8; appendAddress(address, to: &content) }
                appendText(lines, to: &content)
                var footer = letter.reference
                if textPages > 1 { footer += " · page \(i + 1)/\(textPages)" }
                appendLine(font.entries(footer)[...], size: LetterLayout.footerSize, gray: 0.35,
                           x: LetterLayout.x(LetterLayout.textLeft), y: LetterLayout.y(LetterLayout.footerBaseline), to: &content)
            }
            appendPage(content, to: &out)
        }
        letterCount += 1
        size += UInt64(out.count)
        return out
    }

    /// The last node of the page tree, its root, the cross-reference table and the trailer,
    /// handed to `write` in pieces of about 64 KiB (the table takes 40 bytes per page).
    public mutating func finish(_ write: ([UInt8]) throws -> Void) rethrows {
        precondition(begun && !finished, "LetterBook.finish called outside begin() … finish()")
        finished = true
        var out: [UInt8] = []
        out.reserveCapacity(1 << 17)
        if let last = runs.indices.last, runs[last].nodeOffset == 0 { appendNode(of: last, to: &out) }
        let root = size + UInt64(out.count)
        Self.open(2, &out)
        out += "<< /Type /Pages /Kids [".utf8
        for (k, run) in runs.enumerated() {
            if k > 0 { out.append(0x20) }
            PDFWriter.appendInt(run.node, to: &out)
            out += " 0 R".utf8
        }
        out += "] /Count ".utf8
        PDFWriter.appendInt(pageCount, to: &out)
        out += " /MediaBox [0 0 595.28 841.89] /Resources << /Font << /F1 4 0 R >> /XObject << /S 9 0 R >> >> >>".utf8
        out += PDFWriter.objClose
        precondition(size + UInt64(out.count) <= Self.maximumSize, "LetterBook larger than its cross-reference table can say")
        let xref = size + UInt64(out.count)
        out += "xref\n0 ".utf8
        PDFWriter.appendInt(nextObject, to: &out)
        out += "\n0000000000 65535 f \n".utf8
        for n in 1...9 { Self.appendEntry(n == 2 ? root : headerOffsets[n - 1], to: &out) }
        var scratch: [UInt8] = []
        for run in runs {
            Self.appendEntry(run.nodeOffset, to: &out)
            var offset = run.start
            for (i, length) in run.lengths.enumerated() {
                let page = run.node + 1 + 2 * i
                scratch.removeAll(keepingCapacity: true)
                Self.appendPageObject(page, parent: run.node, to: &scratch)
                Self.appendEntry(offset, to: &out)
                Self.appendEntry(offset + UInt64(scratch.count), to: &out)
                offset += UInt64(length)
                if out.count >= 1 << 16 {
                    size += UInt64(out.count)
                    try write(out)
                    out.removeAll(keepingCapacity: true)
                }
            }
        }
        out += "trailer\n<< /Size ".utf8
        PDFWriter.appendInt(nextObject, to: &out)
        out += " /Root 1 0 R /Info 3 0 R >>\nstartxref\n".utf8
        out += String(xref).utf8
        out += "\n%%EOF\n".utf8
        size += UInt64(out.count)
        try write(out)
    }

    /// `finish(_:)` in one array (about 40 bytes per page: for small books).
    public mutating func finish() -> [UInt8] {
        var all: [UInt8] = []
        finish { all += $0 }
        return all
    }
}
