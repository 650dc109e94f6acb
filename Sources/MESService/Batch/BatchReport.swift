import MESCore
import MESStore

/// The association's report of a batch (`--report`): a CSV that French spreadsheets open as
/// they are (UTF-8 with BOM, ';'), one row per member in input order: the CSV line, the masked
/// NIR, the status in French, the stable code (the status, or the error's code), the receipt
/// file, where a message went (the mailed receipt's delivery status, or where a requested
/// code was sent), the column at fault and the date until which a requested code is valid.
public enum BatchReport {
    static let header = ["ligne", "nir", "statut", "code", "justificatif", "envoi", "colonne", "code_valable_jusqu_au"]

    /// The status as the association reads it (the report and the summary).
    public static func french(_ s: BatchOpposition.Status) -> String {
        switch s {
        case .opposed: return "opposition enregistrée"
        case .alreadyOpposed: return "déjà opposé"
        case .codeRequested: return "code demandé"
        case .invalid: return "ligne invalide"
        case .identityMismatch: return "identité non reconnue"
        case .codeExpired: return "code expiré"
        case .codeUsed: return "code déjà utilisé"
        case .codeSuperseded: return "code remplacé par un plus récent"
        case .locked: return "bloqué après trop d'essais"
        case .tooSoon: return "demande trop rapprochée"
        case .refused: return "refusé"
        }
    }

    /// What the report keeps of a row until the run ends (the delivery is read then, after sending).
    struct Row {
        let cells: [String]
        let mail: Int64?

        init(_ r: BatchOpposition.Result) {
            cells = [String(r.line), r.nir.map(Masking.nir) ?? "", BatchReport.french(r.status), r.error?.code.rawValue ?? r.status.rawValue,
                     r.file.map { String($0.split(separator: "/").last ?? "") } ?? "", r.destination ?? "", r.error?.field ?? "",
                     r.codeExpiresAt.map { $0.parisDate.french } ?? ""]
            mail = r.mail
        }
    }

    /// The report's bytes; a mailed receipt's delivery status is read from the outbox now.
    static func csv(_ rows: [Row], store: Store) throws -> [UInt8] {
        var out: [UInt8] = [0xEF, 0xBB, 0xBF]
        out += Array(CSVWriter.line(header, separator: ";").utf8)
        for row in rows {
            var cells = row.cells
            if let id = row.mail { cells[5] = try store.outboxEntry(id: id)?.status.french ?? "" }
            out += Array(CSVWriter.line(cells.map { TextEscaping.spreadsheetCell($0, tabSeparated: false) }, separator: ";").utf8)
        }
        return out
    }
}
