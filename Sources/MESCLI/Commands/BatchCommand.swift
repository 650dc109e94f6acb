import MESCore
import MESRender
import MESService
import MESStore

/// `mes batch oppose`: an association files its members' oppositions from a CSV file.
enum BatchCommand {
    static var spec: CommandSpec {
        CommandSpec(
            ["batch", "oppose"], summary: "File the oppositions of an association's members from a CSV file.",
            discussion: """
            Columns (header names, French aliases, any order, ',' or ';', UTF-8 with or without BOM, RFC 4180 quotes): nir (numero_securite_sociale), birth_date (date_naissance), card_type (type_carte: photo, plain, avec photo, sans photo), serial (numero_serie), code (code_provisoire), last_name (nom), first_name (prenom), email (courriel). nir, card_type and serial are required; a row needs a code, or --request-codes and a birth date.

            Standard output is JSON Lines whatever --json says: one object per row, in order, with row (the CSV line), nir (masked), status, and receipt/file, destination, or field/reason/message. Statuses: opposed, already_opposed, code_requested, invalid, identity_mismatch, code_expired, code_used, code_superseded, locked, too_soon, refused. A last object {"summary": ...} counts them; a human summary goes to standard error, with progress when standard error is a terminal (unless --quiet).

            Each opposed member gets one PDF receipt in DIR, named REFERENCE_LASTNAME.pdf (never the NIR). Rows are filed in groups (--group-size, default 2,000) per transaction; once a group commits, its receipts are written and synced at once with its records (while the next group runs), and its result lines are printed only when both are on disk. Running the same file again never files a second opposition or receipt: rows done before report already_opposed, and their receipt file is rewritten if it is missing or damaged. A run killed at any moment and run again finishes the rest. Exit 0 only when every row ended opposed, already_opposed or code_requested; otherwise 65 when some rows were invalid, else 69 when some were refused, else 77 when some identifications failed (identity_mismatch, code_expired, code_used, code_superseded, locked), else 75 (too_soon); 73 when a receipt could not be written or synced (a full disk): the lines of the groups already on disk are printed, and running the file again files the rest and writes the missing receipts.

            --mail-receipts queues, for each member filed now who has an e-mail address, a message (in French) with the signed receipt attached (multipart/mixed, base64), and sends the queue after the run through the configured transport (see mes outbox send) unless --no-send. --report FILE writes a spreadsheet-friendly CSV for the association (UTF-8 with BOM, ';'): one row per member with the line, the masked NIR, the status in French, the stable code, the receipt file name and the delivery status.
            """,
            options: [.value("receipts", "DIR", "Directory for the receipts (created if needed).", directory: true, required: true),
                      .flag("request-codes", "For rows without a code: send the member an on-demand code (needs birth_date)."),
                      .value("association", "NAME", "Who files, recorded in the audit trail (default: association)."),
                      .flag("legal-representative", "The association certifies acting as legal representative for minors."),
                      .value("group-size", "N", "Rows per transaction (default 2000): fewer means less work lost to a crash, more means fewer syncs."),
                      .flag("mail-receipts", "E-mail each member filed now their signed receipt (rows with an email column)."),
                      .value("report", "FILE", "Write the association's report (CSV, ';', UTF-8 with BOM).", file: true),
                      .flag("force", "Replace an existing report file (a symbolic link is replaced, never followed)."),
                      SendNow.option,
                      .flag("quiet", short: "q", "No progress or summary on standard error.")],
            positionals: [PositionalSpec("FILE", "the members CSV ('-' for standard input)", file: true)],
            examples: ["mes batch oppose adherents.csv --receipts justificatifs/ > resultats.jsonl",
                       "mes batch oppose adherents.csv --receipts justificatifs/ --mail-receipts --report rapport.csv"],
            run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let path = inv.positionals[0]
        var options = BatchOptions(receiptsDirectory: try inv.required("receipts"))
        let file = path == "-" ? nil : try FileIO.Chunks(path: path, field: "FILE")
        options.groupSize = try inv.integer("group-size", default: options.groupSize, range: 1...100_000)
        options.requestCodes = inv.flag("request-codes")
        options.association = inv.value("association") ?? options.association
        options.legalRepresentative = inv.flag("legal-representative")
        options.mailReceipts = inv.flag("mail-receipts")
        let report = inv.value("report"), force = inv.flag("force")
        try FileIO.checkOutputTarget(report, force: force, storeDirectory: ctx.storeDirectory, field: "report")
        let service = try ctx.service()
        let sink = BatchLines(ctx, progress: ctx.stderr.isTerminal && !inv.flag("quiet"), keepRows: report != nil)
        let summary = try service.batchOppose({ body in
            if let file { try file.forEach(body) } else { try ctx.stdin.forEachChunk(body) }
        }, totalBytes: file?.size ?? 0, options: options, sink: sink)
        if options.mailReceipts && !inv.flag("no-send") {
            let transports = try service.transports(environment: ctx.environment)
            if !transports.isEmpty, !inv.flag("quiet") { ctx.note(try service.sendOutbox(transports).text) }
        }
        if let report { try FileIO.writeAtomically(report, try BatchReport.csv(sink.rows, service), replace: force, field: "report", storeDirectory: ctx.storeDirectory) }
        sink.finish(summary, quiet: inv.flag("quiet"))
        if let status = exitStatus(summary.counts) { throw ExitRequest(status) }
    }

    /// 0 only when every row ended opposed, already_opposed or code_requested; otherwise the
    /// most serious kind of row decides: invalid 65, refused 69, an identification that failed
    /// (identity_mismatch, code_expired, code_used, code_superseded, locked) 77, too_soon 75.
    static func exitStatus(_ counts: [BatchOpposition.Status: Int]) -> ExitStatus? {
        func any(_ s: [BatchOpposition.Status]) -> Bool { s.contains { (counts[$0] ?? 0) > 0 } }
        if any([.invalid]) { return .invalidData }
        if any([.refused]) { return .refused }
        if any([.identityMismatch, .codeExpired, .codeUsed, .codeSuperseded, .locked]) { return .identificationFailed }
        if any([.tooSoon]) { return .temporary }
        return nil
    }
}
