#if canImport(Glibc)
import Glibc
#endif
import MESCore
import MESRender
import MESStore

/// `mes batch oppose`: an association files its members' oppositions from a CSV file.
enum BatchCommand {
    static var spec: CommandSpec {
        CommandSpec(
            ["batch", "oppose"], summary: "File the oppositions of an association's members from a CSV file.",
            discussion: """
            Columns (header names, French aliases, any order, ',' or ';', UTF-8 with or without BOM, RFC 4180 quotes): nir (numero_securite_sociale), birth_date (date_naissance), card_type (type_carte: photo, plain, avec photo, sans photo), serial (numero_serie), code (code_provisoire), last_name (nom), first_name (prenom). nir, card_type and serial are required; a row needs a code, or --request-codes and a birth date.

            Standard output is JSON Lines whatever --json says: one object per row, in order, with row (the CSV line), nir (masked), status, and receipt/file, destination, or field/reason/message. Statuses: opposed, already_opposed, code_requested, invalid, identity_mismatch, code_expired, code_used, code_superseded, locked, too_soon, refused. A last object {"summary": ...} counts them; a human summary goes to standard error, with progress when standard error is a terminal (unless --quiet).

            Each opposed member gets one PDF receipt in DIR, named REFERENCE_LASTNAME.pdf (never the NIR). Rows are filed in groups (--group-size, default 2,000) per transaction; once a group commits, its receipts are written and synced at once with its records (while the next group runs), and its result lines are printed only when both are on disk. Running the same file again never files a second opposition or receipt: rows done before report already_opposed, and their receipt file is rewritten if it is missing or damaged. A run killed at any moment and run again finishes the rest. Exit 0 when every row was handled, 65 when some rows were invalid, 73 when a receipt could not be written or synced (a full disk): the lines of the groups already on disk are printed, and running the file again files the rest and writes the missing receipts.
            """,
            options: [.value("receipts", "DIR", "Directory for the receipts (created if needed).", file: true, required: true),
                      .flag("request-codes", "For rows without a code: send the member an on-demand code (needs birth_date)."),
                      .value("association", "NAME", "Who files, recorded in the audit trail (default: association)."),
                      .flag("legal-representative", "The association certifies acting as legal representative for minors."),
                      .value("group-size", "N", "Rows per transaction (default 2000): fewer means less work lost to a crash, more means fewer syncs."),
                      .flag("quiet", short: "q", "No progress or summary on standard error.")],
            positionals: [PositionalSpec("FILE", "the members CSV ('-' for standard input)", file: true)],
            examples: ["mes batch oppose adherents.csv --receipts justificatifs/ > resultats.jsonl"],
            run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let now = try ctx.now()
        let path = inv.positionals[0]
        let dir = try inv.required("receipts")
        let file = path == "-" ? nil : try FileIO.Chunks(path: path, field: "FILE")
        let totalBytes = file?.size ?? 0
        let forEachChunk: ((UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Void = { body in
            if let file { try file.forEach(body) } else { try ctx.stdin.forEachChunk(body) }
        }
        let groupSize = try inv.integer("group-size", default: 2_000, range: 1...100_000)
        let store = try Args.store(ctx)
        // Everything is checked before the receipts directory is touched; a run that fails
        // afterwards removes the directories it made if it wrote nothing in them.
        let created = try FileIO.makeDirectory(dir, field: "receipts")
        var batch = BatchOpposition(store: store, now: now, receiptsDirectory: dir, requestCodes: inv.flag("request-codes"),
                                    association: inv.value("association") ?? "association",
                                    legalRepresentative: inv.flag("legal-representative"))
        batch.groupSize = groupSize
        var succeeded = false
        defer { batch.end(created: succeeded ? [] : created) }
        do { try batch.begin() } catch { FileIO.removeEmptyDirectories(created); throw error }
        // Commits need no fsync of their own: each group's sync, before its lines are printed,
        // covers the store (see ReceiptPipeline).
        try store.tuneForBatch()

        var counts: [BatchOpposition.Status: Int] = [:]
        var rows = 0
        var header: MemberRow.Header?
        var group: [CSVReader.Record] = []
        let clock = Clock()
        let progress = ctx.stderr.isTerminal && !inv.flag("quiet")
        var readBytes = 0

        // A committed group's results wait for its files and records to be synced before they
        // are published.
        var unpublished: [BatchOpposition.Result] = []
        var groups = 0
        func publish() throws {
            // Lines of a group whose files could not be written or synced are never printed (its
            // rows are filed: a new run reports them already_opposed and rewrites their files).
            do { try batch.receipts.waitSynced(groups) } catch { unpublished.removeAll(); throw error }
            for r in unpublished {
                counts[r.status, default: 0] += 1
                rows += 1
                ctx.stdout.append { r.write(into: &$0) }
            }
            ctx.stdout.flush()
            unpublished.removeAll(keepingCapacity: true)
            if progress {
                let rate = Double(rows) / max(clock.elapsed, 0.001)
                let eta = totalBytes > 0 && readBytes > 0 ? clock.elapsed * Double(totalBytes - readBytes) / Double(readBytes) : 0
                ctx.stderr.write("\r\(rows) lignes, \(Int(rate)) lignes/s" + (totalBytes > 0 ? ", reste ~\(Int(eta)) s   " : "   "))
                ctx.stderr.flush()
            }
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
            if group.count >= batch.groupSize { try flush() }
        }
        do {
            do {
                try forEachChunk { bytes in
                    readBytes += bytes.count
                    try reader.feed(bytes, handle)
                }
                try reader.finish(handle)
            } catch let f as CSVReader.Failure {
                try flush()
                throw MESError(.csvMalformed, "Fichier CSV mal formé : \(RosterImport.describe(f)). Les lignes précédentes ont été traitées.", field: "FILE")
            }
            guard header != nil else {
                throw MESError(.csvEmpty, "Fichier vide : aucune ligne d'en-tête.", field: "FILE")
            }
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

        let seconds = clock.elapsed
        var countPairs: [(String, JSON)] = []
        for s in BatchOpposition.Status.allCases { countPairs.append((s.rawValue, .int(counts[s] ?? 0))) }
        let summary = JSON.obj([("schema_version", 1), ("summary", .object(countPairs)), ("rows", .int(rows)),
                                ("receipts", .string(dir)), ("seconds", .string(String(format3(seconds))))])
        ctx.stdout.line(summary.serialized())
        if !inv.flag("quiet") {
            if progress { ctx.stderr.write("\n") }
            let parts = BatchOpposition.Status.allCases.compactMap { s in counts[s].map { "\($0) \(s.rawValue)" } }
            ctx.stderr.line("\(rows) lignes traitées en \(format3(seconds)) s : " + parts.joined(separator: ", "))
        }
        if (counts[.invalid] ?? 0) > 0 { throw ExitRequest(.invalidData) }
    }

    static func format3(_ v: Double) -> String {
        let ms = Int((v * 1000).rounded())
        let frac = ms % 1000
        return "\(ms / 1000)." + (frac < 10 ? "00" : frac < 100 ? "0" : "") + "\(frac)"
    }
}

/// Wall-clock seconds since creation (progress and summary only; never the `--now` clock).
struct Clock {
    let start: timespec = { var t = timespec(); clock_gettime(CLOCK_MONOTONIC, &t); return t }()
    var elapsed: Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec - start.tv_sec) + Double(t.tv_nsec - start.tv_nsec) / 1e9
    }
}
