import Testing
@testable import MESSheets

/// Parts parsed as they are inflated, in pieces (`SAXParser.chunkSize`), and sheets handed on
/// in blocks of rows (`Spreadsheet.stream`): the cells are the same wherever a piece ends.
@Suite struct StreamingTests {
    let features = FormatFeatureTests()

    /// Rows of inline strings, numbers and shared strings, long enough that cells, tags and
    /// attributes straddle the pieces libxml2 is handed.
    func longSheet(rows: Int) -> (bytes: [UInt8], expected: [Sheet.Row]) {
        var sheet = "", expected: [Sheet.Row] = []
        for r in 1...rows {
            let text = "texte \(r) " + String(repeating: "é", count: r % 37)
            sheet += "<row r=\"\(r)\" customFormat=\"false\" ht=\"12.8\"><c r=\"A\(r)\" t=\"inlineStr\"><is><t>\(text)</t></is></c>"
                + "<c r=\"C\(r)\"><v>\(r * 7)</v></c><c r=\"D\(r)\" t=\"s\"><v>\(r % 2)</v></c></row>"
            expected.append(.init(number: r, cells: [text, "", String(r * 7), r % 2 == 0 ? "pair & co" : "impair"]))
        }
        let shared = "<si><t>pair &amp; co</t></si><si><r><t>im</t></r><r><t>pair</t></r></si>"
        return (features.xlsx(sheet: sheet, shared: shared), expected)
    }

    @Test func cellsAcrossPiecesReadTheSame() throws {
        let (bytes, expected) = longSheet(rows: 5_000)
        #expect(try Spreadsheet.read(bytes).rows == expected)
    }

    @Test func blocksHoldEveryRowOnce() throws {
        let (bytes, expected) = longSheet(rows: 3_000)
        var blocks: [SheetText] = []
        try Spreadsheet.stream(bytes) { blocks.append($0); return true }
        #expect(blocks.count == 3, "1,024 rows a block")
        #expect(blocks.flatMap(\.sheetRows) == expected)
        #expect(blocks.allSatisfy { $0.name == "Liste" })
        // Stopped after the first block: nothing more is handed on.
        var taken = 0
        try Spreadsheet.stream(bytes) { _ in taken += 1; return false }
        #expect(taken == 1)
    }

    @Test func mergedRangesGoInOneBlock() throws {
        var sheet = ""
        for r in 1...1_500 { sheet += "<row r=\"\(r)\"><c r=\"A\(r)\"><v>\(r)</v></c><c r=\"B\(r)\"><v>\(r)</v></c></row>" }
        let merged = features.xlsx(sheet: sheet + "</sheetData><mergeCells><mergeCell ref=\"A1:B1200\"/></mergeCells><sheetData>")
        var blocks: [SheetText] = []
        try Spreadsheet.stream(merged) { blocks.append($0); return true }
        #expect(blocks.count == 1)
        let rows = blocks[0].sheetRows
        #expect(rows.first == .init(number: 1, cells: ["1"]) && rows.count == 301, "rows 2 to 1,200 blanked: \(rows.prefix(3))")
        #expect(rows == (try Spreadsheet.read(merged)).rows)
    }

    @Test func odsRowsAndCellsRepeatedInBlocks() throws {
        var zip = ZipWriter()
        zip.add("mimetype", Array("application/vnd.oasis.opendocument.spreadsheet".utf8), compress: false)
        let ns = #"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0""#
        var rows = #"<table:table-row table:number-rows-repeated="2000"><table:table-cell table:number-columns-repeated="2" office:value-type="string"><text:p>x</text:p></table:table-cell><table:table-cell table:number-columns-repeated="3"/><table:table-cell office:value-type="float" office:value="1.0E+3"><text:p>1000</text:p></table:table-cell></table:table-row>"#
        rows += #"<table:table-row table:number-rows-repeated="5"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#
        rows += #"<table:table-row><table:table-cell office:value-type="string"><text:p>fin</text:p></table:table-cell></table:table-row>"#
        zip.add("content.xml", Array(#"<office:document-content \#(ns)><office:body><office:spreadsheet><table:table table:name="R&amp;D">\#(rows)</table:table></office:spreadsheet></office:body></office:document-content>"#.utf8))
        let bytes = zip.finish()
        var blocks: [SheetText] = []
        try Spreadsheet.stream(bytes) { blocks.append($0); return true }
        let all = blocks.flatMap(\.sheetRows)
        #expect(blocks.first?.name == "R&D", "an & in an attribute reads as itself")
        #expect(all.count == 2_001 && all.last == .init(number: 2_006, cells: ["fin"]))
        #expect(all.dropLast().allSatisfy { $0.cells == ["x", "x", "", "", "", "1000"] })
        #expect(all == (try Spreadsheet.read(bytes)).rows)
    }

    @Test func aDoctypeCutBetweenTwoPiecesIsFound() {
        let text = Array("<?xml version=\"1.0\"?><!DOCTYPE x><x/>".utf8)
        for cut in 1..<text.count {
            let first = Array(text[..<cut]), second = Array(text[cut...])
            let seen = first.withUnsafeBufferPointer { SAXParser.declaresDoctype($0) }
                || second.withUnsafeBufferPointer { SAXParser.declaresDoctype($0, after: Array(first.suffix(8))) }
            #expect(seen, "cut at \(cut)")
        }
        #expect(!SAXParser.declaresDoctype(Array("<x>Attention !</x><!-- ! -->".utf8)))
    }
}
