import MESCore
import MESService
import MESSystem

/// Reading typed values from an invocation: each failure names its field.
enum Args {
    /// A seed drawn when none was given, said on standard error so that a run can be replayed
    /// (`--seed N` gives the same output).
    static func drawnSeed(_ ctx: Context) -> UInt64 {
        let seed = UInt64.random(in: 0 ... 9_999_999_999)
        ctx.stderr.line("graine tirée : \(seed) (--seed \(seed) pour rejouer)")
        return seed
    }

    static func nir(_ inv: Invocation, _ o: Option = SharedOptions.nir) throws -> NIR {
        try parseNIR(try inv.required(o), field: o.name)
    }

    /// Validates one NIR argument or throws the invalid-data error naming the field.
    static func parseNIR(_ text: String, rules: NIRRules = .insee, field: String = "nir") throws -> NIR {
        switch NIRValidator(rules: rules).validate(text) {
        case .valid(let n): return n
        case .invalid(let r): throw MESError.invalid(r.code, r.message, field: field)
        }
    }

    static func card(_ inv: Invocation) throws -> CardType {
        let text = try inv.required(SharedOptions.card)
        guard let c = CardType(flexible: text) else {
            throw Usage.invalidValue("card", expected: "photo ou plain", got: text)
        }
        return c
    }

    static func serial(_ inv: Invocation, card: CardType) throws -> String {
        try VitaleSerial.parse(try inv.required(SharedOptions.serial), card: card).get().digits
    }

    /// `--nir`, `--card` and `--serial`: the Carte Vitale.
    static func cardIdentity(_ inv: Invocation) throws -> CardIdentity {
        let nir = try nir(inv)
        let card = try card(inv)
        return CardIdentity(nir: nir, card: card, serial: try serial(inv, card: card))
    }

    static func birthDate(_ inv: Invocation, _ ctx: Context, _ o: Option) throws -> CalendarDate {
        try BirthDateRule.validate(try inv.required(o), today: try ctx.now().parisDate).mapError { $0.error(field: o.name) }.get()
    }

    /// `--code` or `--code-file`: the provisional code.
    static func code(_ inv: Invocation, _ ctx: Context) throws -> String {
        let (o, file) = (SharedOptions.code, SharedOptions.codeFile)
        guard let text = try secret(inv, ctx, o, file: file) else {
            throw Usage.missingOption(o.name, or: ["--\(file.name)"])
        }
        return try ProvisionalCode.parse(text, field: o.name).get()
    }

    /// A secret the person types (code, one-time code, session token): `--NAME VALUE`, or
    /// `--NAME-file FILE` (`fileOption`; `-`: standard input; one line, at most
    /// `InputLimits.secretFile` bytes), or the environment variable `env`. The file and
    /// environment forms keep it off argv (`/proc/PID/cmdline`). Nil when none is given.
    static func secret(_ inv: Invocation, _ ctx: Context, _ o: Option, file fileOption: Option, env: String? = nil) throws -> String? {
        let (name, fileField) = (o.name, fileOption.name)
        let direct = inv[o], file = inv[fileOption]
        if direct != nil && file != nil { throw Usage.notTogether(fileField, name) }
        if let direct { return direct }
        if let file {
            let bytes = file == "-" ? try ctx.stdin.readAll(limit: InputLimits.secretFile, field: fileField)
                : try FileIO.read(file, limit: InputLimits.secretFile, field: fileField, allowStreams: true)
            let text = String(decoding: bytes, as: UTF8.self)
            return String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "").trimmingSpaces
        }
        if let env, let v = ctx.environment[env], !v.isEmpty { return v }
        return nil
    }

    /// `--username`: an identifier as typed (spaces around it dropped); an empty one, or one
    /// longer than any identifier can be, is refused before anything is counted or sent.
    static func username(_ inv: Invocation) throws -> String {
        let username = try inv.required(SharedOptions.username).trimmingSpaces
        guard !username.isEmpty else { throw MESError.invalid(.fieldRequired, Messages.fieldRequired, field: "username") }
        guard username.utf8.count <= 256 else {
            throw MESError.invalid(.inputTooLarge, "Identifiant trop long (256 octets au plus).", field: "username")
        }
        return username
    }

    /// `--limit N` (nil when not given).
    static func limit(_ inv: Invocation, _ o: Option) throws -> Int? {
        inv[o] == nil ? nil : try inv.integer(o, default: 0, range: 1...Int(Int32.max))
    }

    /// The session token: `--session`, `--session-file`, or `$MES_SESSION`.
    static func session(_ inv: Invocation, _ ctx: Context) throws -> String {
        guard let token = try secret(inv, ctx, SharedOptions.session, file: SharedOptions.sessionFile, env: "MES_SESSION") else {
            throw Usage.missingOption("session", or: ["--session-file", "MES_SESSION"])
        }
        return token
    }

    /// A positive whole number written plainly: `3`, never `03`, `+3` or ` 3`.
    static func strictID(_ text: String) -> Int64? {
        guard let first = text.utf8.first, first != 0x30, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int64(text)
    }

    static func via(_ inv: Invocation, _ o: Option) -> MessageChannel? {
        inv[o].flatMap(MessageChannel.init(rawValue:))
    }

    /// `--since` and `--until`: each an instant or a date (a whole day in Paris, see
    /// `Instant.bound`); the error names the flag and says why.
    static func period(_ inv: Invocation, since sinceOption: Option, until untilOption: Option?) throws -> (since: Instant?, until: Instant?) {
        func bound(_ o: Option?, end: Bool) throws -> Instant? {
            guard let o, let text = inv[o] else { return nil }
            let name = o.name
            guard let i = Instant.bound(text, endOfDay: end) else {
                throw Usage.invalidValue(name, expected: "une date (2022-02-03 ou 03/02/2022 : toute la journée, heure de Paris) ou un instant (2022-02-03T10:00:00Z)",
                                         got: text)
            }
            return i
        }
        let since = try bound(sinceOption, end: false), until = try bound(untilOption, end: true)
        if let since, let until, until < since {
            throw Usage.conflicting("until", "--until (\(until.iso8601)) est avant --since (\(since.iso8601)) : rien ne peut correspondre")
        }
        return (since, until)
    }

    /// A profile number from `mes profiles list`.
    static func profileID(_ inv: Invocation) throws -> Int64 {
        let text = try inv.required(SharedOptions.profile)
        guard let id = strictID(text) else {
            throw MESError.invalid(.profileNotFound, "Profil inconnu : \(text) (voir mes profiles list)", field: "profile")
        }
        return id
    }
}

/// Options several commands share, declared once.
/// The phone service's flags (3422): an adviser asks the identity questions.
enum AssistedOptions {
    static let assisted = Flag("assisted", "Phone channel (3422): an adviser, after the identity questions (NIR, birth date, last name).")
    static let adviser = Option("adviser", "ID", "With --assisted: the adviser's identifier (audited).")
    static let lastName = Option("last-name", "NAME", "With --assisted: last name (case and accents ignored).")
    static let all: [any DeclaredOption] = [assisted, adviser, lastName]

    /// The caller an adviser identifies; `excluded` are the self-service flags that --assisted replaces.
    static func caller(_ inv: Invocation, _ ctx: Context, birthDate: Option, firstName: Option, excluded: [Option]) throws -> AssistedCaller {
        let adviser = try inv.required(Self.adviser)
        guard !adviser.trimmingSpaces.isEmpty else { throw Usage.invalidValue("adviser", "--adviser : un identifiant de conseiller, pas une valeur vide") }
        for other in excluded where inv[other] != nil {
            throw Usage.conflicting(other.name, "--assisted identifie sans --\(other.name)")
        }
        return AssistedCaller(adviser: adviser, nir: try Args.nir(inv), birthDate: try Args.birthDate(inv, ctx, birthDate),
                              lastName: try inv.required(Self.lastName), firstName: inv[firstName])
    }
}

enum SharedOptions {
    static let nir = Option("nir", "NIR", "Social-security number (spaces allowed).")
    static let card = Option("card", "TYPE", "Carte Vitale model.", choices: CardType.allCases.map(\.rawValue))
    static let serial = Option("serial", "SERIAL", "Carte Vitale serial (photo: the 11 digits after 8025000002; plain: 8 to 13).")
    static let code = Option("code", "CODE", "The 12-character provisional code (or --code-file).")
    static let session = Option("session", "TOKEN", "Session token printed by 'mes identify' (or --session-file, or $MES_SESSION: off the command line).")
    static let sessionFile = Option("session-file", "FILE", "Read the session token from FILE ('-': standard input).", file: true)
    static let codeFile = Option("code-file", "FILE", "Read the provisional code from FILE ('-': standard input).", file: true)
    /// `--session` and `--session-file`.
    static let sessions: [any DeclaredOption] = [session, sessionFile]
    static let yes = Flag("yes", short: "y", "Confirm the decision (else asked on a terminal).")
    static let legalRepresentative = Flag("legal-representative", "Certify being the legal representative (profiles of minors).")
    static let receipt = Option("receipt", "FILE", "Where to write the PDF receipt (default: STORE/receipts/ID.pdf).", file: true)
    static let force = Flag("force", "Replace an existing receipt file.")
    static let profile = Option("profile", "ID", "Profile number from 'mes profiles list'.", required: true)
    static let acceptCGU = Flag("accept-cgu", "Accept the CGU and the data-protection policy.")
    static let passwordFile = Option(
        "password-file", "FILE", "File holding the password (and, on a second line, its confirmation); else read from standard input. Never on the command line.",
        file: true)
    /// `--username` of `login` and `recover password`.
    static let username = Option("username", "ID", "Your identifier.", required: true)
}
