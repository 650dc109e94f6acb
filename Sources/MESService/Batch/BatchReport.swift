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

    /// The report under way: each row's line rendered as it is published (some 70 bytes a
    /// member, not a value per cell), the mailed receipts' delivery status put in at the end,
    /// once the queue has been sent.
    struct Lines {
        private var body: [UInt8] = []
        /// Where each mailed receipt's delivery status goes in `body`, and its outbox message.
        private var mails: [(offset: Int, id: Int64)] = []

        /// One cell, CSV-quoted when needed and kept from being read as a formula.
        static func cell(_ s: String) -> String {
            String(CSVWriter.line([TextEscaping.spreadsheetCell(s, tabSeparated: false)], separator: ";").dropLast())
        }

        mutating func append(_ r: BatchOpposition.Result) {
            let head = [String(r.line), r.nir.map(Masking.nir) ?? "", BatchReport.french(r.status), r.error?.code.rawValue ?? r.status.rawValue,
                        r.file.map { String($0.split(separator: "/").last ?? "") } ?? ""]
            body += head.map(Self.cell).joined(separator: ";").utf8
            body.append(0x3B)
            if let id = r.mail { mails.append((body.count, id)) } else { body += Self.cell(r.destination ?? "").utf8 }
            for tail in [r.error?.field ?? "", r.codeExpiresAt.map { $0.parisDate.french } ?? ""] {
                body.append(0x3B)
                body += Self.cell(tail).utf8
            }
            body.append(0x0A)
        }

        /// The report's bytes; each mailed receipt's delivery status is read from the outbox now.
        func csv(store: Store) throws -> [UInt8] {
            var out: [UInt8] = [0xEF, 0xBB, 0xBF]
            out += Array(CSVWriter.line(BatchReport.header, separator: ";").utf8)
            out.reserveCapacity(out.count + body.count + mails.count * 12)
            var from = 0
            for m in mails {
                out += body[from..<m.offset]
                out += Self.cell(try store.outboxEntry(id: m.id)?.status.french ?? "").utf8
                from = m.offset
            }
            out += body[from...]
            return out
        }
    }
}
