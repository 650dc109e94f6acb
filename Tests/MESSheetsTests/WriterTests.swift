import Foundation
import Testing
import TestSupport
@testable import MESSheets

/// The writer: what it writes reads back the same, checks out with Python's zipfile and
/// ElementTree, is the same bytes each time, and (when LibreOffice is installed) converts to the
/// same CSV there.
@Suite struct WriterTests {
    static let rows: [[String]] = [
        ["NIR", "N° de série", "Nom", "Adresse", "Note"],
        ["201126000000000", "0102457612", "Dupré", "12 rue de l’Église\n75001 Paris", "<b>&amp; \"gras\"</b>"],
        [],
        ["116304403801618", "0012345678", "  deux espaces", "a\tb  c ", "=1+1"],
        ["1.0E+14", "", "Œuvre", "", "x\u{1}y\u{B}z", ""],
        ["_x0041_", "00123", "TRUE", "14/03/1985", "fin"],
    ]

    /// What reading gives back: rows numbered from 1, blank ones left out, trailing empties
    /// trimmed, forbidden characters dropped.
    static let expected: [Sheet.Row] = [
        .init(number: 1, cells: rows[0]),
        .init(number: 2, cells: rows[1]),
        .init(number: 4, cells: rows[3]),
        .init(number: 5, cells: ["1.0E+14", "", "Œuvre", "", "xyz"]),
        .init(number: 6, cells: rows[5]),
    ]

    func write(_ kind: SpreadsheetKind, name: String = "Rapport d’adhésion", rows: [[String]] = rows) -> [UInt8] {
        kind == .xlsx ? SheetWriter.xlsx(sheetName: name, rows: rows) : SheetWriter.ods(sheetName: name, rows: rows)
    }

    @Test(arguments: SpreadsheetKind.allCases)
    func roundTrip(kind: SpreadsheetKind) throws {
        let bytes = write(kind)
        #expect(Spreadsheet.kind(of: bytes) == kind)
        let sheet = try Spreadsheet.read(bytes)
        #expect(sheet.name == "Rapport d’adhésion")
        #expect(sheet.rows == Self.expected)
        #expect(write(kind) == bytes, "deterministic")
        // No rows at all still makes a valid workbook.
        #expect(try Spreadsheet.read(write(kind, rows: [])).rows.isEmpty)
        // An awkward name is made valid.
        #expect(try Spreadsheet.read(write(kind, name: "2024/2025 [bilan]")).name == "2024_2025 _bilan_")
    }

    @Test(arguments: SpreadsheetKind.allCases)
    func pythonFindsItWellFormed(kind: SpreadsheetKind) throws {
        let dir = try TempDir("sheets-writer")
        defer { dir.remove() }
        let file = dir.file("rapport.\(kind.rawValue)")
        try Data(write(kind)).write(to: URL(fileURLWithPath: file))
        let script = packageRoot.appendingPathComponent("Tests/MESSheetsTests/check_written.py").path
        let run = try runProgram(findProgram("python3") ?? "/usr/bin/python3", [script, file])
        #expect(run.status == 0 && run.output == "ok\n", "\(run.output)")
    }

    /// LibreOffice opens what was written and finds the same cells (skipped without soffice).
    @Test(arguments: SpreadsheetKind.allCases)
    func libreOfficeReadsTheSameCells(kind: SpreadsheetKind) throws {
        guard let soffice = findProgram("soffice") else { return }
        let dir = try TempDir("sheets-soffice")
        defer { dir.remove() }
        let file = dir.file("rapport.\(kind.rawValue)")
        try Data(write(kind)).write(to: URL(fileURLWithPath: file))
        let ours = dir.file("ours.csv")
        try Data(Spreadsheet.csv(try Spreadsheet.read(write(kind)))).write(to: URL(fileURLWithPath: ours))
        let run = try runProgram(soffice, ["-env:UserInstallation=file://\(dir.path)/profile", "--headless",
                                           "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", dir.file("out"), file])
        #expect(run.status == 0, "\(run.output)")
        // Compared as parsed CSV: LibreOffice keeps blank rows and quotes differently. And
        // LibreOffice 7.4 drops `text:tab` when it reads an .ods, its own too (it writes a tab
        // exactly as SheetWriter does, `a<text:tab/>b`): tabs are left out of the .ods comparison.
        let compare = """
            import csv, sys
            def rows(p):
                with open(p, newline="", encoding="utf-8") as f:
                    out = [[c.replace("\\t", "") if sys.argv[3] == "ods" else c for c in r] for r in csv.reader(f)]
                out = [r[:max([i + 1 for i, c in enumerate(r) if c] or [0])] for r in out]
                return [r for r in out if r]
            a, b = rows(sys.argv[1]), rows(sys.argv[2])
            print("same" if a == b else f"{a}\\n!=\\n{b}")
            """
        let check = try runProgram(findProgram("python3") ?? "/usr/bin/python3", ["-c", compare, ours, dir.file("out/rapport.csv"), kind.rawValue])
        #expect(check.output == "same\n", "\(check.output)")
    }
}
