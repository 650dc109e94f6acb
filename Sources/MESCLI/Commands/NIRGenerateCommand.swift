import MESCore
import MESRender

/// `mes nir generate`: valid or labelled invalid NIRs, reproducibly.
enum NIRGenerateCommand {
    static let count = Option("count", "N", "How many (1 to 10000000).", required: true)
    static let seed = Option("seed", "S", "Seed for reproducible output (a number or any text); without it, the seed drawn is said on standard error.")
    static let invalid = Flag("invalid", "Generate invalid NIRs, each labelled with its reason.")
    static let reason = Option("reason", "REASON", "With --invalid: only this reason.",
                             choices: NIRReason.allCases.filter { $0 != .empty }.map(\.rawValue))

    static var spec: CommandSpec {
        CommandSpec(
            ["nir", "generate"], summary: "Generate valid (or labelled invalid) NIRs, reproducibly with a seed.",
            discussion: "Valid NIRs follow the insee rules (births in France, Corsica, overseas and abroad). With --invalid each NIR breaks exactly one rule and is labelled with the reason (text: NIR, a tab, the reason).",
            options: [count,
                      seed,
                      invalid,
                      reason],
            examples: ["mes nir generate --count 5 --seed 42", "mes nir generate --count 100 --invalid --json"],
            run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let count = try inv.integer(Self.count, default: 1, range: 1...10_000_000)
        let seed = inv[Self.seed].map(seedValue) ?? Args.drawnSeed(ctx)
        var gen = NIRGenerator(seed: seed)
        let reason = inv[Self.reason].flatMap(NIRReason.init(rawValue:))
        if reason != nil && !inv[Self.invalid] { throw Usage.goesWith("reason", "--invalid") }
        for _ in 0..<count where !ctx.stdout.hasFailed {
            if inv[Self.invalid] {
                let g = gen.invalid(reason)
                let r = g.reason!.rawValue
                if ctx.json {
                    ctx.stdout.line(JSON.obj([("schema_version", .int(JSON.schemaVersion)), ("nir", .string(g.text)), ("valid", false), ("reason", .string(r))]).serialized())
                } else {
                    ctx.stdout.line(g.text + "\t" + r)
                }
            } else {
                let v = gen.valid()
                ctx.stdout.line(ctx.json ? JSON.obj([("schema_version", .int(JSON.schemaVersion)), ("nir", .string(v)), ("valid", true)]).serialized() : v)
            }
        }
    }
}
