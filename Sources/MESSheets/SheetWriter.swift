/// Writes rows as a one-sheet workbook, every cell a text cell (a NIR or a serial never
/// becomes a number), with fixed timestamps: the same rows give the same bytes.
public enum SheetWriter {
    /// A minimal .xlsx: `[Content_Types].xml`, `_rels/.rels`, `xl/workbook.xml`,
    /// `xl/_rels/workbook.xml.rels`, `xl/styles.xml` (one text style, "@") and
    /// `xl/worksheets/sheet1.xml` with inline strings. Empty cells and blank rows are left
    /// out; row numbers keep counting. The name is made valid for Excel (`SheetWriter.validName`).
    public static func xlsx(sheetName: String, rows: [[String]]) -> [UInt8] {
        let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        let pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
        let declaration = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        let types = [
            declaration,
            #"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#,
            #"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#,
            #"<Default Extension="xml" ContentType="application/xml"/>"#,
            #"<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#,
            #"<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#,
            #"<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"#,
            "</Types>",
        ].joined()
        let rootRels = [
            declaration,
            "<Relationships xmlns=\"\(pkg)\">",
            "<Relationship Id=\"rId1\" Type=\"\(rel)/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>",
        ].joined()
        let workbook = [
            declaration,
            "<workbook xmlns=\"\(main)\" xmlns:r=\"\(rel)\"><sheets>",
            "<sheet name=\"\(XMLText.escape(validName(sheetName)))\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>",
        ].joined()
        let workbookRels = [
            declaration,
            "<Relationships xmlns=\"\(pkg)\">",
            "<Relationship Id=\"rId1\" Type=\"\(rel)/worksheet\" Target=\"worksheets/sheet1.xml\"/>",
            "<Relationship Id=\"rId2\" Type=\"\(rel)/styles\" Target=\"styles.xml\"/></Relationships>",
        ].joined()
        // Style 1 is the text format "@" (numFmtId 49): what is typed in later stays text too.
        let styles = [
            declaration,
            "<styleSheet xmlns=\"\(main)\">",
            #"<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>"#,
            #"<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>"#,
            #"<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"#,
            #"<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>"#,
            #"<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>"#,
            #"<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>"#,
            #"<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>"#,
            "</styleSheet>",
        ].joined()
        var sheet: [UInt8] = []
        sheet.reserveCapacity(rows.count * 64)
        sheet.append(contentsOf: declaration.utf8)
        sheet.append(contentsOf: "<worksheet xmlns=\"\(main)\"><sheetData>".utf8)
        let columns = (0..<(rows.map(\.count).max() ?? 0)).map { Array(columnName($0).utf8) }
        for (r, cells) in rows.enumerated() where cells.contains(where: { !$0.isEmpty }) {
            let number = Array(String(r + 1).utf8)
            sheet.append(contentsOf: "<row r=\"".utf8)
            sheet.append(contentsOf: number)
            sheet.append(contentsOf: "\">".utf8)
            for (c, value) in cells.enumerated() where !value.isEmpty {
                sheet.append(contentsOf: "<c r=\"".utf8)
                sheet.append(contentsOf: columns[c])
                sheet.append(contentsOf: number)
                sheet.append(contentsOf: "\" s=\"1\" t=\"inlineStr\"><is><t xml:space=\"preserve\">".utf8)
                XMLText.append(value, to: &sheet, ooxmlUnderscores: true)
                sheet.append(contentsOf: "</t></is></c>".utf8)
            }
            sheet.append(contentsOf: "</row>".utf8)
        }
        sheet.append(contentsOf: "</sheetData></worksheet>".utf8)

        var zip = ZipWriter()
        zip.add("[Content_Types].xml", Array(types.utf8))
        zip.add("_rels/.rels", Array(rootRels.utf8))
        zip.add("xl/workbook.xml", Array(workbook.utf8))
        zip.add("xl/_rels/workbook.xml.rels", Array(workbookRels.utf8))
        zip.add("xl/styles.xml", Array(styles.utf8))
        zip.add("xl/worksheets/sheet1.xml", sheet)
        return zip.finish()
    }

    /// An .ods: the `mimetype` entry first and stored, `META-INF/manifest.xml`, `content.xml`
    /// (string cells; a line break starts a new paragraph, spaces and tabs as `text:s` and
    /// `text:tab` where ODF would fold them). The name is made valid as for `xlsx`.
    public static func ods(sheetName: String, rows: [[String]]) -> [UInt8] {
        let office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
        let table = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
        let text = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
        let mimetype = "application/vnd.oasis.opendocument.spreadsheet"
        let declaration = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        let manifest = [
            declaration,
            #"<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">"#,
            "<manifest:file-entry manifest:full-path=\"/\" manifest:version=\"1.2\" manifest:media-type=\"\(mimetype)\"/>",
            #"<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>"#,
            "</manifest:manifest>",
        ].joined()
        let width = max(rows.map { $0.count }.max() ?? 0, 1)
        var content = Array([
            declaration,
            "<office:document-content xmlns:office=\"\(office)\" xmlns:table=\"\(table)\" xmlns:text=\"\(text)\" office:version=\"1.2\">",
            "<office:body><office:spreadsheet><table:table table:name=\"\(XMLText.escape(validName(sheetName)))\">",
            "<table:table-column table:number-columns-repeated=\"\(width)\"/>",
        ].joined().utf8)
        content.reserveCapacity(rows.count * 64)
        for cells in rows {
            content.append(contentsOf: "<table:table-row>".utf8)
            let used = cells.lastIndex(where: { !$0.isEmpty }).map { $0 + 1 } ?? 0
            if used == 0 { content.append(contentsOf: "<table:table-cell/>".utf8) }
            for value in cells.prefix(used) {
                if value.isEmpty { content.append(contentsOf: "<table:table-cell/>".utf8); continue }
                content.append(contentsOf: "<table:table-cell office:value-type=\"string\">".utf8)
                XMLText.appendODFParagraphs(value, to: &content)
                content.append(contentsOf: "</table:table-cell>".utf8)
            }
            content.append(contentsOf: "</table:table-row>".utf8)
        }
        if rows.isEmpty { content += Array("<table:table-row><table:table-cell/></table:table-row>".utf8) }
        content += Array("</table:table></office:spreadsheet></office:body></office:document-content>".utf8)

        var zip = ZipWriter()
        zip.add("mimetype", Array(mimetype.utf8), compress: false)
        zip.add("META-INF/manifest.xml", Array(manifest.utf8))
        zip.add("content.xml", content)
        return zip.finish()
    }

    /// A sheet name both Excel and LibreOffice accept: `[ ] : * ? / \` become `_`, tabs and
    /// line breaks spaces, characters XML cannot hold are dropped, no apostrophe at either end,
    /// at most 31 characters, never empty (`Feuille1`).
    public static func validName(_ name: String) -> String {
        var scalars = String.UnicodeScalarView()
        for c in XMLText.allowed(name).unicodeScalars {
            if "[]:*?/\\".unicodeScalars.contains(c) {
                scalars.append("_")
            } else if c == "\t" || c == "\n" || c == "\r" {
                scalars.append(" ")
            } else {
                scalars.append(c)
            }
        }
        var cleaned = String(scalars)
        while cleaned.hasPrefix("'") { cleaned.removeFirst() }
        while cleaned.hasSuffix("'") { cleaned.removeLast() }
        cleaned = String(cleaned.prefix(31))
        while cleaned.hasSuffix("'") { cleaned.removeLast() }
        return cleaned.isEmpty ? "Feuille1" : cleaned
    }

    /// A column's letters (0 → A, 25 → Z, 26 → AA).
    static func columnName(_ index: Int) -> String {
        var n = index + 1
        var letters: [UInt8] = []
        while n > 0 {
            n -= 1
            letters.insert(UInt8(ascii: "A") + UInt8(n % 26), at: 0)
            n /= 26
        }
        return String(decoding: letters, as: UTF8.self)
    }
}
