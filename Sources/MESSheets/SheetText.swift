/// One sheet's rows with the text of their cells back to back in one buffer: what
/// `Spreadsheet.text` reads, without a `String` per cell (`Spreadsheet.read` makes the `Sheet`
/// from it). Rows are in the sheet's order; blank rows are left out, their numbers still count.
public struct SheetText: Sendable {
    /// One run of identical rows (`repeats` is more than 1 only for an .ods's repeated rows).
    struct Row: Sendable {
        var number: Int
        var repeats: Int
        var firstCell: Int
        var cellCount: Int
    }

    /// The sheet's name, as the workbook lists it.
    public internal(set) var name: String
    var bytes: [UInt8] = []
    /// Each cell's text in `bytes`: start and length (repeated cells share their bytes); or,
    /// with the length `sharedMark`, the index of a shared string not given yet.
    var cells: [(start: UInt32, count: UInt32)] = []
    var runs: [Row] = []
    /// Some cell names a shared string (`resolved` gives them their text).
    private(set) var namesSharedStrings = false
    /// The highest index of a shared string a cell names (-1: none).
    private(set) var highestShared = -1
    static let sharedMark = UInt32.max

    init(name: String) { self.name = name }

    /// How many rows hold something.
    public var rowCount: Int { runs.reduce(0) { $0 + $1.repeats } }

    /// The cells of one row, as UTF-8 bytes valid during the call that hands them over.
    public struct Cells: RandomAccessCollection {
        let base: UnsafePointer<UInt8>?
        let spans: UnsafeBufferPointer<(start: UInt32, count: UInt32)>

        public var startIndex: Int { 0 }
        public var endIndex: Int { spans.count }
        public subscript(i: Int) -> UnsafeBufferPointer<UInt8> {
            let s = spans[i]
            guard let base else { return UnsafeBufferPointer(start: nil, count: 0) }
            return UnsafeBufferPointer(start: base + Int(s.start), count: Int(s.count))
        }
    }

    /// Calls `body` with each row that holds something: its number (1-based, as the sheet shows
    /// it) and its cells from column A on, trailing empty cells trimmed.
    public func forEachRow(_ body: (_ number: Int, _ cells: Cells) throws -> Void) rethrows {
        try bytes.withUnsafeBufferPointer { b in
            try cells.withUnsafeBufferPointer { c in
                for run in runs {
                    let spans = UnsafeBufferPointer(rebasing: c[run.firstCell..<(run.firstCell + run.cellCount)])
                    for k in 0..<run.repeats { try body(run.number + k, Cells(base: b.baseAddress, spans: spans)) }
                }
            }
        }
    }

    /// The rows as `Sheet` rows (a `String` per cell).
    var sheetRows: [Sheet.Row] {
        var rows: [Sheet.Row] = []
        rows.reserveCapacity(runs.count)
        forEachRow { number, cells in
            rows.append(Sheet.Row(number: number, cells: cells.map { String(decoding: $0, as: UTF8.self) }))
        }
        return rows
    }

    /// Appends a run of `repeats` rows numbered from `number`, whose cells are `spans` of `text`.
    mutating func append(number: Int, repeats: Int, text: UnsafeBufferPointer<UInt8>, spans: ArraySlice<(start: Int, count: Int)>) {
        let first = cells.count
        var previous: (start: Int, count: Int)?
        var copied: (start: UInt32, count: UInt32) = (0, 0)
        for s in spans {
            // A cell repeated (the same bytes of the row) is stored once.
            if let p = previous, p.start == s.start, p.count == s.count {
                cells.append(copied)
                continue
            }
            if s.count == RowCollector.sharedMark {
                copied = (UInt32(s.start), Self.sharedMark)
                namesSharedStrings = true
                highestShared = max(highestShared, s.start)
            } else {
                copied = (UInt32(bytes.count), UInt32(s.count))
                if s.count > 0 { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[s.start..<(s.start + s.count)])) }
            }
            cells.append(copied)
            previous = s
        }
        runs.append(Row(number: number, repeats: repeats, firstCell: first, cellCount: spans.count))
    }

    /// The rows with the text of the shared strings their cells name; trailing empty cells
    /// trimmed again and rows left blank dropped. `budget`: the bytes the strings may add
    /// (lessened by those they add). Throws for an index past the strings, or `overBudget`.
    func resolved(_ strings: SharedStrings, budget: inout Int, overBudget: SheetError) throws(SheetError) -> SheetText {
        var out = SheetText(name: name)
        out.bytes.reserveCapacity(bytes.count + cells.count * 8)
        out.cells.reserveCapacity(cells.count)
        out.runs.reserveCapacity(runs.count)
        try bytes.withUnsafeBufferPointer { (own) throws(SheetError) in
            for run in runs {
                let first = out.cells.count
                var kept = 0
                for k in run.firstCell..<(run.firstCell + run.cellCount) {
                    let c = cells[k]
                    let start = UInt32(out.bytes.count)
                    if c.count == Self.sharedMark {
                        let i = Int(c.start)
                        guard i < strings.count else { throw SharedStrings.missing(String(i)) }
                        budget -= strings.append(i, to: &out.bytes) * run.repeats
                        guard budget >= 0 else { throw overBudget }
                    } else if c.count > 0 {
                        out.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: own[Int(c.start)..<(Int(c.start) + Int(c.count))]))
                    }
                    let count = UInt32(out.bytes.count) - start
                    out.cells.append((start, count))
                    if count > 0 { kept = out.cells.count - first }
                }
                out.cells.removeLast(out.cells.count - first - kept)
                if kept > 0 { out.runs.append(Row(number: run.number, repeats: run.repeats, firstCell: first, cellCount: kept)) }
            }
        }
        return out
    }
}
