import MESCore
import MESRender
import MESService

/// A result whose message was just handed to a transport (or left queued): the result's own
/// text and JSON, plus where the message stands.
struct Delivered<R: Report>: Report {
    let result: R
    let status: DeliveryStatus
    let problem: String?

    var note: String {
        switch status {
        case .sent: return "Message envoyé."
        case .queued: return "Message en attente d'envoi (mes outbox send)" + (problem.map { " : \($0)" } ?? ".")
        case .failed: return "Échec de l'envoi" + (problem.map { " : \($0)" } ?? ".")
        case .letter: return "Courrier à imprimer (mes outbox letters --pdf)."
        case .printed: return "Courrier imprimé, à poster."
        }
    }

    var text: String { result.text.hasSuffix("\n") ? result.text + note : result.text + "\n" + note }

    var json: JSON {
        guard case .object(var pairs) = result.json else { return result.json }
        pairs.append(("delivery", .string(status.rawValue)))
        if let problem { pairs.append(("delivery_error", .string(problem))) }
        return .object(pairs)
    }
}

/// Sends what a command just queued, unless `--no-send`.
enum SendNow {
    static let option = Flag("no-send", "Leave the message queued (mes outbox send delivers it later).")

    /// The result with its delivery: sent through the configured transport, or left queued.
    static func deliver<R: Report>(_ result: R, message id: Int64, _ service: Service, _ inv: Invocation, _ ctx: Context) -> Delivered<R> {
        if inv[option] { return Delivered(result: result, status: .queued, problem: nil) }
        let (status, problem) = service.sendNow(id)
        return Delivered(result: result, status: status, problem: problem)
    }
}

extension SendReport: Report {
    public var text: String {
        "\(plural(sent, "message envoyé", "messages envoyés")), \(deferred) à réessayer plus tard, \(failed) en échec, \(queued) en attente."
            + (fallbackLetters > 0 ? "\n\(plural(fallbackLetters, "profil recevra sa", "profils recevront leur")) notification par courrier (e-mail refusé) : mes outbox letters --pdf FICHIER." : "")
            + (unreachable > 0 ? "\n\(plural(unreachable, "profil injoignable", "profils injoignables")) : e-mail refusé et aucune adresse postale (mes outbox list --status failed)." : "")
            + (stoppedBy.map { "\nEnvoi interrompu : \($0)" } ?? "")
    }

    public var json: JSON {
        .obj([("sent", .int(sent)), ("deferred", .int(deferred)), ("failed", .int(failed)),
              ("queued", .int(queued)), ("fallback_letters", .int(fallbackLetters)), ("unreachable", .int(unreachable)),
              ("stopped_by", JSON.str(stoppedBy))])
    }
}

extension LettersPrinted: Report {
    public var text: String {
        guard let batch else { return "Aucun courrier à imprimer." }
        return "\(plural(batch.letters, "courrier imprimé", "courriers imprimés")) dans \(TextEscaping.terminalSafe(path)) "
            + "(lot \(batch.id), \(plural(pages, "page", "pages")), A4, adresse dans la fenêtre d'une enveloppe DL)."
            + (nonStandardAddresses > 0 ? "\n\(plural(nonStandardAddresses, "adresse dépasse", "adresses dépassent")) 6 lignes de 38 caractères : à vérifier avant le dépôt." : "")
            + "\nAprès le dépôt à La Poste : mes outbox letters --posted \(TextEscaping.terminalSafe(path)) (le délai de six semaines commence au dépôt)."
    }

    public var json: JSON {
        .obj([("status", .string(batch == nil ? "nothing_to_print" : "printed")), ("batch", batch.map { .int(Int($0.id)) } ?? .null),
              ("letters", .int(batch?.letters ?? 0)), ("pages", .int(pages)), ("file", batch == nil ? .null : .string(path)),
              ("non_standard_addresses", .int(nonStandardAddresses))])
    }
}

extension LettersPosted: Report {
    public var text: String {
        "Dépôt du lot \(batch.id) enregistré le \(postedAt.parisDate.french) : \(plural(letters, "courrier envoyé", "courriers envoyés")), "
            + "\(plural(windowsStarted, "délai de six semaines commencé", "délais de six semaines commencés"))."
    }

    public var json: JSON {
        .obj([("status", "posted"), ("batch", .int(Int(batch.id))), ("posted_at", .string(postedAt.iso8601)),
              ("letters", .int(letters)), ("windows_started", .int(windowsStarted))])
    }
}
