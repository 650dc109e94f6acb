import MESCore
import MESRender
import MESService

/// `mes advisers list`.
enum AdvisersListCommand {
    static var spec: CommandSpec {
        CommandSpec(["advisers", "list"], summary: "List the registered advisers of the phone service.",
                    examples: ["mes advisers list --json"], run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let list = try ctx.service().advisers()
        ctx.emit(SimpleReport(
            text: list.isEmpty ? "Aucun conseiller enregistré." : list.map { "\($0.id)\t\($0.addedAt.iso8601)" }.joined(separator: "\n"),
            json: .obj([("advisers", .array(list.map { .obj([("id", .string($0.id)), ("added_at", .string($0.addedAt.iso8601))]) }))])))
    }
}
