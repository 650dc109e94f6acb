import MESCore
import MESRender
import MESService
import MESStore

/// The association's report of a batch: a CSV that French spreadsheets open as they are
/// (UTF-8 with BOM, ';'), one row per member.
enum BatchReport {
    static let header = ["ligne", "nir", "statut", "code", "justificatif", "envoi"]

    /// The status as the association reads it.
    static func french(_ s: BatchOpposition.Status) -> String {
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

    static func csv(_ rows: [BatchOpposition.Result], _ service: Service) throws -> [UInt8] {
        var out: [UInt8] = [0xEF, 0xBB, 0xBF]
        out += Array(CSVWriter.line(header, separator: ";").utf8)
        for r in rows {
            var delivery = ""
            if let id = r.mail { delivery = try service.store.outboxEntry(id: id)?.status.french ?? "" }
            let cells = [String(r.line), r.nir.map(Masking.nir) ?? "", french(r.status), r.error?.code.rawValue ?? r.status.rawValue,
                         r.file.map { String($0.split(separator: "/").last ?? "") } ?? "", delivery]
            out += Array(CSVWriter.line(cells, separator: ";").utf8)
        }
        return out
    }
}
