import MESCore
import MESRender
import MESService

/// `mes contacts show`: "Je vérifie mes coordonnées de contact".
enum ContactsShowCommand {
    static let birthDate = Option("birth-date", "DATE", "Birth date of the person concerned.")
    static let firstName = Option("first-name", "NAME", "First name, for twins.")

    static var spec: CommandSpec {
        CommandSpec(
            ["contacts", "show"], summary: "Show the contact details on file (where codes go).",
            discussion: "In a session: the profile's e-mail address, mobile number and whether a postal address is on file (a child's are its holder's), in full. Before asking for a code (--nir, --birth-date, --card, --serial): the same, masked; wrong identities count toward the lockout like code requests. Wrong details are changed with the caisse d'Assurance Maladie, or at activation (mes activate --email / --mobile). --assisted: an adviser of the phone service 3422 reads them, masked, for a caller who answered the identity questions (NIR, birth date, last name), within the service's hours, with the same locks and audit as mes oppose --assisted.",
            usages: ["mes contacts show --nir NIR --birth-date DATE --card TYPE --serial SERIAL [--first-name NAME]",
                     "mes contacts show --assisted --adviser ID --nir NIR --birth-date DATE --last-name NAME [--first-name NAME]"],
            options: SharedOptions.sessions + [SharedOptions.nir, birthDate,
                                               SharedOptions.card, SharedOptions.serial,
                                               firstName] + AssistedOptions.all,
            examples: ["mes contacts show --session-file session.txt",
                       "mes contacts show --nir 116304403801618 --birth-date 08/06/1988 --card plain --serial 953701166",
                       "mes contacts show --assisted --adviser A042 --nir 116304403801618 --birth-date 08/06/1988 --last-name Leguellec"],
            run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        if inv[AssistedOptions.assisted] {
            let caller = try AssistedOptions.caller(inv, ctx, birthDate: Self.birthDate, firstName: Self.firstName,
                                                    excluded: [SharedOptions.card, SharedOptions.serial, SharedOptions.session, SharedOptions.sessionFile])
            return ctx.emit(try ctx.service().contacts(caller))
        }
        if inv[SharedOptions.nir] != nil {
            let card = try Args.cardIdentity(inv)
            ctx.emit(try ctx.service().contacts(card: card, birthDate: try Args.birthDate(inv, ctx, Self.birthDate),
                                                firstName: inv[Self.firstName]))
        } else {
            ctx.emit(try ctx.service().contacts(session: try Args.session(inv, ctx)))
        }
    }
}

extension ContactDetails: Report {
    public var text: String {
        let safe = { (s: String) in TextEscaping.terminalSafe(s) }
        return """
            Je vérifie mes coordonnées de contact
            Ces informations sont indispensables pour assurer la sécurité de Mon espace santé et ont été transmises par ma caisse d'assurance maladie.
            Adresse e-mail : \(email.map(safe) ?? "Aucune adresse enregistrée")
            Numéro de téléphone mobile : \(mobile.map { safe(masked ? $0 : PhoneNumber.grouped($0)) } ?? "Aucun numéro enregistré")
            Adresse postale : \(address.map { masked ? "enregistrée" : safe($0) } ?? "Aucune adresse enregistrée")
            Mes coordonnées sont incorrectes ? \(Messages.contactsWrong)
            """ + (toActivate ? "\n" + Messages.notYetActivated : "")
    }

    public var json: JSON {
        .obj([("email", email.map { .string($0) } ?? .null), ("mobile", mobile.map { .string($0) } ?? .null),
              ("postal_address", .bool(address != nil)), ("masked", .bool(masked)), ("to_activate", .bool(toActivate))])
    }
}
