import Foundation
import Testing
import TestSupport
@testable import MESSheets

/// The bytes of a committed fixture under Fixtures/sheets/.
func fixture(_ name: String) throws -> [UInt8] {
    Array(try Data(contentsOf: packageRoot.appendingPathComponent("Fixtures/sheets/\(name)")))
}

/// The error a read throws (nil when it reads).
func readError(_ bytes: [UInt8], sheet: String? = nil, limits: SheetLimits = .standard) -> SheetError? {
    do throws(SheetError) {
        _ = try Spreadsheet.read(bytes, sheet: sheet, limits: limits)
        return nil
    } catch {
        return error
    }
}

/// Spreadsheets LibreOffice made (Fixtures/sheets/README.md): both formats give the same rows,
/// exactly.
@Suite struct FixtureTests {
    static let members: [Sheet.Row] = [
        .init(number: 1, cells: ["Nom", "Prénom", "NIR", "N° de série", "Date de naissance", "Adresse", "Actif", "Cotisation", "Total"]),
        .init(number: 2, cells: ["Dupré", "Élodie", "201126000000000", "0102457612", "14/03/1985", "12 rue de l’Église\n75001 Paris", "TRUE", "12.5", "25"]),
        // Row 3 is blank: left out, and the numbers after it are the sheet's.
        .init(number: 4, cells: ["Lefèvre", "Jean-François", "116304403801618", "0012345678", "01/12/2001", "3, place d'Armes « bis »", "FALSE", "30", "60"]),
        .init(number: 5, cells: ["Martin  Durand", "Anne-Marie", "285017512345628", "0000000001", "28/02/1999", "", "TRUE", "0.1", "0.2"]),
    ]

    @Test(arguments: ["adherents.xlsx", "adherents.ods"])
    func theFirstSheetExactly(file: String) throws {
        let bytes = try fixture(file)
        #expect(Spreadsheet.kind(of: bytes) == (file.hasSuffix(".xlsx") ? .xlsx : .ods))
        let sheet = try Spreadsheet.read(bytes)
        #expect(sheet.name == "Adhérents")
        #expect(sheet.rows == Self.members)
        // Asked by name, the same.
        #expect(try Spreadsheet.read(bytes, sheet: "Adhérents") == sheet)
    }

    @Test(arguments: ["adherents.xlsx", "adherents.ods"])
    func anotherSheetByName(file: String) throws {
        let bytes = try fixture(file)
        let year = try Spreadsheet.read(bytes, sheet: "2023")
        #expect(year == Sheet(name: "2023", rows: [.init(number: 1, cells: ["Année", "Membres"]), .init(number: 2, cells: ["2023", "3"])]))
        // A merged cell keeps its text in its first cell; the cell it covers is empty, whatever it hid.
        let merged = try Spreadsheet.read(bytes, sheet: "Fusion")
        #expect(merged.rows == [.init(number: 1, cells: ["Titre", "", "x"]), .init(number: 2, cells: ["a", "b", "c"])])
    }

    @Test(arguments: ["adherents.xlsx", "adherents.ods"])
    func anUnknownSheetIsNamedInFrench(file: String) throws {
        let error = try #require(readError(try fixture(file), sheet: "Membres"))
        #expect(error.code == .notFound)
        #expect(error.message.hasPrefix("Le classeur ne contient pas de feuille « Membres » : feuilles présentes : « Adhérents », « 2023 », « Fusion »"))
    }

    @Test func bothFormatsGiveTheSameCSV() throws {
        let xlsx = Spreadsheet.csv(try Spreadsheet.read(try fixture("adherents.xlsx")))
        let ods = Spreadsheet.csv(try Spreadsheet.read(try fixture("adherents.ods")))
        #expect(xlsx == ods)
        #expect(String(decoding: xlsx, as: UTF8.self).hasPrefix("Nom,Prénom,NIR,N° de série,Date de naissance,Adresse,Actif,Cotisation,Total\r\nDupré,Élodie,201126000000000,0102457612,14/03/1985,\"12 rue de l’Église\n75001 Paris\",TRUE,12.5,25\r\n"))
    }
}
