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
    public var association = "association"
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
    /// How the report reads (needed with `report`).
    public var reportFormat: (any BatchReportFormat)?
    /// Replace an existing file at `report` (a link is replaced, never followed).
    public var replaceReport = false

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

    /// The exit status of the run: nil (0) only when every row ended opposed, already_opposed or
    /// code_requested; otherwise the most serious kind of row decides: invalid 65, refused 69, an
    /// identification that failed (identity_mismatch, code_expired, code_used, code_superseded,
    /// locked) 77, too_soon 75.
    public var exitStatus: ExitStatus? { BatchStatus.exitStatus(of: counts.filter { $0.value > 0 }.keys) }
}

extension Service {
    /// Files an association's members' oppositions from a members CSV handed over chunk by
    /// chunk (reading and grouping here; processing in `BatchOpposition`; the receipts directory
    /// in `ReceiptFolder`; results to `sink` once durable). A CSV that breaks mid-way still
    /// publishes the groups before the break, then throws. Then, as `options` ask, it sends the
    /// mailed receipts and writes the association's report (atomically; nothing is written when
    /// the run fails). Output targets and the delivery configuration are checked before anything
    /// is filed.
    public func batchOppose(_ source: ByteSource, totalBytes: Int, options: BatchOptions,
                            sink: BatchSink) throws -> BatchSummary {
        var options = options
        options.association = try ActorName.association(options.association)
        options.receiptsDirectory = FileIO.folderPath(options.receiptsDirectory)  // `justificatifs/` names files without `//`
        let now = clock.now()
        let dir = options.receiptsDirectory
        // Everything is checked before the receipts directory is touched; a run that fails
        // afterwards removes the directories it made if it wrote nothing in them.
        try FileIO.refuseStoreFolder(dir, storeDirectory: store.directory, field: "receipts")
        try FileIO.checkOutputTarget(options.report, force: options.replaceReport, storeDirectory: store.directory, field: "report")
        try FileIO.refuseUnwritableDirectory(options.report, field: "report")
        if options.report != nil && options.reportFormat == nil { throw MESError(.internal, "rapport demandé sans sa mise en forme", field: "report") }
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

        let batch = BatchOpposition(service: self, now: now, options: options, folder: folder)
        var counts: [BatchOpposition.Status: Int] = [:]
        var rows = 0, readBytes = 0, groups = 0, seen = 0
        var header: MemberRow.Header?
        var group: [CSVReader.Record] = []
        var unpublished: [BatchOpposition.Result] = []
        var report = options.report == nil ? nil : options.reportFormat.map(BatchReport.init(format:))
        let stopwatch = Stopwatch()

        // A committed group's results wait for its files and records to be synced.
        func publish() throws {
            // Lines of a group whose files could not be written or synced are never published (its
            // rows are filed: a new run reports them already_opposed and rewrites their files).
            do { try batch.receipts.waitSynced(groups) } catch { unpublished.removeAll(); throw error }
            for r in unpublished { counts[r.status, default: 0] += 1 }
            rows += unpublished.count
            if report != nil { for r in unpublished { report?.append(r) } }
            try sink.publish(unpublished)
            unpublished.removeAll(keepingCapacity: true)
            let total = totalBytes > 0 && readBytes > 0 ? max(rows, seen * totalBytes / readBytes) : nil
            sink.progress(rows: rows, estimatedTotal: total, elapsed: stopwatch.elapsed)
        }
        func flush() throws {
            guard let h = header, !group.isEmpty else { return }
            let results = try batch.process(group, number: groups + 1, header: h)
            group.removeAll(keepingCapacity: true)
            try publish()  // the previous group, whose files were written and synced during this one
            unpublished = results
            groups += 1
        }
        var reader = CSVReader()
        reader.lenient = true
        let handle: (CSVReader.Record) throws -> Void = { record in
            guard header != nil else {
                header = MemberRow.Header(try MemberRow.mapHeader(record.fields).get())
                return
            }
            group.append(record)
            seen += 1
            if group.count >= options.groupSize { try flush() }
        }
        do {
            do {
                try source { bytes in
                    readBytes += bytes.count
                    try reader.feed(bytes, handle)
                }
                try reader.finish(handle)
            } catch let f as CSVReader.Failure {
                try flush()
                throw MESError(.csvMalformed, "Fichier CSV mal formé : \(RosterImport.describe(f)). Les lignes précédentes ont été traitées.", field: "FILE")
            }
            guard header != nil else { throw MESError(.csvEmpty, "Fichier vide : aucune ligne d'en-tête.", field: "FILE") }
            try flush()
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
        var summary = BatchSummary(counts: counts, rows: rows, seconds: stopwatch.elapsed, receiptsDirectory: dir)
        if let transports, !transports.isEmpty { summary.delivery = try sendOutbox(transports) }
        if let path = options.report, let report {
            try FileIO.writeAtomically(path, try ReportSheet.bytes(try report.bytes(store: store), for: path), replace: options.replaceReport,
                                       field: "report", storeDirectory: store.directory)
            summary.report = path
        }
        return summary
    }
}

/// Wall-clock seconds since creation (progress and summaries only; never the service's clock).
public struct Stopwatch: Sendable {
    let start: timespec = { var t = timespec(); clock_gettime(CLOCK_MONOTONIC, &t); return t }()
    public init() {}
    public var elapsed: Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec - start.tv_sec) + Double(t.tv_nsec - start.tv_nsec) / 1e9
    }
}
