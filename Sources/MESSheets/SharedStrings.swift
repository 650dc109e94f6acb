import Foundation

/// The shared strings of a workbook, their text back to back.
struct SharedStrings: Sendable {
    private var bytes: [UInt8] = []
    private var ends: [Int] = []

    var count: Int { ends.count }

    mutating func append(_ text: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: text)
        ends.append(bytes.count)
    }

    /// Hands `body` the bytes of string `i` (which must exist).
    func withText<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) throws(SheetError) -> R) throws(SheetError) -> R {
        let start = i == 0 ? 0 : ends[i - 1]
        return try bytes.withUnsafeBufferPointer { (b) throws(SheetError) -> R in
            try body(UnsafeBufferPointer(rebasing: b[start..<ends[i]]))
        }
    }

    /// Hands `body` every string's bytes back to back and where each one ends.
    func withStorage<R>(_ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<Int>) throws(SheetError) -> R) throws(SheetError) -> R {
        try bytes.withUnsafeBufferPointer { (b) throws(SheetError) -> R in
            try ends.withUnsafeBufferPointer { (e) throws(SheetError) -> R in try body(b, e) }
        }
    }

    /// String `i` (which must exist).
    func string(_ i: Int) -> String {
        (try? withText(i) { String(decoding: $0, as: UTF8.self) }) ?? ""
    }

    /// Why a cell naming string `reference` is refused when there is no such string.
    static func missing(_ reference: String) -> SheetError {
        .unreadable("une cellule renvoie à un texte partagé qui n'existe pas (\(reference))")
    }
}

/// The SAX events of the shared strings part: each `<si>`'s `<t>` text (the `<r><t>` runs of
/// rich text joined), `<rPh>` (phonetic runs) skipped. Its state is behind a pointer, as
/// `WorksheetReader`'s is.
final class SharedStringsReader: SAXHandler {
    struct State {
        let limits: SheetLimits
        var strings = SharedStrings()
        var current = ByteBuffer()
        var inItem = false, inText = false
    }

    private let state: UnsafeMutablePointer<State>

    init(limits: SheetLimits) {
        state = .allocate(capacity: 1)
        state.initialize(to: State(limits: limits))
    }

    deinit {
        state.pointee.current.free()
        state.deinitialize(count: 1)
        state.deallocate()
    }

    var strings: SharedStrings { state.pointee.strings }

    func start(_ e: SAXElement, _ parser: SAXParser) throws(SheetError) {
        if e.is("si") {
            state.pointee.current.clear()
            state.pointee.inItem = true
        } else if e.is("t") {
            if state.pointee.inItem { state.pointee.inText = true }
        } else if e.is("rPh") {
            if state.pointee.inItem { parser.skipElement() }
        }
    }

    func end(_ e: SAXName, _ parser: SAXParser) throws(SheetError) {
        if e.is("t") {
            state.pointee.inText = false
        } else if e.is("si") {
            try state.pointee.endItem()
        }
    }

    func text(_ bytes: UnsafeBufferPointer<UInt8>, _ parser: SAXParser) throws(SheetError) {
        if state.pointee.inText { state.pointee.current.append(bytes) }
    }
}

extension SharedStringsReader.State {
    /// An `<si>` read: its text is the next string.
    mutating func endItem() throws(SheetError) {
        guard strings.count < limits.maxCells else { throw .tooLarge("plus de \(limits.maxCells) textes partagés") }
        let text = current.bytes
        if text.contains(UInt8(ascii: "_")) {
            var decoded = CellValues.decodeOOXMLEscapes(String(decoding: text, as: UTF8.self))
            decoded.withUTF8 { strings.append($0) }
        } else {
            strings.append(text)
        }
        inItem = false
    }
}

/// The shared strings part, read while the sheet is: on a thread of its own when the part is
/// large, so that the two parses share the machine's cores. The sheet's cells name strings by
/// index (`RowCollector.set(column:shared:)`), given their text once the strings are read.
final class SharedStringsTask: @unchecked Sendable {
    private let condition = NSCondition()
    /// The strings and the bytes inflated to read them, or why they could not be read.
    private var outcome: Result<(strings: SharedStrings, inflated: Int), SheetError>?

    /// Compressed parts at least this large are read on a thread of their own.
    static let threadThreshold = 1 << 16

    /// No shared strings part: a cell naming a string is refused.
    init() { outcome = .success((SharedStrings(), 0)) }

    /// Reads `part` of `zip` (a copy: the caller's inflated total grows by `inflated` on `wait`),
    /// on a thread of its own when its compressed size is `threshold` or more.
    init(_ zip: ZipArchive, part: String, threshold: Int = threadThreshold) {
        guard zip.compressedSize(part) >= threshold else {
            outcome = Self.read(zip, part: part)
            return
        }
        let thread = Thread { [self] in
            let read = Self.read(zip, part: part)
            condition.lock()
            outcome = read
            condition.broadcast()
            condition.unlock()
        }
        thread.name = "mes.sheet.strings"
        thread.stackSize = 1 << 22
        thread.start()
    }

    private static func read(_ zip: ZipArchive, part: String) -> Result<(strings: SharedStrings, inflated: Int), SheetError> {
        var zip = zip
        let before = zip.extracted
        let reader = SharedStringsReader(limits: zip.limits)
        do throws(SheetError) {
            _ = try SAXParser.parse(&zip, entry: part, handler: reader)
        } catch {
            return .failure(error)
        }
        return .success((reader.strings, zip.extracted - before))
    }

    /// The strings, or nil while they are still being read; throws what the reading threw.
    func ready() throws(SheetError) -> SharedStrings? {
        condition.lock()
        defer { condition.unlock() }
        return try outcome?.get().strings
    }

    /// Waits for the strings; throws what the reading threw.
    func wait() throws(SheetError) -> (strings: SharedStrings, inflated: Int) {
        condition.lock()
        defer { condition.unlock() }
        while outcome == nil { condition.wait() }
        return try outcome!.get()
    }

    /// Waits for the reading to end; what it threw, if anything.
    func failure() -> SheetError? {
        do throws(SheetError) { _ = try wait() } catch { return error }
        return nil
    }
}
