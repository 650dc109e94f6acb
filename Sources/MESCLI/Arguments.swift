import MESCore
import MESService
import MESStore

/// Reading typed values from an invocation: each failure names its field.
enum Args {
    static func nir(_ inv: Invocation, _ name: String = "nir") throws -> NIR {
        try parseNIR(try inv.required(name), field: name)
    }

    /// Validates one NIR argument or throws the invalid-data error naming the field.
    static func parseNIR(_ text: String, rules: NIRRules = .insee, field: String = "nir") throws -> NIR {
        switch NIRValidator(rules: rules).validate(text) {
        case .valid(let n): return n
        case .invalid(let r): throw MESError.invalid(r.code, r.message, field: field)
        }
    }

    static func card(_ inv: Invocation) throws -> CardType {
        let text = try inv.required("card")
        guard let c = CardType(flexible: text) else {
            throw MESError.usage("--card must be photo or plain, not '\(text)'", field: "card")
        }
        return c
    }

    static func serial(_ inv: Invocation, card: CardType) throws -> String {
        try VitaleSerial.parse(try inv.required("serial"), card: card).get().digits
    }

    /// `--nir`, `--card` and `--serial`: the Carte Vitale.
    static func cardIdentity(_ inv: Invocation) throws -> CardIdentity {
        let nir = try nir(inv)
        let card = try card(inv)
        return CardIdentity(nir: nir, card: card, serial: try serial(inv, card: card))
    }

    static func birthDate(_ inv: Invocation, _ ctx: Context, name: String = "birth-date") throws -> CalendarDate {
        try BirthDateRule.validate(try inv.required(name), today: try ctx.now().parisDate).mapError { $0.error(field: name) }.get()
    }

    static func code(_ inv: Invocation, _ name: String = "code") throws -> String {
        try ProvisionalCode.parse(try inv.required(name), field: name).get()
    }

    static func via(_ inv: Invocation) -> OutgoingMessage.Channel? {
        inv.value("via").flatMap(OutgoingMessage.Channel.init(rawValue:))
    }

    /// A profile number from `mes profiles list`.
    static func profileID(_ inv: Invocation) throws -> Int64 {
        let text = try inv.required("profile")
        guard let id = Int64(text) else {
            throw MESError.invalid(.profileNotFound, "Profil inconnu : \(text) (voir mes profiles list)", field: "profile")
        }
        return id
    }
}

/// Options several commands share, declared once.
enum SharedOptions {
    static let nir = OptionSpec.value("nir", "NIR", "Social-security number (spaces allowed).")
    static let card = OptionSpec.value("card", "TYPE", "Carte Vitale model.", choices: CardType.allCases.map(\.rawValue))
    static let serial = OptionSpec.value("serial", "SERIAL", "Carte Vitale serial (photo: the 11 digits after 8025000002; plain: 8 to 13).")
    static let code = OptionSpec.value("code", "CODE", "The 12-character provisional code.")
    static let session = OptionSpec.value("session", "TOKEN", "Session token printed by 'mes identify'.")
    static let yes = OptionSpec.flag("yes", short: "y", "Confirm the decision (else asked on a terminal).")
    static let legalRepresentative = OptionSpec.flag("legal-representative", "Certify being the legal representative (profiles of minors).")
    static let receipt = OptionSpec.value("receipt", "FILE", "Where to write the PDF receipt (default: STORE/receipts/ID.pdf).", file: true)
    static let force = OptionSpec.flag("force", "Replace an existing receipt file.")
    static let profile = OptionSpec.value("profile", "ID", "Profile number from 'mes profiles list'.", required: true)
    static let acceptCGU = OptionSpec.flag("accept-cgu", "Accept the CGU and the data-protection policy.")
    static let passwordFile = OptionSpec.value(
        "password-file", "FILE", "File holding the password (and, on a second line, its confirmation); else read from standard input. Never on the command line.",
        file: true)
}

extension OptionSpec {
    /// The same option, marked required.
    func asRequired() -> OptionSpec {
        .value(name, short: short, value ?? "", help, choices: choices, file: completesFile, required: true)
    }
}
