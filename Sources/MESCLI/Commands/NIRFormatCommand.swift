import MESCore
import MESRender

/// `mes nir format`: the grouped form and decoded fields of a NIR.
enum NIRFormatCommand {
    static var spec: CommandSpec {
        CommandSpec(
            ["nir", "format"], summary: "Print a NIR in its grouped form and its decoded fields.",
            discussion: "With --json also gives sex, birth_year, birth_month, department, commune, order and key.",
            options: [NIRCheckCommand.rulesOption], positionals: [PositionalSpec("NIR", "the NIR")],
            examples: ["mes nir format 116304403801618"], run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let n = try Args.parseNIR(inv.positionals[0], rules: NIRCheckCommand.rules(inv))
        let sexName: String
        switch n.sexDigit {
        case 1: sexName = "homme"
        case 2: sexName = "femme"
        default: sexName = "temporaire"
        }
        ctx.emit(SimpleReport(
            text: n.formatted,
            json: .obj([("nir", .string(n.compact)), ("formatted", .string(n.formatted)),
                        ("sex", .int(n.sexDigit)), ("sex_label", .string(sexName)), ("birth_year", .string(n.birthYear)),
                        ("birth_month", .string(n.birthMonth)), ("department", .string(n.department)),
                        ("commune", .string(n.commune)), ("order", .string(n.order)), ("key", .string(n.key))])))
    }
}
