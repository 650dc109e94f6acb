import Testing
@testable import MESSheets

/// Shared strings read while the sheet is (on a thread of their own past a size), the cells
/// naming them by index given their text before their rows go on: the same cells as when
/// they were read first, the same refusals.
@Suite struct SharedStringTests {
    let features = FormatFeatureTests()

    /// `XLSXReader.read` of `bytes`, the shared strings on a thread of their own whatever their size
    /// (`threaded`) or read before the sheet; `onBlock` as `Spreadsheet.stream` gives it.
    func read(_ bytes: [UInt8], threaded: Bool, limits: SheetLimits = .standard,
              onBlock: ((SheetText) -> Bool)? = nil) throws(SheetError) -> SheetText {
        var zip = try ZipArchive(bytes, limits: limits)
        return try XLSXReader.read(&zip, sheet: nil, onBlock: onBlock, threadThreshold: threaded ? 0 : .max)
    }

    func error(_ bytes: [UInt8], threaded: Bool, limits: SheetLimits = .standard) -> SheetError? {
        do throws(SheetError) { _ = try read(bytes, threaded: threaded, limits: limits) } catch { return error }
        return nil
    }

    /// Rows whose cells are all shared strings, many of them, as LibreOffice writes a list.
    func sharedSheet(rows: Int) -> (bytes: [UInt8], expected: [Sheet.Row]) {
        var sheet = "", shared = "", expected: [Sheet.Row] = []
        for r in 1...rows {
            sheet += "<row r=\"\(r)\"><c r=\"A\(r)\" t=\"s\"><v>\(2 * (r - 1))</v></c><c r=\"B\(r)\"><v>\(r)</v></c><c r=\"C\(r)\" t=\"s\"><v> \(2 * r - 1) </v></c></row>"
            shared += "<si><t>nom \(r) &amp; co</t></si><si><r><rPr><b/></rPr><t>pré</t></r><r><t xml:space=\"preserve\">nom \(r)</t></r><rPh sb=\"0\" eb=\"1\"><t>フリ</t></rPh></si>"
            expected.append(.init(number: r, cells: ["nom \(r) & co", String(r), "prénom \(r)"]))
        }
        return (features.xlsx(sheet: sheet, shared: shared), expected)
    }

    @Test func stringsReadOnTheirThreadGiveTheSameCells() throws {
        let (bytes, expected) = sharedSheet(rows: 3_000)
        #expect(try read(bytes, threaded: true).sheetRows == expected)
        #expect(try read(bytes, threaded: false).sheetRows == expected)
        #expect(try Spreadsheet.read(bytes).rows == expected)
    }

    @Test func blocksWaitingForTheStringsGoInOrder() throws {
        let (bytes, expected) = sharedSheet(rows: 3_500)
        for threaded in [true, false] {
            var blocks: [SheetText] = []
            let rest = try read(bytes, threaded: threaded) { blocks.append($0); return true }
            blocks.append(rest)
            #expect(blocks.count == 4, "1,024 rows a block")
            #expect(blocks.allSatisfy { !$0.namesSharedStrings })
            #expect(blocks.flatMap(\.sheetRows) == expected)
        }
    }

    @Test func richTextRunsAreJoinedAndPhoneticRunsLeftOut() throws {
        let shared = "<si><r><t>Dupont</t></r><r><rPr><i/></rPr><t xml:space=\"preserve\"> de </t></r><r><t>la Tour</t></r><rPh sb=\"0\" eb=\"2\"><t>デュポン</t></rPh></si><si><t>_x0041_bc</t></si>"
        let sheet = "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c></row>"
        for threaded in [true, false] {
            #expect(try read(features.xlsx(sheet: sheet, shared: shared), threaded: threaded).sheetRows
                    == [.init(number: 1, cells: ["Dupont de la Tour", "Abc"])])
        }
    }

    @Test func anIndexPastTheStringsIsRefused() throws {
        let shared = "<si><t>a</t></si><si><t>b</t></si>"
        for (cell, shown) in [("2", "2"), ("99999999999999999999", "99999999999999999999"), ("-1", "-1"), ("x", "x")] {
            let bytes = features.xlsx(sheet: "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>1</v></c><c r=\"B1\" t=\"s\"><v>\(cell)</v></c></row>", shared: shared)
            for threaded in [true, false] {
                let refused = try #require(error(bytes, threaded: threaded), "\(cell)")
                #expect(refused.code == .unreadable)
                #expect(refused.message.contains("renvoie à un texte partagé qui n'existe pas (\(shown))"), "\(refused.message)")
            }
        }
        // Past the strings in a later block, while earlier ones went on.
        let later = features.xlsx(sheet: (0..<2_000).map { "<row r=\"\($0 + 1)\"><c r=\"A\($0 + 1)\" t=\"s\"><v>\($0 == 1_500 ? 4_000 : $0)</v></c></row>" }.joined(),
                              shared: (0..<2_000).map { "<si><t>\($0)</t></si>" }.joined())
        var handed = 0
        #expect(throws: SheetError.self) { _ = try read(later, threaded: true) { handed += $0.rowCount; return true } }
        #expect(handed == 1_024)
    }

    @Test func aSheetWithoutSharedStrings() throws {
        let inline = "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>seul</t></is></c><c r=\"B1\"><v>3</v></c></row>"
        #expect(try Spreadsheet.read(features.xlsx(sheet: inline)).rows == [.init(number: 1, cells: ["seul", "3"])])
        // A cell naming a shared string when the workbook has none.
        let naming = features.xlsx(sheet: inline + "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>0</v></c></row>")
        let refused = try #require(error(naming, threaded: true))
        #expect(refused.code == .unreadable && refused.message.contains("texte partagé qui n'existe pas (0)"))
    }

    @Test func emptyStringsLeaveRowsAndCellsOut() throws {
        let shared = "<si><t></t></si><si><t>x</t></si>"
        let sheet = "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>1</v></c><c r=\"B1\" t=\"s\"><v>0</v></c></row><row r=\"2\"><c r=\"A2\" t=\"s\"><v>0</v></c></row>"
            + "<row r=\"3\"><c r=\"A3\" t=\"s\"><v>0</v></c><c r=\"B3\" t=\"s\"><v>1</v></c></row>"
        for threaded in [true, false] {
            #expect(try read(features.xlsx(sheet: sheet, shared: shared), threaded: threaded).sheetRows
                    == [.init(number: 1, cells: ["x"]), .init(number: 3, cells: ["", "x"])])
        }
    }

    @Test func stringsRepeatedPastTheTextLimitAreRefused() throws {
        let long = String(repeating: "a", count: 10_000)
        let sheet = (1...200).map { "<row r=\"\($0)\"><c r=\"A\($0)\" t=\"s\"><v>0</v></c></row>" }.joined()
        var limits = SheetLimits.standard
        limits.maxTotalBytes = 1 << 20
        for threaded in [true, false] {
            let refused = try #require(error(features.xlsx(sheet: sheet, shared: "<si><t>\(long)</t></si>"), threaded: threaded, limits: limits))
            #expect(refused.code == .tooLarge && refused.message.contains("le texte de la feuille dépasse"), "\(refused.message)")
        }
    }

    @Test func theStringsReadOnTheirThreadCountInTheInflatedTotal() throws {
        // Each part fits in the total, both do not: refused as when the strings were read first.
        let strings = (0..<3_000).map { "<si><t>texte partagé numéro \($0)</t></si>" }.joined()
        let sheet = (1...3_000).map { "<row r=\"\($0)\"><c r=\"A\($0)\" t=\"inlineStr\"><is><t>ligne \($0) de la feuille</t></is></c></row>" }.joined()
        let bytes = features.xlsx(sheet: sheet, shared: strings)
        var limits = SheetLimits.standard
        limits.maxTotalBytes = 300_000  // the sheet 270 kB, the strings 128 kB
        for threaded in [true, false] {
            let refused = try #require(error(bytes, threaded: threaded, limits: limits))
            #expect(refused.code == .tooLarge, "\(refused.message)")
        }
        limits.maxTotalBytes = 400_000
        #expect(error(bytes, threaded: true, limits: limits) == nil)
    }

    @Test func aDamagedStringsPartIsRefusedFirst() throws {
        // The sheet is damaged too: the strings' refusal is the one said, as when they were read first.
        let bytes = features.xlsx(sheet: "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row><row r=\"1\">", shared: "<si><t>a</t></si><si>")
        for threaded in [true, false] {
            let refused = try #require(error(bytes, threaded: threaded))
            #expect(refused.code == .unreadable && refused.message.contains("xl/strings.xml"), "\(refused.message)")
        }
    }
}

/// Shared strings kept in pieces: a copy taken while more are read (what the sheet's thread
/// is handed) keeps reading the same, on both sides of a piece's end.
@Suite struct SharedStringPieceTests {
    @Test func aCopyTakenWhileMoreAreReadStaysTheSame() throws {
        var strings = SharedStrings()
        var copies: [SharedStrings] = []
        for i in 0..<10_000 {
            var text = "texte \(i)" + (i % 3 == 0 ? "" : " é")
            text.withUTF8 { strings.append($0) }
            if (i + 1) % SharedStrings.pieceSize == 0 { copies.append(strings) }
        }
        #expect(copies.map(\.count) == [4_096, 8_192] && strings.count == 10_000)
        for i in [0, 1, 4_095, 4_096, 4_097, 8_191, 8_192, 9_999] {
            let expected = "texte \(i)" + (i % 3 == 0 ? "" : " é")
            #expect(strings.string(i) == expected)
            for copy in copies where i < copy.count { #expect(copy.string(i) == expected) }
        }
    }
}
