import MESCore
import MESRender
import MESService

extension StoreCounts {
    var json: JSON {
        .obj([("people", .int(people)), ("decisions", .int(decisions)), ("receipts", .int(receipts)), ("messages", .int(messages)),
              ("audit_lines", .int(auditLines)), ("schema_version", .int(schemaVersion))])
    }

    var text: String {
        "\(plural(people, "personne", "personnes")), \(plural(decisions, "décision", "décisions")), "
            + "\(plural(receipts, "justificatif", "justificatifs")), \(plural(messages, "message", "messages")) ; schéma \(schemaVersion)"
    }
}

extension BackupSummary: Report {
    public var text: String {
        "Sauvegarde écrite : \(path) (\(encrypted ? "chiffrée" : "NON chiffrée"), \(takenAt.iso8601))\n"
            + "Contenu : \(counts.text), et \(files.joined(separator: ", ")).\n"
            + (encrypted ? "Gardez la phrase de passe à part : sans elle, la sauvegarde ne se restaure pas.\n"
                         : "Attention : ce fichier contient les coordonnées de chacun et les clés de la base en clair.\n")
    }

    public var json: JSON {
        .obj([("status", "written"), ("path", .string(path)), ("encrypted", .bool(encrypted)), ("taken_at", .string(takenAt.iso8601)),
              ("counts", counts.json), ("files", .array(files.map { .string($0) }))])
    }
}

extension RestoreSummary: Report {
    public var text: String {
        "Base restaurée dans \(directory) : \(counts.text).\nVérifiez-la : MES_HOME=\(directory) mes check\n"
    }

    public var json: JSON {
        .obj([("status", "restored"), ("directory", .string(directory)), ("counts", counts.json), ("files", .array(files.map { .string($0) }))])
    }
}

extension StoreCheckReport: Report {
    public var text: String {
        if problems.isEmpty {
            return "Base intègre." + (receiptFiles > 0 ? " \(plural(receiptFiles, "justificatif vérifié", "justificatifs vérifiés"))." : "") + "\n"
        }
        return "\(plural(problems.count, "problème", "problèmes")) :\n" + problems.map { "  \($0.code) : \($0.message)\n" }.joined()
    }

    public var json: JSON {
        .obj([("status", .string(problems.isEmpty ? "whole" : "damaged")), ("receipt_files", .int(receiptFiles)),
              ("problems", .array(problems.map { .obj([("code", .string($0.code)), ("message", .string($0.message))]) }))])
    }
}
