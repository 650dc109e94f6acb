/// An RFC 4180 CSV reader fed in chunks (memory stays flat on large files): `,` or `;`
/// separators (detected from the header line), quoted fields with `""` escapes and line
/// breaks, CRLF or LF, an optional UTF-8 byte-order mark.
public struct CSVReader {
    public enum Failure: Error, Equatable {
        /// A quote opened on this line is never closed.
        case unterminatedQuote(line: Int)
        /// Text after a closing quote inside a field.
        case strayQuote(line: Int)
        /// A field or record larger than the limit.
        case tooLarge(line: Int)
    }

    /// One record: its fields and the line it starts on (1-based).
    public struct Record: Equatable {
        public let fields: [String]
        public let line: Int
        /// In lenient mode: a quote out of place was read as a plain character.
        public var malformed = false

        public init(fields: [String], line: Int, malformed: Bool = false) {
            self.fields = fields
            self.line = line
            self.malformed = malformed
        }
    }

    /// Lenient: a stray quote does not stop the reader; the record is emitted marked `malformed`
    /// (batches report that row and go on). Strict (default): it is an error.
    public var lenient = false
    private var broken = false

    public private(set) var separator: UInt8?
    public var maxRecordBytes = 1 << 20

    private var field: [UInt8] = []
    private var fields: [String] = []
    private var inQuotes = false
    private var afterQuote = false
    private var fieldWasQuoted = false
    private var line = 1
    private var recordLine = 1
    private var recordBytes = 0
    private var started = false
    private var pendingCR = false
    private var headerProbe: [UInt8] = []

    public init(separator: UInt8? = nil) { self.separator = separator }

    /// Feeds bytes; calls `emit` for each complete record.
    public mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>, _ emit: (Record) throws -> Void) throws {
        let input = bytes[...]
        if !started {
            headerProbe.append(contentsOf: input)
            // Wait for the first line end (or enough bytes) to strip the BOM and pick the separator.
            guard headerProbe.contains(0x0A) || headerProbe.count > 65_536 else { return }
            try start(emit)
            return
        }
        try consume(input, emit)
    }

    /// Call at end of input: emits the last record (without a final line end) and checks quotes.
    public mutating func finish(_ emit: (Record) throws -> Void) throws {
        if !started { try start(emit) }
        if inQuotes { throw Failure.unterminatedQuote(line: recordLine) }
        if !field.isEmpty || !fields.isEmpty || fieldWasQuoted { try endRecord(emit) }
    }

    /// Strips the byte-order mark, picks the separator and reads what was held back.
    private mutating func start(_ emit: (Record) throws -> Void) throws {
        started = true
        var probe = headerProbe
        headerProbe = []
        if probe.starts(with: [0xEF, 0xBB, 0xBF]) { probe.removeFirst(3) }
        if separator == nil { separator = Self.detect(probe) }
        try probe.withUnsafeBufferPointer { try consume($0[...], emit) }
    }

    /// `;` when the header line has more semicolons than commas outside quotes, else `,`.
    static func detect(_ b: [UInt8]) -> UInt8 {
        var semis = 0, commas = 0, quoted = false
        for c in b {
            if c == 0x0A && !quoted { break }
            if c == 0x22 { quoted.toggle() }
            if !quoted { if c == 0x3B { semis += 1 } else if c == 0x2C { commas += 1 } }
        }
        return semis > commas ? 0x3B : 0x2C
    }

    private mutating func consume(_ input: Slice<UnsafeBufferPointer<UInt8>>, _ emit: (Record) throws -> Void) throws {
        let sep = separator ?? 0x2C
        for c in input {
            recordBytes += 1
            if recordBytes > maxRecordBytes { throw Failure.tooLarge(line: recordLine) }
            if inQuotes {
                if c == 0x22 { inQuotes = false; afterQuote = true }
                else {
                    if c == 0x0A { line += 1 }
                    field.append(c)
                }
                continue
            }
            if afterQuote {
                afterQuote = false
                if c == 0x22 { field.append(0x22); inQuotes = true; continue }  // "" inside quotes
            }
            switch c {
            case 0x22:
                if field.isEmpty && !fieldWasQuoted { inQuotes = true; fieldWasQuoted = true }
                else if lenient { broken = true; fieldWasQuoted = false; field.append(c) }
                else { throw Failure.strayQuote(line: line) }
            case sep:
                endField()
            case 0x0A:
                if field.last == 0x0D && !fieldWasQuoted { field.removeLast() }
                try endRecord(emit)
                line += 1
                recordLine = line
                recordBytes = 0
            case 0x0D where fieldWasQuoted:
                continue  // CR after a closing quote, before LF
            default:
                if fieldWasQuoted && c != 0x20 {
                    guard lenient else { throw Failure.strayQuote(line: line) }
                    broken = true
                    fieldWasQuoted = false
                }
                if !fieldWasQuoted { field.append(c) }
            }
        }
    }

    private mutating func endField() {
        fields.append(String(decoding: field, as: UTF8.self))
        field.removeAll(keepingCapacity: true)
        fieldWasQuoted = false
    }

    private mutating func endRecord(_ emit: (Record) throws -> Void) throws {
        endField()
        let r = Record(fields: fields, line: recordLine, malformed: broken)
        broken = false
        fields.removeAll(keepingCapacity: true)
        // Blank lines are skipped.
        if !(r.fields.count == 1 && r.fields[0].isEmpty) { try emit(r) }
    }

    /// Parses a whole buffer.
    public static func parse(_ bytes: [UInt8], separator: UInt8? = nil) throws -> [Record] {
        var reader = CSVReader(separator: separator)
        var out: [Record] = []
        try bytes.withUnsafeBufferPointer { try reader.feed($0) { out.append($0) } }
        try reader.finish { out.append($0) }
        return out
    }
}

/// Writes CSV fields, quoting when needed.
public enum CSVWriter {
    public static func line(_ fields: [String], separator: Character = ",") -> String {
        fields.map { f in
            if f.contains(separator) || f.contains("\"") || f.contains("\n") || f.contains("\r") {
                return "\"" + f.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
            }
            return f
        }.joined(separator: String(separator)) + "\n"
    }
}
