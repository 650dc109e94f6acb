/// Collects a sheet's rows under the limits, one row at a time into a `SheetText`: trailing
/// empty cells trimmed, blank rows left out (their numbers still count), every row and cell
/// counted against `SheetLimits`.
struct RowCollector {
    let limits: SheetLimits
    private(set) var sheet: SheetText
    private(set) var cellCount = 0
    /// UTF-8 bytes of text kept (against `maxTotalBytes`: repeated cells cannot blow it up).
    private(set) var textBytes = 0

    /// The row being read: its cells' text back to back, and each cell's place in it.
    private var rowText: [UInt8] = []
    private var rowCells: [(start: Int, count: Int)] = []
    /// Empty cells not yet written (only written when something follows them).
    private var pendingEmpty = 0

    /// Where rows go in blocks as they are read (`Spreadsheet.stream`); false: stop reading.
    var onBlock: ((SheetText) -> Bool)?
    /// The strings that cells naming a shared string (`set(column:shared:)`) are given before
    /// their rows go on or are returned; nil: there are none, such a cell is refused.
    var shared: SharedStringsTask?
    /// The shared strings read so far, and whether they are all there.
    private var strings = SharedStrings()
    private var stringsComplete = false
    /// Blocks waiting for the shared strings they name to be read, in order.
    private var waiting: [SheetText] = []
    /// UTF-8 bytes of shared strings given to cells (against `maxTotalBytes`, with `textBytes`).
    private var sharedBytes = 0
    /// Whether rows may go before the end of the sheet (not when merged ranges may blank them).
    var mayHandOn = true
    /// `onBlock` asked to stop.
    private(set) var stopped = false
    /// Rows per block handed on.
    static let blockRows = 1024

    init(limits: SheetLimits, name: String = "") {
        self.limits = limits
        sheet = SheetText(name: name)
    }

    var rowLimit: SheetError { .tooLarge("une ligne non vide dépasse la ligne \(limits.maxRows)") }
    var cellLimit: SheetError { .tooLarge("la feuille compte plus de \(limits.maxCells) cellules") }
    var textLimit: SheetError { .tooLarge("le texte de la feuille dépasse \(ZipArchive.mebibytes(limits.maxTotalBytes))") }
    var columnLimit: SheetError { .tooLarge("une cellule dépasse la colonne \(limits.maxColumns)") }

    /// Cells of the row being read so far (empty ones pending excepted).
    var width: Int { rowCells.count }

    /// Starts a new row (what the previous one held and was not ended is dropped).
    mutating func beginRow() {
        rowText.removeAll(keepingCapacity: true)
        rowCells.removeAll(keepingCapacity: true)
        pendingEmpty = 0
    }

    /// Sets the cell at `column` (0-based) of the row being read: an .xlsx `<c>`. Columns
    /// skipped are empty; an empty cell past the last one is not written.
    mutating func set(column: Int, _ text: UnsafeBufferPointer<UInt8>) throws(SheetError) {
        if text.isEmpty && column >= rowCells.count { return }
        if column >= rowCells.count { try grow(to: column) }
        rowCells[column] = (rowText.count, text.count)
        rowText.append(contentsOf: text)
    }

    /// Sets the cell at `column` to shared string `index`, whose text is given later (`shared`).
    mutating func set(column: Int, shared index: Int) throws(SheetError) {
        if column >= rowCells.count { try grow(to: column) }
        rowCells[column] = (index, Self.sharedMark)
    }

    /// A cell's `count` in `rowCells` when its `start` is a shared string's index.
    static let sharedMark = -1

    private mutating func grow(to column: Int) throws(SheetError) {
        guard column - rowCells.count < limits.maxCells - cellCount else { throw cellLimit }
        rowCells.append(contentsOf: repeatElement((start: 0, count: 0), count: column - rowCells.count + 1))
    }

    /// Adds `repeats` cells holding `text` after the others: an .ods `table:table-cell`.
    mutating func add(_ text: UnsafeBufferPointer<UInt8>, repeats: Int) throws(SheetError) {
        if text.isEmpty {
            pendingEmpty = min(pendingEmpty + repeats, limits.maxColumns + 1)
            return
        }
        guard repeats <= limits.maxColumns - rowCells.count - pendingEmpty else { throw columnLimit }
        rowCells.append(contentsOf: repeatElement((start: 0, count: 0), count: pendingEmpty))
        pendingEmpty = 0
        let span = (start: rowText.count, count: text.count)
        rowText.append(contentsOf: text)
        rowCells.append(contentsOf: repeatElement(span, count: repeats))
    }

    /// Ends the row being read as row `number` (and the `repeats - 1` identical rows after it),
    /// kept unless it is blank.
    mutating func endRow(number: Int, repeats: Int = 1) throws(SheetError) {
        defer { beginRow() }
        var count = rowCells.count
        while count > 0 && rowCells[count - 1].count == 0 { count -= 1 }
        guard count > 0, repeats > 0 else { return }
        guard number >= 1, number <= limits.maxRows, repeats <= limits.maxRows - number + 1 else { throw rowLimit }
        guard count <= limits.maxColumns else { throw columnLimit }
        let (product, overflow) = count.multipliedReportingOverflow(by: repeats)
        guard !overflow, product <= limits.maxCells - cellCount else { throw cellLimit }
        var bytes = 0
        for c in rowCells[0..<count] where c.count > 0 { bytes += c.count }
        let (total, overflowed) = bytes.multipliedReportingOverflow(by: repeats)
        guard !overflowed, total <= limits.maxTotalBytes - textBytes - sharedBytes else { throw textLimit }
        cellCount += product
        textBytes += total
        rowText.withUnsafeBufferPointer { sheet.append(number: number, repeats: repeats, text: $0, spans: rowCells[0..<count]) }
        if mayHandOn, onBlock != nil, sheet.runs.count >= Self.blockRows {
            let block = sheet
            sheet = SheetText(name: sheet.name)
            try handOn(block, wait: false)
        }
    }

    /// Hands `block` on after those waiting, once the shared strings its cells name are read
    /// (`wait`: waiting for them); until then it waits too.
    private mutating func handOn(_ block: SheetText?, wait: Bool) throws(SheetError) {
        if let block {
            if waiting.isEmpty && !block.namesSharedStrings {
                if !onBlock!(block) { stopped = true }
                return
            }
            waiting.append(block)
        }
        while let first = waiting.first, !stopped {
            guard let strings = try sharedStrings(through: first.highestShared, wait: wait) else { return }
            waiting.removeFirst()
            if !onBlock!(try resolve(first, strings)) { stopped = true }
        }
        if stopped { waiting = [] }
    }

    /// The shared strings once those up to index `highest` are read, or all of them (`wait`:
    /// waiting for all), else nil.
    private mutating func sharedStrings(through highest: Int, wait: Bool) throws(SheetError) -> SharedStrings? {
        if highest < strings.count || stringsComplete { return strings }
        guard let shared else {
            stringsComplete = true
            return strings
        }
        if wait {
            strings = try shared.wait().strings
            stringsComplete = true
        } else {
            (strings, stringsComplete) = try shared.available()
        }
        return highest < strings.count || stringsComplete ? strings : nil
    }

    /// `block` with its cells' shared strings, counted against `maxTotalBytes`.
    private mutating func resolve(_ block: SheetText, _ strings: SharedStrings) throws(SheetError) -> SheetText {
        guard block.namesSharedStrings else { return block }
        var budget = limits.maxTotalBytes - textBytes - sharedBytes
        let before = budget
        let resolved = try block.resolved(strings, budget: &budget, overBudget: textLimit)
        sharedBytes += before - budget
        return resolved
    }

    /// Blanks the cells that merged ranges cover (all but each range's top-left cell), then
    /// drops rows left blank. The work is bounded by the cells kept, whatever the ranges.
    static func blankMerged(_ rows: inout [Sheet.Row], cellCount: Int, _ ranges: [(top: Int, left: Int, bottom: Int, right: Int)]) throws(SheetError) {
        guard !ranges.isEmpty, !rows.isEmpty else { return }
        rows.sort { $0.number < $1.number }
        var budget = max(cellCount, 1) * 4 + ranges.count
        for r in ranges {
            // The first row at or after the range's top (binary search).
            var low = 0, high = rows.count
            while low < high {
                let mid = (low + high) / 2
                if rows[mid].number < r.top { low = mid + 1 } else { high = mid }
            }
            var i = low
            while i < rows.count, rows[i].number <= r.bottom {
                let last = min(r.right, rows[i].cells.count - 1)
                if r.left <= last {
                    budget -= last - r.left + 1
                    guard budget >= 0 else { throw .tooLarge("trop de cellules fusionnées") }
                    for c in r.left...last where !(rows[i].number == r.top && c == r.left) { rows[i].cells[c] = "" }
                }
                budget -= 1
                guard budget >= 0 else { throw .tooLarge("trop de cellules fusionnées") }
                i += 1
            }
        }
        rows = rows.compactMap { row in
            var cells = row.cells
            while cells.last?.isEmpty == true { cells.removeLast() }
            return cells.isEmpty ? nil : Sheet.Row(number: row.number, cells: cells)
        }
    }

    /// The sheet read, with `ranges` merged (blanked but for their top-left cells).
    /// Blocks still waiting for the shared strings are handed on first.
    consuming func finish(merging ranges: [(top: Int, left: Int, bottom: Int, right: Int)]) throws(SheetError) -> SheetText {
        if stopped { return SheetText(name: sheet.name) }
        if !waiting.isEmpty { try handOn(nil, wait: true) }
        if sheet.namesSharedStrings { sheet = try resolve(sheet, try sharedStrings(through: sheet.highestShared, wait: true)!) }
        guard !ranges.isEmpty, !sheet.runs.isEmpty else { return sheet }
        var rows = sheet.sheetRows
        try Self.blankMerged(&rows, cellCount: cellCount, ranges)
        var merged = RowCollector(limits: .unlimited, name: sheet.name)
        for row in rows {
            for (column, cell) in row.cells.enumerated() {
                try SheetError.withBytes(of: cell) { (b) throws(SheetError) in try merged.set(column: column, b) }
            }
            try merged.endRow(number: row.number)
        }
        return merged.sheet
    }
}

extension SheetLimits {
    /// No limit: for rows already counted.
    static let unlimited = SheetLimits(maxFileBytes: .max, maxEntryBytes: .max, maxTotalBytes: .max, maxRatio: .max, ratioFloorBytes: .max,
                                       maxEntries: .max, maxRows: .max, maxColumns: .max, maxCells: .max)
}
