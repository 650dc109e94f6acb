#if canImport(Glibc)
import Glibc
#endif
import MESCore
import MESStore
import MESSystem

/// How an association's batch runs.
public struct BatchOptions: Sendable {
    /// Where the receipts go (created if needed).
    public var receiptsDirectory: String
    /// Rows without a code: send the member an on-demand code.
    public var requestCodes = false
    /// Who files, recorded in the audit trail.
    public var association = ActorName.unnamedAssociation
    /// The association certifies acting as legal representative for minors.
    public var legalRepresentative = false
    /// Rows per transaction.
    public var groupSize = 2_000
    /// Queue each opposed member with an e-mail address a message with their receipt attached.
    public var mailReceipts = false
    /// With `mailReceipts`: after the run, send the queue through the service's transports
    /// (`Service.transports()`, built before anything is filed); false leaves it queued.
    public var send = false
    /// Where to write the association's report, once every row is done.
    public var report: String?
    /// The members file read, when it is a file: the report never replaces it.
    public var input: String?
    /// How the report reads (needed with `report`).
    public var reportFormat: (any BatchReportFormat)?
    /// Replace an existing file at `report` (a link is replaced, never followed).
    public var replaceReport = false
    /// Only read and check the file: file nothing, read no code, count no attempt (`--check`).
    public var checkOnly = false
    /// Try again rows that failed before with the same identity and code (`--retry-failed`).
    public var retryFailed = false
    /// With `requestCodes`: replace the notification's code of a member who lost it.
    public var replaceCodes = false
    /// The association's own columns carried unchanged into the report (`--keep-column`).
    public var keepColumns: [String] = []

    public init(receiptsDirectory: String) { self.receiptsDirectory = receiptsDirectory }
}

/// Where a batch's results go as soon as they are on disk.
public protocol BatchSink: AnyObject {
    /// The results of one group, in input order, once its records and files are durable.
    func publish(_ results: [BatchOpposition.Result]) throws
    /// Progress after a group: rows published, and the rows the input holds in all, estimated
    /// from the bytes read so far (nil when the input's size is unknown, e.g. a pipe).
    func progress(rows: Int, estimatedTotal: Int?, elapsed: Double)
}

/// What a batch did.
public struct BatchSummary: Sendable {
    public let counts: [BatchOpposition.Status: Int]
    public let rows: Int
    public let seconds: Double
    public let receiptsDirectory: String
    /// What sending the mailed receipts did (nil: not sent, or no transport configured).
    public var delivery: SendReport?
    /// The report written, if any.
    public var report: String?
    /// The rows' errors by kind (code and the column as the file names it), each counted once
    /// per kind: what the summary says of a whole column exported wrongly.
    public var errorKinds: [(error: MESError, column: String, rows: Int)] = []
    /// Stopped by Ctrl-C or SIGTERM after these rows: the last row done (0: none).
    public var interruptedAfter: Int?
    /// `--check`: nothing was filed.
    public var checkOnly = false

    /// The exit status of the run: 130 when a signal stopped it; nil (0) only when every row
    /// ended opposed, already_opposed, code_requested, code_still_valid or (`--check`) ready;
    /// otherwise the most serious kind of row decides (`BatchStatus.exitStatus(of:)`).
    public var exitStatus: ExitStatus? {
        if interruptedAfter != nil { return .interrupted }
        return BatchStatus.exitStatus(of: counts.filter { $0.value > 0 }.keys)
    }
}

extension Service {
    /// Files an association's members' oppositions from a members CSV handed over chunk by
    /// chunk (reading and grouping in `MemberGroups`; processing in `BatchOpposition`; the
    /// receipts directory in `ReceiptFolder`; results to `sink` once durable). A CSV that
    /// breaks mid-way still publishes the groups before the break, then throws. Ctrl-C or
    /// SIGTERM stops the run after the group under way: what was done is published and
    /// reported, and the summary says where it stopped. Then, as `options` ask, it sends the
    /// mailed receipts and writes the association's report (atomically; nothing is written when
    /// the run fails). Output targets and the delivery configuration are checked before anything
    /// is filed. With `options.checkOnly`, it only reads and checks (`checkBatch`).
    public func batchOppose(_ source: ByteSource, totalBytes: Int, options: BatchOptions,
                            sink: BatchSink) throws -> BatchSummary {
        var options = options
        options.association = try ActorName.association(options.association)
        if let e = MemberRow.keptColumnError(options.keepColumns) { throw e }
        try FileIO.checkOutputTarget(options.report, force: options.replaceReport, storeDirectory: store.directory, field: "report")
        try FileIO.refuseUnwritableDirectory(options.report, field: "report")
        try FileIO.refuseSameFile(options.report, as: options.input, "le fichier des membres lu", field: "report")
        if options.report != nil && options.reportFormat == nil { throw MESError(.internal, "rapport demandé sans sa mise en forme", field: "report") }
        if options.checkOnly { return try checkBatch(source, totalBytes: totalBytes, options: options, sink: sink) }
        options.receiptsDirectory = FileIO.folderPath(options.receiptsDirectory)  // `justificatifs/` names files without `//`
        let now = clock.now()
        let dir = options.receiptsDirectory
        // Everything is checked before the receipts directory is touched; a run that fails
        // afterwards removes the directories it made if it wrote nothing in them.
        try FileIO.refuseStoreFolder(dir, storeDirectory: store.directory, field: "receipts")
        let transports = options.send && options.mailReceipts ? try self.transports() : nil
        let created = try FileIO.makeDirectory(dir, field: "receipts")
        let folder = ReceiptFolder(path: dir, store: store.shortName)
        var succeeded = false
        defer { folder.end(created: succeeded ? [] : created) }
        do { try folder.begin { try store.receipt(id: $0) != nil } } catch { FileIO.removeEmptyDirectories(created); throw error }
        try store.tuneForBatch()  // each group's sync, before its lines are published, covers the store
        // Undone before anything else commits on this connection (the mailed receipts' sends,
        // whose acknowledgements must be durable), and on every way out.
        var tuned = true
        defer { if tuned { try? store.endBatchTuning() } }
        Interruption.watch()
        defer { Interruption.end() }

        // The signer thread uses the identity: opened here, on the store's thread.
        if let deferred = receipts as? DeferredSignedReceipts { try deferred.open() }
        let batch = BatchOpposition(service: self, now: now, options: options, folder: folder)
        var tally = BatchTally(options: options)
        var groups = 0
        var unpublished: [BatchOpposition.Result] = []
        let stopwatch = Stopwatch()
        let reading = MemberGroups(options: options, totalBytes: totalBytes)

        // A committed group's results wait for its files and records to be synced.
        func publish() throws {
            // Lines of a group whose files could not be written or synced are never published (its
            // rows are filed: a new run reports them already_opposed and rewrites their files).
            do { try batch.receipts.waitSynced(groups) } catch { unpublished.removeAll(); throw error }
            try tally.publish(unpublished, to: sink)
            unpublished.removeAll(keepingCapacity: true)
            sink.progress(rows: tally.rows, estimatedTotal: reading.estimatedTotal(done: tally.rows), elapsed: stopwatch.elapsed)
        }
        do {
            try reading.read(source) { group, header in
                tally.header = header
                let results = try batch.process(group, number: groups + 1, header: header)
                try publish()  // the previous group, whose files were written and synced during this one
                unpublished = results
                groups += 1
            }
            try publish()
        } catch {
            // Committed groups are still published (once synced) before the run reports its
            // failure, and no receipt file is left half-written behind it.
            try? publish()
            batch.receipts.drain()
            throw error
        }
        succeeded = true
        try store.syncJournal()
        try store.endBatchTuning()
        tuned = false
        var summary = tally.summary(seconds: stopwatch.elapsed, receiptsDirectory: dir, interrupted: reading.interrupted)
        // Ctrl-C or SIGTERM also stops the sending of the mailed receipts (the rest stays queued),
        // and is reported as an interruption after the last row.
        let stopped = { Interruption.requested != nil }
        if let transports, !transports.isEmpty, !stopped() { summary.delivery = try sendOutbox(transports, stop: stopped) }
        if stopped() && summary.interruptedAfter == nil { summary.interruptedAfter = tally.lastLine }
        try writeReport(tally, into: &summary, options: options)
        return summary
    }

    /// `batch oppose --check`: reads and checks the whole file, header and rows, as a run
    /// would before it reaches the store, and reports each row `ready` or what would refuse
    /// it. Files nothing, reads no code, counts no attempt, writes no receipt.
    func checkBatch(_ source: ByteSource, totalBytes: Int, options: BatchOptions, sink: BatchSink) throws -> BatchSummary {
        let today = clock.now().parisDate
        var tally = BatchTally(options: options)
        let reading = MemberGroups(options: options, totalBytes: totalBytes)
        let stopwatch = Stopwatch()
        Interruption.watch()
        defer { Interruption.end() }
        try reading.read(source) { group, header in
            tally.header = header
            try tally.publish(group.map { BatchOpposition.check($0, header: header, options: options, today: today) }, to: sink)
            sink.progress(rows: tally.rows, estimatedTotal: reading.estimatedTotal(done: tally.rows), elapsed: stopwatch.elapsed)
        }
        var summary = tally.summary(seconds: stopwatch.elapsed, receiptsDirectory: options.receiptsDirectory, interrupted: reading.interrupted)
        summary.checkOnly = true
        try writeReport(tally, into: &summary, options: options)
        return summary
    }

    /// Writes the association's report, atomically, when `options` ask for one.
    private func writeReport(_ tally: BatchTally, into summary: inout BatchSummary, options: BatchOptions) throws {
        guard let path = options.report, let report = tally.report else { return }
        try FileIO.writeAtomically(path, try ReportSheet.bytes(try report.bytes(store: store), for: path), replace: options.replaceReport,
                                   field: "report", storeDirectory: store.directory)
        summary.report = path
    }
}

/// A members file read in groups of rows: its header mapped (with the association's kept
/// columns), its records grouped by `groupSize`, reading stopped between two groups when
/// Ctrl-C or SIGTERM asks.
final class MemberGroups {
    let options: BatchOptions
    let totalBytes: Int
    private(set) var readBytes = 0
    private(set) var seen = 0
    /// The last row handed on before a signal stopped the reading (nil: not stopped).
    private(set) var interrupted: Int?

    init(options: BatchOptions, totalBytes: Int) {
        self.options = options
        self.totalBytes = totalBytes
    }

    /// The rows the input holds in all, estimated from the bytes read so far (nil when the
    /// input's size is unknown, e.g. a pipe).
    func estimatedTotal(done: Int) -> Int? {
        totalBytes > 0 && readBytes > 0 ? max(done, seen * totalBytes / readBytes) : nil
    }

    private struct Stop: Error {}

    /// Reads `source`, handing on each group with the header. A CSV that breaks hands on the
    /// rows before the break, then throws.
    func read(_ source: ByteSource, _ body: ([CSVReader.Record], MemberRow.Header) throws -> Void) throws {
        try withoutActuallyEscaping(body) { try read(source, escaping: $0) }
    }

    private func read(_ source: ByteSource, escaping body: @escaping ([CSVReader.Record], MemberRow.Header) throws -> Void) throws {
        var header: MemberRow.Header?
        var group: [CSVReader.Record] = []
        var lastLine = 0
        let size = options.groupSize, keep = options.keepColumns
        func flush() throws {
            guard let h = header, !group.isEmpty else { return }
            try body(group, h)
            lastLine = group.last?.row ?? lastLine
            group.removeAll(keepingCapacity: true)
        }
        var reader = CSVReader()
        reader.lenient = true
        func handle(_ record: CSVReader.Record) throws {
            guard header != nil else {
                header = MemberRow.Header(try MemberRow.mapHeader(record.fields, keep: keep).get(), names: record.fields)
                return
            }
            group.append(record)
            seen += 1
            if group.count >= size {
                try flush()
                if Interruption.requested != nil { throw Stop() }
            }
        }
        do {
            try source { bytes in
                if Interruption.requested != nil { throw Stop() }
                readBytes += bytes.count
                try reader.feed(bytes, handle)
            }
            try reader.finish(handle)
        } catch is Stop {
            try flush()
            interrupted = lastLine
            return
        } catch is Interruption.Stopped {
            // A read blocked on an idle terminal or pipe: the records read so far are whole.
            try flush()
            interrupted = lastLine
            return
        } catch let f as CSVReader.Failure {
            try flush()
            throw MESError(.csvMalformed, "Fichier CSV mal formé : \(RosterImport.describe(f)). Les lignes précédentes ont été traitées.", field: "FILE")
        }
        guard header != nil else { throw MESError(.csvEmpty, "Fichier vide : aucune ligne d'en-tête.", field: "FILE") }
        try flush()
    }
}

/// What a batch's published rows add up to: counts by status, errors by kind, the report.
struct BatchTally {
    var counts: [BatchOpposition.Status: Int] = [:]
    var rows = 0
    /// The row number of the last row published (0: none).
    var lastLine = 0
    var header: MemberRow.Header? {
        didSet { if let header, report != nil { report?.kept = header.kept.map(\.name) } }
    }
    var report: BatchReport?
    private var kinds: [String: (error: MESError, column: String, rows: Int, first: Int)] = [:]

    init(options: BatchOptions) {
        guard let path = options.report, let format = options.reportFormat else { return }
        report = BatchReport(format: ReportSheet.kind(for: path) == nil ? format : format.forSpreadsheet())
    }

    mutating func publish(_ results: [BatchOpposition.Result], to sink: BatchSink) throws {
        for r in results {
            counts[r.status, default: 0] += 1
            if let e = r.error {
                let column = r.column ?? e.field ?? ""
                let key = e.code.rawValue + "\u{0}" + column
                let order = kinds.count
                kinds[key, default: (e, column, 0, order)].rows += 1
            }
        }
        rows += results.count
        lastLine = results.last?.line ?? lastLine
        if report != nil { for r in results { report?.append(r) } }
        try sink.publish(results)
    }

    func summary(seconds: Double, receiptsDirectory: String, interrupted: Int?) -> BatchSummary {
        var s = BatchSummary(counts: counts, rows: rows, seconds: seconds, receiptsDirectory: receiptsDirectory)
        s.errorKinds = kinds.values.sorted { $0.rows != $1.rows ? $0.rows > $1.rows : $0.first < $1.first }.map { ($0.error, $0.column, $0.rows) }
        s.interruptedAfter = interrupted
        return s
    }
}

/// Wall-clock seconds since creation (progress and summaries only; never the service's clock).
public struct Stopwatch: Sendable {
    let start = Monotonic.seconds()
    public init() {}
    public var elapsed: Double { Monotonic.seconds() - start }
}
