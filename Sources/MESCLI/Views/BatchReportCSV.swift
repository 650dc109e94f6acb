import MESCore
import MESService

/// The association's report of a batch (`--report`): a CSV that French spreadsheets open as
/// they are (UTF-8 with BOM, ';'), one row per member in input order (`columns`), with the
/// association's kept columns after the row number, what the row says of the member, what was
/// done in French and the stable code, and the next step for the volunteer (`BatchNextStep`).
struct BatchReportCSV: BatchReportFormat {
    /// The columns after `ligne` and the kept ones.
    static let columns = ["nom", "prenom", "nir", "statut", "code", "justificatif", "envoi", "prochaine_etape", "message", "colonne",
                          "creation_automatique_le", "code_valable_jusqu_au", "depose_par", "alertes"]

    /// Whether cells are kept from being read as a formula (the CSV); an .xlsx or .ods report's
    /// cells are text cells, carried as they are (`forSpreadsheet`).
    var guardsFormulas = true

    func forSpreadsheet() -> any BatchReportFormat {
        var f = self
        f.guardsFormulas = false
        return f
    }

    func header(kept: [String]) -> [UInt8] {
        [0xEF, 0xBB, 0xBF] + Array((["ligne"] + kept.map(cell) + Self.columns).joined(separator: ";").utf8) + [0x0A]
    }

    /// One cell, CSV-quoted when needed and, in a CSV, kept from being read as a formula.
    func cell(_ s: String) -> String {
        String(CSVWriter.line([guardsFormulas ? TextEscaping.spreadsheetCell(s, tabSeparated: false) : s], separator: ";").dropLast())
    }

    func append(_ r: BatchOpposition.Result, to out: inout [UInt8]) -> Int? {
        let nir = r.nir.map(Masking.nir) ?? r.nirCell ?? ""
        var head = [String(r.line)] + r.kept
        head += [r.lastName ?? "", r.firstName ?? "", nir, r.status.french, r.error?.code.rawValue ?? r.status.rawValue,
                 r.file.map { String($0.split(separator: "/").last ?? "") } ?? ""]
        out += head.map(cell).joined(separator: ";").utf8
        out.append(0x3B)
        var mailAt: Int?
        let mailed = r.mail ?? r.earlierMail
        if mailed != nil {
            mailAt = out.count  // envoi;prochaine_etape, once the mail's fate is known
        } else {
            out += cell(r.destination ?? "").utf8
            out.append(0x3B)
            out += cell(BatchNextStep.text(r, mail: nil)).utf8
        }
        let tail = [r.error.map { ErrorHints.decorate($0).message } ?? "", r.column ?? "",
                    r.createdAutomaticallyAt.map { $0.parisDate.french } ?? "", r.codeExpiresAt.map { $0.parisDate.french } ?? "",
                    BatchNextStep.filer(r) ?? "", r.warnings.map(BatchNextStep.warning).joined(separator: ". ")]
        for text in tail {
            out.append(0x3B)
            out += cell(text).utf8
        }
        out.append(0x0A)
        return mailAt
    }

    func delivery(_ status: DeliveryStatus?) -> [UInt8] {
        Array((cell(status?.french ?? "") + ";" + cell(BatchNextStep.mailed(status))).utf8)
    }
}

/// What the volunteer does next about a row, in French: the report's `prochaine_etape`.
enum BatchNextStep {
    static func text(_ r: BatchOpposition.Result, mail: DeliveryStatus?) -> String {
        let step = words(r)
        return step.prefix(1).uppercased() + step.dropFirst()
    }

    private static func words(_ r: BatchOpposition.Result) -> String {
        let tries = r.tries.flatMap { t in r.maxTries.map { " (essai \(t) sur \($0))" } } ?? ""
        let lock = r.lockedUntil.map { "carte bloquée jusqu'au \(dateTime($0)). " } ?? ""
        switch r.status {
        case .ready: return "aucune : ligne prête à déposer"
        case .opposed:
            return r.emailGiven ? "justificatif à remettre au membre" : "justificatif à poster au membre : pas d'adresse e-mail"
        case .alreadyOpposed:
            let when = r.filedAt.map { " le \($0.parisDate.french)" } ?? ""
            switch r.filedBy {
            case .thisAssociation? where r.file != nil:
                // Its receipt is in the folder; whether it reached the member is not known here (an
                // earlier run may have failed before its report).
                return (r.emailGiven ? "justificatif à remettre au membre" : "justificatif à poster au membre")
                    + " si ce n'est pas déjà fait : opposition déposée par l'association\(when)"
            case .thisAssociation?: return "aucune : opposition déjà déposée par l'association\(when)"
            case .member?: return "aucune : le membre s'est déjà opposé lui-même\(when)"
            case .adviser?: return "aucune : opposition déjà enregistrée par un conseiller du 3422\(when)"
            case .anotherAssociation?: return "aucune : opposition déjà déposée par une autre association\(when)"
            case .other?, nil: return "aucune : opposition déjà enregistrée\(when)"
            }
        case .codeRequested:
            return "courrier envoyé au membre. Nouveau code attendu : le reporter dans la colonne code et relancer"
                + (deadline(r).map { " avant le \($0)" } ?? "")
        case .codeStillValid:
            // The code must come back before it expires and before the space is created.
            let until = r.codeExpiresAt.map { " jusqu'au \($0.parisDate.french)" } ?? ""
            let by = deadline(r).map { " avant le \($0)" } ?? ""
            if let sent = r.letterSentAt {
                return "aucun envoi : le courrier du \(sent.parisDate.french) porte un code valable\(until). Demander au membre de le transmettre\(by)"
            }
            return "aucun envoi : le code de la notification reste valable\(until). Demander au membre de le transmettre\(by) "
                + "(s'il l'a perdu : relancer avec --replace-codes)"
        case .invalid:
            return "corriger " + (r.column.map { "la colonne « \($0) »" } ?? "la ligne") + " puis relancer"
        case .identityMismatch:
            if r.codeRequest { return "rappeler le membre : date de naissance, numéro de série ou prénom à vérifier" }
            return lock + "rappeler le membre : code ou numéro de série à vérifier" + tries
        case .notRetried:
            let before = r.previousAt.map { " le \($0.parisDate.french)" } ?? ""
            if r.codeRequest {
                return "non réessayé : demande de code refusée\(before). Vérifier la date de naissance, le numéro de série et le prénom "
                    + "avec le membre, puis relancer avec --retry-failed"
            }
            return lock + "non réessayé : refusé\(before) avec ce code. Vérifier le code et le numéro de série avec le membre, "
                + "puis relancer avec --retry-failed" + tries
        case .codeExpired, .codeUsed, .codeSuperseded:
            return "code plus utilisable : relancer avec --request-codes pour envoyer un nouveau code au membre"
        case .locked:
            if let until = r.lockedUntil { return "carte bloquée jusqu'au \(dateTime(until)). Relancer ensuite avec --request-codes" }
            return "codes bloqués : relancer avec --request-codes pour envoyer un nouveau code au membre"
        case .tooSoon: return "réessayer dans une minute"
        case .letterLimit: return "un courrier est déjà parti récemment : attendre qu'il arrive"
        case .refused:
            switch r.error?.code {
            case .legalRepresentativeRequired?:
                return "faire certifier la ligne : colonnes « Représentant légal » (oui) et « Signataire »"
            case .contactMissing?: return "pas d'adresse postale au dossier : le membre doit appeler le 3422"
            case .alreadyActive?: return "aucune : l'espace est déjà activé (le membre peut le fermer lui-même)"
            default: return "aucune possible par l'association : voir le message"
            }
        }
    }

    /// The next step of a row whose receipt went by e-mail, once its fate is known.
    static func mailed(_ status: DeliveryStatus?) -> String {
        switch status {
        case .sent?: return "Aucune : justificatif envoyé par e-mail au membre"
        case .queued?: return "Justificatif en attente d'envoi par e-mail (mes outbox send)"
        case .failed?, .letter?, .printed?: return "Justificatif à poster au membre : l'e-mail n'a pas pu être remis"
        case nil: return "Justificatif à remettre au membre"
        }
    }

    /// By whom an opposition on file was filed (`depose_par`).
    static func filer(_ r: BatchOpposition.Result) -> String? {
        switch r.filedBy {
        case .thisAssociation?: return "cette association"
        case .anotherAssociation?: return "une autre association"
        case .member?: return "le membre"
        case .adviser?: return "un conseiller du 3422"
        case .other?: return "le service"
        case nil: return nil
        }
    }

    /// A flag on a row that went through.
    static func warning(_ w: String) -> String {
        w == Mandate.signatoryNotHolder ? w + " (le signataire n'est pas le titulaire de la carte : à vérifier)" : w
    }

    /// The last day the member's new code can be filed: its expiry, or the creation of the
    /// space if that comes first.
    static func deadline(_ r: BatchOpposition.Result) -> String? {
        let dates = [r.codeExpiresAt, r.createdAutomaticallyAt].compactMap { $0 }
        return dates.min(by: { $0.seconds < $1.seconds })?.parisDate.french
    }

    /// "12/03/2026 à 14h05", Paris time.
    static func dateTime(_ i: Instant) -> String {
        let local = i.seconds + i.parisOffset
        let minutes = ((local % 86_400) + 86_400) % 86_400 / 60
        let m = minutes % 60
        return "\(i.parisDate.french) à \(minutes / 60)h" + (m < 10 ? "0" : "") + "\(m)"
    }
}
