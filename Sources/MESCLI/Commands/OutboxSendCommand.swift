import MESCore
import MESService

/// `mes outbox send`: hands the queue to the configured transports.
enum OutboxSendCommand {
    static let limit = Option("limit", "N", "Send at most N messages (default: all that are due).")
    static let retryNow = Flag("retry-now", "Try deferred messages at once, each once, without waiting out their back-off (after an outage, as postqueue -f).")

    static var spec: CommandSpec {
        CommandSpec(
            ["outbox", "send"], summary: "Send the queued e-mails and SMS through the configured transports.",
            discussion: """
            Transports are set by environment variables, or by the same keys in DIR/mes.conf (KEY=value lines; the environment wins): MES_MAIL_URL (smtp://HOST[:PORT][?starttls=required], smtps://HOST[:PORT], sendmail:/usr/sbin/sendmail, run with -t -i, or maildir:/DIR, a local Maildir: delivery there counts as sending), MES_MAIL_FROM (the From: people see, Name <address>, "Name, with specials" <address> or an address, then shown as Mon espace santé; its address is also the envelope sender; messages already queued keep the From: they were composed with), MES_MAIL_CREDENTIALS_FILE (user:password, never on the command line), MES_SMS_URL (https://… gateway, JSON POST), MES_SMS_TOKEN_FILE, and MES_MAIL_RATE / MES_SMS_RATE (at most that many messages per second on the channel, 0.01 to 1000000: a wave goes at the transport's pace). One sender at a time per store: started while another sends, it exits 75 and leaves the queue to it. With none configured, messages stay queued. Each message is recorded as sent as soon as the server acknowledges it, so it is sent again only if a process is killed between the acknowledgement and that record (the same Message-ID); a temporary failure (server down, 4xx) is tried again later with backoff (1 min, 5 min, 15 min, 1 h, 4 h; 6 tries), a permanent one (recipient refused) is given up; a configuration error (wrong password, TLS) stops the wave with everything still queued; --retry-now tries the deferred ones at once. A notification's six weeks start when its server acknowledges it (a letter's, when its posting is recorded: mes outbox letters); a notification refused for good goes by letter when a postal address is on file, and its person is counted unreachable otherwise (never created by sweep). Commands that issue a code try to send it at once unless --no-send.
            """,
            options: [limit, retryNow],
            examples: ["MES_MAIL_URL=smtp://127.0.0.1:2525 mes outbox send", "mes outbox send --retry-now --json"], run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let limit = try inv.integer(Self.limit, default: 10_000_000, range: 1...10_000_000)
        let service = try ctx.service()
        let report = try service.sendOutbox(limit: limit, retryNow: inv[Self.retryNow])
        ctx.emit(report)
        if report.stoppedBy != nil { throw ExitRequest(.temporary) }
    }
}
