import MESSystem

/// The shared strings of a workbook, their text back to back in pieces of `pieceSize`
/// strings: a copy handed to another thread while more are read shares the full pieces,
/// never copied again (`SharedStringsTask` hands them on as they are read).
struct SharedStrings: Sendable {
    struct Piece: Sendable {
        var bytes: [UInt8] = []
        var ends: [Int] = []
    }

    private var pieces: [Piece] = []
    private(set) var count = 0

    static let pieceSize = 4_096

    mutating func append(_ text: UnsafeBufferPointer<UInt8>) {
        if count % Self.pieceSize == 0 { pieces.append(Piece()) }
        let last = pieces.count - 1
        pieces[last].bytes.append(contentsOf: text)
        pieces[last].ends.append(pieces[last].bytes.count)
        count += 1
    }

    /// Hands `body` the bytes of string `i` (which must exist).
    func withText<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) throws(SheetError) -> R) throws(SheetError) -> R {
        let piece = pieces[i / Self.pieceSize], k = i % Self.pieceSize
        let start = k == 0 ? 0 : piece.ends[k - 1]
        return try piece.bytes.withUnsafeBufferPointer { (b) throws(SheetError) -> R in
            try body(UnsafeBufferPointer(rebasing: b[start..<piece.ends[k]]))
        }
    }

    /// Appends the bytes of string `i` (which must exist) to `out`; their count.
    @inline(__always) func append(_ i: Int, to out: inout [UInt8]) -> Int {
        let piece = pieces[i / Self.pieceSize], k = i % Self.pieceSize
        let start = k == 0 ? 0 : piece.ends[k - 1], end = piece.ends[k]
        out.append(contentsOf: piece.bytes[start..<end])
        return end - start
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
        /// Given the strings read so far each time a piece of them is full.
        var onPiece: ((SharedStrings) -> Void)?
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

    /// Given the strings read so far each time `SharedStrings.pieceSize` more were read.
    var onPiece: ((SharedStrings) -> Void)? {
        get { state.pointee.onPiece }
        set { state.pointee.onPiece = newValue }
    }

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
        if strings.count % SharedStrings.pieceSize == 0, let onPiece { onPiece(strings) }
    }
}

/// The shared strings part, read while the sheet is: on a thread of its own when the part is
/// large, so that the two parses share the machine's cores. The sheet's cells name strings by
/// index (`RowCollector.set(column:shared:)`), given their text as soon as the strings they
/// name are read: the strings read so far are handed on a piece at a time (`available`).
final class SharedStringsTask: @unchecked Sendable {
    private let condition = Condition()
    /// The strings read so far, while they are being read.
    private var partial = SharedStrings()
    /// All the strings and the bytes inflated to read them, or why they could not be read.
    private var outcome: Result<(strings: SharedStrings, inflated: Int), SheetError>?

    /// Compressed parts at least this large are read on a thread of their own.
    static let threadThreshold = 1 << 16

    /// No shared strings part: a cell naming a string is refused.
    init() { outcome = .success((SharedStrings(), 0)) }

    /// Reads `part` of `zip` (a copy: the caller's inflated total grows by `inflated` on `wait`),
    /// on a thread of its own when its compressed size is `threshold` or more.
    init(_ zip: ZipArchive, part: String, threshold: Int = threadThreshold) {
        guard zip.compressedSize(part) >= threshold else {
            outcome = Self.read(zip, part: part, onPiece: nil)
            return
        }
        let reading: @Sendable () -> Void = { [self] in
            let read = Self.read(zip, part: part) { [self] strings in
                condition.lock()
                partial = strings
                condition.unlock()
            }
            condition.lock()
            outcome = read
            partial = SharedStrings()
            condition.broadcast()
            condition.unlock()
        }
        // Without a thread of its own (the system's limit reached), read here, before the sheet.
        if !Threads.start(stackSize: 1 << 22, reading) { reading() }
    }

    private static func read(_ zip: ZipArchive, part: String,
                             onPiece: ((SharedStrings) -> Void)?) -> Result<(strings: SharedStrings, inflated: Int), SheetError> {
        var zip = zip
        let before = zip.extracted
        let reader = SharedStringsReader(limits: zip.limits)
        reader.onPiece = onPiece
        do throws(SheetError) {
            _ = try SAXParser.parse(&zip, entry: part, handler: reader)
        } catch {
            return .failure(error)
        }
        return .success((reader.strings, zip.extracted - before))
    }

    /// The strings read so far, and whether they are all there; throws what the reading threw.
    func available() throws(SheetError) -> (strings: SharedStrings, complete: Bool) {
        condition.lock()
        defer { condition.unlock() }
        guard let outcome else { return (partial, false) }
        return (try outcome.get().strings, true)
    }

    /// Waits for all the strings; throws what the reading threw.
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
