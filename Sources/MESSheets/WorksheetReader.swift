import CXML2

/// The worksheet's rows, from the SAX events of its part: `<sheetData>`'s `<row>`s and `<c>`s,
/// then `<mergeCells>`. Called for every element of a sheet of millions: its state is behind
/// a pointer (`State`), changed without the exclusivity checks the runtime makes on a class's
/// stored properties, and names and attributes are compared as bytes.
final class WorksheetReader: SAXHandler {
    struct State {
        let context: XLSXReader.Context
        var collector: RowCollector
        var merges: [(top: Int, left: Int, bottom: Int, right: Int)] = []
        var rowNumber = 0
        var lastColumn = -1
        /// The `<c>` being read: its column, type and style, and its value's bytes.
        var inCell = false
        var column = 0
        var type = XLSXReader.CellType.number
        var style = 0
        var value = ByteBuffer()
        var inline = ByteBuffer()
        var inValue = false, inInline = false
    }

    let state: UnsafeMutablePointer<State>

    init(context: XLSXReader.Context, name: String) {
        state = .allocate(capacity: 1)
        state.initialize(to: State(context: context, collector: RowCollector(limits: context.limits, name: name)))
    }

    deinit {
        state.pointee.value.free()
        state.pointee.inline.free()
        state.deinitialize(count: 1)
        state.deallocate()
    }

    var merges: [(top: Int, left: Int, bottom: Int, right: Int)] { state.pointee.merges }

    /// The rows collected (set `shared`, `onBlock` and `mayHandOn` before the parse).
    var collector: RowCollector {
        get { state.pointee.collector }
        set { state.pointee.collector = newValue }
    }

    func start(_ e: SAXElement, _ parser: SAXParser) throws(SheetError) { try state.pointee.start(e, parser) }
    func end(_ e: SAXName, _ parser: SAXParser) throws(SheetError) { try state.pointee.end(e, parser) }

    func text(_ bytes: UnsafeBufferPointer<UInt8>, _ parser: SAXParser) throws(SheetError) {
        if state.pointee.inValue {
            state.pointee.value.append(bytes)
        } else if state.pointee.inInline {
            state.pointee.inline.append(bytes)
        }
    }
}

extension WorksheetReader.State {
    /// Whether the NUL-terminated `p` is the one letter `c`.
    @inline(__always) static func isLetter(_ p: UnsafePointer<xmlChar>, _ c: StaticString) -> Bool {
        p[0] == c.utf8Start[0] && p[1] == 0
    }

    mutating func start(_ e: SAXElement, _ parser: SAXParser) throws(SheetError) {
        let local = e.name.local
        if Self.isLetter(local, "c") {
            try startCell(e)
        } else if Self.isLetter(local, "v") {
            if inCell { inValue = true }
        } else if e.is("row") {
            let number = SAXElement.integer(e.raw("r")) ?? rowNumber + 1
            guard number > rowNumber else { throw .unreadable("les lignes de la feuille ne sont pas dans l'ordre (ligne \(number))") }
            rowNumber = number
            collector.beginRow()
            lastColumn = -1
        } else if e.is("is") {
            if inCell { inInline = true }
        } else if e.is("rPh") {
            if inInline { parser.skipElement() }
        } else if Self.isLetter(local, "f") {
            if inCell { parser.skipElement() }  // the formula: its cached value is in <v>
        } else if e.is("mergeCell") {
            if let ref = e.value("ref"), let r = XLSXReader.range(ref) {
                guard merges.count < context.limits.maxCells else { throw collector.cellLimit }
                merges.append(r)
            }
        }
    }

    /// A `<c>`: its attributes `r`, `t` and `s` (without a namespace) read in one pass.
    @inline(__always) mutating func startCell(_ e: SAXElement) throws(SheetError) {
        var reference: UnsafeBufferPointer<UInt8>?, typeName: UnsafeBufferPointer<UInt8>?, styleIndex: UnsafeBufferPointer<UInt8>?
        if let a = e.attributes {
            for i in 0..<e.count {
                guard let name = a[5 * i], name[0] != 0, name[1] == 0, a[5 * i + 2] == nil, let start = a[5 * i + 3], let end = a[5 * i + 4] else { continue }
                let bytes = UnsafeBufferPointer(start: start, count: end - start)
                switch name[0] {
                case UInt8(ascii: "r"): reference = bytes
                case UInt8(ascii: "t"): typeName = bytes
                case UInt8(ascii: "s"): styleIndex = bytes
                default: break
                }
            }
        }
        let index = reference.flatMap(XLSXReader.column(of:)) ?? lastColumn + 1
        guard index < context.limits.maxColumns else { throw collector.columnLimit }
        lastColumn = index
        inCell = true
        column = index
        type = XLSXReader.CellType(typeName)
        style = type == .shared ? 0 : SAXElement.integer(styleIndex) ?? 0  // a shared string has no date style
        value.clear()
        inline.clear()
    }

    mutating func end(_ e: SAXName, _ parser: SAXParser) throws(SheetError) {
        let local = e.local
        if Self.isLetter(local, "v") {
            inValue = false
        } else if Self.isLetter(local, "c") {
            guard inCell else { return }
            inCell = false
            try endCell()
        } else if e.is("row") {
            try collector.endRow(number: rowNumber)
            if collector.stopped { parser.stop() }
        } else if e.is("is") {
            inInline = false
        }
    }

    /// The cell read: its text set in the row, or the shared string it names.
    mutating func endCell() throws(SheetError) {
        if type == .shared {
            guard let index = SAXElement.integer(XLSXReader.trimmed(value.bytes)), index >= 0, index < Int(UInt32.max) else {
                throw SharedStrings.missing(String(decoding: value.bytes, as: UTF8.self))
            }
            try collector.set(column: column, shared: index)
            return
        }
        let column = column
        try XLSXReader.withText(type: type, style: style, value: type == .inlineString ? inline.bytes : value.bytes,
                                context: context) { (text) throws(SheetError) in
            try collector.set(column: column, text)
        }
    }
}
