import MESCore
import MESService

/// `mes outbox list`.
enum OutboxListCommand {
    static var spec: CommandSpec {
        CommandSpec(
            ["outbox", "list"], summary: "List delivered e-mails, SMS and letters.",
            discussion: "Each message is a file in DIR/outbox/ (.eml for e-mail). Destinations are shown masked.",
            options: [.value("nir", "NIR", "Only messages for this NIR's profiles.")],
            examples: ["mes outbox list --json"], run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let nir = inv.value("nir") != nil ? try Args.nir(inv) : nil
        ctx.emit(OutboxListing(entries: try ctx.service().outbox(nir: nir)))
    }
}
