import Foundation
import Testing
import TestSupport
@testable import MESSheets

/// The hostile spreadsheets `make_hostile.py` writes, made once per test run (or why not).
let hostileFolder: Result<URL, HostileFilesMissing> = {
    let folder = temporaryDirectory("mes-sheets-hostile")
    let script = packageRoot.appendingPathComponent("Tests/MESSheetsTests/make_hostile.py").path
    let python = findProgram("python3") ?? "/usr/bin/python3"
    guard let run = try? runProgram(python, ["-W", "ignore", script, folder.path]), run.status == 0 else {
        return .failure(HostileFilesMissing(why: "make_hostile.py could not run with \(python)"))
    }
    return .success(folder)
}()

struct HostileFilesMissing: Error, CustomStringConvertible {
    var why: String
    var description: String { why }
}

func hostile(_ name: String) throws -> [UInt8] {
    Array(try Data(contentsOf: try hostileFolder.get().appendingPathComponent(name)))
}

/// Little-endian helpers to damage a valid archive.
func u32(_ b: [UInt8], _ at: Int) -> Int { Int(b[at]) | Int(b[at + 1]) << 8 | Int(b[at + 2]) << 16 | Int(b[at + 3]) << 24 }
func put16(_ b: inout [UInt8], _ at: Int, _ v: Int) { b[at] = UInt8(v & 0xFF); b[at + 1] = UInt8(v >> 8 & 0xFF) }
func put32(_ b: inout [UInt8], _ at: Int, _ v: Int) { put16(&b, at, v & 0xFFFF); put16(&b, at + 2, v >> 16 & 0xFFFF) }
/// Where the end-of-central-directory record starts (no comment in these archives).
func endRecord(_ b: [UInt8]) -> Int { b.count - 22 }

/// Every input is hostile: each attack is refused with its code, quickly, without the
/// memory or the file it aimed at.
@Suite struct HostileInputTests {
    func code(_ bytes: [UInt8], limits: SheetLimits = .standard) -> SheetError.Code? { readError(bytes, limits: limits)?.code }

    @Test func theValidOneReads() throws {
        #expect(try Spreadsheet.read(try hostile("ok.xlsx")).rows == [.init(number: 1, cells: ["ok"])])
    }

    @Test func zipBombs() throws {
        // One part inflating past the cap, whatever the ratio.
        var limits = SheetLimits.standard
        limits.maxEntryBytes = 4 << 20
        limits.maxRatio = .max
        let cap = try #require(readError(try hostile("bomb-cap.xlsx"), limits: limits))
        #expect(cap.code == .tooLarge && cap.message.contains("4 Mio"), "\(cap)")
        // A huge ratio: stopped past 1 MiB, long before the 64 MiB it declares.
        let ratio = try #require(readError(try hostile("bomb-ratio.xlsx")))
        #expect(ratio.code == .tooLarge && ratio.message.contains("bombe"), "\(ratio)")
        // The size the headers declare is not trusted: told 100 bytes, inflating still stops.
        var lying = try hostile("bomb-ratio.xlsx")
        let directory = u32(lying, endRecord(lying) + 16)
        var at = directory
        while at < endRecord(lying) {
            let nameLength = Int(lying[at + 28]) | Int(lying[at + 29]) << 8
            let name = String(decoding: lying[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self)
            if name == "xl/worksheets/sheet1.xml" {
                put32(&lying, at + 24, 100)
                put32(&lying, u32(lying, at + 42) + 22, 100)
            }
            at += 46 + nameLength + (Int(lying[at + 30]) | Int(lying[at + 31]) << 8) + (Int(lying[at + 32]) | Int(lying[at + 33]) << 8)
        }
        #expect(code(lying) == .tooLarge)
    }

    @Test(arguments: ["laughs.xlsx", "laughs.ods", "xxe.xlsx", "xxe.ods"])
    func entitiesAreRefused(file: String) throws {
        let error = try #require(readError(try hostile(file)))
        #expect(error.code == .unsafe, "\(error)")
        #expect(error.message.contains("DOCTYPE"))
    }

    @Test func aDoctypeInUTF16FailsClosed() throws {
        let error = try #require(readError(try hostile("xxe-utf16.ods")))
        #expect(error.code == .unreadable || error.code == .unsafe, "\(error)")
        #expect(!error.message.contains("root:"))
    }

    @Test func truncatedArchives() throws {
        let bytes = try hostile("ok.xlsx")
        #expect(code(Array(bytes.prefix(bytes.count / 2))) == .unreadable)
        #expect(Spreadsheet.kind(of: Array(bytes.prefix(bytes.count / 2))) == .xlsx, "a damaged .xlsx is still told apart from a CSV")
        // Cut anywhere, it is refused, never read nor crashed.
        for length in stride(from: 0, to: bytes.count, by: 7) {
            #expect(readError(Array(bytes.prefix(length))) != nil, "cut at \(length)")
        }
        // Damaged anywhere, it is refused or read: never a crash.
        for at in stride(from: 0, to: bytes.count, by: 3) {
            var damaged = bytes
            damaged[at] ^= 0xFF
            _ = readError(damaged)
        }
    }

    @Test func offsetsOutsideTheFile() throws {
        let bytes = try hostile("ok.xlsx")
        let end = endRecord(bytes)
        var directory = bytes
        put32(&directory, end + 16, bytes.count + 1_000)
        #expect(code(directory) == .unreadable)
        var size = bytes
        put32(&size, end + 12, 0x7FFF_0000)
        #expect(code(size) == .unreadable)
        var local = bytes
        put32(&local, u32(bytes, end + 16) + 42, 0x7FFF_FFF0)
        #expect(code(local) == .unreadable)
        var compressed = bytes
        put32(&compressed, u32(bytes, end + 16) + 20, 0x7FFF_FFF0)
        #expect(code(compressed) == .unreadable)
    }

    @Test func encryptionZip64AndDisksAreRefused() throws {
        let bytes = try hostile("ok.xlsx")
        let end = endRecord(bytes)
        var encrypted = bytes
        encrypted[u32(bytes, end + 16) + 8] |= 1  // central directory: the first entry's flags
        encrypted[6] |= 1                         // and its local header
        let error = try #require(readError(encrypted))
        #expect(error.code == .encrypted && error.message.contains("mot de passe"), "\(error)")
        var zip64 = bytes
        put32(&zip64, end + 16, 0xFFFF_FFFF)
        #expect(code(zip64) == .unsupported)
        var disks = bytes
        put16(&disks, end + 4, 1)
        #expect(code(disks) == .unsupported)
    }

    @Test func tooManyEntries() throws {
        let many = try hostile("entries-100000.zip"), some = try hostile("entries-5000.xlsx")
        let elapsed = elapsedSeconds {
            #expect(code(many) == .tooLarge)
            #expect(code(some) == .tooLarge)
        }
        #expect(elapsed < 2)
    }

    @Test func notSpreadsheets() throws {
        let csv = Array("Nom;Prénom;NIR\nDupré;Élodie;201126000000000\n".utf8)
        #expect(Spreadsheet.kind(of: csv) == nil)
        let error = try #require(readError(csv))
        #expect(error.code == .notSpreadsheet && error.message.contains("ni un classeur .xlsx ni un classeur .ods"), "\(error)")
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        #expect(Spreadsheet.kind(of: zeros) == nil && code(zeros) == .notSpreadsheet)
        #expect(Spreadsheet.kind(of: []) == nil && code([]) == .notSpreadsheet)
        let xls: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 512)
        #expect(readError(xls)?.message.contains(".xls") == true)
        for file in ["text.odt", "word.docx"] {
            #expect(Spreadsheet.kind(of: try hostile(file)) == nil, "\(file)")
            #expect(code(try hostile(file)) == .notSpreadsheet, "\(file)")
        }
        #expect(code(Array("PK\u{3}\u{4}".utf8)) == .unreadable)
    }

    @Test func hugeRepeatsAreCountedNotMaterialised() throws {
        let empty = try hostile("repeated-empty.ods"), full = try hostile("repeated-full.ods"), wide = try hostile("repeated-wide.ods")
        var sheet: Sheet?, wideSheet: Sheet?
        let elapsed = try elapsedSeconds { () throws -> Void in
            sheet = try Spreadsheet.read(empty)
            #expect(code(full) == .tooLarge)
            wideSheet = try Spreadsheet.read(wide)
        }
        let row = try #require(wideSheet?.rows.first)
        #expect(wideSheet?.rows.count == 1 && row.cells.count == 16_384 && row.cells.allSatisfy { $0 == "x" })
        #expect(sheet?.rows == [.init(number: 1, cells: ["a"]), .init(number: 2, cells: ["fin"])])
        #expect(elapsed < 2, "\(elapsed) s")
        #expect(code(try hostile("spaces.ods")) == .tooLarge)
    }

    @Test func damagedContent() throws {
        #expect(code(try hostile("bad-index.xlsx")) == .unreadable)
        #expect(code(try hostile("wide.xlsx")) == .tooLarge)
        #expect(code(try hostile("duplicate.xlsx")) == .unreadable)
        // The file itself past the limit.
        var limits = SheetLimits.standard
        limits.maxFileBytes = 100
        #expect(code(try hostile("ok.xlsx"), limits: limits) == .tooLarge)
    }
}
