/// An RFC 4180 CSV reader fed in chunks (memory stays flat on large files): `,`, `;` or tab
/// separators (detected from the header line), quoted fields with `""` escapes and line
/// breaks, CRLF or LF, an optional UTF-8 byte-order mark. Each record has its row number as a
/// spreadsheet opening the file shows it (`row`), and the line it starts on (`line`).
public struct CSVReader {
    public enum Failure: Error, Equatable {
        /// A quote opened on this line is never closed.
        case unterminatedQuote(line: Int)
        /// Text after a closing quote inside a field.
        case strayQuote(line: Int)
        /// A field or record larger than the limit.
        case tooLarge(line: Int)
    }

    /// One record: its fields, its row and the line it starts on.
    public struct Record: Equatable {
        public let fields: [String]
        /// The physical line it starts on (1-based): a quoted cell holding line breaks makes a
        /// record take several.
        public let line: Int
        /// Its row as a spreadsheet opening the file numbers it (1-based: the header is row 1):
        /// one per record, blank lines counted, whatever line breaks its cells hold. What
        /// errors and reports call the row, or the line (`ligne`), of a file.
        public let row: Int
        /// In lenient mode: a quote out of place was read as a plain character.
        public var malformed = false

        /// `row`: `line` when not given (a file without line breaks in its cells).
        public init(fields: [String], line: Int, row: Int? = nil, malformed: Bool = false) {
            self.fields = fields
            self.line = line
            self.row = row ?? line
            self.malformed = malformed
        }

        /// The record as bytes, for the byte-level validators.
        public func withRaw<T>(_ body: (RawRecord) throws -> T) rethrows -> T {
            var bytes: [UInt8] = []
            var ends: [Int] = []
            for f in fields { bytes += f.utf8; ends.append(bytes.count) }
            return try bytes.withUnsafeBufferPointer { b in
                try ends.withUnsafeBufferPointer { e in try body(RawRecord(bytes: b, ends: e, line: line, row: row, malformed: malformed)) }
            }
        }
    }

    /// One record as bytes, valid only during the callback that receives it (no copy, no
    /// `String` per field): the hot paths (`mes import`) validate fields as bytes.
    public struct RawRecord {
        /// The fields' bytes back to back, quotes removed and `""` unescaped.
        let bytes: UnsafeBufferPointer<UInt8>
        /// Where each field ends in `bytes`.
        let ends: UnsafeBufferPointer<Int>
        /// Bytes between two fields: 0 when the fields were copied back to back, 1 when the
        /// record is read in place from the input (the separators are still there).
        var gap = 0
        /// The line the record starts on (1-based).
        public let line: Int
        /// Its row as a spreadsheet numbers it (`Record.row`).
        public let row: Int
        /// In lenient mode: a quote out of place was read as a plain character.
        public let malformed: Bool

        /// How many fields the record has.
        public var count: Int { ends.count }

        /// The bytes of field `i`.
        public subscript(i: Int) -> UnsafeBufferPointer<UInt8> {
            let start = i == 0 ? 0 : ends[i - 1] + gap
            return UnsafeBufferPointer(rebasing: bytes[start..<ends[i]])
        }

        /// Field `i` as text (invalid UTF-8 repaired with U+FFFD).
        public func string(_ i: Int) -> String { String(decoding: self[i], as: UTF8.self) }

        /// The record with its fields as strings.
        public var record: Record { Record(fields: (0..<count).map(string), line: line, row: row, malformed: malformed) }
    }

    /// Lenient: a stray quote does not stop the reader; the record is emitted marked `malformed`
    /// (batches report that row and go on). Strict (default): it is an error.
    public var lenient = false
    private var broken = false

    public private(set) var separator: UInt8?
    public var maxRecordBytes = 1 << 20

    /// The record under way: its fields' bytes, and where each finished field ends.
    private var buffer: [UInt8] = []
    private var ends: [Int] = []
    /// Where each separator of a record read in place is (from its start).
    private var plainEnds: [Int] = []
    private var fieldStart = 0
    private var inQuotes = false
    private var afterQuote = false
    private var fieldWasQuoted = false
    private var line = 1
    private var recordLine = 1
    /// The row of the record under way (records and blank lines end rows).
    private var row = 1
    private var recordBytes = 0
    private var started = false
    private var headerProbe: [UInt8] = []

    public init(separator: UInt8? = nil) { self.separator = separator }

    /// Feeds bytes; calls `emit` for each complete record.
    public mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>, _ emit: (Record) throws -> Void) throws {
        try feedRaw(bytes) { try emit($0.record) }
    }

    /// Call at end of input: emits the last record (without a final line end) and checks quotes.
    public mutating func finish(_ emit: (Record) throws -> Void) throws {
        try finishRaw { try emit($0.record) }
    }

    /// Feeds bytes; calls `emit` for each complete record, as bytes.
    public mutating func feedRaw(_ bytes: UnsafeBufferPointer<UInt8>, _ emit: (RawRecord) throws -> Void) throws {
        if !started {
            headerProbe.append(contentsOf: bytes)
            // Wait for the first line end (or enough bytes) to strip the BOM and pick the separator.
            guard headerProbe.contains(0x0A) || headerProbe.count > 65_536 else { return }
            try start(emit)
            return
        }
        try consume(bytes, emit)
    }

    /// `finish` for `feedRaw`.
    public mutating func finishRaw(_ emit: (RawRecord) throws -> Void) throws {
        if !started { try start(emit) }
        if inQuotes { throw Failure.unterminatedQuote(line: recordLine) }
        if buffer.count > fieldStart || !ends.isEmpty || fieldWasQuoted { try endRecord(emit) }
    }

    /// Strips the byte-order mark, picks the separator and reads what was held back.
    private mutating func start(_ emit: (RawRecord) throws -> Void) throws {
        started = true
        var probe = headerProbe
        headerProbe = []
        if probe.starts(with: [0xEF, 0xBB, 0xBF]) { probe.removeFirst(3) }
        if separator == nil { separator = Self.detect(probe) }
        try probe.withUnsafeBufferPointer { try consume($0, emit) }
    }

    /// The separator the header line has most of outside quotes: `;`, tab (Excel's "Texte
    /// Unicode") or `,` (also when it has none).
    static func detect(_ b: [UInt8]) -> UInt8 {
        var semis = 0, commas = 0, tabs = 0, quoted = false
        for c in b {
            if c == 0x0A && !quoted { break }
            if c == 0x22 { quoted.toggle() }
            if !quoted { if c == 0x3B { semis += 1 } else if c == 0x2C { commas += 1 } else if c == 0x09 { tabs += 1 } }
        }
        if tabs > semis && tabs > commas { return 0x09 }
        return semis > commas ? 0x3B : 0x2C
    }

    /// Appends a run of plain bytes to the field under way.
    private mutating func append(_ input: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) throws {
        recordBytes += to - from
        if recordBytes > maxRecordBytes { throw Failure.tooLarge(line: recordLine) }
        buffer.append(contentsOf: UnsafeBufferPointer(rebasing: input[from..<to]))
    }

    private mutating func consume(_ input: UnsafeBufferPointer<UInt8>, _ emit: (RawRecord) throws -> Void) throws {
        let sep = separator ?? 0x2C
        var i = 0
        let n = input.count
        while i < n {
            // A whole record without quotes in this chunk is read in place; otherwise what was
            // scanned of it is handed to the general path below, which goes on from there.
            if ends.isEmpty && buffer.isEmpty && !inQuotes && !afterQuote && !fieldWasQuoted {
                let (next, emitted) = try plainRecord(input, from: i, separator: sep, emit)
                i = next
                if emitted || i >= n { continue }
            }
            // Runs of ordinary bytes are copied at once.
            if inQuotes {
                var j = i
                while j < n && input[j] != 0x22 { if input[j] == 0x0A { line += 1 }; j += 1 }
                if j > i { try append(input, i, j); i = j; continue }
            } else if !afterQuote && !fieldWasQuoted {
                var j = i
                while j < n { let c = input[j]; if c == sep || c == 0x22 || c == 0x0A { break }; j += 1 }
                if j > i { try append(input, i, j); i = j; continue }
            }
            let c = input[i]
            i += 1
            recordBytes += 1
            if recordBytes > maxRecordBytes { throw Failure.tooLarge(line: recordLine) }
            if inQuotes {
                // Only a quote reaches here.
                inQuotes = false
                afterQuote = true
                continue
            }
            if afterQuote {
                afterQuote = false
                if c == 0x22 { buffer.append(0x22); inQuotes = true; continue }  // "" inside quotes
            }
            switch c {
            case 0x22:
                if buffer.count == fieldStart && !fieldWasQuoted { inQuotes = true; fieldWasQuoted = true }
                else if lenient { broken = true; fieldWasQuoted = false; buffer.append(c) }
                else { throw Failure.strayQuote(line: line) }
            case sep:
                endField()
            case 0x0A:
                if buffer.count > fieldStart && buffer.last == 0x0D && !fieldWasQuoted { buffer.removeLast() }
                try endRecord(emit)
                line += 1
                row += 1
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
                if !fieldWasQuoted { buffer.append(c) }
            }
        }
    }

    /// Emits the record starting at `from` in place when it has no quote and ends in `input`
    /// (within the size limit), and returns where the next one starts. Otherwise returns where
    /// it stopped (a quote, the end of the chunk or of the limit), the bytes before that read
    /// into the record under way exactly as the general path reads plain bytes.
    private mutating func plainRecord(_ input: UnsafeBufferPointer<UInt8>, from: Int, separator sep: UInt8,
                                      _ emit: (RawRecord) throws -> Void) throws -> (next: Int, emitted: Bool) {
        let limit = min(input.count, from + maxRecordBytes)
        plainEnds.removeAll(keepingCapacity: true)
        var j = from
        while j < limit {
            let c = input[j]
            if c == 0x0A || c == 0x22 { break }
            if c == sep { plainEnds.append(j - from) }
            j += 1
        }
        guard j < limit, input[j] == 0x0A else {
            var start = from
            for e in plainEnds {
                try append(input, start, from + e)
                endField()
                recordBytes += 1
                start = from + e + 1
            }
            if j > start { try append(input, start, j) }
            return (j, false)
        }
        let lastStart = plainEnds.last.map { $0 + 1 } ?? 0
        var end = j - from
        if end > lastStart && input[j - 1] == 0x0D { end -= 1 }  // CRLF
        plainEnds.append(end)
        let (record, recordRow) = (line, row)
        line += 1
        row += 1
        recordLine = line
        if plainEnds.count == 1 && end == 0 { return (j + 1, true) }  // blank line
        try plainEnds.withUnsafeBufferPointer { e in
            try emit(RawRecord(bytes: UnsafeBufferPointer(rebasing: input[from..<from + end]), ends: e, gap: 1, line: record, row: recordRow,
                               malformed: false))
        }
        return (j + 1, true)
    }

    private mutating func endField() {
        ends.append(buffer.count)
        fieldStart = buffer.count
        fieldWasQuoted = false
    }

    private mutating func endRecord(_ emit: (RawRecord) throws -> Void) throws {
        endField()
        defer {
            broken = false
            buffer.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
            fieldStart = 0
        }
        // Blank lines are skipped (their rows counted by the caller).
        if ends.count == 1 && ends[0] == 0 { return }
        let malformed = broken
        let (line, row) = (recordLine, row)
        try buffer.withUnsafeBufferPointer { b in
            try ends.withUnsafeBufferPointer { e in
                try emit(RawRecord(bytes: b, ends: e, line: line, row: row, malformed: malformed))
            }
        }
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
        fields.map { field($0, separator: separator) }.joined(separator: String(separator)) + "\n"
    }

    /// One field as written: quoted, its quotes doubled, when it holds the separator, a quote or
    /// a line break.
    public static func field(_ f: String, separator: Character) -> String {
        if f.contains(separator) || f.contains("\"") || f.contains("\n") || f.contains("\r") {
            return "\"" + f.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
        }
        return f
    }

    /// Appends the bytes of `line(fields, separator:)` to `out` without making the line: a field
    /// whose bytes hold no separator, quote, `\n` or `\r` is copied as it is (none of its
    /// characters can be one of them), any other goes through `field`.
    public static func append(_ fields: [String], separator: Character = ",", to out: inout [UInt8]) {
        guard separator.utf8.count == 1, let sep = separator.asciiValue else {
            out += line(fields, separator: separator).utf8
            return
        }
        for (i, f) in fields.enumerated() {
            if i > 0 { out.append(sep) }
            var f = f
            let plain = f.withUTF8 { b in !b.contains { $0 == sep || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D } }
            if plain { f.withUTF8 { out.append(contentsOf: $0) } } else { out += field(f, separator: separator).utf8 }
        }
        out.append(0x0A)
    }
}
