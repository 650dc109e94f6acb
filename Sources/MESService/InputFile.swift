import MESCore
import MESSheets
import MESSystem

/// A roster or a member list given as a file: CSV, streamed as it is read, or a spreadsheet
/// (.xlsx or .ods, known by its content, not its name) read whole within `SheetLimits` and
/// handed on as CSV whose lines are the sheet's rows, so that a row's number in errors and
/// reports is the one the sheet shows. Cells are taken as the sheet stores them: a NIR typed
/// as a number keeps its 15 digits, a date cell reads as `dd/mm/yyyy`.
public struct InputFile {
    /// The bytes, as CSV.
    public let source: ByteSource
    /// The file's size (for progress), 0 when unknown.
    public let totalBytes: Int

    /// Opens `path`. `sheet`: the sheet to read (default the first); refused for a CSV file.
    public static func open(_ path: String, sheet: String?, field: String) throws -> InputFile {
        let chunks = try FileIO.Chunks(path: path, field: field)
        let head = chunks.peek(4)
        guard head == [0x50, 0x4B, 0x03, 0x04] else {
            if sheet != nil {
                throw MESError(.usage, "--sheet ne s'applique qu'à un classeur .xlsx ou .ods : \(TextEscaping.terminalSafe(path)) n'en est pas un",
                               field: "sheet")
            }
            return InputFile(source: { try chunks.forEach($0) }, totalBytes: chunks.size)
        }
        let bytes = try chunks.readAll(limit: SheetLimits.standard.maxFileBytes)
        let read: Sheet
        do throws(SheetError) { read = try Spreadsheet.read(bytes, sheet: sheet) } catch { throw error.mesError(field: sheet == nil ? field : "sheet") }
        let csv = Self.csv(read)
        return InputFile(source: { body in try csv.withUnsafeBufferPointer { try body($0) } }, totalBytes: csv.count)
    }

    /// The sheet as CSV (',' separator, UTF-8) whose physical lines follow the sheet's row
    /// numbers: a blank line for each row left empty, so that a record's line is its row
    /// (a cell holding line breaks takes lines of its own, made up by the next empty rows).
    static func csv(_ sheet: Sheet) -> [UInt8] {
        var out: [UInt8] = []
        var line = 1
        for row in sheet.rows {
            while line < row.number { out.append(0x0A); line += 1 }
            CSVWriter.append(row.cells, separator: ",", to: &out)
            for cell in row.cells { line += cell.utf8.count { $0 == 0x0A } }
            line += 1
        }
        return out
    }
}

extension SheetError {
    /// The same refusal as the catalogue's error (exit 65), its French message as it is.
    func mesError(field: String) -> MESError {
        let code: ErrorCode
        switch self.code {
        case .notSpreadsheet: code = .sheetNotSpreadsheet
        case .unreadable: code = .sheetUnreadable
        case .tooLarge: code = .sheetTooLarge
        case .unsupported: code = .sheetUnsupported
        case .encrypted: code = .sheetEncrypted
        case .unsafe: code = .sheetUnsafe
        case .notFound: code = .sheetNotFound
        }
        return MESError(code, message, field: field)
    }
}
