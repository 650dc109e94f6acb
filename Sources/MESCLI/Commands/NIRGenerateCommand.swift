import MESCore
import MESRender

/// `mes nir generate`: valid or labelled invalid NIRs, reproducibly.
enum NIRGenerateCommand {
    static let count = Option("count", "N", "How many (1 to 10000000).", required: true)
    static let seed = Option("seed", "S", "Seed for reproducible output (a number or any text); without it, the seed drawn is said on standard error.")
    static let invalid = Flag("invalid", "Generate invalid NIRs, each labelled with its reason.")
    static let reason = Option("reason", "REASON", "With --invalid: only this reason (empty: nothing, or separators only; never drawn otherwise).",
                             choices: NIRReason.allCases.map(\.rawValue))
    static let cases = Option("case", "CASE", "Only valid NIRs of this case; repeat it for several (taken in turn).",
                              choices: FixtureCase.nirCases.map(\.rawValue))

    static var spec: CommandSpec {
        CommandSpec(
            ["nir", "generate"], summary: "Generate valid (or labelled invalid) NIRs, reproducibly with a seed.",
            discussion: "Valid NIRs follow the insee rules (births in France, Corsica, overseas and abroad). With --invalid each NIR breaks exactly one rule of the insee rules and is labelled with the reason nir check gives it (text: NIR, a tab, the reason; JSON: reason and code); the reasons are drawn as often as each other, and within each among the values INVALID NIRS in mes(1) lists: every refused month, keys 00, 98 and 99, letters in either case, other scripts' digits, lengths 1 to 30, refused separators; one NIR in four is written with spaces, dots or dashes. --case asks for valid NIRs of a case: corsica (2A, 2B), overseas (971 to 976), abroad (99), algeria-morocco-tunisia (91 to 94 born 1920 to 1962, 95 and 96 born 1920 to 1956), temporary (sex 3, 4, 7, 8), pseudo-month (20, 30 to 42, 50 to 99); several --case are taken in turn. Every JSON line carries tags: the cases its characters show (a NIR alone gives its year in two digits, read as 19YY for algeria-morocco-tunisia).",
            options: [count,
                      seed,
                      invalid,
                      reason,
                      cases],
            examples: ["mes nir generate --count 5 --seed 42", "mes nir generate --count 100 --invalid --json",
                       "mes nir generate --count 10 --seed 1 --case corsica --case abroad"],
            run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let count = try inv.integer(Self.count, default: 1, range: 1...10_000_000)
        let seed = inv[Self.seed].map(seedValue) ?? Args.drawnSeed(ctx)
        var gen = NIRGenerator(seed: seed)
        let reason = inv[Self.reason].flatMap(NIRReason.init(rawValue:))
        if reason != nil && !inv[Self.invalid] { throw Usage.goesWith("reason", "--invalid") }
        var wanted: [FixtureCase] = []
        for c in inv.all(Self.cases).compactMap(FixtureCase.init(rawValue:)) where !wanted.contains(c) { wanted.append(c) }
        if !wanted.isEmpty && inv[Self.invalid] { throw Usage.conflicting("case", "--case demande des NIR valides : pas avec --invalid") }
        func tags(_ text: String) -> JSON { .array(FixtureCase.tags(nir: text).map { .string($0.rawValue) }) }
        for k in 0..<count where !ctx.stdout.hasFailed {
            if inv[Self.invalid] {
                let g = gen.invalid(reason)
                let r = g.reason!.rawValue
                if ctx.json {
                    ctx.stdout.line(JSON.obj([("schema_version", .int(JSON.schemaVersion)), ("nir", .string(g.text)), ("valid", false), ("reason", .string(r)),
                                              ("code", .string(g.code!.rawValue)), ("tags", tags(g.text))]).serialized())
                } else {
                    ctx.stdout.line(g.text + "\t" + r)
                }
            } else {
                let v = wanted.isEmpty ? gen.valid() : gen.valid(wanted[k % wanted.count])
                ctx.stdout.line(ctx.json ? JSON.obj([("schema_version", .int(JSON.schemaVersion)), ("nir", .string(v)), ("valid", true),
                                                     ("tags", tags(v))]).serialized() : v)
            }
        }
    }
}
