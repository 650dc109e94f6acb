import MESCore
import MESService

/// The association's report of a batch (`--report`): a CSV that French spreadsheets open as
/// they are (UTF-8 with BOM, ';'), one row per member in input order: the CSV line, the masked
/// NIR, the status in French, the stable code (the status, or the error's code), the receipt
/// file, where a message went (the mailed receipt's delivery status, or where a requested
/// code was sent), the column at fault and the date until which a requested code is valid.
struct BatchReportCSV: BatchReportFormat {
    static let columns = ["ligne", "nir", "statut", "code", "justificatif", "envoi", "colonne", "code_valable_jusqu_au"]

    var header: [UInt8] { [0xEF, 0xBB, 0xBF] + Array(CSVWriter.line(Self.columns, separator: ";").utf8) }

    /// One cell, CSV-quoted when needed and kept from being read as a formula.
    static func cell(_ s: String) -> String {
        String(CSVWriter.line([TextEscaping.spreadsheetCell(s, tabSeparated: false)], separator: ";").dropLast())
    }

    func append(_ r: BatchOpposition.Result, to out: inout [UInt8]) -> Int? {
        let head = [String(r.line), r.nir.map(Masking.nir) ?? "", r.status.french, r.error?.code.rawValue ?? r.status.rawValue,
                    r.file.map { String($0.split(separator: "/").last ?? "") } ?? ""]
        out += head.map(Self.cell).joined(separator: ";").utf8
        out.append(0x3B)
        var mailAt: Int?
        if r.mail != nil { mailAt = out.count } else { out += Self.cell(r.destination ?? "").utf8 }
        for tail in [r.error?.field ?? "", r.codeExpiresAt.map { $0.parisDate.french } ?? ""] {
            out.append(0x3B)
            out += Self.cell(tail).utf8
        }
        out.append(0x0A)
        return mailAt
    }

    func delivery(_ status: DeliveryStatus?) -> [UInt8] { Array(Self.cell(status?.french ?? "").utf8) }
}
