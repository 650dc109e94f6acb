import Foundation
import Testing
import TestSupport
import MESCore
import MESSheets
@testable import MESStore

/// Spreadsheet exports as volunteers make them, with the built binary: Windows-1252 and UTF-16
/// decoded and said, each export trap its row's reason, a trap row refused before it can use
/// up an attempt, and LibreOffice's default CSV read right.
@Suite(.serialized) struct ExportTrapEndToEndTests {
    static let sheets = packageRoot.appendingPathComponent("Fixtures/sheets")

    /// The names a roster fixture holds (`Fixtures/sheets/registre.csv`), as the store keeps them.
    static let registre = ["Anaïs Lœuvre 12 rue de l’Église", "Zoé Ÿvain-Šimková 3 place Œdipe", "François Müller «Les Étangs» 5 € près"]

    func people(_ s: Scenario) throws -> [String] {
        let d = try Database(path: s.store + "/mes.db", create: false, readOnly: true)
        return try d.query("SELECT first_name, last_name, address FROM people ORDER BY id").map { "\($0.text(0)!) \($0.text(1)!) \($0.text(2) ?? "")" }
    }

    func emptyStore() throws -> Scenario {
        let s = try Scenario(demo: false)
        #expect(try s.run(["init", "--test-clock"]).status == 0)
        return s
    }

    /// Windows-1252 as Excel and LibreOffice save it, and UTF-16 as Excel's "Texte Unicode"
    /// (tabs), on standard input: decoded, and said once on stderr (in the result under --json).
    @Test func importDecodesAndSaysSo() throws {
        let text = try String(contentsOf: Self.sheets.appendingPathComponent("registre.csv"), encoding: .utf8)
        let windows = try #require(text.data(using: .windowsCP1252))
        let s = try emptyStore()
        let r = try runBinary(["import", "-"], stdin: windows, env: ["MES_HOME": s.store, "MES_NOW": s.now])
        #expect(r.status == 0 && r.stdout == "3 personnes importées.\n", "\(r.stderr)")
        let notice = "mes: Fichier enregistré en Windows-1252 (ANSI) : lu comme tel. Enregistrez-le en UTF-8"
        #expect(r.stderr.hasPrefix(notice) && r.stderr.components(separatedBy: "Windows-1252").count == 2, "said once: \(r.stderr)")
        #expect(try people(s) == Self.registre)

        var utf16 = Data([0xFF, 0xFE])
        utf16.append(text.replacingOccurrences(of: ";", with: "\t").replacingOccurrences(of: "\"", with: "").data(using: .utf16LittleEndian)!)
        let u = try emptyStore()
        let j = try runBinary(["import", "-", "--json"], stdin: utf16, env: ["MES_HOME": u.store, "MES_NOW": u.now])
        #expect(j.status == 0 && j.stderr.isEmpty, "\(j.stderr)")
        #expect(j.json["encoding"] as? String == "utf-16le" && (j.json["notice"] as? String)?.contains("UTF-16 (little-endian)") == true)
        #expect(try people(u) == Self.registre)
        // UTF-8 says nothing.
        let plain = try emptyStore()
        let p = try plain.run(["import", Self.sheets.appendingPathComponent("registre.csv").path, "--json"])
        #expect(p.status == 0 && p.stderr.isEmpty && p.json["encoding"] as? String == "utf-8" && p.json["notice"] == nil)
    }

    /// Every trap is its row's code, with the sheet's row numbers, and nothing is imported.
    @Test func importNamesEveryTrap() throws {
        let s = try emptyStore()
        let csv = """
            nir;date_naissance;prenom;nom;type_carte;numero_serie;
            "1,16304E+14";08/06/1988;A;B;sans photo;953701166;"deux
            lignes"

            116304403801618.0;08/06/1988;A;B;sans photo;953701166;
            185034410912379;15/03/85;A;B;avec photo;01024576124;
            185034410912379;31121;A;B;avec photo;01024576124;
            290063155510117;27/06/1990;A;B;avec photo;9876543210;

            """
        let r = try s.run(["import", "-", "--json"], stdin: csv)
        #expect(r.status == 65, "\(r.stderr)")
        let errors = r.errorJSON["errors"] as? [[String: Any]] ?? []
        #expect(errors.map { $0["code"] as? String } == ["export_scientific_notation", "export_decimal_suffix", "export_two_digit_year",
                                                         "export_day_number", "export_leading_zero_lost"], "\(errors)")
        #expect(errors.map { $0["line"] as? Int } == [2, 4, 5, 6, 7], "the sheet's rows")
        #expect(errors.allSatisfy { !($0["message"] as? String ?? "").contains("116304403801618") })
        #expect(try people(s).isEmpty)
    }

    /// A spreadsheet's rows keep their numbers after a cell of two lines and an empty row.
    @Test(arguments: ["xlsx", "ods"])
    func aSheetsRowsAreTheSheets(kind: String) throws {
        let s = try emptyStore()
        let rows = [["nir", "date_naissance", "prenom", "nom", "type_carte", "numero_serie", ""],
                    ["116304403801618", "08/06/1988", "Martine", "Leguellec", "sans photo", "953701166", "à rappeler\nle soir\nau 06"],
                    [],
                    ["185034410912379", "15/03/1985", "Karim", "Benali", "avec photo", "1024576124", ""]]
        let file = s.dir.appendingPathComponent("registre.\(kind)").path
        try Data(kind == "xlsx" ? SheetWriter.xlsx(sheetName: "Assurés", rows: rows) : SheetWriter.ods(sheetName: "Assurés", rows: rows))
            .write(to: URL(fileURLWithPath: file))
        let r = try s.run(["import", file, "--json"])
        let errors = r.errorJSON["errors"] as? [[String: Any]] ?? []
        #expect(errors.map { $0["line"] as? Int } == [4] && errors.first?["code"] as? String == "export_leading_zero_lost", "\(r.stderr)")
    }

    /// A serial that lost its leading zero is refused when the row is read: run again and again,
    /// it never counts as a wrong identity, and the member's code still files the row. The same
    /// file saved in Windows-1252 is read with its French headers.
    @Test func aTrapRowNeverUsesUpAnAttempt() throws {
        let s = try Scenario()
        let karim = "185034410912379"
        #expect(try s.run(["code", "generate", "--nir", karim, "--birth-date", "15/03/1985", "--card", "photo", "--serial", "01024576124"]).status == 0)
        let code = try s.lastCode()
        let events = { try (s.run(["history", "--nir", karim, "--json"]).json["events"] as? [[String: Any]] ?? []).count }
        let before = try events()
        // Row 2 (a cell of two lines, no NIR), a blank row 3, then Karim on row 4.
        func members(_ serial: String) -> String {
            "N° de sécurité sociale;Date de naissance;Type de carte;N° de série;Code provisoire;Prénom;\n"
                + ";15/03/1985;avec photo;01024576124;;Karim;\"à rappeler\nle soir\"\n\n"
                + "\(karim);15/03/1985;avec photo;\(serial);\(code);Karim;\n"
        }
        let file = s.dir.appendingPathComponent("membres.csv")
        for run in 0..<6 {
            try members("1024576124").write(to: file, atomically: true, encoding: .utf8)
            let r = try s.run(["batch", "oppose", file.path, "--receipts", s.dir.path + "/r", "--quiet"])
            let row = try #require(r.jsonLines.first { $0["reason"] as? String == "export_leading_zero_lost" }, "\(r.stdout) \(r.stderr)")
            #expect(row["status"] as? String == "invalid", "run \(run): \(row)")
            #expect(row["row"] as? Int == 4, "the sheet's row, not the line: \(row)")
            #expect((row["message"] as? String ?? "").contains("zéro initial"))
        }
        #expect(try events() == before, "no attempt, no audit line")
        // Saved in Windows-1252 with the serial right: filed with the code, on the sheet's row 4
        // (its fifth line).
        try #require(members("01024576124").data(using: .windowsCP1252)).write(to: file)
        let r = try s.run(["batch", "oppose", file.path, "--receipts", s.dir.path + "/r", "--quiet"])
        let row = try #require(r.jsonLines.first { $0["status"] as? String == "opposed" }, "\(r.stdout) \(r.stderr)")
        #expect(row["row"] as? Int == 4, "\(row) \(r.stderr)")
    }

    /// Every trap's code is documented where `import` and the batch's input are: the README's
    /// table and the man page (`import`'s help).
    @Test func everyTrapIsDocumented() throws {
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let man = try String(contentsOf: packageRoot.appendingPathComponent("man/mes.1"), encoding: .utf8)
        for trap in ExportTrap.allCases {
            #expect(readme.contains("| `\(trap.code.rawValue)` |"), "README lacks \(trap.code.rawValue)")
            #expect(man.contains(trap.code.rawValue), "man page lacks \(trap.code.rawValue)")
        }
    }

    /// LibreOffice's CSV export in its default options writes Windows-1252: `mes import` reads
    /// the accents right and says how the file was saved (skipped without soffice).
    @Test func libreOfficesDefaultCSVIsReadRight() throws {
        guard let soffice = findProgram("soffice") else { return }
        let dir = try TempDir("lo-default-csv")
        defer { dir.remove() }
        let run = try runProgram(soffice, ["-env:UserInstallation=file://\(dir.path)/profile", "--headless", "--convert-to", "csv",
                                           "--outdir", dir.file("out"), Self.sheets.appendingPathComponent("registre.ods").path])
        #expect(run.status == 0, "\(run.output)")
        let csv = dir.file("out/registre.csv")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: csv))
        #expect(String(data: bytes, encoding: .utf8) == nil && bytes.contains(0xE9), "LibreOffice's default is Windows-1252, not UTF-8")
        let s = try emptyStore()
        let r = try s.run(["import", csv])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("Fichier enregistré en Windows-1252 (ANSI) : lu comme tel."), "\(r.stderr)")
        #expect(try people(s) == Self.registre)
    }
}
