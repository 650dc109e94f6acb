import MESCore
import MESService

/// `mes outbox show`: one message as a person reads it.
enum OutboxShowCommand {
    static var spec: CommandSpec {
        CommandSpec(
            ["outbox", "show"], summary: "Print one delivered message (as a person reads it).",
            discussion: "With --json: id, channel, to, subject, created_at, file, body, and provisional_code (the provisional or one-time code the message carries, for scripts; provisional_codes when a notification carries several). code and codes are the same values under their former names, kept for schema_version 2 readers until schema_version 3: in errors, code is an error code.",
            positionals: [PositionalSpec("ID", "message number from 'mes outbox list' (or 'last')")],
            examples: ["mes outbox show 1", "mes outbox show last --json"], run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let arg = inv.positionals[0]
        var id: Int64?
        if arg != "last" {
            guard let n = Args.strictID(arg) else { throw Usage.invalidValue("ID", "ID : un numéro de message ou « last », pas « \(TextEscaping.terminalSafe(arg)) »") }
            id = n
        }
        ctx.emit(try ctx.service().outboxMessage(id: id))
    }
}
