import MESCore
import MESRender
import MESService
import MESSystem

/// `mes batch oppose`: an association files its members' oppositions from a CSV file.
enum BatchCommand {
    static let receipts = Option("receipts", "DIR", "Directory for the receipts (created if needed; required unless --check).", directory: true)
    static let check = Flag("check", "Only read and check the file, header and rows: file nothing, read no code, count no attempt; rows that would go ahead are ready.")
    static let retryFailed = Flag("retry-failed", "Try again rows refused before with the same identity and code (wrong code or serial); without it they are not_retried, so that re-runs never lock a member's card.")
    static let replaceCodes = Flag("replace-codes", "With --request-codes: a member who lost the code of their notification gets a new one by letter (the old one stops working).")
    static let keepColumn = Option("keep-column", "NAME", "Carry the association's own column NAME (member number, phone, remarks) unchanged into the report; repeatable. A column mes reads (nir, code, legal_representative…) cannot be kept (64).")
    static let requestCodes = Flag("request-codes", "For rows without a usable code (none, expired, used, superseded): send the member a code by letter, valid 6 weeks (needs birth_date).")
    static let association = Option("association", "NAME", "Who files: recorded in the audit trail and named on the members' receipts, receipt e-mails and code letters (default: none named).")
    static let legalRepresentative = Flag("legal-representative", "The association certifies acting as legal representative for every minor (rows whose legal_representative cell is empty).")
    static let groupSize = Option("group-size", "N", "Rows per transaction (default 2000): fewer means less work lost to a crash, more means fewer syncs.")
    static let mailReceipts = Flag("mail-receipts", "E-mail each member filed now their signed receipt (rows with an email column).")
    static let report = Option("report", "FILE", "Write the association's report: a spreadsheet when FILE ends in .xlsx or .ods, else CSV (';', UTF-8 with BOM).", file: true)
    static let sheet = Option("sheet", "NAME", "With an .xlsx or .ods file: the sheet to read (default: the first).")
    static let force = Flag("force", "Replace an existing report file (a symbolic link is replaced, never followed).")

    static var spec: CommandSpec {
        CommandSpec(
            ["batch", "oppose"], summary: "File the oppositions of an association's members from a CSV file or a spreadsheet.",
            discussion: """
            FILE is CSV, or a spreadsheet saved by Excel or LibreOffice (.xlsx or .ods, known by its content): its first sheet, or --sheet NAME, is read as the sheet stores it (a NIR typed as a number keeps its 15 digits, a serial typed as text its leading zero, a date cell reads as dd/mm/yyyy), with no CSV export, and row numbers in results and reports are the sheet's. A spreadsheet is read whole (at most 64 MiB, and 1,048,576 rows); a damaged, encrypted or oversized file, or one with XML entities, is refused (65, sheet_*).

            Columns (header names as people write them: case, accents, "N°" and little words ignored; any order, ',', ';' or tab, RFC 4180 quotes; UTF-8 with or without BOM, or Windows-1252 (what Excel and LibreOffice save by default) or UTF-16, decoded and said once on standard error, and as encoding in the summary): nir (numero_securite_sociale), birth_date (date_naissance), card_type (type_carte: photo, plain, avec photo, sans photo), serial (numero_serie), code (code_provisoire), last_name (nom), first_name (prenom), email (courriel), legal_representative (representant_legal), signatory (signataire). nir, card_type and serial are required; a row needs a code, or --request-codes and a birth date. Empty header cells are ignored; any other unknown column refuses the file, all of them listed at once with the closest known name, unless it is kept with --keep-column NAME (the association's member number, phone, remarks), which carries it unchanged into the report.

            Cells a spreadsheet's CSV export spoilt are refused when read, before any code is tried, each with its cause and fix, and the summary says each kind once with its row count and column: a NIR or serial in scientific notation (export_scientific_notation) or with a trailing .0 (export_decimal_suffix), a serial that lost its leading zero (export_leading_zero_lost), a date with a two-digit year (export_two_digit_year) or written as a day number (export_day_number), characters that could not be decoded (encoding_invalid).

            Minors: a decision for a member under 18 needs the legal representative's certification. legal_representative certifies one row: oui or non (also yes/no, true/false, vrai/faux, 1/0, any case; anything else makes the row invalid, reason legal_representative_invalid); signatory names who signed it (else the association). An empty cell falls back on --legal-representative, which certifies every row; an explicit non is never overridden by it. A minor's row without certification is refused (legal_representative_required). The audit trail records, with the opposition, which certified it (the row or the flag) and its signatory (the row's, even with the flag; else the association).

            Members without a usable code (two passes): with --request-codes, a row without a code, or whose code has expired, was used or was superseded, or whose card's codes were locked by wrong tries once that lock has passed, gets a new code sent to the member by postal letter, valid 6 weeks (status code_requested, destination, code_expires_at), so that the member can pass it back in time; a later run with the codes in the code column files them. A member who already holds a live code that long is sent nothing, and the row says so (code_still_valid, code_expires_at, and letter_sent_at when a batch's letter carries it): a re-run never supersedes the code a member has in hand. With --replace-codes, the code of the notification (which the member says is lost) is replaced by a letter; a letter a batch sent is not. No code is sent for a profile that could not be opposed anyway (already opposed, active, a minor without certification), nor without a postal address on file (contact_missing).

            Re-runs never lock a member: a row refused because its code or serial was wrong (a try counted against the member's card) is remembered, under a keyed digest of its identity and code, and the same row in a later run is not tried again (not_retried, with previous_status, previous_at, and tries/max_tries or locked_until) unless --retry-failed. Failures are audited with the batch channel and the association as actor.

            --check reads and checks the whole file, header and rows, as a run would before it reaches the store: each row is ready or says what would refuse it (a malformed cell, a missing code without --request-codes, a minor by the birth date given without certification). It needs no --receipts, files nothing, reads no code and counts no attempt.

            Standard output is JSON Lines whatever --json says: one object per row, in order, with row (the sheet's row number: a cell holding a line break does not shift it), nir (masked), status, and receipt/receipt_file, destination/code_expires_at, filed_by (this_association, another_association, member, adviser, other) for already_opposed, created_automatically_at (when a pending member's space will be created automatically), warning (signataire_different_du_titulaire: a minor's signatory whose name is not the card holder's; still filed), or field/reason/message. Statuses: opposed, already_opposed, code_requested, code_still_valid, not_retried, ready (--check), invalid, identity_mismatch, code_expired, code_used, code_superseded, locked, too_soon, letter_limit, refused. A last object {"summary": ...} counts them; a human summary in French goes to standard error (counts by status, each kind of error once with its row count and column, what sending the mailed receipts did, the report written), with progress when standard error is a terminal (unless the global --quiet; under --verbose, progress lines on any standard error).

            Each opposed member gets one PDF receipt in DIR, named REFERENCE_LASTNAME.pdf (never the NIR). Rows are filed in groups (--group-size, default 2,000) per transaction; once a group commits, its receipts are written and synced at once with its records (while the next group runs), and its result lines are printed only when both are on disk. Running the same file again never files a second opposition or receipt: rows done before report already_opposed, and their receipt file is rewritten if it is missing or damaged. A run killed at any moment and run again finishes the rest. Ctrl-C or SIGTERM stops the run after the group under way, or the sending of the mailed receipts before the next message (the rest stay queued): the rows done are printed, reported and summed up, the French summary says where it stopped, and the exit status is 130 (a second Ctrl-C stops at once; a re-run recovers). Exit 0 only when every row ended opposed, already_opposed, code_requested, code_still_valid or ready; otherwise 65 when some rows were invalid, else 69 when some were refused, else 77 when some identifications failed (identity_mismatch, code_expired, code_used, code_superseded, locked, not_retried), else 75 (too_soon, letter_limit); 73 when a receipt could not be written or synced (a full disk): the lines of the groups already on disk are printed, and running the file again files the rest and writes the missing receipts.

            --mail-receipts queues, for each member filed now who has an e-mail address, a message (in French) with the signed receipt attached (multipart/mixed, base64), and sends the queue after the run through the configured transport (see mes outbox send) unless --no-send. --report FILE writes, once every row is done (or the run was interrupted), a report for the association: a spreadsheet when FILE ends in .xlsx or .ods, else CSV (UTF-8 with BOM, ';'), one row per member in input order: ligne (the sheet's row), the columns kept with --keep-column, nom and prenom (as the row gives them), nir (masked; as typed when it could not be read), statut (in French), code (the stable code: the status, or the error's reason), justificatif (the receipt file name), envoi (the mailed receipt's delivery status, also for receipts mailed by an earlier run, or where a requested code went), prochaine_etape (what to do next, in French), message, colonne (the column at fault, as the header names it), creation_automatique_le (when the member's space will be created automatically), code_valable_jusqu_au, depose_par (who filed an opposition on file) and alertes. An existing file is kept (73) unless --force; the report is checked before anything is filed and is not written when the run fails.
            """,
            options: [receipts, check, requestCodes, replaceCodes, retryFailed, keepColumn, association, legalRepresentative, groupSize, mailReceipts, report, force, sheet, SendNow.option],
            positionals: [PositionalSpec("FILE", "the members CSV, .xlsx or .ods ('-' for CSV on standard input)", file: true)],
            examples: ["mes batch oppose adherents.csv --receipts justificatifs/ > resultats.jsonl",
                       "mes batch oppose adherents.csv --receipts justificatifs/ --request-codes --report rapport.csv",
                       "mes batch oppose adherents.csv --receipts justificatifs/ --mail-receipts --report rapport.csv",
                       "mes batch oppose membres.xlsx --receipts justificatifs/ --report rapport.ods",
                       "mes batch oppose membres.xlsx --check",
                       "mes batch oppose membres.xlsx --receipts recus/ --keep-column Adherent --report r.xlsx"],
            run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let path = inv.positionals[0]
        let check = inv[Self.check]
        if !check && inv[Self.receipts] == nil { throw Usage.missingOption("receipts", placeholder: "DIR", or: ["--check"]) }
        var options = BatchOptions(receiptsDirectory: inv[Self.receipts] ?? "")
        options.checkOnly = check
        options.retryFailed = inv[Self.retryFailed]
        options.replaceCodes = inv[Self.replaceCodes]
        options.keepColumns = inv.all(Self.keepColumn)
        if path == "-", inv[Self.sheet] != nil { throw Usage.conflicting("sheet", "--sheet va avec un classeur .xlsx ou .ods, pas avec l'entrée standard") }
        let file = path == "-" ? InputFile.standardInput { try ctx.stdin.forEachChunk($0) }
                               : try InputFile.open(path, sheet: inv[Self.sheet], field: "FILE", streamed: check)
        options.groupSize = try inv.integer(Self.groupSize, default: options.groupSize, range: 1...100_000)
        options.requestCodes = inv[Self.requestCodes]
        options.association = inv[Self.association] ?? options.association
        options.legalRepresentative = inv[Self.legalRepresentative]
        options.mailReceipts = inv[Self.mailReceipts]
        options.send = !inv[SendNow.option]
        options.report = inv[Self.report]
        options.input = path == "-" ? nil : path
        options.reportFormat = BatchReportCSV()
        options.replaceReport = inv[Self.force]
        let sink = BatchLines(ctx, progress: ctx.progressObserver)
        // A file not in UTF-8 is said once: before the run when known from the start (a file),
        // else in the summary (standard input).
        let told = file.notice.map { sink.note($0, quiet: ctx.quiet) } != nil
        let summary = try ctx.service().batchOppose(file.source, totalBytes: file.totalBytes, options: options, sink: sink)
        sink.finish(summary, quiet: ctx.quiet, encoding: file.encoding, notice: told ? nil : file.notice)
        if let status = summary.exitStatus { throw ExitRequest(status) }
    }
}
