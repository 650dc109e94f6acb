import MESCore

/// The formats of a data file `mes` writes (the fixtures' roster and members files).
public enum TableFormat: String, CaseIterable, Sendable {
    /// A header line, then one line per row (`CSVWriter`: quoted when needed).
    case csv
    /// One JSON object per row (`schema_version` first, then the columns by key: an empty cell is null).
    case jsonl
}

/// A data file made row by row in one of the `TableFormat`s: whole in `bytes`, or streamed by
/// handing its bytes over as they come (`flush`).
public struct DataTable {
    let keys: [String]
    public let format: TableFormat
    let separator: Character
    /// The file so far, or what came since the last `flush`.
    public private(set) var bytes: [UInt8] = []

    /// `header`: the CSV header (defaults to `keys`); `bom`: a CSV starts with a UTF-8 BOM.
    public init(keys: [String], header: [String]? = nil, format: TableFormat, separator: Character = ",", bom: Bool = false,
                capacity: Int = 0) {
        self.keys = keys
        self.format = format
        self.separator = separator
        bytes.reserveCapacity(capacity)
        if format == .csv {
            if bom { bytes += [0xEF, 0xBB, 0xBF] }
            CSVWriter.append(header ?? keys, separator: separator, to: &bytes)
        }
    }

    /// Hands `bytes` to `sink` once they are at least `minimum` long (everything with 0), and
    /// starts again from none: the file goes out as it is made, in pieces of about `minimum`.
    public mutating func flush(atLeast minimum: Int = 0, to sink: ([UInt8]) throws -> Void) rethrows {
        guard !bytes.isEmpty, bytes.count >= minimum else { return }
        try sink(bytes)
        bytes.removeAll(keepingCapacity: true)
    }

    /// One row: `cells` in the order of the keys, then `extra` cells past the last column.
    /// `asTyped`: a CSV row is written without quoting (a row made to be malformed).
    public mutating func append(_ cells: [String], extra: [(String, String)] = [], asTyped: Bool = false) {
        switch format {
        case .csv where asTyped:
            bytes += ((cells + extra.map(\.1)).joined(separator: String(separator)) + "\n").utf8
        case .csv:
            CSVWriter.append(extra.isEmpty ? cells : cells + extra.map(\.1), separator: separator, to: &bytes)
        case .jsonl:
            let pairs = (zip(keys, cells).map { ($0, $1) } + extra).map { ($0, $1.isEmpty ? JSON.null : .string($1)) }
            JSON.object([("schema_version", .int(JSON.schemaVersion))] + pairs).write(into: &bytes)
            bytes.append(0x0A)
        }
    }
}
