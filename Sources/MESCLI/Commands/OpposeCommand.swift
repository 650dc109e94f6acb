import MESCore
import MESService

/// `mes oppose`: "Je valide l'opposition à la création de Mon espace santé".
enum OpposeCommand {
    static var spec: CommandSpec {
        CommandSpec(
            ["oppose"], summary: "Oppose the creation of Mon espace santé and write the receipt.",
            discussion: "'Je valide l'opposition à la création de Mon espace santé: en validant cette décision, Mon espace santé ne sera pas créé. Vous pourrez créer Mon espace santé à tout moment.' Needs --yes (or a typed confirmation on a terminal). Identify with --session, or inline with --code/--nir/--card/--serial. Writes the PDF receipt at once. Opposing twice reports the existing opposition; an active space is refused (69): close it first. --assisted files an opposition for the phone service 3422 (Monday to Friday, 8:30 to 17:30, Paris time; outside those hours: 69 phone_closed) without code: a registered adviser (mes advisers add) checks identity with NIR, birth date and last name, and every attempt is audited with the adviser's id.",
            usages: ["mes oppose --assisted --adviser ID --nir NIR --birth-date DATE --last-name NAME [--first-name NAME] --yes"],
            options: SharedOptions.sessions + [SharedOptions.code, SharedOptions.codeFile, SharedOptions.nir, SharedOptions.card, SharedOptions.serial, SharedOptions.yes,
                      SharedOptions.legalRepresentative, SharedOptions.receipt, SharedOptions.force,
                      .flag("assisted", "Phone channel (3422): an adviser files the opposition without code."),
                      .value("adviser", "ID", "With --assisted: the adviser's identifier (audited)."),
                      .value("birth-date", "DATE", "With --assisted: birth date."),
                      .value("last-name", "NAME", "With --assisted: last name (case and accents ignored)."),
                      .value("first-name", "NAME", "With --assisted: first name, for twins.")],
            examples: ["mes oppose --session TOKEN --yes",
                       "mes oppose --code HuqZF3KXCz8k --nir 116304403801618 --card plain --serial 953701166 --yes --receipt justificatif.pdf",
                       "mes oppose --assisted --adviser A042 --nir 116304403801618 --birth-date 08/06/1988 --last-name Leguellec --yes"],
            run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let request = OppositionRequest(identity: try identity(inv, ctx), legalRepresentative: inv.flag("legal-representative"),
                                        receiptPath: inv.value("receipt"), force: inv.flag("force"))
        try Confirmation.require(inv, ctx, prompt: Confirmation.opposition)
        ctx.emit(try ctx.service().oppose(request))
    }

    /// Which of the three ways the filer identifies (the flags of one exclude the others').
    static func identity(_ inv: Invocation, _ ctx: Context) throws -> OppositionIdentity {
        if inv.flag("assisted") {
            let adviser = try inv.required("adviser")
            guard !adviser.trimmingSpaces.isEmpty else { throw MESError.usage("--adviser must not be empty", field: "adviser") }
            for other in ["session", "session-file", "code", "code-file", "card", "serial"] where inv.value(other) != nil {
                throw MESError.usage("--assisted identifies without --\(other)", field: other)
            }
            let nir = try Args.nir(inv)
            return .assisted(adviser: adviser, nir: nir, birthDate: try Args.birthDate(inv, ctx),
                             lastName: try inv.required("last-name"), firstName: inv.value("first-name"))
        }
        let inline = ["code", "code-file"].contains { inv.value($0) != nil }
        if !inline, let token = try Args.secret(inv, ctx, "session", env: "MES_SESSION") {
            for other in ["nir", "card", "serial"] where inv.value(other) != nil {
                throw MESError.usage("--session and --\(other) cannot be used together", field: other)
            }
            return .session(token)
        }
        guard inline else {
            throw MESError.usage("identify with --session TOKEN, or with --code, --nir, --card and --serial", field: "session")
        }
        if inv.value("session") != nil || inv.value("session-file") != nil {
            throw MESError.usage("--session and --code cannot be used together", field: "code")
        }
        let code = try Args.code(inv, ctx)
        return .code(code, try Args.cardIdentity(inv))
    }
}
