import MESCore
import MESRender
import MESService

/// `mes fixtures`: a synthetic roster (and members file with codes and expected statuses) for tests.
enum FixturesCommand {
    static let count = Option("count", "N", "How many profiles (1 to 20000000; written as they are made: only the holders' NIRs are kept, 8 bytes each, 64 MB at 10000000).", required: true)
    static let seed = Option("seed", "S", "Seed (a number or any text).", required: true)
    static let roster = Option("roster", "FILE", "Where to write the roster ('-': standard output).", file: true, required: true)
    static let members = Option("members", "FILE", "Also import and write the members file with codes and expected statuses ('-': standard output).", file: true)
    static let format = Option("format", "FORMAT", "csv (default) or jsonl, for both files.", choices: TableFormat.allCases.map(\.rawValue))
    static let cases = Option("case", "CASE", "Only families with a member of this case; repeat it for several (any of them).",
                              choices: FixtureCase.allCases.map(\.rawValue))
    static let force = Flag("force", "Replace existing output files; with --members, also the store's earlier population of this seed when it cannot be reused.")

    static var spec: CommandSpec {
        CommandSpec(
            ["fixtures"], summary: "Write a synthetic, reproducible roster (and a members CSV with codes and expected statuses).",
            discussion: "Writes --roster FILE, a CSV that 'mes import' loads: COUNT profiles in families, in the proportions of the real service (see FIXTURES in mes(1)): children, twins and adult dependants attached to a holder's card, births in Corsica, overseas and abroad, pseudo-months, temporary NIRs, both card models (60% with photo), e-mail and mobile (9% of people without e-mail, as seed 003 says of the French: 5% with neither, 4% a mobile only; 15% e-mail only; 76% both), parents 17 to 45 years older than their minor children (most often about 30), deceased people (1%), and decisions already taken (opposed 4%, active 3%, closed 0.5%) with their dates; the shares of births (Corsica 4%, overseas 5%, abroad 4%) and temporary NIRs (1%) are set from INSEE's figures, the others are mes's own plausible choices. Without --now (or MES_NOW) the population is made as of 2026-01-01T10:00:00Z, a fixed date, whatever the day: the same --seed and version of mes give the same bytes; --now makes it as of another date. The members file's codes are valid 6 weeks from that date, and its expected statuses are those of a batch run at it: run mes batch oppose with the same --now (the summary says which). With --members FILE it also imports the roster into the store, gives every profile a notification code (valid 6 weeks) and writes the association's members CSV (';', UTF-8 with BOM, as French spreadsheets export it) with the plaintext codes and, for every row, expected_status and expected_reason: what 'mes batch oppose FILE --receipts DIR' gives that row on this store at this clock (without --legal-representative or --request-codes). One row in 16 exercises another status: invalid (each reason), identity_mismatch, code_expired, code_used, code_superseded, locked; the store holds those codes in that state. The store keeps only the codes' keyed digests. Fixture codes are derived from the seed (predictable by design): never use fixtures for real people. '-' writes a file to standard output (then no summary is printed); --format jsonl writes JSON Lines instead of CSV (one object per row, the CSV's columns as keys, empty cells as null). Files appear whole at the end or not at all; with --members the store changes only if everything is written (a kill in the last instant, between putting the files in place and the store's commit, can leave both files with the store unchanged: run the same command again with --force). --roster and --members must be two files. Every roster row ends with person_id (its number in the file, from 1: the members file's data row of that number, and the batch's row person_id + 1, is the same person) and tags, the person's cases separated by spaces: corsica, overseas, abroad, algeria-morocco-tunisia, temporary, pseudo-month (what the NIR shows), twins, deceased, minor (under 18 at the fixtures' date), adult-dependant. --case CASE keeps only the families with a member of that case (several --case: any of them), in the same proportions otherwise; mes import reads and ignores person_id and tags. Run again on the same store with the same --seed, --count, clock and fixtures version, while nothing was added to or removed from the store since, --members reuses the population the store holds: the same rows, the store left as it is (population: reused). If that population was made otherwise or has changed since (a batch ran on it), the command is refused (fixtures_present, 69) unless --force, which replaces it when the store holds nothing else (population: replaced: the register is emptied, keeping settings, advisers and the signing identity). People already there without such a record (a store of an earlier version) make the import fail with the first 20 row errors (person_present) and their count.",
            options: [count,
                      seed,
                      roster,
                      members,
                      format,
                      cases,
                      force],
            examples: ["mes fixtures --count 1000 --seed 42 --roster roster.csv",
                       "mes fixtures --count 100000 --seed 1 --roster roster.csv --members members.csv",
                       "mes fixtures --count 10 --seed 1 --roster - --format jsonl",
                       "mes fixtures --count 50 --seed 1 --roster - --case twins --case minor"],
            run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        func destination(_ path: String) -> FixtureDestination { path == "-" ? .standardOutput : .file(path) }
        let request = FixturesRequest(count: try inv.integer(Self.count, default: 1, range: 1...20_000_000), seed: seedValue(try inv.required(Self.seed)),
                                      roster: destination(try inv.required(Self.roster)), members: inv[Self.members].map(destination),
                                      format: inv[Self.format].flatMap(TableFormat.init(rawValue:)) ?? .csv, force: inv[Self.force],
                                      date: ctx.clockIsGiven ? .clock : .fixed,
                                      cases: Set(inv.all(Self.cases).compactMap(FixtureCase.init(rawValue:))))
        let clock = try ctx.clock()
        if !request.twoDestinations, let members = request.members {
            throw Usage.conflicting("members", members == .standardOutput ? "--roster et --members ne peuvent pas aller tous deux sur la sortie standard (-)"
                                    : "--roster et --members ne peuvent pas être le même fichier (\(members.name))")
        }
        let result = try Fixtures.write(request, clock: clock, storeDirectory: ctx.storeDirectory, progress: ctx.progressObserver) { bytes in
            ctx.stdout.write(bytes: bytes)
            if ctx.stdout.hasFailed { try ctx.stdout.check() }  // the reader is gone: stop
        }
        if request.roster == .standardOutput || request.members == .standardOutput {
            try ctx.stdout.check()
        } else {
            ctx.emit(result)
        }
    }
}
