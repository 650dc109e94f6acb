import MESCore
import MESStore

/// How the association's report of a batch (`--report`) reads, given by the command line: the
/// service keeps each row's bytes as it is published, puts the mailed receipts' delivery status
/// in once the queue has been sent, and writes the file atomically when every row is done.
public protocol BatchReportFormat: Sendable {
    /// The file's bytes before the first row, given the association's kept columns.
    func header(kept: [String]) -> [UInt8]
    /// Appends row `r`. A mailed receipt's delivery status (`r.mail`, or `r.earlierMail`) is
    /// not known yet: the row leaves it out and returns where in `out` it goes; nil for the
    /// other rows.
    func append(_ r: BatchOpposition.Result, to out: inout [UInt8]) -> Int?
    /// A mailed receipt's delivery status, as it goes in its row (nil: no longer in the outbox).
    func delivery(_ status: DeliveryStatus?) -> [UInt8]
    /// The same report for an .xlsx or .ods file, whose cells are all text cells: nothing in
    /// them is read as a formula, so no cell needs guarding (a kept « +33 … » stays as it is).
    func forSpreadsheet() -> any BatchReportFormat
}

extension BatchReportFormat {
    public func forSpreadsheet() -> any BatchReportFormat { self }
}

/// The report under way: each row rendered as it is published (some 70 bytes a member, not a
/// value per cell), the mailed receipts' delivery status put in at the end.
struct BatchReport {
    let format: any BatchReportFormat
    /// The association's kept columns, as its header names them.
    var kept: [String] = []
    private var body: [UInt8] = []
    /// Where each mailed receipt's delivery status goes in `body`, and its outbox message.
    private var mails: [(offset: Int, id: Int64)] = []

    init(format: any BatchReportFormat) { self.format = format }

    mutating func append(_ r: BatchOpposition.Result) {
        if let offset = format.append(r, to: &body), let id = r.mail ?? r.earlierMail { mails.append((offset, id)) }
    }

    /// The report's bytes; each mailed receipt's delivery status is read from the outbox now.
    func bytes(store: Store) throws -> [UInt8] {
        var out = format.header(kept: kept)
        out.reserveCapacity(out.count + body.count + mails.count * 12)
        var from = 0
        for m in mails {
            out += body[from..<m.offset]
            out += format.delivery(try store.outboxEntry(id: m.id)?.status)
            from = m.offset
        }
        out += body[from...]
        return out
    }
}
