import MESCore
import MESService

/// `mes outbox send`: hands the queue to the configured transports.
enum OutboxSendCommand {
    static var spec: CommandSpec {
        CommandSpec(
            ["outbox", "send"], summary: "Send the queued e-mails and SMS through the configured transports.",
            discussion: """
            Transports are set by environment variables, or by the same keys in DIR/mes.conf (KEY=value lines; the environment wins): MES_MAIL_URL (smtp://HOST[:PORT][?starttls=required], smtps://HOST[:PORT], or sendmail:/usr/sbin/sendmail, run with -t -i), MES_MAIL_FROM, MES_MAIL_CREDENTIALS_FILE (user:password, never on the command line), MES_SMS_URL (https://… gateway, JSON POST), MES_SMS_TOKEN_FILE, and MES_MAIL_RATE / MES_SMS_RATE (at most that many messages per second on the channel, 0.01 to 1000000: a wave goes at the transport's pace). One sender at a time per store: started while another sends, it exits 75 and leaves the queue to it. With none configured, messages stay queued. Each message is recorded as sent as soon as the server acknowledges it, so it is sent again only if a process is killed between the acknowledgement and that record (the same Message-ID); a temporary failure (server down, 4xx) is tried again later with backoff (1 min, 5 min, 15 min, 1 h, 4 h; 6 tries), a permanent one (recipient refused) is given up; a configuration error (wrong password, TLS) stops the wave with everything still queued. Commands that issue a code try to send it at once unless --no-send.
            """,
            options: [.value("limit", "N", "Send at most N messages (default: all that are due).")],
            examples: ["MES_MAIL_URL=smtp://127.0.0.1:2525 mes outbox send", "mes outbox send --json"], run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let limit = try inv.integer("limit", default: 10_000_000, range: 1...10_000_000)
        let service = try ctx.service()
        let report = try service.sendOutbox(limit: limit)
        ctx.emit(report)
        if report.stoppedBy != nil { throw ExitRequest(.temporary) }
    }
}
