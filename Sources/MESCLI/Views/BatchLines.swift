import MESCore
import MESRender
import MESService

/// A batch's output: one JSON line per row as soon as its group is on disk, progress on a
/// terminal, then the summary line and a French summary on standard error.
final class BatchLines: BatchSink {
    let ctx: Context
    let progress: ((Progress) -> Void)?

    init(_ ctx: Context, progress: ((Progress) -> Void)?) {
        self.ctx = ctx
        self.progress = progress
    }

    func publish(_ results: [BatchOpposition.Result]) throws {
        for var r in results {
            if let e = r.error { r.error = ErrorHints.decorate(e) }
            ctx.stdout.append { Self.write(r, into: &$0) }
        }
        // A reader gone away (`| head -1`) or a full disk stops the run (74): what is filed
        // stays filed, and a new run reports it already_opposed.
        try ctx.stdout.check()
    }

    /// `{"schema_version":N,"row":`, made once.
    static let rowPrefix = Array(#"{"schema_version":\#(JSON.schemaVersion),"row":"#.utf8)

    /// The JSON Lines object of a row (written straight into the output buffer, one line).
    static func write(_ r: BatchOpposition.Result, into out: inout [UInt8]) {
        out += rowPrefix
        out += String(r.line).utf8
        func field(_ key: String, _ value: String?) {
            guard let value else { return }
            out += #",""#.utf8
            out += key.utf8
            out += #"":"#.utf8
            JSON.writeString(value, into: &out)
        }
        field("nir", r.nir.map(Masking.nir))
        field("status", r.status.rawValue)
        field("receipt", r.receipt)
        field("receipt_file", r.file)
        field("destination", r.destination)
        field("mail", r.mail.map { _ in "queued" })
        field("code_expires_at", r.codeExpiresAt?.iso8601)
        field("letter_sent_at", r.letterSentAt?.iso8601)
        field("created_automatically_at", r.createdAutomaticallyAt?.iso8601)
        field("filed_by", r.filedBy?.rawValue)
        field("previous_status", r.previousStatus?.rawValue)
        field("previous_at", r.previousAt?.iso8601)
        field("locked_until", r.lockedUntil?.iso8601)
        if let tries = r.tries, let max = r.maxTries {
            out += #","tries":"#.utf8
            out += String(tries).utf8
            out += #","max_tries":"#.utf8
            out += String(max).utf8
        }
        if let w = r.warnings.first { field("warning", w) }
        field("field", r.error?.field)
        field("reason", r.error?.code.rawValue)
        field("message", r.error?.message)
        out += "}\n".utf8
    }

    /// The rows published so far, and those the input holds in all, estimated ("≈") until it is read.
    func progress(rows: Int, estimatedTotal: Int?, elapsed: Double) {
        progress?(Progress(.rows, done: rows, total: estimatedTotal, estimate: true))
    }

    /// A notice on standard error before the rows (a file's encoding), unless `quiet`.
    func note(_ text: String, quiet: Bool) {
        if !quiet { ctx.stderr.line("mes: " + text) }
    }

    func finish(_ s: BatchSummary, quiet: Bool, encoding: TextEncoding? = nil, notice: String? = nil) {
        var countPairs: [(String, JSON)] = []
        for status in BatchOpposition.Status.allCases { countPairs.append((status.rawValue, .int(s.counts[status] ?? 0))) }
        var pairs: [(String, JSON)] = [("schema_version", .int(JSON.schemaVersion)), ("summary", .object(countPairs)), ("rows", .int(s.rows)),
                                       ("receipts", .string(s.receiptsDirectory)), ("seconds", .double((s.seconds * 1000).rounded() / 1000))]
        if s.checkOnly { pairs.append(("check", .bool(true))) }
        if let after = s.interruptedAfter { pairs.append(("interrupted_after", .int(after))) }
        if let encoding { pairs.append(("encoding", .string(encoding.rawValue))) }
        let summary = JSON.obj(pairs)
        ctx.stdout.line(summary.serialized())
        guard !quiet else { return }
        ctx.progressLine.clear()
        let parts = BatchOpposition.Status.allCases.compactMap { status in s.counts[status].map { "\(status.french) : \($0)" } }
        let done = s.checkOnly ? "vérifiée" : "traitée"
        ctx.stderr.line("\(plural(s.rows, "ligne \(done)", "lignes \(done)s")) en \(Self.format3(s.seconds).replacing(".", with: ",")) s."
                        + (parts.isEmpty ? "" : " " + parts.joined(separator: " ; ") + "."))
        if let notice { ctx.stderr.line("mes: " + notice) }
        if s.checkOnly { ctx.stderr.line("Vérification seulement : rien n'a été déposé, aucun code n'a été lu ni aucun essai compté.") }
        // Each kind of error once, most frequent first: a whole column exported wrongly is one fix.
        for k in s.errorKinds.prefix(10) {
            let column = TextEscaping.terminalSafe(k.column)
            if let trap = ExportTrap.summaryLine(code: k.error.code, rows: k.rows, column: "« \(column) »") {
                ctx.stderr.line("  " + trap)
                continue
            }
            let where_ = k.column.isEmpty ? "" : " (colonne « \(column) »)"
            ctx.stderr.line("  \(plural(k.rows, "ligne", "lignes"))\(where_) : \(TextEscaping.terminalSafe(ErrorHints.decorate(k.error).message))")
        }
        if s.errorKinds.count > 10 { ctx.stderr.line("  … et \(s.errorKinds.count - 10) autres sortes d'erreurs (voir le rapport).") }
        if let after = s.interruptedAfter {
            ctx.stderr.line("Interrompu : " + (after == 0 ? "aucune ligne n'a été traitée" : "les lignes jusqu'à la ligne \(after) ont été traitées et sont enregistrées")
                            + ". Relancez la même commande pour traiter la suite : rien ne sera déposé deux fois.")
        }
        if let d = s.delivery { ctx.stderr.line(d.text) }
        if let report = s.report { ctx.stderr.line("Rapport écrit dans \(TextEscaping.terminalSafe(report)).") }
    }

    static func format3(_ v: Double) -> String {
        let ms = Int((v * 1000).rounded())
        let frac = ms % 1000
        return "\(ms / 1000)." + (frac < 10 ? "00" : frac < 100 ? "0" : "") + "\(frac)"
    }
}
