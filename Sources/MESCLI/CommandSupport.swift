import MESCore
import MESRender
import MESStore

/// Reading typed values from an invocation: each failure names its field (exit 65).
enum Args {
    static func nir(_ inv: Invocation, _ name: String = "nir") throws -> NIR {
        try IdentifierCommands.parseNIR(try inv.required(name), field: name)
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

    static func birthDate(_ inv: Invocation, now: Instant, name: String = "birth-date") throws -> CalendarDate {
        try parseBirthDate(try inv.required(name), now: now, field: name)
    }

    static func parseBirthDate(_ text: String, now: Instant, field: String) throws -> CalendarDate {
        guard let d = CalendarDate.parse(text) else {
            throw MESError.invalid(.birthDateInvalid, Messages.birthDateInvalid + " : date inexistante ou mal écrite (JJ/MM/AAAA ou AAAA-MM-JJ)",
                                   field: field)
        }
        guard d <= now.parisDate else {
            throw MESError.invalid(.birthDateFuture, Messages.birthDateInvalid + " : la date est dans le futur", field: field)
        }
        guard d.year >= 1870 else {
            throw MESError.invalid(.birthDateInvalid, Messages.birthDateInvalid + " : année trop ancienne", field: field)
        }
        return d
    }

    static func code(_ inv: Invocation, _ name: String = "code") throws -> String {
        try ProvisionalCode.parse(try inv.required(name), field: name).get()
    }

    static func via(_ inv: Invocation) -> OutgoingMessage.Channel? {
        inv.value("via").flatMap(OutgoingMessage.Channel.init(rawValue:))
    }

    static func store(_ ctx: Context) throws -> Store { try Store.open(ctx.storeDirectory) }
}

/// Asking for the explicit confirmation a decision needs.
enum Confirmation {
    /// `--yes`, or a typed "oui" when standard input is a terminal; otherwise a usage error.
    static func require(_ inv: Invocation, _ ctx: Context, prompt: String) throws {
        if inv.flag("yes") { return }
        guard ctx.stdin.isTerminal else {
            throw MESError(.confirmationRequired, Messages.confirmationRequired, field: "yes")
        }
        ctx.stderr.write(prompt + "\nContinuer ? [oui/non] ")
        ctx.stderr.flush()
        var answer = ""
        try ctx.stdin.forEachLine { line in if answer.isEmpty { answer = String(decoding: line, as: UTF8.self) } }
        guard ["o", "oui", "y", "yes"].contains(answer.trimmingSpaces.lowercased()) else {
            throw MESError(.cancelled, "Annulé : aucune décision n'a été enregistrée.", field: "yes")
        }
    }
}

/// How a profile is shown to the person who manages it.
enum ProfileView {
    static func json(_ p: Person, now: Instant) -> JSON {
        .obj([("id", .int(Int(p.id))), ("first_name", .string(p.firstName)), ("last_name", .string(p.lastName)),
              ("birth_date", .string(p.birthDate.iso)), ("state", .string(p.state.rawValue)), ("state_label", .string(p.stateLabel)),
              ("since", JSON.str(p.stateSince?.iso8601)), ("minor", .bool(ProfileRules.isMinor(birthDate: p.birthDate, on: now.parisDate))),
              ("deceased", .bool(p.deceased)), ("holder", .bool(p.holderID == nil))])
    }

    static func line(_ p: Person) -> String {
        let initials = String(p.firstName.prefix(1) + p.lastName.prefix(1)).uppercased()
        return "  [\(p.id)] \(initials) \(p.displayName) — \(p.stateLabel)" + (p.deceased ? " (décédé)" : "")
    }

    static func list(_ people: [Person]) -> String {
        people.isEmpty ? "" : "Vous pouvez également gérer les profils ci-dessous.\n" + people.map(line).joined(separator: "\n")
    }
}
