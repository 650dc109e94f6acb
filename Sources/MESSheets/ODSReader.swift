/// Reads one table of an .ods package (OpenDocument), streaming `content.xml`. Repeated rows
/// and cells (`number-rows-repeated`, `number-columns-repeated`, which LibreOffice writes with
/// huge counts for trailing empties) are counted, never materialised when empty.
enum ODSReader {
    static let officeNS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    static let tableNS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    static let textNS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    static let drawNS = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"

    /// A repeat count: at least 1, at most 2^30 (a hostile count cannot overflow a row number).
    static func repeats(_ value: String?) -> Int {
        guard let value, let n = Int(value), n > 1 else { return 1 }
        return min(n, 1 << 30)
    }

    /// The table named `wanted` (or the first one), every cell as text.
    static func read(_ zip: inout ZipArchive, sheet wanted: String?) throws(SheetError) -> Sheet {
        guard let bytes = try zip.data("content.xml") else { throw .unreadable("il manque la partie « content.xml »") }
        let limits = zip.limits
        return try XMLStream.parse(bytes, part: "content.xml") { (stream) throws(SheetError) -> Sheet in
            var names: [String] = []
            while let event = try stream.next() {
                guard case .start(let e) = event, e.local == "table", e.namespace == tableNS else { continue }
                let name = e.value("name", namespace: tableNS) ?? ""
                names.append(name)
                if wanted == nil || wanted == name {
                    return Sheet(name: name, rows: try rows(stream, limits: limits))
                }
                try stream.skipElement()
            }
            throw .notFound(wanted ?? "", present: names)
        }
    }

    /// A row being read: its cells, and the empty cells not yet written (they are only
    /// written when something follows them).
    struct RowCells {
        var cells: [String] = []
        var pendingEmpty = 0

        mutating func add(_ value: String, repeats: Int, collector: RowCollector) throws(SheetError) {
            if value.isEmpty {
                pendingEmpty = min(pendingEmpty + repeats, collector.limits.maxColumns + 1)
                return
            }
            guard repeats <= collector.limits.maxColumns - cells.count - pendingEmpty else { throw collector.columnLimit }
            cells += [String](repeating: "", count: pendingEmpty)
            cells += [String](repeating: value, count: repeats)
            pendingEmpty = 0
        }
    }

    /// The rows of the table whose start was just read, up to its end.
    static func rows(_ stream: XMLStream, limits: SheetLimits) throws(SheetError) -> [Sheet.Row] {
        var collector = RowCollector(limits: limits)
        var rowNumber = 1
        var row: RowCells?
        var rowRepeats = 1
        var depth = 1
        while depth > 0, let event = try stream.next() {
            switch event {
            case .start(let e):
                if e.namespace == tableNS {
                    switch e.local {
                    case "table":
                        try stream.skipElement()  // a table inside this one: not rows of this sheet
                        continue
                    case "table-row":
                        row = RowCells()
                        rowRepeats = repeats(e.value("number-rows-repeated", namespace: tableNS))
                    case "table-cell", "covered-table-cell":
                        guard row != nil else { try stream.skipElement(); continue }
                        let text = try cell(e, stream: stream, limits: limits)
                        try row?.add(e.local == "covered-table-cell" ? "" : text,
                                     repeats: repeats(e.value("number-columns-repeated", namespace: tableNS)), collector: collector)
                        continue  // `cell` read the cell's end
                    default:
                        break
                    }
                }
                depth += 1
            case .end(let namespace, let local):
                depth -= 1
                if namespace == tableNS, local == "table-row", let done = row {
                    try collector.append(number: rowNumber, cells: done.cells, repeats: rowRepeats)
                    rowNumber += rowRepeats
                    row = nil
                }
            case .text:
                break
            }
        }
        return collector.rows
    }

    /// A cell's text: its typed value (`office:value`, `office:date-value`,
    /// `office:boolean-value`) when it has one, else its paragraphs joined by line breaks.
    /// Reads up to the cell's end.
    static func cell(_ e: XMLElement, stream: XMLStream, limits: SheetLimits) throws(SheetError) -> String {
        let typed: String?
        switch e.value("value-type", namespace: officeNS) {
        case "float", "percentage", "currency":
            typed = e.value("value", namespace: officeNS).map { CellValues.number($0.trimmingSpaces) }
        case "date":
            typed = e.value("date-value", namespace: officeNS).flatMap(CellValues.isoDate)
        case "boolean":
            typed = e.value("boolean-value", namespace: officeNS).map { $0 == "true" || $0 == "1" ? "TRUE" : "FALSE" }
        default:
            typed = nil
        }
        let text = try paragraphs(stream, limits: limits)
        return typed ?? text
    }

    /// The text of a cell's `text:p` paragraphs, joined by line breaks, up to the cell's end.
    /// White space follows ODF: runs of spaces, tabs and line breaks in the XML are one space,
    /// none at a paragraph's start; `text:s`, `text:tab` and `text:line-break` are kept as written.
    /// Annotations, notes, drawings and anything else in the cell are skipped.
    static func paragraphs(_ stream: XMLStream, limits: SheetLimits) throws(SheetError) -> String {
        var text: [UInt8] = []
        var paragraphCount = 0
        var depth = 1  // 1: in the cell; 2 and more: in a paragraph
        var afterSpace = true
        let cap = min(limits.maxEntryBytes, 1 << 20)
        func check() throws(SheetError) {
            if text.count > cap { throw .tooLarge("une cellule dépasse \(ZipArchive.mebibytes(cap)) de texte") }
        }
        while depth > 0, let event = try stream.next() {
            switch event {
            case .start(let e):
                if depth == 1 {
                    guard e.namespace == textNS, e.local == "p" || e.local == "h" else { try stream.skipElement(); continue }
                    if paragraphCount > 0 { text.append(0x0A) }
                    paragraphCount += 1
                    afterSpace = true
                } else if e.namespace == textNS {
                    switch e.local {
                    case "s":
                        let n = min(Int(e.value("c", namespace: textNS) ?? "1") ?? 1, cap + 1)
                        text.append(contentsOf: repeatElement(0x20, count: max(n, 1)))
                        afterSpace = false
                    case "tab":
                        text.append(0x09)
                        afterSpace = false
                    case "line-break":
                        text.append(0x0A)
                        afterSpace = false
                    case "note", "ruby-text", "change":
                        try stream.skipElement()
                        continue
                    default:
                        break
                    }
                    try check()
                } else if e.namespace == drawNS || e.local == "annotation" {
                    try stream.skipElement()
                    continue
                }
                depth += 1
            case .end:
                depth -= 1
            case .text(var chunk):
                guard depth >= 2 else { continue }
                chunk.withUTF8 { b in
                    var run = 0
                    for i in 0..<b.count where b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D {
                        if i > run { text.append(contentsOf: b[run..<i]); afterSpace = false }
                        if !afterSpace { text.append(0x20) }
                        afterSpace = true
                        run = i + 1
                    }
                    if b.count > run { text.append(contentsOf: b[run..<b.count]); afterSpace = false }
                }
                try check()
            }
        }
        return String(decoding: text, as: UTF8.self)
    }
}
