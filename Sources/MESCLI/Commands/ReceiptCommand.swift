import MESCore
import MESService

/// `mes receipt`: a duplicate of an opposition receipt.
enum ReceiptCommand {
    static let id = Option("id", "RECEIPT", "Receipt reference (JO-…).")
    static let format = Option("format", "FORMAT", "Output format (default pdf).", choices: ReceiptFormat.allCases.map(\.rawValue))
    static let output = Option("output", short: "o", "FILE", "Write to FILE (atomically).", file: true)

    static var spec: CommandSpec {
        CommandSpec(
            ["receipt"], summary: "Re-issue an opposition receipt (PDF, text or JSON), marked as a duplicate.",
            discussion: "From the session's profile (its latest opposition) or from a receipt id. The copy says 'Duplicata' with its number and date, and the re-issue is recorded in the audit trail. PDF goes to -o FILE (or standard output when it is not a terminal).",
            usages: ["mes receipt verify FILE"],
            options: SharedOptions.sessions + [id,
                      format,
                      output,
                      SharedOptions.force],
            examples: ["mes receipt --session TOKEN -o justificatif.pdf", "mes receipt --id JO-7K2M9QXD4T --format text"],
            run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let format = inv[Self.format].flatMap(ReceiptFormat.init(rawValue:)) ?? .pdf
        let output = inv[Self.output]
        if output == nil && format == .pdf && ctx.stdout.isTerminal {
            throw Usage.conflicting("output", "un PDF ne s'affiche pas sur un terminal : utilisez -o FICHIER (ou --format text)")
        }
        let which: ReceiptSelector
        if let id = inv[Self.id] { which = .id(id) }
        else if let token = try Args.secret(inv, ctx, SharedOptions.session, file: SharedOptions.sessionFile, env: "MES_SESSION") { which = .session(token) }
        else { throw Usage.missingOption("session", placeholder: "TOKEN", or: ["--id RECEIPT"]) }
        let issued = try ctx.service().reissueReceipt(which, format: format, output: output, force: inv[SharedOptions.force])
        if output != nil { ctx.emit(issued) } else { ctx.stdout.write(bytes: issued.bytes) }
    }
}
