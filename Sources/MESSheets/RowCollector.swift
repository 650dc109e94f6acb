/// Collects a sheet's rows under the limits: trailing empty cells trimmed, blank rows left
/// out (their numbers still count), every row and cell counted against `SheetLimits`.
struct RowCollector {
    let limits: SheetLimits
    private(set) var rows: [Sheet.Row] = []
    private(set) var cellCount = 0
    /// UTF-8 bytes of text kept (against `maxTotalBytes`: repeated cells cannot blow it up).
    private(set) var textBytes = 0

    init(limits: SheetLimits) {
        self.limits = limits
    }

    var rowLimit: SheetError { .tooLarge("une ligne non vide dépasse la ligne \(limits.maxRows)") }
    var cellLimit: SheetError { .tooLarge("la feuille compte plus de \(limits.maxCells) cellules") }
    var columnLimit: SheetError { .tooLarge("une cellule dépasse la colonne \(limits.maxColumns)") }

    /// Trims trailing empty cells.
    static func trimmed(_ cells: [String]) -> [String] {
        var cells = cells
        while cells.last?.isEmpty == true { cells.removeLast() }
        return cells
    }

    /// Adds row `number` (and the `repeats - 1` identical rows after it) unless it is blank.
    mutating func append(number: Int, cells: [String], repeats: Int = 1) throws(SheetError) {
        let cells = Self.trimmed(cells)
        guard !cells.isEmpty, repeats > 0 else { return }
        guard number >= 1, number <= limits.maxRows, repeats <= limits.maxRows - number + 1 else { throw rowLimit }
        guard cells.count <= limits.maxColumns else { throw columnLimit }
        let (product, overflow) = cells.count.multipliedReportingOverflow(by: repeats)
        guard !overflow, product <= limits.maxCells - cellCount else { throw cellLimit }
        var bytes = 0
        for c in cells { bytes += c.utf8.count }
        let (total, overflowed) = bytes.multipliedReportingOverflow(by: repeats)
        guard !overflowed, total <= limits.maxTotalBytes - textBytes else {
            throw .tooLarge("le texte de la feuille dépasse \(ZipArchive.mebibytes(limits.maxTotalBytes))")
        }
        cellCount += product
        textBytes += total
        for k in 0..<repeats { rows.append(Sheet.Row(number: number + k, cells: cells)) }
    }

    /// Blanks the cells that merged ranges cover (all but each range's top-left cell), then
    /// drops rows left blank. The work is bounded by the cells kept, whatever the ranges.
    mutating func blankMerged(_ ranges: [(top: Int, left: Int, bottom: Int, right: Int)]) throws(SheetError) {
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
            let cells = Self.trimmed(row.cells)
            return cells.isEmpty ? nil : Sheet.Row(number: row.number, cells: cells)
        }
    }
}
