import MESCore
import MESService

// How people read the service's stable values (the service returns them; the command line
// words them).

extension DeliveryStatus {
    /// Where a message stands, as people read it.
    var french: String {
        switch self {
        case .queued: return "en attente"
        case .sent: return "envoyé"
        case .failed: return "échec"
        case .letter: return "courrier à imprimer"
        case .printed: return "courrier à poster"
        }
    }
}

extension ReceiptVerdict.Status {
    /// A verdict on a receipt file, as people read it.
    var french: String {
        switch self {
        case .authentic: return "authentique"
        case .altered: return "altéré"
        case .unknown: return "inconnu"
        case .unsigned: return "non signé"
        }
    }
}

extension BatchStatus {
    /// A batch row's status as the association reads it (the report and the summary).
    var french: String {
        switch self {
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
        case .letterLimit: return "courrier déjà envoyé récemment"
        case .refused: return "refusé"
        case .codeStillValid: return "aucun envoi : code encore valable"
        case .notRetried: return "non réessayé (déjà refusé)"
        case .ready: return "prête"
        }
    }
}
