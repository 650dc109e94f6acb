import MESCore
import MESService

/// `mes notify`: the notification wave.
enum NotifyCommand {
    static var spec: CommandSpec {
        CommandSpec(
            ["notify"], summary: "Send notification codes (valid 6 weeks) to pending profiles never notified.",
            discussion: "By e-mail to the contact on file (a child's goes to the holder), by postal letter when there is no e-mail or with --via letter. Starts the 6-week window after which 'mes sweep' creates the space.",
            options: [.value("via", "CHANNEL", "Force the channel.", choices: ["email", "letter"])],
            examples: ["mes notify"], run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        ctx.emit(try ctx.service().notify(forceLetter: inv.value("via") == "letter"))
    }
}
