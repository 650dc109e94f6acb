import MESCore
import MESService

/// `mes profiles list`: the holder's family.
enum ProfilesListCommand {
    static var spec: CommandSpec {
        CommandSpec(
            ["profiles", "list"], summary: "List the profiles attached to the session's holder, with their state.",
            discussion: "States as the service shows them: 'Profil opposé le JJ/MM/AAAA', 'En attente de décision', 'Profil actif', 'Profil clôturé'.",
            options: SharedOptions.sessions,
            examples: ["mes profiles list --session TOKEN"], run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        ctx.emit(try ctx.service().profiles(session: try Args.session(inv, ctx)))
    }
}
