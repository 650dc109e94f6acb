import MESCore
import MESRender
import MESService

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
        return TextEscaping.terminalSafe("  [\(p.id)] \(initials) \(p.displayName) — \(p.stateLabel)" + (p.deceased ? " (décédé)" : ""))
    }

    static func list(_ people: [Person]) -> String {
        people.isEmpty ? "" : "Vous pouvez également gérer les profils ci-dessous.\n" + people.map(line).joined(separator: "\n")
    }

    static func array(_ people: [Person], now: Instant) -> JSON { .array(people.map { json($0, now: now) }) }
}

extension ProfileListing: Report {
    public var text: String {
        "Bonjour \(holder.firstName) !\n" + ProfileView.line(holder) + "\n"
            + (attached.isEmpty ? "Aucun autre profil rattaché." : ProfileView.list(attached))
    }

    public var json: JSON {
        .obj([("profile", ProfileView.json(holder, now: now)), ("profiles", ProfileView.array(attached, now: now))])
    }
}
