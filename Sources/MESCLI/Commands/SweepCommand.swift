import MESCore
import MESService

/// `mes sweep`: the automatic creations at the end of the window.
enum SweepCommand {
    static let dryRun = Flag("dry-run", "Count what would be created or deleted; change nothing.")
    static let list = Flag("list", "Also list the profiles concerned (kept in memory: one line per profile).")
    static let windowDays = Option("window-days", "DAYS", "The window in days (default 42).")

    static var spec: CommandSpec {
        CommandSpec(
            ["sweep"], summary: "Create automatically the spaces whose window ended without a decision.",
            discussion: "Every living profile notified longer ago than the window (default 42 days, art. R1111-28) and still pending becomes active, recorded as automatic_creation by the system. Then the content of every closed space whose retention ended (3 months after a closure with --delete, 10 years otherwise) is deleted: the account and identifier, sessions, one-time and unused provisional codes, messages (rows and files) and the e-mail and mobile on file. The register's identity, the decisions, their receipts and the audit trail stay; the audit records content_deleted. The register is walked in groups of 20,000 profiles, one transaction each, made durable together at the end: a sweep killed midway resumes where it stopped. It prints counts; --list adds the profiles. Running it again changes nothing.",
            options: [dryRun,
                      list,
                      windowDays],
            examples: ["mes sweep --dry-run", "mes --now 2022-03-20T00:00:00Z sweep"], run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let days = try inv.integer(Self.windowDays, default: Policy.standard.creationWindowDays, range: 1...3650)
        ctx.emit(try ctx.service().sweep(windowDays: days, dryRun: inv[Self.dryRun], list: inv[Self.list]))
    }
}
