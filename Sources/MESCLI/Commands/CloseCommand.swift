import MESCore
import MESService

/// `mes close`: closing an active space (art. R1111-36).
enum CloseCommand {
    static let delete = Flag("delete", "Ask for the content to be deleted (within 3 months) rather than archived 10 years.")

    static var spec: CommandSpec {
        CommandSpec(
            ["close"], summary: "Close an active Mon espace santé (art. R1111-36).",
            discussion: "The space is closed at once and its account disabled. Its content is kept archived for 10 years and then deleted by 'mes sweep'; with --delete it is deleted 3 months after the closure instead. The signed closure receipt (JC-…) is written at once, like an opposition receipt, and the closure is confirmed by e-mail. The holder can activate again later, and take back their own identifier.",
            options: SharedOptions.sessions + [SharedOptions.yes,
                      delete,
                      SharedOptions.receipt, SharedOptions.force],
            examples: ["mes close --session-file session.txt --yes --receipt cloture.pdf"], run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        try Confirmation.require(inv, ctx, prompt: "Je clôture Mon espace santé.")
        ctx.emit(try ctx.service().close(session: try Args.session(inv, ctx), delete: inv[Self.delete],
                                         receiptPath: inv[SharedOptions.receipt], force: inv[SharedOptions.force]))
    }
}
