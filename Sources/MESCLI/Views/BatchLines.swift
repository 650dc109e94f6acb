import MESCore
import MESRender
import MESService

/// A batch's output: one JSON line per row as soon as its group is on disk, progress on a
/// terminal, then the summary line and a French summary on standard error.
final class BatchLines: BatchSink {
    let ctx: Context
    let showsProgress: Bool

    init(_ ctx: Context, progress: Bool) {
        self.ctx = ctx
        showsProgress = progress
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
        field("field", r.error?.field)
        field("reason", r.error?.code.rawValue)
        field("message", r.error?.message)
        out += "}\n".utf8
    }

    func progress(rows: Int, estimatedTotal: Int?, elapsed: Double) {
        guard showsProgress else { return }
        let rate = Double(rows) / max(elapsed, 0.001)
        var line = "\r\(rows)"
        if let total = estimatedTotal, total > 0 {
            let left = rate > 0 ? Double(total - rows) / rate : 0
            line += "/\(total) lignes (\(rows * 100 / total) %), \(Int(rate)) lignes/s, reste ~\(Int(left.rounded(.up))) s"
        } else {
            line += " lignes, \(Int(rate)) lignes/s"
        }
        ctx.stderr.write(line + "   ")
        ctx.stderr.flush()
    }

    func finish(_ s: BatchSummary, quiet: Bool) {
        var countPairs: [(String, JSON)] = []
        for status in BatchOpposition.Status.allCases { countPairs.append((status.rawValue, .int(s.counts[status] ?? 0))) }
        let summary = JSON.obj([("schema_version", .int(JSON.schemaVersion)), ("summary", .object(countPairs)), ("rows", .int(s.rows)),
                                ("receipts", .string(s.receiptsDirectory)), ("seconds", .double((s.seconds * 1000).rounded() / 1000))])
        ctx.stdout.line(summary.serialized())
        guard !quiet else { return }
        if showsProgress { ctx.stderr.write("\n") }
        let parts = BatchOpposition.Status.allCases.compactMap { status in s.counts[status].map { "\(status.french) : \($0)" } }
        ctx.stderr.line("\(s.rows) lignes traitées en \(Self.format3(s.seconds).replacingOccurrences(of: ".", with: ",")) s. "
                        + parts.joined(separator: " ; ") + ".")
        if let d = s.delivery { ctx.stderr.line(d.text) }
        if let report = s.report { ctx.stderr.line("Rapport écrit dans \(TextEscaping.terminalSafe(report)).") }
    }

    static func format3(_ v: Double) -> String {
        let ms = Int((v * 1000).rounded())
        let frac = ms % 1000
        return "\(ms / 1000)." + (frac < 10 ? "00" : frac < 100 ? "0" : "") + "\(frac)"
    }
}
