/// One sheet of a workbook, every cell as text.
public struct Sheet: Sendable, Equatable {
    /// One row that holds something: its number in the sheet and its cells.
    public struct Row: Sendable, Equatable {
        /// The row's number as the sheet shows it (1-based).
        public var number: Int
        /// The cells from column A on, as text; trailing empty cells are trimmed.
        public var cells: [String]

        /// A row numbered `number` holding `cells`.
        public init(number: Int, cells: [String]) {
            self.number = number
            self.cells = cells
        }
    }

    /// The sheet's name, as the workbook lists it.
    public var name: String
    /// Rows as the sheet numbers them (1-based); blank rows are omitted, but numbers keep counting.
    public var rows: [Row]

    /// A sheet named `name` with these rows.
    public init(name: String, rows: [Row]) {
        self.name = name
        self.rows = rows
    }
}

/// The two spreadsheet formats `mes` reads and writes.
public enum SpreadsheetKind: String, Sendable, Equatable, CaseIterable {
    /// Office Open XML (Excel, LibreOffice "Excel 2007-365").
    case xlsx
    /// OpenDocument spreadsheet (LibreOffice, OpenOffice).
    case ods
}

/// What a spreadsheet may cost before it is refused (`sheet_too_large`): every input is
/// assumed hostile, and none of the sizes its headers declare is trusted.
public struct SheetLimits: Sendable, Equatable {
    /// The file itself, compressed.
    public var maxFileBytes: Int
    /// One part of the archive, once inflated.
    public var maxEntryBytes: Int
    /// All the parts read, once inflated.
    public var maxTotalBytes: Int
    /// Inflated size over compressed size, for parts past `ratioFloorBytes` (zip bombs).
    public var maxRatio: Int
    /// Parts smaller than this once inflated are not held to `maxRatio`.
    public var ratioFloorBytes: Int
    /// Entries in the archive's central directory.
    public var maxEntries: Int
    /// The highest row number that may hold something.
    public var maxRows: Int
    /// The highest column (16,384 is XFD, the last column of Excel).
    public var maxColumns: Int
    /// Cells kept in the sheet read (empty cells between others count), and shared strings.
    public var maxCells: Int

    /// Limits of your own (tests use small ones); `standard` otherwise.
    public init(maxFileBytes: Int, maxEntryBytes: Int, maxTotalBytes: Int, maxRatio: Int, ratioFloorBytes: Int,
                maxEntries: Int, maxRows: Int, maxColumns: Int, maxCells: Int) {
        self.maxFileBytes = maxFileBytes
        self.maxEntryBytes = maxEntryBytes
        self.maxTotalBytes = maxTotalBytes
        self.maxRatio = maxRatio
        self.ratioFloorBytes = ratioFloorBytes
        self.maxEntries = maxEntries
        self.maxRows = maxRows
        self.maxColumns = maxColumns
        self.maxCells = maxCells
    }

    /// 64 MiB of file, 128 MiB per inflated part and 256 MiB in all, a ratio of 200 past
    /// 1 MiB, 4,096 entries, 1,048,576 rows, 16,384 columns, 5,000,000 cells.
    public static let standard = SheetLimits(
        maxFileBytes: 64 << 20, maxEntryBytes: 128 << 20, maxTotalBytes: 256 << 20, maxRatio: 200,
        ratioFloorBytes: 1 << 20, maxEntries: 4_096, maxRows: 1_048_576, maxColumns: 16_384, maxCells: 5_000_000)
}
