import MESCore

/// The command line's words for errors: core and service messages name no flag and no
/// command; here an error gets the flag that answers it, its remedy worded as a command, or,
/// when the whole message is about the command line, the command line's message.
enum ErrorHints {
    /// The flag that answers an error, added to its message.
    static let flags: [ErrorCode: String] = [
        .legalRepresentativeRequired: "--legal-representative",
        .cguRequired: "--accept-cgu",
        .fileExists: "--force pour le remplacer",
        .profileAmbiguous: "--first-name",
        .codeRequired: "ou --request-codes",
    ]

    /// Errors whose whole message is about the command line.
    static let messages: [ErrorCode: String] = [
        .nowRefused: "--now (or MES_NOW) is honoured only by a store made for tests (mes init --test-clock); this store keeps the system time",
    ]

    /// The error as the command line shows it: its message, its remedy, then its flag hint
    /// ("… légal (--legal-representative).").
    static func decorate(_ e: MESError) -> MESError {
        var out = e
        if let message = messages[e.code] { out.message = message }
        switch e.remedy {
        case .reissueReceipt(let id)?: out.message += " Pour l'obtenir : mes receipt --id \(id) -o FICHIER"
        case .demoOnAnotherStore?: out.message = aside("mes --store DIR demo", to: out.message)
        case .certifyRow?:
            out.message = aside("colonne legal_representative : oui, ou --legal-representative pour toutes les lignes", to: out.message)
        case .fixedClockForTestStores?: out.message = out.message.replacing("l'horloge fixe", with: "l'horloge fixe (--now)")
        case nil: break
        }
        guard let flag = flags[e.code], !out.message.contains("(--") else { return out }
        out.message = aside(flag, to: out.message)
        return out
    }

    /// "… text (aside)." or "… text (aside)".
    static func aside(_ aside: String, to message: String) -> String {
        message.hasSuffix(".") ? String(message.dropLast()) + " (\(aside))." : message + " (\(aside))"
    }
}
