import MESCore
import MESService

/// `mes code generate`: "Générer un nouveau code provisoire".
enum CodeGenerateCommand {
    static let birthDate = Option("birth-date", "DATE", "Birth date of the person concerned (JJ/MM/AAAA or AAAA-MM-JJ).", required: true)
    static let via = Option("via", "CHANNEL", "Delivery channel (default: e-mail, else SMS, else letter).", choices: ["email", "sms"])
    static let firstName = Option("first-name", "NAME", "First name, when several profiles share the birth date (twins).")

    static var spec: CommandSpec {
        CommandSpec(
            ["code", "generate"], summary: "Send a new provisional code (15 minutes) to the contact on file.",
            discussion: "'Générer un nouveau code provisoire': identifies the profile by NIR, birth date (a child's own birth date for a child) and Carte Vitale, then sends the code by e-mail or SMS to the contact on file and prints the masked destination. With no e-mail and no mobile on file the code goes by postal letter (valid 6 weeks). A new code supersedes earlier ones; at least 30 seconds between two requests for one person. The code itself is only in the delivered message (mes outbox show). --assisted: an adviser of the phone service 3422 sends it for a caller who answered the identity questions (NIR, birth date, last name; no card needed), within the service's hours (Monday to Friday, 8:30 to 17:30, Paris time; else 69 phone_closed), with the same locks and audit as mes oppose --assisted.",
            usages: ["mes code generate --nir NIR --birth-date DATE --card TYPE --serial SERIAL [--via CHANNEL] [--first-name NAME]",
                     "mes code generate --assisted --adviser ID --nir NIR --birth-date DATE --last-name NAME [--first-name NAME] [--via CHANNEL]"],
            options: [SharedOptions.nir.asRequired(), birthDate, SharedOptions.card, SharedOptions.serial,
                      via, firstName] + AssistedOptions.all + [SendNow.option],
            examples: ["mes code generate --nir '1 16 30 44 038 016 18' --birth-date 08/06/1988 --card plain --serial 953701166",
                       "mes code generate --assisted --adviser A042 --nir 116304403801618 --birth-date 08/06/1988 --last-name Leguellec"],
            run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        if inv[AssistedOptions.assisted] {
            let caller = try AssistedOptions.caller(inv, ctx, birthDate: Self.birthDate, firstName: Self.firstName,
                                                    excluded: [SharedOptions.card, SharedOptions.serial])
            let service = try ctx.service()
            let delivery = try service.requestCode(caller, via: Args.via(inv, Self.via))
            return ctx.emit(SendNow.deliver(delivery, message: delivery.entry.id, service, inv, ctx))
        }
        let card = try Args.cardIdentity(inv)
        let request = CodeRequest(card: card, birthDate: try Args.birthDate(inv, ctx, Self.birthDate), firstName: inv[Self.firstName],
                                  via: Args.via(inv, Self.via))
        let service = try ctx.service()
        let delivery = try service.requestCode(request)
        ctx.emit(SendNow.deliver(delivery, message: delivery.entry.id, service, inv, ctx))
    }
}
