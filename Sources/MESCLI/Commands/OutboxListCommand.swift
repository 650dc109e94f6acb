import MESCore
import MESService

/// `mes outbox list`.
enum OutboxListCommand {
    static let nir = Option("nir", "NIR", "Only messages for this NIR's profiles.")
    static let since = Option("since", "WHEN", "Only messages queued from this date (the whole day, Paris time) or instant on.")
    static let limit = Option("limit", "N", "At most N messages.")
    static let status = Option("status", "STATUS", "Only messages in this state: queued (waiting or to retry), sent, failed (given up: the last cell says why), letter (to print), printed (to post).",
                               choices: DeliveryStatus.allCases.map(\.rawValue))

    static var spec: CommandSpec {
        CommandSpec(
            ["outbox", "list"], summary: "List delivered e-mails, SMS and letters.",
            discussion: "Oldest first, as the list is read (memory stays flat in the size of the outbox). Each message is kept in the store with its bytes (mes outbox show ID; mes outbox export --maildir DIR). Destinations are shown masked. Text lines are tab-separated: number, queued at, channel, destination, state, subject, and why its last try failed (empty when it did not).",
            options: [nir,
                      since,
                      status,
                      limit],
            examples: ["mes outbox list --json", "mes outbox list --since 2022-02-03 --limit 20", "mes outbox list --status failed"], run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let nir = inv[Self.nir] != nil ? try Args.nir(inv) : nil
        let (since, limit) = (try Args.period(inv, since: Self.since, until: nil).since, try Args.limit(inv, Self.limit))
        let status = inv[Self.status].flatMap(DeliveryStatus.init(rawValue:))
        let service = try ctx.service()
        try ctx.emitList(key: "messages", empty: "Aucun message.", text: OutboxListing.line, json: { .object(OutboxListing.json($0)) }) {
            try service.outbox(nir: nir, since: since, status: status, limit: limit, $0)
        }
    }
}
