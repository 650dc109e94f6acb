/// Reads one table of an .ods package (OpenDocument), parsing `content.xml` as it is inflated.
/// Repeated rows and cells (`number-rows-repeated`, `number-columns-repeated`, which
/// LibreOffice writes with huge counts for trailing empties) are counted, never materialised
/// when empty.
enum ODSReader {
    static let officeNS: StaticString = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    static let tableNS: StaticString = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    static let textNS: StaticString = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    static let drawNS: StaticString = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"

    /// A repeat count: at least 1, at most 2^30 (a hostile count cannot overflow a row number).
    static func repeats(_ value: UnsafeBufferPointer<UInt8>?) -> Int {
        guard let n = SAXElement.integer(value), n > 1 else { return 1 }
        return min(n, 1 << 30)
    }

    /// The table named `wanted` (or the first one), every cell as text.
    /// `onBlock`: where rows go as they are read (see `RowCollector`); the rows not handed on are returned.
    static func read(_ zip: inout ZipArchive, sheet wanted: String?, onBlock: ((SheetText) -> Bool)? = nil) throws(SheetError) -> SheetText {
        let reader = ContentReader(wanted: wanted, limits: zip.limits, onBlock: onBlock)
        guard try SAXParser.parse(&zip, entry: "content.xml", handler: reader) else {
            throw .unreadable("il manque la partie « content.xml »")
        }
        guard let sheet = reader.sheet else { throw .notFound(wanted ?? "", present: reader.names) }
        return sheet
    }

    /// A cell's typed value (`office:value`, `office:date-value`, `office:boolean-value`), which
    /// is its text when it has one.
    static func typedValue(_ e: SAXElement) -> String? {
        guard let type = e.raw("value-type", namespace: officeNS) else { return nil }
        switch String(decoding: type, as: UTF8.self) {
        case "float", "percentage", "currency":
            return e.value("value", namespace: officeNS).map { CellValues.number($0.trimmingSpaces) }
        case "date":
            return e.value("date-value", namespace: officeNS).flatMap(CellValues.isoDate)
        case "boolean":
            return e.value("boolean-value", namespace: officeNS).map { $0 == "true" || $0 == "1" ? "TRUE" : "FALSE" }
        default:
            return nil
        }
    }
}

/// The SAX events of `content.xml`: the tables' names up to the one wanted, then its rows and
/// cells. A cell's text is its paragraphs joined by line breaks, white space as ODF says: runs
/// of spaces, tabs and line breaks in the XML are one space, none at a paragraph's start;
/// `text:s`, `text:tab` and `text:line-break` are kept as written. Annotations, notes, drawings
/// and anything else in a cell are skipped.
final class ContentReader: SAXHandler {
    let wanted: String?
    let limits: SheetLimits
    private(set) var names: [String] = []
    private(set) var sheet: SheetText?
    private var collector: RowCollector
    /// Depth in the table being read (0: not in it).
    private var depth = 0
    private var inRow = false
    private var rowNumber = 1
    private var rowRepeats = 1
    /// Depth in the cell being read (0: not in a cell; 1: in it; 2 and more: in a paragraph).
    private var cellDepth = 0
    private var cellTyped: String?
    private var cellCovered = false
    private var cellRepeats = 1
    private var text: [UInt8] = []
    private var paragraphCount = 0
    private var afterSpace = true
    private let cap: Int

    let onBlock: ((SheetText) -> Bool)?

    init(wanted: String?, limits: SheetLimits, onBlock: ((SheetText) -> Bool)?) {
        self.wanted = wanted
        self.onBlock = onBlock
        self.limits = limits
        collector = RowCollector(limits: limits)
        cap = min(limits.maxEntryBytes, 1 << 20)
    }

    private func check() throws(SheetError) {
        if text.count > cap { throw .tooLarge("une cellule dépasse \(ZipArchive.mebibytes(cap)) de texte") }
    }

    func start(_ e: SAXElement, _ parser: SAXParser) throws(SheetError) {
        if cellDepth > 0 { return try cellStart(e, parser) }
        let tableNS = ODSReader.tableNS
        guard depth > 0 else {
            guard e.is("table", in: tableNS) else { return }
            let name = e.value("name", namespace: tableNS) ?? ""
            names.append(name)
            if wanted == nil || wanted == name {
                collector = RowCollector(limits: limits, name: name)
                collector.onBlock = onBlock
                depth = 1
            } else {
                parser.skipElement()
            }
            return
        }
        if e.name.isIn(tableNS) {
            if e.is("table-cell") || e.is("covered-table-cell") {
                guard inRow else { parser.skipElement(); return }
                cellDepth = 1
                cellTyped = ODSReader.typedValue(e)
                cellCovered = e.is("covered-table-cell")
                cellRepeats = ODSReader.repeats(e.raw("number-columns-repeated", namespace: tableNS))
                text.removeAll(keepingCapacity: true)
                paragraphCount = 0
                return
            }
            if e.is("table-row") {
                collector.beginRow()
                inRow = true
                rowRepeats = ODSReader.repeats(e.raw("number-rows-repeated", namespace: tableNS))
            } else if e.is("table") {
                parser.skipElement()  // a table inside this one: not rows of this sheet
                return
            }
        }
        depth += 1
    }

    private func cellStart(_ e: SAXElement, _ parser: SAXParser) throws(SheetError) {
        let textNS = ODSReader.textNS
        if cellDepth == 1 {
            guard e.is("p", in: textNS) || e.is("h", in: textNS) else { parser.skipElement(); return }
            if paragraphCount > 0 { text.append(0x0A) }
            paragraphCount += 1
            afterSpace = true
        } else if e.name.isIn(textNS) {
            if e.is("s") {
                let n = min(e.value("c", namespace: textNS).flatMap { Int($0) } ?? 1, cap + 1)
                text.append(contentsOf: repeatElement(0x20, count: max(n, 1)))
                afterSpace = false
            } else if e.is("tab") {
                text.append(0x09)
                afterSpace = false
            } else if e.is("line-break") {
                text.append(0x0A)
                afterSpace = false
            } else if e.is("note") || e.is("ruby-text") || e.is("change") {
                parser.skipElement()
                return
            }
            try check()
        } else if e.name.isIn(ODSReader.drawNS) || e.is("annotation") {
            parser.skipElement()
            return
        }
        cellDepth += 1
    }

    func end(_ e: SAXName, _ parser: SAXParser) throws(SheetError) {
        if cellDepth > 0 {
            cellDepth -= 1
            guard cellDepth == 0 else { return }
            if cellCovered {
                try collector.add(UnsafeBufferPointer(start: nil, count: 0), repeats: cellRepeats)
            } else if let typed = cellTyped {
                try SheetError.withBytes(of: typed) { (b) throws(SheetError) in try collector.add(b, repeats: cellRepeats) }
            } else {
                try text.withUnsafeBufferPointer { (b) throws(SheetError) in try collector.add(b, repeats: cellRepeats) }
            }
            return
        }
        guard depth > 0 else { return }
        depth -= 1
        if depth == 0 {
            sheet = collector.sheet
            parser.stop()
            return
        }
        if inRow, e.is("table-row", in: ODSReader.tableNS) {
            try collector.endRow(number: rowNumber, repeats: rowRepeats)
            rowNumber += rowRepeats
            inRow = false
            if collector.stopped {
                sheet = collector.sheet
                parser.stop()
            }
        }
    }

    func text(_ bytes: UnsafeBufferPointer<UInt8>, _ parser: SAXParser) throws(SheetError) {
        guard cellDepth >= 2 else { return }
        var run = 0
        for i in 0..<bytes.count where bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D {
            if i > run { text.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i])); afterSpace = false }
            if !afterSpace { text.append(0x20) }
            afterSpace = true
            run = i + 1
        }
        if bytes.count > run { text.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<bytes.count])); afterSpace = false }
        try check()
    }
}
