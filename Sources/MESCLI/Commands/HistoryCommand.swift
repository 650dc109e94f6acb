import MESCore
import MESService

/// `mes history`: the audit trail, filtered, streamed.
enum HistoryCommand {
    static let nir = Option("nir", "NIR", "Only this NIR's profiles.")
    static let since = Option("since", "WHEN", "From this date or instant (inclusive).")
    static let until = Option("until", "WHEN", "Up to this date or instant (inclusive).")
    static let channel = Option("channel", "CHANNEL", "Only decisions and events of this channel.", choices: Channel.allCases.map(\.rawValue))
    static let actor = Option("actor", "WHO", "Only this actor kind or actor id (an adviser, an association).")
    static let limit = Option("limit", "N", "At most N events.")

    static var spec: CommandSpec {
        CommandSpec(
            ["history"], summary: "Print the audit trail of decisions and identifications.",
            discussion: """
            Every decision with when, by which channel and by whom (self, legal_representative, association, adviser with its id, system), plus code issues, identifications, failed attempts and receipt re-issues, oldest first. NIRs are masked unless --nir is given.

            Filters combine: --since and --until take an instant (2022-02-03T10:00:00Z, or with an offset such as +01:00) or a date (2022-02-03 or 03/02/2022), which means the whole day in Paris time (--since from its first second, --until to its last); both bounds are included. --actor matches an actor kind (self, legal_representative, association, adviser, system), or a kind and an id: adviser:A042, association:NAME (the name an association gave with batch oppose --association); a bare id is refused, since it could name actors of several kinds. --limit N stops after the first N matching events. Events are read from the store and printed one at a time, so a long trail takes no more memory than a short one; under --json the document is {"events": [...]}.
            """,
            options: [nir,
                      since,
                      until,
                      channel,
                      actor,
                      limit],
            examples: ["mes history --nir '1 16 30 44 038 016 18'",
                       "mes history --channel batch --since 2022-02-01 --until 2022-02-28",
                       "mes history --actor adviser:A042 --limit 20"],
            run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        var filter = AuditFilter()
        filter.nir = inv[Self.nir] != nil ? try Args.nir(inv) : nil
        (filter.since, filter.until) = try Args.period(inv, since: Self.since, until: Self.until)
        filter.channel = inv[Self.channel].flatMap(Channel.init(rawValue:))
        filter.actor = try inv[Self.actor].map(ActorName.filter)
        filter.limit = try Args.limit(inv, Self.limit)
        let listing = HistoryListing(nirGiven: filter.nir != nil)
        let service = try ctx.service()
        try ctx.emitList(key: "events", empty: "Aucun événement.", text: listing.line, json: listing.json) {
            try service.history(filter, $0)
        }
    }
}
