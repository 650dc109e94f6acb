import MESCore
import MESService

/// `mes fixtures`: a synthetic roster (and members file with notification codes) for tests.
enum FixturesCommand {
    static var spec: CommandSpec {
        CommandSpec(
            ["fixtures"], summary: "Write a synthetic, reproducible roster (and a members CSV with codes).",
            discussion: "Writes --roster FILE, a CSV that 'mes import' loads: COUNT profiles in families (holders and children attached to their card, some twins), births in Corsica, overseas and abroad, both card models, some people with no e-mail or mobile. The same --seed and --now give the same file. With --members FILE it also imports the roster into the store, issues every profile a notification code (valid 6 weeks) and writes the association's members CSV (';', UTF-8 with BOM, as French spreadsheets export it) with the plaintext codes: the store keeps only their keyed digests. Fixture codes are derived from the seed (predictable by design): never use fixtures for real people.",
            options: [.value("count", "N", "How many profiles (1 to 5000000).", required: true),
                      .value("seed", "S", "Seed (a number or any text).", required: true),
                      .value("roster", "FILE", "Where to write the roster CSV.", file: true, required: true),
                      .value("members", "FILE", "Also import and write the members CSV with notification codes.", file: true),
                      .flag("force", "Replace existing output files.")],
            examples: ["mes fixtures --count 1000 --seed 42 --roster roster.csv",
                       "mes fixtures --count 100000 --seed 1 --roster roster.csv --members members.csv"],
            run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let request = FixturesRequest(count: try inv.integer("count", default: 1, range: 1...5_000_000), seed: seedValue(try inv.required("seed")),
                                      rosterPath: try inv.required("roster"), membersPath: inv.value("members"), force: inv.flag("force"))
        ctx.emit(try Fixtures.write(request, clock: try ctx.clock(), storeDirectory: ctx.storeDirectory))
    }
}
