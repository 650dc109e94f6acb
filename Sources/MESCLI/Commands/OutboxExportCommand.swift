import MESCore
import MESRender
import MESService

/// `mes outbox export --maildir`: the messages as files a mail reader opens.
enum OutboxExportCommand {
    static let maildir = Option("maildir", "DIR", "The Maildir to write (created if needed).", directory: true, required: true)

    static var spec: CommandSpec {
        CommandSpec(
            ["outbox", "export"], summary: "Write the outbox's e-mails into a Maildir that any mail reader opens.",
            discussion: "Each e-mail becomes DIR/new/<id>.mes:2, (Maildir format; cur/ and tmp/ are created); an existing message file is left as it is, so exporting again adds only new messages. SMS and letters stay in the store (mes outbox show ID).",
            options: [maildir],
            examples: ["mes outbox export --maildir ~/Maildir/mes && mutt -f ~/Maildir/mes"], run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let n = try ctx.service().exportMaildir(try inv.required(Self.maildir))
        ctx.emit(SimpleReport(text: plural(n, "message écrit.", "messages écrits."), json: .obj([("written", .int(n))])))
    }
}
