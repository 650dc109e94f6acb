import Testing
@testable import MESSheets

/// What Excel and other writers put in files that LibreOffice's fixtures do not show: rich
/// text runs, phonetic runs, inline strings, formula strings, errors, built-in date formats,
/// the 1904 date system, numbers written with an exponent; in ODS, spans, links, line breaks,
/// annotations, header rows, percentages. Parts written by hand, zipped by `ZipWriter`.
@Suite struct FormatFeatureTests {
    static let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    static let pkg = "http://schemas.openxmlformats.org/package/2006/relationships"

    func xlsx(sheet: String, shared: String? = nil, styles: String? = nil, date1904: Bool = false) -> [UInt8] {
        var zip = ZipWriter()
        zip.add("[Content_Types].xml", Array(#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#.utf8))
        zip.add("_rels/.rels", Array("<Relationships xmlns=\"\(Self.pkg)\"><Relationship Id=\"r1\" Type=\"\(Self.rel)/officeDocument\" Target=\"/xl/workbook.xml\"/></Relationships>".utf8))
        let pr = date1904 ? "<workbookPr date1904=\"1\"/>" : ""
        zip.add("xl/workbook.xml", Array("<workbook xmlns=\"\(Self.main)\" xmlns:r=\"\(Self.rel)\">\(pr)<sheets><sheet name=\"Chart\" sheetId=\"2\" r:id=\"rC\"/><sheet name=\"Liste\" sheetId=\"1\" r:id=\"rS\"/></sheets></workbook>".utf8))
        var rels = "<Relationships xmlns=\"\(Self.pkg)\"><Relationship Id=\"rS\" Type=\"\(Self.rel)/worksheet\" Target=\"worksheets/../worksheets/s.xml\"/>"
        rels += "<Relationship Id=\"rC\" Type=\"\(Self.rel)/chartsheet\" Target=\"chartsheets/c.xml\"/>"
        if shared != nil { rels += "<Relationship Id=\"rT\" Type=\"\(Self.rel)/sharedStrings\" Target=\"strings.xml\"/>" }
        if styles != nil { rels += "<Relationship Id=\"rY\" Type=\"\(Self.rel)/styles\" Target=\"/xl/st.xml\"/>" }
        zip.add("xl/_rels/workbook.xml.rels", Array((rels + "</Relationships>").utf8))
        zip.add("xl/worksheets/s.xml", Array("<worksheet xmlns=\"\(Self.main)\"><sheetData>\(sheet)</sheetData></worksheet>".utf8))
        if let shared { zip.add("xl/strings.xml", Array("<sst xmlns=\"\(Self.main)\">\(shared)</sst>".utf8)) }
        if let styles { zip.add("xl/st.xml", Array("<styleSheet xmlns=\"\(Self.main)\">\(styles)</styleSheet>".utf8)) }
        return zip.finish()
    }

    @Test func excelCells() throws {
        let shared = "<si><t>simple</t></si><si><r><rPr><b/></rPr><t>gr</t></r><r><t xml:space=\"preserve\">as </t></r><rPh sb=\"0\" eb=\"1\"><t>フリ</t></rPh></si><si><t>ligne_x000D_\nsuite</t></si>"
        let styles = """
            <numFmts count="2"><numFmt numFmtId="164" formatCode="[$-40C]d\\ mmmm\\ yyyy"/><numFmt numFmtId="165" formatCode="0.00&quot; d&quot;"/></numFmts>
            <cellStyleXfs count="1"><xf numFmtId="22"/></cellStyleXfs>
            <cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="49"/></cellXfs>
            """
        let sheet = """
            <row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c><c r="D2" t="s"><v>2</v></c></row>
            <row r="3"><c r="A3" t="inlineStr"><is><r><t>in</t></r><r><t>line</t></r></is></c><c r="B3" t="str"><f>A1&amp;"x"</f><v>texte</v></c><c r="C3" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="D3" t="b"><v>0</v></c></row>
            <row r="4"><c r="A4"><v>1.0E+14</v></c><c r="B4"><v>123.0</v></c><c r="C4" s="3"><v>2.5</v></c><c r="D4" s="4"><v>201126000000000</v></c><c r="E4"><v>2.01126E+14</v></c></row>
            <row r="5"><c r="A5" s="1"><v>31120</v></c><c r="B5" s="2"><v>45000.5</v></c><c r="C5" s="1"/><c r="D5" t="d"><v>2023-03-15T00:00:00</v></c></row>
            <row><c s="0"><v>7</v></c><c/><c><v>9</v></c></row>
            """
        let read = try Spreadsheet.read(xlsx(sheet: sheet, shared: shared, styles: styles))
        #expect(read.name == "Liste", "the chart sheet is not a worksheet")
        #expect(read.rows == [
            .init(number: 2, cells: ["simple", "gras ", "", "ligne\r\nsuite"]),
            .init(number: 3, cells: ["inline", "texte", "#DIV/0!", "FALSE"]),
            .init(number: 4, cells: ["100000000000000", "123", "2.5", "201126000000000", "201126000000000"]),
            .init(number: 5, cells: ["14/03/1985", "15/03/2023", "", "15/03/2023"]),
            .init(number: 6, cells: ["7", "", "9"]),
        ])
        let error = try #require(readError(xlsx(sheet: sheet, shared: shared, styles: styles), sheet: "Chart"))
        #expect(error.code == .notFound && error.message.contains("feuilles présentes : « Liste »"))
    }

    @Test func the1904DateSystem() throws {
        let read = try Spreadsheet.read(xlsx(sheet: "<row r=\"1\"><c r=\"A1\" s=\"1\"><v>29658</v></c></row>",
                                             styles: "<cellXfs><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/></cellXfs>", date1904: true))
        #expect(read.rows == [.init(number: 1, cells: ["14/03/1985"])])
    }

    @Test func mergedRangesBlankWhatTheyCover() throws {
        let sheet = """
            <row r="1"><c r="A1" t="inlineStr"><is><t>titre</t></is></c><c r="B1" t="inlineStr"><is><t>caché</t></is></c><c r="C1" t="inlineStr"><is><t>c</t></is></c></row>
            <row r="2"><c r="A2" t="inlineStr"><is><t>caché aussi</t></is></c><c r="C2" t="inlineStr"><is><t>garde</t></is></c></row>
            <row r="3"><c r="B3" t="inlineStr"><is><t>seul</t></is></c></row></sheetData><mergeCells><mergeCell ref="A1:B2"/><mergeCell ref="B3:B3"/></mergeCells><sheetData>
            """
        let read = try Spreadsheet.read(xlsx(sheet: sheet))
        #expect(read.rows == [.init(number: 1, cells: ["titre", "", "c"]), .init(number: 2, cells: ["", "", "garde"]), .init(number: 3, cells: ["", "seul"])])
    }

    func ods(_ table: String) -> [UInt8] {
        var zip = ZipWriter()
        zip.add("mimetype", Array("application/vnd.oasis.opendocument.spreadsheet".utf8), compress: false)
        let ns = #"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:xlink="http://www.w3.org/1999/xlink""#
        zip.add("content.xml", Array("<office:document-content \(ns)><office:body><office:spreadsheet>\(table)</office:spreadsheet></office:body></office:document-content>".utf8))
        return zip.finish()
    }

    @Test func odsCells() throws {
        let table = """
            <table:table table:name="Vide"/>
            <table:table table:name="T"><table:table-header-rows><table:table-row>
              <table:table-cell office:value-type="string"><text:p>Nom <text:span>en</text:span> <text:a xlink:href="http://x">lien</text:a></text:p></table:table-cell>
              <table:table-cell office:value-type="string"><office:annotation><text:p>une note</text:p></office:annotation><text:p>a<text:line-break/>b</text:p></table:table-cell>
              <table:table-cell><draw:frame><draw:text-box><text:p>dessin</text:p></draw:text-box></draw:frame><text:p>
                plié   ici </text:p></table:table-cell>
            </table:table-row></table:table-header-rows>
            <table:table-row-group><table:table-row table:number-rows-repeated="2">
              <table:table-cell office:value-type="percentage" office:value="0.5"><text:p>50 %</text:p></table:table-cell>
              <table:table-cell office:value-type="currency" office:currency="EUR" office:value="12.0"><text:p>12,00 €</text:p></table:table-cell>
              <table:table-cell office:value-type="time" office:time-value="PT10H30M00S"><text:p>10:30</text:p></table:table-cell>
              <table:table-cell office:value-type="float" office:value="1.0E+14"><text:p>1E+14</text:p></table:table-cell>
            </table:table-row></table:table-row-group>
            <table:table-row><table:table-cell table:number-columns-repeated="3"/><table:table-cell><table:table table:name="dedans"><table:table-row><table:table-cell><text:p>sous-table</text:p></table:table-cell></table:table-row></table:table></table:table-cell></table:table-row>
            </table:table>
            """
        let read = try Spreadsheet.read(ods(table), sheet: "T")
        #expect(read.rows == [
            .init(number: 1, cells: ["Nom en lien", "a\nb", "plié ici "]),
            .init(number: 2, cells: ["0.5", "12", "10:30", "100000000000000"]),
            .init(number: 3, cells: ["0.5", "12", "10:30", "100000000000000"]),
        ])
        // The first sheet is the first table, even empty.
        #expect(try Spreadsheet.read(ods(table)) == Sheet(name: "Vide", rows: []))
    }
}
