import Testing
@testable import MESSheets

/// How stored values become text: numbers as stored (exact integers in digits), Excel serial
/// days and ISO dates as dd/mm/yyyy, date formats told from others.
@Suite struct CellValueTests {
    @Test(arguments: [
        ("201126000000000", "201126000000000"), ("1.0E+14", "100000000000000"), ("2.01126E+14", "201126000000000"),
        ("123.0", "123"), ("-42.000", "-42"), ("0.0", "0"), ("-0", "0"), ("1e3", "1000"), ("+7", "7"),
        ("12.5", "12.5"), ("0.1", "0.1"), ("1.5E-3", "1.5E-3"), ("1.23456789012345E+30", "1234567890123450000000000000000"),
        ("1E+99", "1E+99"), ("abc", "abc"), ("", ""), ("1.2.3", "1.2.3"), ("0102457612", "102457612"),
    ])
    func numbersAsStored(stored: String, text: String) {
        #expect(CellValues.number(stored) == text)
    }

    @Test func excelSerialDays() {
        // The 1900 system, with Excel's 29/02/1900 (serial 60).
        #expect(CellValues.excelDate("1", date1904: false) == "01/01/1900")
        #expect(CellValues.excelDate("59", date1904: false) == "28/02/1900")
        #expect(CellValues.excelDate("60", date1904: false) == "29/02/1900")
        #expect(CellValues.excelDate("61", date1904: false) == "01/03/1900")
        #expect(CellValues.excelDate("31120", date1904: false) == "14/03/1985")
        #expect(CellValues.excelDate("45000.75", date1904: false) == "15/03/2023")
        #expect(CellValues.excelDate("2958465", date1904: false) == "31/12/9999")
        #expect(CellValues.excelDate("2958466", date1904: false) == nil)
        #expect(CellValues.excelDate("-1", date1904: false) == nil)
        #expect(CellValues.excelDate("x", date1904: false) == nil)
        // The 1904 system: serial 0 is 01/01/1904.
        #expect(CellValues.excelDate("0", date1904: true) == "01/01/1904")
        #expect(CellValues.excelDate("29658", date1904: true) == "14/03/1985")
    }

    @Test func isoDates() {
        #expect(CellValues.isoDate("1985-03-14") == "14/03/1985")
        #expect(CellValues.isoDate("2001-12-01T00:00:00") == "01/12/2001")
        #expect(CellValues.isoDate("2001-13-01") == nil)
        #expect(CellValues.isoDate("14/03/1985") == nil)
    }

    @Test func dateFormats() {
        for code in ["DD/MM/YYYY", "d-mmm-yy", "[$-40C]dddd d mmmm yyyy", "yyyy\\-mm\\-dd", "mm:ss", "[h]:mm"] {
            #expect(CellValues.isDateFormat(code), "\(code)")
        }
        for code in ["General", "0.00", "#,##0 [$€-40C]", "0.00E+00", "\"day\" 0", "@", "[Red]0", "\\d0", "_m0", "\"TRUE\";\"TRUE\";\"FALSE\""] {
            #expect(!CellValues.isDateFormat(code), "\(code)")
        }
    }

    @Test func ooxmlEscapes() {
        #expect(CellValues.decodeOOXMLEscapes("a_x000D_b") == "a\rb")
        #expect(CellValues.decodeOOXMLEscapes("_x005F_x0041_") == "_x0041_")
        #expect(CellValues.decodeOOXMLEscapes("_x00G1_ _x") == "_x00G1_ _x")
        var out: [UInt8] = []
        XMLText.append("_x0041_ a_x12_ _X00aF_", to: &out, ooxmlUnderscores: true)
        #expect(String(decoding: out, as: UTF8.self) == "_x005F_x0041_ a_x12_ _x005F_X00aF_")
    }

    @Test func xmlEscapingDropsForbiddenCharacters() {
        #expect(XMLText.escape("a<b>&\"'\u{1}\u{B}\u{FFFE}\tc\r\n") == "a&lt;b&gt;&amp;&quot;&apos;&#9;c&#13;&#10;")
    }

    @Test func odfParagraphs() {
        func odf(_ s: String) -> String {
            var out: [UInt8] = []
            XMLText.appendODFParagraphs(s, to: &out)
            return String(decoding: out, as: UTF8.self)
        }
        #expect(odf("") == "<text:p/>")
        #expect(odf("a\nb") == "<text:p>a</text:p><text:p>b</text:p>")
        #expect(odf("a\r\n") == "<text:p>a</text:p><text:p/>")
        #expect(odf("  a  b\tc d ") == "<text:p><text:s text:c=\"2\"/>a <text:s/>b<text:tab/>c d </text:p>")
        #expect(odf("\t x<&") == "<text:p><text:tab/><text:s/>x&lt;&amp;</text:p>")
    }

    @Test func columnLetters() {
        #expect(SheetWriter.columnName(0) == "A")
        #expect(SheetWriter.columnName(25) == "Z")
        #expect(SheetWriter.columnName(26) == "AA")
        #expect(SheetWriter.columnName(16_383) == "XFD")
        #expect(XLSXReader.column(of: "XFD1048576") == 16_383)
        #expect(XLSXReader.column(of: "AA7") == 26)
        #expect(XLSXReader.column(of: "12") == nil)
    }

    @Test func sheetNames() {
        #expect(SheetWriter.validName("Adhérents 2024") == "Adhérents 2024")
        #expect(SheetWriter.validName("a/b:c[1]*?\\") == "a_b_c_1____")
        #expect(SheetWriter.validName("'quoted'") == "quoted")
        #expect(SheetWriter.validName("") == "Feuille1")
        #expect(SheetWriter.validName(String(repeating: "é", count: 40)).count == 31)
    }

    @Test func csvQuotesWhatItMust() {
        let sheet = Sheet(name: "x", rows: [
            .init(number: 1, cells: ["Nom", "Adresse", "Note"]),
            .init(number: 3, cells: ["Dupré", "12 rue X\n75001 Paris", "dit \"le grand\", etc."]),
            .init(number: 4, cells: ["seul"]),
        ])
        let text = String(decoding: Spreadsheet.csv(sheet), as: UTF8.self)
        #expect(text == "Nom,Adresse,Note\r\nDupré,\"12 rue X\n75001 Paris\",\"dit \"\"le grand\"\", etc.\"\r\nseul,,\r\n")
    }
}
