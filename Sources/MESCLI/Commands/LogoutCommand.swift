import MESCore
import MESRender
import MESService

/// `mes logout`: "Se déconnecter".
enum LogoutCommand {
    static var spec: CommandSpec {
        CommandSpec(
            ["logout"], summary: "End a session.",
            discussion: "The token stops working at once. Closing a space ends all its sessions; a new sign-in ends the account's older sign-in sessions.",
            options: SharedOptions.sessions,
            examples: ["mes logout --session-file session.txt"], run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        try ctx.service().logout(session: try Args.session(inv, ctx))
        ctx.emit(SimpleReport(text: "Vous êtes déconnecté.", json: .obj([("status", "signed_out")])))
    }
}
