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

    /// The shared strings, in order: each `<si>`'s text (`<t>`, or the `<r><t>` runs of rich
    /// text), without phonetic runs (`<rPh>`); parsed as the part is inflated.
    static func sharedStrings(_ zip: inout ZipArchive, part: String, limits: SheetLimits) throws(SheetError) -> SharedStrings {
        let reader = SharedStringsReader(limits: limits)
        _ = try SAXParser.parse(&zip, entry: part, handler: reader)
        return reader.strings
    }
}

/// The shared strings of a workbook, their text back to back.
struct SharedStrings {
    private var bytes: [UInt8] = []
    private var ends: [Int] = []

    var count: Int { ends.count }

    mutating func append(_ text: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: text)
        ends.append(bytes.count)
    }

    /// Hands `body` the bytes of string `i` (which must exist).
    func withText<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) throws(SheetError) -> R) throws(SheetError) -> R {
        let start = i == 0 ? 0 : ends[i - 1]
        return try bytes.withUnsafeBufferPointer { (b) throws(SheetError) -> R in
            try body(UnsafeBufferPointer(rebasing: b[start..<ends[i]]))
        }
    }

    /// String `i` (which must exist).
    func string(_ i: Int) -> String {
        (try? withText(i) { String(decoding: $0, as: UTF8.self) }) ?? ""
    }
}

/// The SAX events of the shared strings part: each `<si>`'s `<t>` text, `<rPh>` skipped.
final class SharedStringsReader: SAXHandler {
    let limits: SheetLimits
    private(set) var strings = SharedStrings()
    private var current: [UInt8] = []
    private var inItem = false, inText = false

    init(limits: SheetLimits) { self.limits = limits }

    func start(_ e: SAXElement, _ parser: SAXParser) throws(SheetError) {
        if e.is("si") {
            current.removeAll(keepingCapacity: true)
            inItem = true
        } else if e.is("t") {
            if inItem { inText = true }
        } else if e.is("rPh") {
            if inItem { parser.skipElement() }
        }
    }

    func end(_ e: SAXName, _ parser: SAXParser) throws(SheetError) {
        if e.is("t") {
            inText = false
        } else if e.is("si") {
            guard strings.count < limits.maxCells else { throw .tooLarge("plus de \(limits.maxCells) textes partagés") }
            if current.contains(UInt8(ascii: "_")) {
                var decoded = CellValues.decodeOOXMLEscapes(String(decoding: current, as: UTF8.self))
                decoded.withUTF8 { strings.append($0) }
            } else {
                current.withUnsafeBufferPointer { strings.append($0) }
            }
            inItem = false
        }
    }

    func text(_ bytes: UnsafeBufferPointer<UInt8>, _ parser: SAXParser) throws(SheetError) {
        if inText { current.append(contentsOf: bytes) }
    }
}
