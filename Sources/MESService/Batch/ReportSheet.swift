import MESCore
import MESSheets

/// The association's report as the file's name asks for it: `.xlsx` (Excel) or `.ods`
/// (LibreOffice, OpenDocument) by the extension, CSV for any other name. A spreadsheet holds
/// the same rows as the CSV, every cell a text cell (a NIR or a serial never turns into a
/// number), in one sheet named « Rapport ».
enum ReportSheet {
    /// The spreadsheet kind a report path asks for, if any (by its extension, any case).
    static func kind(for path: String) -> SpreadsheetKind? {
        let lower = path.lowercased()
        return lower.hasSuffix(".xlsx") ? .xlsx : lower.hasSuffix(".ods") ? .ods : nil
    }

    /// `csv` (the report as CSV: UTF-8 with BOM, ';') in the form `path` asks for.
    static func bytes(_ csv: [UInt8], for path: String) throws -> [UInt8] {
        guard let kind = kind(for: path) else { return csv }
        let body = csv.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(csv.dropFirst(3)) : csv
        let rows = try CSVReader.parse(body, separator: UInt8(ascii: ";")).map(\.fields)
        switch kind {
        case .xlsx: return SheetWriter.xlsx(sheetName: "Rapport", rows: rows)
        case .ods: return SheetWriter.ods(sheetName: "Rapport", rows: rows)
        }
    }
}
