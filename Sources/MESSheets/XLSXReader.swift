/// Reads one worksheet of an .xlsx package (Office Open XML), streaming its XML.
enum XLSXReader {
    /// The worksheet named `wanted` (or the first one), every cell as text.
    static func read(_ zip: inout ZipArchive, sheet wanted: String?) throws(SheetError) -> Sheet {
        let limits = zip.limits
        let bookPath = try XLSXParts.workbookPath(in: &zip)
        guard let bookBytes = try zip.data(bookPath) else {
            throw .unreadable("il manque la partie \(SheetError.quoted(bookPath)) (la liste des feuilles)")
        }
        let book = try XLSXParts.workbook(bookBytes, part: bookPath, limits: limits)
        let relationships = try XLSXParts.relationships(of: bookPath, in: &zip)
        let worksheets = book.sheets.compactMap { s -> (name: String, target: String)? in
            guard let r = relationships[s.relationship], r.type.hasSuffix("/worksheet") else { return nil }
            return (s.name, r.target)
        }
        let chosen = wanted.map { name in worksheets.first { $0.name == name } } ?? worksheets.first
        guard let chosen else { throw .notFound(wanted ?? "", present: worksheets.map(\.name)) }

        func part(_ type: String) -> String? {
            relationships.values.filter { $0.type.hasSuffix(type) }.map(\.target).sorted().first
        }
        var shared: [String] = []
        if let path = part("/sharedStrings"), let bytes = try zip.data(path) {
            shared = try XLSXParts.sharedStrings(bytes, part: path, limits: limits)
        }
        var dateStyles: [Bool] = []
        if let path = part("/styles"), let bytes = try zip.data(path) {
            dateStyles = try XLSXParts.dateStyles(bytes, part: path, limits: limits)
        }
        guard let bytes = try zip.data(chosen.target) else {
            throw .unreadable("il manque la partie \(SheetError.quoted(chosen.target)) (la feuille \(SheetError.quoted(chosen.name)))")
        }
        let context = Context(shared: shared, dateStyles: dateStyles, date1904: book.date1904, limits: limits)
        return Sheet(name: chosen.name, rows: try rows(bytes, part: chosen.target, context: context))
    }

    struct Context {
        var shared: [String]
        var dateStyles: [Bool]
        var date1904: Bool
        var limits: SheetLimits
    }

    /// One `<c>` being read.
    struct Cell {
        var column: Int
        var type: String
        var style: Int
        var value = ""
        var inline = ""
    }

    /// The column (0-based) of a cell reference such as `AB12`, or nil when it has no letters.
    static func column(of reference: String) -> Int? {
        var n = 0, letters = 0
        for c in reference.utf8 {
            let upper = c & ~0x20
            guard upper >= UInt8(ascii: "A"), upper <= UInt8(ascii: "Z") else { break }
            letters += 1
            guard letters <= 4 else { return Int.max }
            n = n * 26 + Int(upper - UInt8(ascii: "A") + 1)
        }
        return letters == 0 ? nil : n - 1
    }

    /// A `A1:C3` range as 1-based rows and 0-based columns.
    static func range(_ ref: String) -> (top: Int, left: Int, bottom: Int, right: Int)? {
        let ends = ref.split(separator: ":")
        guard ends.count == 2, let left = column(of: String(ends[0])), let right = column(of: String(ends[1])),
              let top = Int(ends[0].drop { $0.isLetter }), let bottom = Int(ends[1].drop { $0.isLetter }) else { return nil }
        return (min(top, bottom), min(left, right), max(top, bottom), max(left, right))
    }

    /// A cell's text from its type (`t=`), style (`s=`) and stored value.
    static func text(of cell: Cell, context: Context) throws(SheetError) -> String {
        switch cell.type {
        case "s":
            guard let i = Int(cell.value.trimmingSpaces), i >= 0, i < context.shared.count else {
                throw .unreadable("une cellule renvoie à un texte partagé qui n'existe pas (\(cell.value))")
            }
            return context.shared[i]
        case "inlineStr":
            return CellValues.decodeOOXMLEscapes(cell.inline)
        case "str", "e":
            return CellValues.decodeOOXMLEscapes(cell.value)
        case "b":
            return cell.value == "1" ? "TRUE" : cell.value == "0" ? "FALSE" : cell.value
        case "d":
            return CellValues.isoDate(cell.value) ?? cell.value
        default:
            let value = cell.value.trimmingSpaces
            if value.isEmpty { return "" }
            if cell.style >= 0, cell.style < context.dateStyles.count, context.dateStyles[cell.style],
               let date = CellValues.excelDate(value, date1904: context.date1904) {
                return date
            }
            return CellValues.number(value)
        }
    }

    /// The worksheet's rows: `<sheetData>`'s `<row>`s and `<c>`s, then `<mergeCells>`.
    static func rows(_ bytes: [UInt8], part: String, context: Context) throws(SheetError) -> [Sheet.Row] {
        let limits = context.limits
        var collector = RowCollector(limits: limits)
        var merges: [(top: Int, left: Int, bottom: Int, right: Int)] = []
        try XMLStream.parse(bytes, part: part) { (stream) throws(SheetError) -> Void in
            var rowNumber = 0
            var cells: [String] = []
            var lastColumn = -1
            var cell: Cell?
            var inValue = false, inInline = false
            while let event = try stream.next() {
                switch event {
                case .start(let e):
                    switch e.local {
                    case "row":
                        let number = e.value("r").flatMap { Int($0) } ?? rowNumber + 1
                        guard number > rowNumber else { throw .unreadable("les lignes de la feuille ne sont pas dans l'ordre (ligne \(number))") }
                        rowNumber = number
                        cells = []
                        lastColumn = -1
                    case "c":
                        let index = e.value("r").flatMap(Self.column(of:)) ?? lastColumn + 1
                        guard index < limits.maxColumns else { throw collector.columnLimit }
                        lastColumn = index
                        cell = Cell(column: index, type: e.value("t") ?? "n", style: e.value("s").flatMap { Int($0) } ?? 0)
                    case "v" where cell != nil:
                        inValue = true
                    case "is" where cell != nil:
                        inInline = true
                    case "rPh" where inInline:
                        try stream.skipElement()
                    case "f" where cell != nil:
                        try stream.skipElement()  // the formula: its cached value is in <v>
                    case "mergeCell":
                        if let ref = e.value("ref"), let r = Self.range(ref) {
                            guard merges.count < limits.maxCells else { throw collector.cellLimit }
                            merges.append(r)
                        }
                    default:
                        break
                    }
                case .end(_, let local):
                    switch local {
                    case "v": inValue = false
                    case "is": inInline = false
                    case "c":
                        guard let done = cell else { break }
                        cell = nil
                        let value = try Self.text(of: done, context: context)
                        if value.isEmpty && done.column >= cells.count { break }
                        if done.column >= cells.count {
                            guard done.column - cells.count < limits.maxCells - collector.cellCount else { throw collector.cellLimit }
                            cells += [String](repeating: "", count: done.column - cells.count + 1)
                        }
                        cells[done.column] = value
                    case "row":
                        try collector.append(number: rowNumber, cells: cells)
                        cells = []
                    default:
                        break
                    }
                case .text(let text):
                    if inValue { cell?.value += text } else if inInline { cell?.inline += text }
                }
            }
        }
        try collector.blankMerged(merges)
        return collector.rows
    }
}

extension String {
    /// Without leading and trailing ASCII spaces, tabs and line breaks.
    var trimmingSpaces: String {
        let u = utf8
        guard let first = u.firstIndex(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }),
              let last = u.lastIndex(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) else { return "" }
        return String(self[first...last])
    }
}
