import MESCore
import MESStore

/// Validating and loading a roster file in one transaction, streaming, on two threads: one reads
/// and validates rows (`RosterParser`), this one inserts them. The first problem stops the
/// inserts (the scan goes on to report more problems) and the transaction is rolled back, so
/// nothing is imported.
enum RosterImport {
    /// Returns how many people were imported; any problem rejects the whole file (65).
    static func run(_ bytes: [UInt8], into store: Store, today: CalendarDate) throws -> Int {
        try run({ feed in try bytes.withUnsafeBufferPointer { try feed($0) } }, into: store, today: today)
    }

    /// Imports from a source that hands over its bytes chunk by chunk (files are streamed).
    static func run(_ source: @escaping RosterParser.Source, into store: Store, today: CalendarDate,
                    progress: Loaded? = nil) throws -> Int {
        try store.loadTransaction { try load(source, into: store, today: today, progress: progress) }
    }

    /// Told, after each batch of rows, the rows loaded so far and the bytes of the input read.
    typealias Loaded = (_ rows: Int, _ bytesRead: Int) -> Void

    /// The import inside the caller's transaction, which may go on with more work (open it with
    /// `Store.loadTransaction`: a bulk load into an empty register needs it to be fast).
    /// `progress`: told how far the load has got, after each batch of rows.
    static func load(_ source: @escaping RosterParser.Source, into store: Store, today: CalendarDate,
                     progress: Loaded? = nil) throws -> Int {
        let parser = RosterParser(today: today)
        let worker = try Worker("mes.import.parse") { try parser.run(source) }
        defer {
            parser.batches.cancel()
            try? worker.join()
        }
        var count = 0
        var deferred = RosterBatch()  // attached profiles whose holder is not yet resolved
        var lines = LineMap()  // CSV line of each inserted row (ids are 1… in a bulk load)
        var recentHolders: [Roster.IdentityKey: Int64] = [:]  // the last holders read: families come together
        var problems: [Roster.Problem] = []
        let loader = try PeopleLoader(store: store)
        /// Inserts row `i` of `batch`, or returns false when its holder is not known yet.
        func insert(_ batch: RosterBatch, _ v: RosterBatch.View, _ i: Int, final: Bool) throws -> Bool {
            let row = batch.rows[i]
            var holderID: Int64?
            if let key = row.holder {
                if let h = recentHolders[key] { holderID = h }
                else if !loader.bulk || final, let h = try store.holderID(nir: batch.nir(row: i), birthDate: row.holderBirthDate!) { holderID = h }
                else { return false }
            }
            do {
                let id = try loader.add(v, row, at: i, holderID: holderID)
                if loader.bulk { lines.append(id: id, line: row.line) }
                if holderID == nil {
                    if recentHolders.count > 4096 { recentHolders.removeAll(keepingCapacity: true) }
                    recentHolders[row.identity] = id
                }
            } catch is PeopleLoader.DuplicatePerson {
                problems.append(Roster.Problem(line: Int(row.line), field: "nir", code: .personPresent,
                                               message: "personne déjà présente dans la base (même NIR, date de naissance et prénom)"))
            }
            count += 1
            return true
        }
        while let batch = parser.batches.take() {
            guard problems.isEmpty else { continue }  // drain: the parser reports every problem
            try batch.withView { v in
                for i in 0..<batch.count where try !insert(batch, v, i, final: false) { deferred.append(row: i, of: batch) }
                try loader.endBatch(v)
            }
            progress?(count, batch.inputBytesRead)
        }
        try worker.join()
        if let f = parser.csvFailure {
            throw MESError(.csvMalformed, "Fichier CSV mal formé : \(describe(f)). Rien n'a été importé.", field: "FILE")
        }
        problems += parser.problems
        if !parser.sawHeader && problems.isEmpty {
            throw MESError(.csvEmpty, "Fichier vide : aucune ligne d'en-tête. Rien n'a été importé.", field: "FILE")
        }
        if problems.isEmpty {
            for (first, second) in try loader.finish() {
                let line = { (id: Int64) in lines.line(of: id) }
                problems.append(Roster.Problem(line: line(second), field: "nir", code: .personDuplicate,
                                               message: "personne en double (même NIR, date de naissance et prénom qu'à la ligne \(line(first)))"))
            }
        }
        try deferred.withView { v in
            for i in 0..<deferred.count where problems.isEmpty {
                if try !insert(deferred, v, i, final: true) {
                    problems.append(Roster.Problem(line: Int(deferred.rows[i].line), column: "holder_birth_date",
                                                   message: "titulaire introuvable (même NIR, cette date de naissance)"))
                }
            }
            try loader.endBatch(v)
        }
        if !problems.isEmpty { throw rejected(problems.sorted { $0.line < $1.line }) }
        try store.audit("roster_imported", at: Instant(date: today), person: nil, detail: "\(count) people")
        return count
    }

    /// The rows a file of `size` bytes holds, from the `rows` found in its first `read` bytes
    /// (nil when the size is unknown).
    static func estimatedRows(_ rows: Int, read: Int, of size: Int) -> Int? {
        guard size > 0, read > 0 else { return nil }
        return max(rows, Int((Double(rows) * Double(size) / Double(read)).rounded()))
    }

    static func rejected(_ problems: [Roster.Problem]) -> MESError {
        let shown = problems.prefix(20).map { "  " + $0.description }.joined(separator: "\n")
        let more = problems.count > 20 ? "\n  … et \(problems.count - 20) autres" : ""
        var e = MESError(.rosterInvalid,
                         "Import refusé : \(problems.count) \(problems.count > 1 ? "erreurs" : "erreur"), rien n'a été importé.\n" + shown + more,
                         field: problems.first.map { "ligne \($0.line), \($0.field)" })
        e.details = problems.map { ErrorDetail(line: $0.line, field: $0.field, code: $0.code, message: $0.message) }
        return e
    }

    static func describe(_ f: CSVReader.Failure) -> String {
        switch f {
        case .unterminatedQuote(let l): return "guillemet non fermé (ligne \(l))"
        case .strayQuote(let l): return "guillemet inattendu (ligne \(l))"
        case .tooLarge(let l): return "enregistrement trop long (ligne \(l))"
        }
    }
}

/// The CSV line of each row a bulk load inserted, by id, in memory that does not grow with the
/// file: rows come in order, one line after the other, so only the places where that run
/// breaks (a row left for later, a record over several lines) are kept.
struct LineMap {
    private var breaks: [(id: Int64, line: Int32)] = []

    mutating func append(id: Int64, line: Int32) {
        if let last = breaks.last, Int64(line) - Int64(last.line) == id - last.id { return }
        breaks.append((id, line))
    }

    /// The line of row `id`, or 0 when it was not recorded.
    func line(of id: Int64) -> Int {
        var lo = 0, hi = breaks.count - 1, found = -1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if breaks[mid].id <= id { found = mid; lo = mid + 1 } else { hi = mid - 1 }
        }
        guard found >= 0 else { return 0 }
        return Int(breaks[found].line) + Int(id - breaks[found].id)
    }
}
