import MESCore
import MESSheets
import MESSystem

/// A roster or a member list given as a file: CSV, streamed as it is read, or a spreadsheet
/// (.xlsx or .ods, known by its content, not its name) read whole within `SheetLimits` and
/// handed on as CSV whose rows are the sheet's, so that a row's number in errors and reports
/// is the one the sheet shows. Cells are taken as the sheet stores them: a NIR typed as a
/// number keeps its 15 digits, a date cell reads as `dd/mm/yyyy`.
///
/// `source` always hands over UTF-8: a CSV saved in Windows-1252 or UTF-16 is decoded as it is
/// read (`TextTranscoder`), and `encoding` (with its `notice`, which a run prints once) says so.
public struct InputFile {
    /// The bytes, as CSV in UTF-8.
    public let source: ByteSource
    /// The file's size (for progress), 0 when unknown.
    public let totalBytes: Int
    private let detected: DetectedEncoding

    /// The encoding the CSV was read in: known when the file is opened for a regular file or
    /// a spreadsheet (`.utf8`); for standard input or a pipe, once `source` has read the start
    /// (`TextTranscoder.probeBytes`, or the whole input when shorter): nil before.
    public var encoding: TextEncoding? { detected.value }

    /// What to tell people, once, when the CSV was not in UTF-8 (French): nil for UTF-8, or while
    /// `encoding` is not known yet.
    public var notice: String? { encoding?.notice }

    /// Opens `path`. `sheet`: the sheet to read (default the first); refused for a CSV file.
    /// `streamed`: a spreadsheet's rows are handed on while the next ones are read, on a thread
    /// of their own (for a reading that acts on nothing, `batch oppose --check`: a sheet refused
    /// half-way is refused after its first rows were handed on, as a CSV that breaks would be);
    /// otherwise the whole sheet is read, and refused or not, before its first row goes.
    public static func open(_ path: String, sheet: String?, field: String, streamed: Bool = false) throws -> InputFile {
        let chunks = try FileIO.Chunks(path: path, field: field)
        let head = chunks.peek(TextTranscoder.probeBytes)
        guard head.starts(with: [0x50, 0x4B, 0x03, 0x04]) else {
            if sheet != nil {
                throw MESError(.conflictingOptions, "--sheet ne s'applique qu'à un classeur .xlsx ou .ods : \(TextEscaping.terminalSafe(path)) n'en est pas un",
                               field: "sheet")
            }
            // A regular file's encoding is decided now, on the start read without moving on; a
            // pipe's (nothing could be peeked) as it is read.
            let size = chunks.size
            let known = head.isEmpty ? nil : head.withUnsafeBufferPointer { TextTranscoder.detect($0, complete: head.count >= size) }
            return transcoding({ try chunks.forEach($0) }, totalBytes: size, encoding: known)
        }
        let bytes = try chunks.readAll(limit: SheetLimits.standard.maxFileBytes)
        let errorField = sheet == nil ? field : "sheet"
        if streamed { return Self.streamed(bytes, sheet: sheet, field: errorField) }
        let read: SheetText
        do throws(SheetError) { read = try Spreadsheet.text(bytes, sheet: sheet) } catch { throw error.mesError(field: sheet == nil ? field : "sheet") }
        let csv = Self.csv(read)
        return InputFile(source: { body in try csv.withUnsafeBufferPointer { try body($0) } }, totalBytes: csv.count,
                         detected: DetectedEncoding(.utf8))
    }

    /// A spreadsheet read on a thread of its own, its rows handed on as CSV (as `csv` writes
    /// them) while the next ones are read: at most `pending` pieces wait to be taken.
    static func streamed(_ bytes: [UInt8], sheet: String?, field: String, pending: Int = 4) -> InputFile {
        let input = UncheckedSendable(bytes)
        return InputFile(source: { body in
            let pieces = Handoff<[UInt8]>(capacity: pending)
            let worker = try Worker("mes.sheet.read") {
                defer { pieces.close() }
                var writer = CSVText()
                do throws(SheetError) {
                    try Spreadsheet.stream(input.value, sheet: sheet) { block in
                        writer.append(block)
                        return pieces.put(writer.take())
                    }
                } catch {
                    throw error.mesError(field: field)
                }
            }
            do {
                while let piece = pieces.take() { try piece.withUnsafeBufferPointer { try body($0) } }
            } catch {
                pieces.cancel()  // the reading stops at its next block
                try? worker.join()
                throw error
            }
            try worker.join()
        }, totalBytes: 0, detected: DetectedEncoding(.utf8))
    }

    /// A CSV given on standard input (`FILE` given as `-`): `source` reads it (for instance
    /// `ctx.stdin.forEachChunk`), once. Its encoding is known once the start was read.
    public static func standardInput(_ source: @escaping ByteSource, totalBytes: Int = 0) -> InputFile {
        transcoding(source, totalBytes: totalBytes, encoding: nil)
    }

    /// `source` read through a `TextTranscoder`: in `encoding`, or in the one its start says.
    static func transcoding(_ source: @escaping ByteSource, totalBytes: Int, encoding: TextEncoding?) -> InputFile {
        let detected = DetectedEncoding(encoding)
        return InputFile(source: { body in
            var transcoder = encoding.map(TextTranscoder.init(encoding:)) ?? TextTranscoder()
            try source { chunk in
                try transcoder.feed(chunk, body)
                if encoding == nil, let e = transcoder.encoding { detected.set(e) }
            }
            try transcoder.finish(body)
            if let e = transcoder.encoding { detected.set(e) }
        }, totalBytes: totalBytes, detected: detected)
    }

    /// The sheet as CSV (',' separator, UTF-8) whose records are the sheet's rows: a blank line
    /// for each row left empty, so that a record's row (`CSVReader.Record.row`) is the sheet's
    /// (a cell holding line breaks does not move the rows after it).
    static func csv(_ sheet: SheetText) -> [UInt8] {
        var writer = CSVText()
        writer.append(sheet)
        return writer.take()
    }
}

/// A sheet's rows written as the CSV a batch reads (',' separator, UTF-8, LF): a blank line for
/// each row left empty, so that a record's row (`CSVReader.Record.row`) is the sheet's. Fields
/// are quoted as `CSVWriter` quotes them.
struct CSVText {
    private var out: [UInt8] = []
    /// The number of the next row to write.
    private var next = 1

    /// Appends the rows of `sheet` (which come after those appended before).
    mutating func append(_ sheet: SheetText) {
        sheet.forEachRow { number, cells in
            if number > next { out.append(contentsOf: repeatElement(0x0A, count: number - next)) }
            for (i, cell) in cells.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.appendField(cell, to: &out)
            }
            out.append(0x0A)
            next = number + 1
        }
    }

    /// The bytes written since the last `take`.
    mutating func take() -> [UInt8] {
        defer { out = [] }
        return out
    }

    /// One field as `CSVWriter` writes it with a comma: quoted, its quotes doubled, when it
    /// holds a comma, a quote or a line break; as it is otherwise.
    static func appendField(_ field: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        guard field.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else {
            out.append(contentsOf: field)
            return
        }
        out.append(0x22)
        for b in field {
            if b == 0x22 { out.append(0x22) }
            out.append(b)
        }
        out.append(0x22)
    }
}

/// The encoding an `InputFile`'s source decided, read by the thread that started the reading
/// (a roster is parsed on a thread of its own).
final class DetectedEncoding: @unchecked Sendable {
    private let lock = Lock()
    private var encoding: TextEncoding?

    init(_ encoding: TextEncoding?) { self.encoding = encoding }

    var value: TextEncoding? {
        lock.lock()
        defer { lock.unlock() }
        return encoding
    }

    func set(_ e: TextEncoding) {
        lock.lock()
        encoding = e
        lock.unlock()
    }
}

extension SheetError {
    /// The same refusal as the catalogue's error (exit 65), its French message as it is.
    func mesError(field: String) -> MESError {
        let code: ErrorCode
        switch self.code {
        case .notSpreadsheet: code = .sheetNotSpreadsheet
        case .unreadable: code = .sheetUnreadable
        case .tooLarge: code = .sheetTooLarge
        case .unsupported: code = .sheetUnsupported
        case .encrypted: code = .sheetEncrypted
        case .unsafe: code = .sheetUnsafe
        case .notFound: code = .sheetNotFound
        }
        return MESError(code, message, field: field)
    }
}
