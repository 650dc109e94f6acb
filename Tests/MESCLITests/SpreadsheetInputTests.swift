import Foundation
import Testing
import TestSupport
import MESSheets

/// Member lists and rosters read straight from .xlsx and .ods, reports written as spreadsheets,
/// with the built binary.
@Suite(.serialized) struct SpreadsheetInputTests {
    static let sheets = packageRoot.appendingPathComponent("Fixtures/sheets")

    func batch(_ file: String, _ extra: [String] = []) throws -> (RunResult, Scenario) {
        let s = try Scenario()
        let r = try s.run(["batch", "oppose", file, "--receipts", s.dir.path + "/r", "--request-codes", "--quiet"] + extra)
        return (r, s)
    }

    /// The same list saved by LibreOffice as CSV, .xlsx and .ods gives the same results, row for
    /// row: the sheet's row numbers (a blank row 3), NIRs typed as numbers with their 15 digits,
    /// date cells as dates, serials with their leading zero, headers as people write them.
    @Test func theSameListInEveryFormatGivesTheSameResults() throws {
        let outputs = try ["membres.csv", "membres.xlsx", "membres.ods"].map { name -> String in
            let (r, _) = try batch(Self.sheets.appendingPathComponent(name).path)
            #expect(r.status == 65 || r.status == 69, "\(name): \(r.stderr)")
            // The rows' lines (the summary names this run's folder and time).
            return r.stdout.split(separator: "\n").filter { !$0.contains("\"summary\"") }.joined(separator: "\n")
        }
        #expect(outputs[1] == outputs[0] && outputs[2] == outputs[0], "\(outputs)")
        let rows = outputs[0].split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
            .filter { $0["row"] != nil }
        #expect(rows.map { $0["row"] as? Int } == [2, 4, 5])
        #expect(rows.map { $0["status"] as? String } == ["code_requested", "invalid", "refused"])
        // Karim's serial kept its leading zero: his identity matched, only his address is missing.
        #expect(rows[1]["reason"] as? String == "contact_missing")
    }

    /// `--report` writes a spreadsheet when its name says so, every cell a text cell.
    @Test func theReportIsASpreadsheetWhenItsNameSaysSo() throws {
        for ext in ["xlsx", "ods"] {
            let s = try Scenario()
            let report = s.dir.path + "/rapport.\(ext)"
            let r = try s.run(["batch", "oppose", Self.sheets.appendingPathComponent("membres.\(ext)").path, "--receipts", s.dir.path + "/r",
                               "--request-codes", "--quiet", "--report", report])
            #expect(r.status == 65 || r.status == 69, "\(r.stderr)")
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: report)))
            #expect(Spreadsheet.kind(of: bytes)?.rawValue == ext)
            let sheet = try Spreadsheet.read(bytes)
            #expect(sheet.name == "Rapport" && sheet.rows.count == 4, "\(sheet)")
            #expect(sheet.rows[0].cells.first == "ligne" && sheet.rows.dropFirst().map { $0.cells.first } == ["2", "4", "5"], "\(sheet.rows)")
        }
        // Any other name: CSV, as before.
        let s = try Scenario()
        let csv = s.dir.path + "/rapport.txt"
        _ = try s.run(["batch", "oppose", Self.sheets.appendingPathComponent("membres.csv").path, "--receipts", s.dir.path + "/r",
                       "--quiet", "--report", csv])
        #expect(try Data(contentsOf: URL(fileURLWithPath: csv)).starts(with: [0xEF, 0xBB, 0xBF]))
    }

    /// A roster imported from a spreadsheet, --sheet by name; hostile or wrong files refused
    /// clearly, with nothing imported.
    @Test func importReadsASheetAndRefusesHostileFiles() throws {
        let s = try Scenario(demo: false)
        #expect(try s.run(["init", "--test-clock"]).status == 0)
        let rows = [["NIR", "Date de naissance", "Prénom", "Nom", "Type de carte", "N° de série"],
                    ["116304403801618", "08/06/1988", "Martine", "Leguellec", "sans photo", "953701166"],
                    ["185034410912379", "15/03/1985", "Karim", "Benali", "avec photo", "01024576124"]]
        let xlsx = s.dir.path + "/registre.xlsx"
        try Data(SheetWriter.xlsx(sheetName: "Assurés", rows: rows)).write(to: URL(fileURLWithPath: xlsx))
        let wrongSheet = try s.run(["import", xlsx, "--sheet", "Feuille2", "--json"])
        #expect(wrongSheet.status == 65 && wrongSheet.errorJSON["code"] as? String == "sheet_not_found", "\(wrongSheet.stderr)")
        #expect((wrongSheet.errorJSON["message"] as? String ?? "").contains("Assurés"))
        let r = try s.run(["import", xlsx, "--sheet", "Assurés", "--json"])
        #expect(r.status == 0 && r.json["people"] as? Int == 2, "\(r.stderr)")
        // --sheet with a CSV, or standard input: a usage error.
        let csv = s.dir.path + "/r.csv"
        try "nir\n".write(toFile: csv, atomically: true, encoding: .utf8)
        #expect(try s.run(["import", csv, "--sheet", "X"]).status == 64)
        #expect(try s.run(["import", "-", "--sheet", "X"]).status == 64)
        // A zip bomb and an XML entity: refused, named, nothing imported.
        let bomb = s.dir.path + "/bombe.xlsx"
        let entity = s.dir.path + "/entite.xlsx"
        let made = try runCaptured(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", """
            import sys, zipfile
            def book(path, sheet):
                with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as z:
                    z.writestr('[Content_Types].xml', '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>')
                    z.writestr('_rels/.rels', '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
                    z.writestr('xl/workbook.xml', '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="A" sheetId="1" r:id="s1"/></sheets></workbook>')
                    z.writestr('xl/_rels/workbook.xml.rels', '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="s1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
                    z.writestr('xl/worksheets/sheet1.xml', sheet)
            book(sys.argv[1], '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + ' ' * 300_000_000 + '</sheetData></worksheet>')
            book(sys.argv[2], '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&x;</t></is></c></row></sheetData></worksheet>')
            """, bomb, entity], environment: ["PATH": "/usr/bin:/bin"])
        #expect(made.status == 0, "\(made.stderr)")
        let b = try s.run(["import", bomb, "--json"])
        #expect(b.status == 65 && b.errorJSON["code"] as? String == "sheet_too_large", "\(b.stderr)")
        let e = try s.run(["import", entity, "--json"])
        #expect(e.status == 65 && e.errorJSON["code"] as? String == "sheet_unsafe", "\(e.stderr)")
        #expect(!(e.stderr.contains("root:")), "the entity was never expanded")
    }
}

/// What an unlucky user may give instead of a list or a report path.
@Suite(.serialized) struct SpreadsheetPathAttackTests {
    @Test func devicesAndLinksAreRefusedBeforeAnythingIsFiled() throws {
        let s = try Scenario()
        let sheet = SpreadsheetInputTests.sheets.appendingPathComponent("membres.xlsx").path
        // /dev/zero as the list: not a data file (66), nothing read forever.
        let zero = try s.run(["batch", "oppose", "/dev/zero", "--receipts", s.dir.path + "/r", "--json"])
        #expect(zero.status == 66 && zero.errorJSON["code"] as? String == "file_not_regular", "\(zero.stderr)")
        #expect(try s.run(["import", "/dev/zero", "--sheet", "A", "--json"]).status == 66)
        // /dev/full as the report, even with --force: refused before any row is filed.
        let device = try s.run(["batch", "oppose", sheet, "--receipts", s.dir.path + "/r", "--report", "/dev/full", "--force", "--json"])
        #expect(device.status == 73 && device.errorJSON["code"] as? String == "unsafe_output", "\(device.stderr)")
        // A link at the report's path: kept (73) unless --force, which replaces the link, never its target.
        let target = s.dir.appendingPathComponent("cible.txt").path
        try "garder".write(toFile: target, atomically: true, encoding: .utf8)
        let link = s.dir.appendingPathComponent("rapport.ods").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let snapshot = s.snapshot(databaseContent: true)
        let kept = try s.run(["batch", "oppose", sheet, "--receipts", s.dir.path + "/r", "--request-codes", "--report", link, "--json"])
        #expect(kept.status == 73 && kept.errorJSON["code"] as? String == "file_exists", "\(kept.stderr)")
        #expect(s.snapshot(databaseContent: true) == snapshot, "nothing filed, no letter queued, before the report was refused")
        _ = try s.run(["batch", "oppose", sheet, "--receipts", s.dir.path + "/r", "--report", link, "--force"])
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "garder")
        #expect(try FileManager.default.attributesOfItem(atPath: link)[.type] as? FileAttributeType == .typeRegular)
    }
}
