import MESCore
import MESRender
import MESService
import MESSystem

/// `mes fixtures verify`: a CI verdict on a batch's results against the members file's expectations.
enum FixturesVerifyCommand {
    static var spec: CommandSpec {
        CommandSpec(
            ["fixtures", "verify"], summary: "Check that a batch gave every members row its expected status and reason (a CI verdict).",
            discussion: "MEMBERS is a members file written by 'mes fixtures --members' (CSV, with its expected_status and expected_reason columns); RESULTS is what 'mes batch oppose MEMBERS' printed (its JSON Lines, '-' for standard input). Rows are matched by number: a result's row is its members row's line in the file (the header is line 1), as the batch numbers them; a result without a reason matches an empty expected_reason. Exit 0 when every row has exactly one result, with its expected status and reason; otherwise 65, listing each difference: a row with another status or reason (mismatch), without a result (missing), with two (duplicate), a result for a row the file does not have (unexpected), or a results line that is neither a batch row nor its summary (unreadable). Text lists the first 20 differences, --json the first 1000 (difference_count counts them all). The batch's own exit status says whether rows were refused; this one says whether they were refused as the fixtures expected.",
            positionals: [PositionalSpec("MEMBERS", "the members CSV of mes fixtures --members", file: true),
                          PositionalSpec("RESULTS", "the JSON Lines of mes batch oppose MEMBERS ('-': standard input)", file: true)],
            examples: ["mes batch oppose m.csv --receipts rec/ > results.jsonl",
                       "mes fixtures verify m.csv results.jsonl"],
            run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let (membersPath, resultsPath) = (inv.positionals[0], inv.positionals[1])
        if membersPath == "-" { throw Usage.invalidValue("MEMBERS", "MEMBERS est un fichier (« - » est pour RESULTS)") }
        let members = try FileIO.Chunks(path: membersPath, field: "MEMBERS")
        let results = resultsPath == "-" ? nil : try FileIO.Chunks(path: resultsPath, field: "RESULTS")
        let verdict = try FixturesVerification.verify(members: { try members.forEach($0) }, results: { feed in
            if let results { try results.forEach(feed) } else { try ctx.stdin.forEachChunk(feed) }
        })
        ctx.emit(FixturesVerdictView(verdict: verdict))
        if !verdict.passed {
            try ctx.stdout.check()
            throw ExitRequest(.invalidData)
        }
    }
}
