import MESCore
import MESRender

/// `mes vitale generate`: valid or labelled invalid Carte Vitale serials, reproducibly.
enum VitaleGenerateCommand {
    static let card = Option("card", "TYPE", "Card model.", choices: CardType.allCases.map(\.rawValue), required: true)
    static let count = Option("count", "N", "How many (1 to 10000000).", required: true)
    static let seed = Option("seed", "S", "Seed for reproducible output (a number or any text); without it, the seed drawn is said on standard error.")
    static let invalid = Flag("invalid", "Generate invalid serials, each labelled with its reason.")
    static let reason = Option("reason", "REASON", "With --invalid: only this reason.", choices: VitaleReason.allCases.map(\.rawValue))

    static var spec: CommandSpec {
        CommandSpec(
            ["vitale", "generate"], summary: "Generate valid (or labelled invalid) Carte Vitale serials, reproducibly with a seed.",
            discussion: "Serials as a person types them: photo, the 11 digits after the printed prefix 8025000002; plain, 8 to 13 digits. With --invalid each serial breaks one rule and is labelled with the reason (text: serial, a tab, the reason): digits (a character that is not a digit) or length (the wrong number of digits for the model). The JSON lines give card, serial, valid, and reason and code (the error 'mes vitale check' gives) when invalid.",
            options: [card,
                      count,
                      seed,
                      invalid,
                      reason],
            examples: ["mes vitale generate --card photo --count 5 --seed 42",
                       "mes vitale generate --card plain --count 100 --invalid --json"],
            run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let card = CardType(rawValue: try inv.required(Self.card))!
        let count = try inv.integer(Self.count, default: 1, range: 1...10_000_000)
        let seed = inv[Self.seed].map(seedValue) ?? Args.drawnSeed(ctx)
        let reason = inv[Self.reason].flatMap(VitaleReason.init(rawValue:))
        if reason != nil && !inv[Self.invalid] { throw Usage.goesWith("reason", "--invalid") }
        var gen = VitaleGenerator(seed: seed)
        for _ in 0..<count where !ctx.stdout.hasFailed {
            let g = inv[Self.invalid] ? gen.invalid(card, reason) : gen.valid(card)
            if ctx.json {
                var fields: [(String, JSON)] = [("schema_version", .int(JSON.schemaVersion)), ("card", .string(card.rawValue)),
                                                ("serial", .string(g.text)), ("valid", .bool(g.reason == nil))]
                if let r = g.reason { fields += [("reason", .string(r.rawValue)), ("code", .string(r.code(card: card).rawValue))] }
                ctx.stdout.line(JSON.obj(fields).serialized())
            } else {
                ctx.stdout.line(g.reason.map { g.text + "\t" + $0.rawValue } ?? g.text)
            }
        }
    }
}
