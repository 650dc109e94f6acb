import MESCore

/// The command-line flag that answers an error, added to its message where errors are shown
/// (core and service messages name no flag).
enum ErrorHints {
    static let flags: [ErrorCode: String] = [
        .legalRepresentativeRequired: "--legal-representative",
        .cguRequired: "--accept-cgu",
        .fileExists: "--force pour le remplacer",
        .profileAmbiguous: "--first-name",
        .codeRequired: "ou --request-codes",
    ]

    /// The error with its flag hint: "… légal (--legal-representative)."
    static func decorate(_ e: MESError) -> MESError {
        guard let flag = flags[e.code], !e.message.contains("(--") else { return e }
        var out = e
        if out.message.hasSuffix(".") {
            out.message = String(out.message.dropLast()) + " (\(flag))."
        } else {
            out.message += " (\(flag))"
        }
        return out
    }
}
