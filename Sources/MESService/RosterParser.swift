import MESCore

/// An input handed over chunk by chunk: called with a body that takes each chunk in turn.
public typealias ByteSource = ((UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Void

/// The reading half of `mes import`, run on a thread of its own: CSV records are validated as
/// bytes and handed over in packed batches to the inserting thread. Once a row is invalid
/// no more rows are handed over (the import will be refused), but the scan goes on so that
/// every problem is reported. Its results are read after the thread was joined.
final class RosterParser: @unchecked Sendable {
    typealias Source = ByteSource

    static let batchSize = 1_024
    let today: CalendarDate
    let batches = Handoff<RosterBatch>(capacity: 8)
    private(set) var sawHeader = false
    private(set) var problems: [Roster.Problem] = []
    private(set) var csvFailure: CSVReader.Failure?
    /// Bytes of the source read so far (this thread's; each batch carries it over).
    private var bytesRead = 0

    init(today: CalendarDate) { self.today = today }

    /// Reads the whole source; closes `batches` when done.
    func run(_ source: Source) throws {
        defer { batches.close() }
        var reader = CSVReader()
        var header: Roster.Header?
        var batch = RosterBatch(capacity: Self.batchSize)
        let handle: (CSVReader.RawRecord) throws -> Void = { [self] rec in
            guard let h = header else {
                switch Roster.mapHeader((0..<rec.count).map(rec.string), line: rec.row) {
                case .success(let m): header = Roster.Header(m); sawHeader = true
                case .failure(let p): throw p
                }
                return
            }
            switch Roster.validate(rec, header: h, today: today) {
            case .success(let fields):
                guard problems.isEmpty else { return }
                batch.append(fields)
                if batch.count == Self.batchSize {
                    batch.inputBytesRead = bytesRead
                    guard batches.put(batch) else { throw Cancelled() }
                    batch = RosterBatch(capacity: Self.batchSize)
                }
            case .failure(let p): problems.append(p)
            }
        }
        do {
            try source { chunk in
                bytesRead += chunk.count
                try reader.feedRaw(chunk, handle)
            }
            try reader.finishRaw(handle)
            batch.inputBytesRead = bytesRead
            if problems.isEmpty && !batch.isEmpty { batches.put(batch) }
        } catch let f as CSVReader.Failure {
            csvFailure = f
        } catch let p as Roster.Problems {
            sawHeader = true
            problems = p.list
        } catch is Cancelled {
            // The inserting side gave up (its error is the one reported).
        }
    }

    private struct Cancelled: Error {}
}
