/// The parts of an .xlsx package around its sheets: relationships, the workbook's sheet list,
/// the cell styles that show dates, and the shared strings.
enum XLSXParts {
    struct Relationship {
        var type: String
        /// The target part's name in the archive (resolved, no leading slash).
        var target: String
    }

    struct Workbook {
        var sheets: [(name: String, relationship: String)] = []
        var date1904 = false
    }

    /// The path of the relationships part of `part` (`xl/workbook.xml` → `xl/_rels/workbook.xml.rels`).
    static func relationshipsPath(of part: String) -> String {
        let (dir, file) = split(part)
        return dir.isEmpty ? "_rels/\(file).rels" : "\(dir)/_rels/\(file).rels"
    }

    static func split(_ path: String) -> (dir: String, file: String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        return (String(path[..<slash]), String(path[path.index(after: slash)...]))
    }

    /// A relationship's target, relative to the folder of its source part (or absolute), as
    /// an entry name: `.` and `..` resolved, never above the archive's root.
    static func resolve(_ target: String, from dir: String) -> String {
        var parts: [Substring] = target.hasPrefix("/") ? [] : dir.split(separator: "/")
        for piece in target.split(separator: "/") {
            switch piece {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(piece)
            }
        }
        return parts.joined(separator: "/")
    }

    /// The relationships of `part`, by Id (none when the part has no relationships part).
    static func relationships(of part: String, in zip: inout ZipArchive) throws(SheetError) -> [String: Relationship] {
        let path = relationshipsPath(of: part)
        guard let bytes = try zip.data(path) else { return [:] }
        let dir = split(part).dir
        let limit = zip.limits.maxEntries
        var found: [String: Relationship] = [:]
        try SAXParser.parse(bytes, part: path, handler: SAXClosures { (e, _) throws(SheetError) in
            guard e.is("Relationship") else { return }
            guard let id = e.value("Id"), let type = e.value("Type"), let target = e.value("Target"),
                  e.value("TargetMode") != "External" else { return }
            guard found.count < limit else { throw .tooLarge("trop de relations dans \(SheetError.quoted(path))") }
            found[id] = Relationship(type: type, target: resolve(target, from: dir))
        })
        return found
    }

    /// The workbook part: named by the package's officeDocument relationship, else `xl/workbook.xml`.
    static func workbookPath(in zip: inout ZipArchive) throws(SheetError) -> String {
        let root = try relationships(of: "", in: &zip)
        let office = root.values.filter { $0.type.hasSuffix("/officeDocument") }.map(\.target).sorted()
        return office.first { zip.contains($0) } ?? "xl/workbook.xml"
    }

    static func workbook(_ bytes: [UInt8], part: String, limits: SheetLimits) throws(SheetError) -> Workbook {
        var book = Workbook()
        try SAXParser.parse(bytes, part: part, handler: SAXClosures { (e, _) throws(SheetError) in
            if e.is("workbookPr") {
                book.date1904 = ["1", "true"].contains(e.value("date1904") ?? "")
            } else if e.is("sheet") {
                guard let name = e.value("name"), let id = e.value("id", namespaceContaining: "relationships") else {
                    throw .unreadable("une feuille de \(SheetError.quoted(part)) n'a pas de nom ou de relation")
                }
                guard book.sheets.count < limits.maxEntries else { throw .tooLarge("le classeur compte plus de \(limits.maxEntries) feuilles") }
                book.sheets.append((name, id))
            }
        })
        return book
    }

    /// For each cell style (`s=` of a cell), whether its number format shows a date: the
    /// built-in formats 14–22 and 45–47, or a custom format with d, m or y (`CellValues.isDateFormat`).
    static func dateStyles(_ bytes: [UInt8], part: String, limits: SheetLimits) throws(SheetError) -> [Bool] {
        var custom: [Int: String] = [:]
        var formats: [Int] = []
        var inCellXfs = false
        let handler = SAXClosures { (e, _) throws(SheetError) in
            if e.is("numFmt") {
                if let id = e.value("numFmtId").flatMap({ Int($0) }), let code = e.value("formatCode") {
                    guard custom.count < limits.maxCells else { throw .tooLarge("trop de formats de nombre") }
                    custom[id] = code
                }
            } else if e.is("cellXfs") {
                inCellXfs = true
            } else if e.is("xf") && inCellXfs {
                guard formats.count < limits.maxCells else { throw .tooLarge("trop de styles de cellule") }
                formats.append(e.value("numFmtId").flatMap { Int($0) } ?? 0)
            }
        }
        handler.onEnd = { e in if e.is("cellXfs") { inCellXfs = false } }
        try SAXParser.parse(bytes, part: part, handler: handler)
        return formats.map { id in custom[id].map(CellValues.isDateFormat) ?? CellValues.builtInDateFormats.contains(id) }
    }
}
