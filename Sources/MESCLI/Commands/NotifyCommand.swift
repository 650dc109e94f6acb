import MESCore
import MESService

/// `mes notify`: the notification wave.
enum NotifyCommand {
    static var spec: CommandSpec {
        CommandSpec(
            ["notify"], summary: "Send notification codes (valid 6 weeks) to pending profiles never notified.",
            discussion: "By e-mail to the contact on file (a child's goes to the holder), by postal letter when there is no e-mail or with --via letter. Starts the 6-week window after which 'mes sweep' creates the space. One message per address names every profile it concerns. The wave works in groups of 10,000 profiles, one transaction each: a killed wave resumes where it stopped, and waves run at once, or beside oppositions and code requests, notify each profile once and never one decided meanwhile. without_address counts the profiles the wave leaves unnotified because a letter is needed and no postal address is on file.",
            options: [.value("via", "CHANNEL", "Force the channel.", choices: ["email", "letter"]), SendNow.option],
            examples: ["mes notify"], run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let service = try ctx.service()
        // The delivery settings are checked before the wave is recorded.
        let transports = inv.flag("no-send") ? nil : try service.transports()
        let wave = try service.notify(forceLetter: inv.value("via") == "letter")
        ctx.emit(wave)
        if let transports, !transports.isEmpty { ctx.note(try service.sendOutbox(transports).text) }
    }
}
