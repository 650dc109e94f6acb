import MESCore
import MESService

/// `mes outbox list`.
enum OutboxListCommand {
    static var spec: CommandSpec {
        CommandSpec(
            ["outbox", "list"], summary: "List delivered e-mails, SMS and letters.",
            discussion: "Oldest first, as the list is read (memory stays flat in the size of the outbox). Each message is kept in the store with its bytes (mes outbox show ID; mes outbox export --maildir DIR). Destinations are shown masked.",
            options: [.value("nir", "NIR", "Only messages for this NIR's profiles."),
                      .value("since", "WHEN", "Only messages queued from this date (the whole day, Paris time) or instant on."),
                      .value("limit", "N", "At most N messages.")],
            examples: ["mes outbox list --json", "mes outbox list --since 2022-02-03 --limit 20"], run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let nir = inv.value("nir") != nil ? try Args.nir(inv) : nil
        let (since, limit) = (try Args.period(inv).since, try Args.limit(inv))
        let service = try ctx.service()
        try ctx.emitList(key: "messages", empty: "Aucun message.", text: OutboxListing.line, json: { .object(OutboxListing.json($0)) }) {
            try service.outbox(nir: nir, since: since, limit: limit, $0)
        }
    }
}
