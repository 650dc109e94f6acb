/// Reading .xlsx and .ods workbooks from their bytes (`mes` does the file I/O elsewhere).
public enum Spreadsheet {
    /// .xlsx or .ods by content: ZIP magic, then the `mimetype` entry (OpenDocument) or
    /// `[Content_Types].xml` (Office Open XML); nil for anything else (a CSV, an old .xls, a
    /// .docx). A damaged archive is judged by its first entry, so that `read` says what is wrong.
    public static func kind(of bytes: [UInt8]) -> SpreadsheetKind? {
        guard ZipArchive.hasMagic(bytes) else { return nil }
        do {
            var zip = try ZipArchive(bytes, limits: .standard)
            return try detect(&zip)
        } catch {
            return firstEntryKind(bytes)
        }
    }

    /// The named sheet (or the first one), every cell as text as the sheet stores it: strings
    /// as written, numbers as stored (exact integers in digits, never 2.01126E+14), dates as
    /// dd/mm/yyyy, booleans as TRUE/FALSE, formulas as their cached value, merged and covered
    /// cells empty.
    public static func read(_ bytes: [UInt8], sheet: String? = nil, limits: SheetLimits = .standard) throws(SheetError) -> Sheet {
        let read = try text(bytes, sheet: sheet, limits: limits)
        return Sheet(name: read.name, rows: read.sheetRows)
    }

    /// What `read` reads, the cells' text back to back in one buffer (no `String` per cell):
    /// for a reader of many rows that hands them on as bytes.
    public static func text(_ bytes: [UInt8], sheet: String? = nil, limits: SheetLimits = .standard) throws(SheetError) -> SheetText {
        try read(bytes, sheet: sheet, limits: limits, onBlock: nil)
    }

    /// What `text` reads, handed to `rows` in blocks as it is read (the whole sheet in one block
    /// when merged ranges may blank some of its cells), so that a reader can work on the first
    /// rows while the next ones are parsed. `rows` returns false to stop the reading. A
    /// refusal can come after some blocks went: whoever must not act on a part of a sheet
    /// reads it with `text`.
    public static func stream(_ bytes: [UInt8], sheet: String? = nil, limits: SheetLimits = .standard,
                              rows: @escaping (SheetText) -> Bool) throws(SheetError) {
        var going = true
        let rest = try read(bytes, sheet: sheet, limits: limits) { block in
            going = rows(block)
            return going
        }
        if going && !rest.runs.isEmpty { _ = rows(rest) }
    }

    static func read(_ bytes: [UInt8], sheet: String?, limits: SheetLimits, onBlock: ((SheetText) -> Bool)?) throws(SheetError) -> SheetText {
        guard bytes.count <= limits.maxFileBytes else {
            throw .tooLarge("le fichier fait \(ZipArchive.mebibytes(bytes.count)), la limite est \(ZipArchive.mebibytes(limits.maxFileBytes))")
        }
        guard ZipArchive.hasMagic(bytes) else { throw notSpreadsheet(bytes) }
        var zip = try ZipArchive(bytes, limits: limits)
        switch try detect(&zip) {
        case .xlsx: return try XLSXReader.read(&zip, sheet: sheet, onBlock: onBlock)
        case .ods: return try ODSReader.read(&zip, sheet: sheet, onBlock: onBlock)
        case nil:
            throw SheetError(.notSpreadsheet, "Le fichier est une archive ZIP, mais pas un classeur .xlsx ni .ods. Enregistrez la liste au format .xlsx, .ods ou CSV.")
        }
    }

    /// The sheet as RFC 4180 CSV in UTF-8: comma separator, fields quoted when they hold a
    /// comma, a quote or a line break (quotes doubled), CRLF after every record, header first.
    /// Rows are padded to the widest one; blank rows are left out.
    public static func csv(_ sheet: Sheet) -> [UInt8] {
        let width = sheet.rows.map(\.cells.count).max() ?? 0
        var out: [UInt8] = []
        for row in sheet.rows {
            for i in 0..<width {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                guard i < row.cells.count else { continue }
                let field = row.cells[i].utf8
                if field.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) {
                    out.append(0x22)
                    for b in field {
                        if b == 0x22 { out.append(0x22) }
                        out.append(b)
                    }
                    out.append(0x22)
                } else {
                    out += field
                }
            }
            out += [0x0D, 0x0A]
        }
        return out
    }

    // MARK: Detection

    static let odsTypes: Set<String> = ["application/vnd.oasis.opendocument.spreadsheet",
                                        "application/vnd.oasis.opendocument.spreadsheet-template"]

    /// The kind of an archive read: by its `mimetype` entry, else by `[Content_Types].xml`.
    static func detect(_ zip: inout ZipArchive) throws(SheetError) -> SpreadsheetKind? {
        if let mimetype = try zip.data("mimetype", cap: 256) {
            return odsTypes.contains(String(decoding: mimetype, as: UTF8.self).trimmingSpaces) ? .ods : nil
        }
        if let types = try zip.data("[Content_Types].xml", cap: 1 << 20) {
            let text = String(decoding: types, as: UTF8.self)
            return text.contains("spreadsheetml.sheet.main") || text.contains("spreadsheetml.template.main")
                || text.contains("ms-excel.sheet.macroEnabled.main") || text.contains("ms-excel.template.macroEnabled.main") ? .xlsx : nil
        }
        return nil
    }

    /// The kind a damaged archive announces by its first local header: a stored `mimetype`
    /// naming an OpenDocument spreadsheet, or Office Open XML's usual first parts.
    static func firstEntryKind(_ bytes: [UInt8]) -> SpreadsheetKind? {
        guard bytes.count >= 30 else { return nil }
        let nameLength = Int(bytes[26]) | Int(bytes[27]) << 8, extraLength = Int(bytes[28]) | Int(bytes[29]) << 8
        guard 30 + nameLength <= bytes.count else { return nil }
        let name = String(decoding: bytes[30..<(30 + nameLength)], as: UTF8.self)
        if name == "mimetype" {
            let start = 30 + nameLength + extraLength
            let type = Array("application/vnd.oasis.opendocument.spreadsheet".utf8)
            guard start + type.count <= bytes.count else { return nil }
            return Array(bytes[start..<(start + type.count)]) == type ? .ods : nil
        }
        return name == "[Content_Types].xml" || name.hasPrefix("xl/") ? .xlsx : nil
    }

    /// Why bytes that are no ZIP archive are refused: an old or encrypted Excel file, or anything else.
    static func notSpreadsheet(_ bytes: [UInt8]) -> SheetError {
        let compoundFile: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
        if bytes.count >= 8, Array(bytes[0..<8]) == compoundFile {
            return SheetError(.notSpreadsheet, "Le fichier est un classeur Excel 97-2003 (.xls) ou un classeur protégé par mot de passe, que mes ne lit pas. Enregistrez-le sans mot de passe au format .xlsx ou .ods.")
        }
        return SheetError(.notSpreadsheet, "Le fichier n'est ni un classeur .xlsx ni un classeur .ods (un CSV se lit comme un CSV). Enregistrez la liste au format .xlsx, .ods ou CSV.")
    }
}
