import MESCore
import MESService

/// `mes oppose`: "Je valide l'opposition à la création de Mon espace santé".
enum OpposeCommand {
    static let assisted = Flag("assisted", "Phone channel (3422): an adviser files the opposition without code.")
    static let adviser = Option("adviser", "ID", "With --assisted: the adviser's identifier (audited).")
    static let birthDate = Option("birth-date", "DATE", "With --assisted: birth date.")
    static let lastName = Option("last-name", "NAME", "With --assisted: last name (case and accents ignored).")
    static let firstName = Option("first-name", "NAME", "With --assisted: first name, for twins.")

    static var spec: CommandSpec {
        CommandSpec(
            ["oppose"], summary: "Oppose the creation of Mon espace santé and write the receipt.",
            discussion: "'Je valide l'opposition à la création de Mon espace santé: en validant cette décision, Mon espace santé ne sera pas créé. Vous pourrez créer Mon espace santé à tout moment.' Needs --yes (or a typed confirmation on a terminal). Identify with --session, or inline with --code/--nir/--card/--serial. Writes the PDF receipt at once. Opposing twice reports the existing opposition; an active space is refused (69): close it first. --assisted files an opposition for the phone service 3422 (Monday to Friday, 8:30 to 17:30, Paris time; outside those hours: 69 phone_closed) without code: a registered adviser (mes advisers add) checks identity with NIR, birth date and last name, and every attempt is audited with the adviser's id.",
            usages: ["mes oppose --assisted --adviser ID --nir NIR --birth-date DATE --last-name NAME [--first-name NAME] --yes"],
            options: SharedOptions.sessions + [SharedOptions.code, SharedOptions.codeFile, SharedOptions.nir, SharedOptions.card, SharedOptions.serial, SharedOptions.yes,
                      SharedOptions.legalRepresentative, SharedOptions.receipt, SharedOptions.force,
                      assisted,
                      adviser,
                      birthDate,
                      lastName,
                      firstName],
            examples: ["mes oppose --session TOKEN --yes",
                       "mes oppose --code HuqZF3KXCz8k --nir 116304403801618 --card plain --serial 953701166 --yes --receipt justificatif.pdf",
                       "mes oppose --assisted --adviser A042 --nir 116304403801618 --birth-date 08/06/1988 --last-name Leguellec --yes"],
            run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let request = OppositionRequest(identity: try identity(inv, ctx), legalRepresentative: inv[SharedOptions.legalRepresentative],
                                        receiptPath: inv[SharedOptions.receipt], force: inv[SharedOptions.force])
        try Confirmation.require(inv, ctx, prompt: Confirmation.opposition)
        ctx.emit(try ctx.service().oppose(request))
    }

    /// Which of the three ways the filer identifies (the flags of one exclude the others').
    static func identity(_ inv: Invocation, _ ctx: Context) throws -> OppositionIdentity {
        if inv[Self.assisted] {
            let adviser = try inv.required(Self.adviser)
            guard !adviser.trimmingSpaces.isEmpty else { throw Usage.invalidValue("adviser", "--adviser : un identifiant de conseiller, pas une valeur vide") }
            let others: [Option] = [SharedOptions.session, SharedOptions.sessionFile, SharedOptions.code, SharedOptions.codeFile,
                                    SharedOptions.card, SharedOptions.serial]
            for other in others where inv[other] != nil {
                throw Usage.conflicting(other.name, "--assisted identifie sans --\(other.name)")
            }
            let nir = try Args.nir(inv)
            return .assisted(adviser: adviser, nir: nir, birthDate: try Args.birthDate(inv, ctx, Self.birthDate),
                             lastName: try inv.required(Self.lastName), firstName: inv[Self.firstName])
        }
        let inline = [SharedOptions.code, SharedOptions.codeFile].contains { inv[$0] != nil }
        if !inline, let token = try Args.secret(inv, ctx, SharedOptions.session, file: SharedOptions.sessionFile, env: "MES_SESSION") {
            for other in [SharedOptions.nir, SharedOptions.card, SharedOptions.serial] where inv[other] != nil {
                throw Usage.notTogether("session", other.name)
            }
            return .session(token)
        }
        guard inline else {
            throw Usage.missingOption("session", placeholder: "TOKEN", or: ["--code, --nir, --card et --serial"])
        }
        if inv[SharedOptions.session] != nil || inv[SharedOptions.sessionFile] != nil {
            throw Usage.notTogether("session", "code")
        }
        let code = try Args.code(inv, ctx)
        return .code(code, try Args.cardIdentity(inv))
    }
}
