import MESCore
import MESRender
import MESService

/// `mes advisers release`: an adviser of the phone service lifts the hold on a person's account.
enum AdvisersReleaseCommand {
    static let adviser = Option("adviser", "ID", "The adviser's identifier (audited).", required: true)
    static let birthDate = Option("birth-date", "DATE", "The person's birth date.", required: true)
    static let lastName = Option("last-name", "NAME", "The person's last name (case and accents ignored).", required: true)
    static let firstName = Option("first-name", "NAME", "The person's first name, for twins.")

    static var spec: CommandSpec {
        CommandSpec(
            ["advisers", "release"], summary: "Lift the hold on a person's account after checking identity on the phone (3422).",
            discussion: "An account that failed 100 times within 30 days (wrong passwords, access codes or recovery codes) is held: nobody can sign in or recover it until an adviser of the phone service (Monday to Friday, 8:30 to 17:30, Paris time) checks the person's identity on the line with NIR, birth date and last name, as for oppose --assisted, with the same locks. The release forgets the account's failures and is recorded in the audit trail with the adviser's id; the person then signs in, or recovers a forgotten password, as usual. It also lifts a lock that has not run out.",
            options: [adviser, SharedOptions.nir.asRequired(), birthDate, lastName, firstName],
            examples: ["mes advisers release --adviser A042 --nir 116304403801618 --birth-date 08/06/1988 --last-name Leguellec"], run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let released = try ctx.service().releaseAccount(adviser: try inv.required(adviser), nir: try Args.nir(inv),
                                                        birthDate: try Args.birthDate(inv, ctx, birthDate),
                                                        lastName: try inv.required(lastName), firstName: inv[firstName])
        ctx.emit(SimpleReport(text: "Compte débloqué : \(released.username) (\(TextEscaping.terminalSafe(released.person.displayName))). "
                                  + "La personne peut se connecter, ou demander un nouveau mot de passe.\n",
                              json: .obj([("status", "released"), ("username", .string(released.username)),
                                          ("profile_id", .int(Int(released.person.id))), ("at", .string(released.now.iso8601))])))
    }
}
