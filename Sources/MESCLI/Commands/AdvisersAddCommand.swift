import MESCore
import MESRender
import MESService

/// `mes advisers add`: registers an adviser of the phone service (3422).
enum AdvisersAddCommand {
    static var spec: CommandSpec {
        CommandSpec(
            ["advisers", "add"], summary: "Register an adviser of the phone service (3422).",
            discussion: "Only registered advisers may file assisted oppositions (oppose --assisted --adviser ID). The registration is recorded in the audit trail. Registering an adviser twice changes nothing.",
            positionals: [PositionalSpec("ID", "the adviser's identifier (letters, digits, '-', '_' or '.')")],
            examples: ["mes advisers add A042"], run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let id = inv.positionals[0]
        let added = try ctx.service().addAdviser(id)
        ctx.emit(SimpleReport(text: added ? "Conseiller enregistré : \(id)" : "Conseiller déjà enregistré : \(id)",
                              json: .obj([("status", .string(added ? "added" : "exists")), ("adviser", .string(id))])))
    }
}
