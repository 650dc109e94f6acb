import Foundation
import Testing
import TestSupport
import MESCore
@testable import MESService
@testable import MESStore
@testable import MESSystem

/// Rosters as spreadsheets save them: in Windows-1252 or UTF-16 (decoded, and said), with the
/// export's traps named row by row, and the attacks on the decoding (endless input, a lone
/// byte-order mark, mixed encodings) ending clearly.
@Suite(.serialized) struct InputEncodingTests {
    /// An empty register on a fresh store.
    struct Register {
        let directory = temporaryPath("mes-encoding")
        let store: Store
        let service: Service
        init() throws {
            _ = try Service.initialize(directory, demo: false, testClock: true)
            store = try Store.open(directory)
            service = try Service(store: store, clock: ManualClock("2022-02-03T10:00:00Z"), random: ConstantRandom(),
                                  outbox: CapturingTransport(store: store))
        }
        func error(_ body: () throws -> Void) -> MESError? {
            do { try body(); return nil } catch let e as MESError { return e } catch { return nil }
        }
        func firstNames() throws -> [String] {
            try store.read { try store.db.query("SELECT first_name, last_name FROM people ORDER BY id").map { "\($0.text(0)!) \($0.text(1)!)" } }
        }
    }

    /// A valid NIR (its key computed) for row `i`.
    static func nir(_ i: Int) -> String {
        let body = "1880675" + String(format: "%03d%03d", 101 + i / 999, i % 999 + 1)
        return body + String(format: "%02d", 97 - Int(Int64(body)! % 97))
    }

    static let header = "nir;date_naissance;prénom;nom;type_carte;numero_serie\n"

    static func rows(_ names: [(String, String)]) -> String {
        names.enumerated().map { "\(nir($0.offset));08/06/1988;\($0.element.0);\($0.element.1);sans photo;\(953_701_166 + $0.offset)\n" }.joined()
    }

    static let names = [("Anaïs", "Lœuvre"), ("Zoé", "Šimková"), ("François", "L’Hôpital"), ("Œdipe", "Ÿvain")]

    /// Windows-1252 as `Encoding`-free bytes: the names above hold only characters it has.
    static func windows1252(_ s: String) -> [UInt8] {
        let high: [UInt32: UInt8] = [0x20AC: 0x80, 0x2019: 0x92, 0x0152: 0x8C, 0x0153: 0x9C, 0x0160: 0x8A, 0x0161: 0x9A, 0x0178: 0x9F]
        return s.unicodeScalars.map { u in u.value < 0x100 ? UInt8(u.value) : high[u.value]! }
    }

    static func utf16(_ s: String, bigEndian: Bool, bom: Bool) -> [UInt8] {
        var out: [UInt8] = bom ? (bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE]) : []
        for u in s.utf16 { out += bigEndian ? [UInt8(u >> 8), UInt8(u & 0xFF)] : [UInt8(u & 0xFF), UInt8(u >> 8)] }
        return out
    }

    func write(_ bytes: [UInt8], _ name: String = "registre.csv") throws -> String {
        let dir = temporaryPath("mes-encoding-file")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// `bytes` handed over in pieces of `size`, as standard input would, and decoded.
    func source(_ bytes: [UInt8], chunk size: Int) -> ByteSource {
        InputFile.standardInput(raw(bytes, chunk: size)).source
    }

    /// `bytes` handed over in pieces of `size`, as they are.
    func raw(_ bytes: [UInt8], chunk size: Int) -> ByteSource {
        { body in
            var i = 0
            while i < bytes.count {
                try bytes.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[i..<min(bytes.count, i + size)])) }
                i += size
            }
        }
    }

    @Test func aWindows1252FileIsDecodedAndSaidSo() throws {
        let r = try Register()
        let path = try write(Self.windows1252(Self.header + Self.rows(Self.names)))
        let file = try InputFile.open(path, sheet: nil, field: "FILE")
        #expect(file.encoding == .windows1252, "known when the file is opened")
        #expect(file.notice?.hasPrefix("Fichier enregistré en Windows-1252 (ANSI) : lu comme tel. Enregistrez-le en UTF-8") == true)
        #expect(try r.service.importRoster(file.source) == 4)
        #expect(try r.firstNames() == Self.names.map { "\($0.0) \($0.1)" })
        // The same file in UTF-8 says nothing.
        let utf8 = try InputFile.open(try write(Array((Self.header + Self.rows(Self.names)).utf8)), sheet: nil, field: "FILE")
        #expect(utf8.encoding == .utf8 && utf8.notice == nil)
    }

    @Test(arguments: [(false, true), (true, true), (false, false), (true, false)])
    func aUTF16InputIsDecodedAndSaidSo(bigEndian: Bool, bom: Bool) throws {
        let r = try Register()
        // Excel's "Texte Unicode": UTF-16 and tabs.
        let text = (Self.header + Self.rows(Self.names)).replacingOccurrences(of: ";", with: "\t")
        let bytes = Self.utf16(text, bigEndian: bigEndian, bom: bom)
        // On standard input, in odd pieces (half a code unit at every chunk's end).
        let input = InputFile.standardInput(raw(bytes, chunk: 7))
        #expect(input.encoding == nil, "not known before it is read")
        #expect(try r.service.importRoster(input.source) == 4)
        #expect(input.encoding == (bigEndian ? .utf16BE : .utf16LE))
        #expect(input.notice?.contains("UTF-16") == true)
        #expect(try r.firstNames() == Self.names.map { "\($0.0) \($0.1)" })
    }

    /// Each trap is its row's reason, on the sheet's row (a cell of two lines before them does
    /// not shift them), with nothing imported.
    @Test func theExportsTrapsAreTheRowsReasons() throws {
        let r = try Register()
        // The last column's header is empty: notes, ignored.
        let csv = "nir;date_naissance;prénom;nom;type_carte;numero_serie;\n"
            + "\(Self.nir(0));08/06/1988;Anne;Martin;sans photo;953701166;\"appeler\nle soir\"\n"
            + "\n"
            + "1,88068E+14;08/06/1988;A;B;sans photo;953701166;\n"
            + "\(Self.nir(1)).0;08/06/1988;A;B;sans photo;953701166;\n"
            + "\(Self.nir(2));08/06/88;A;B;sans photo;953701166;\n"
            + "\(Self.nir(3));32302;A;B;sans photo;953701166;\n"
            + "\(Self.nir(4));08/06/1988;A;B;avec photo;1024576124;\n"
            + "\(Self.nir(5));08/06/1988;A;B;sans photo;9537011;\n"
            + "\(Self.nir(6));08/06/1988;A;B;sans photo;\"9,53701E+08\";\n"
        let e = try #require(r.error { _ = try r.service.importRoster(source(Array(csv.utf8), chunk: 5)) })
        #expect(e.code == .rosterInvalid)
        #expect(e.details.map(\.code) == [.exportScientificNotation, .exportDecimalSuffix, .exportTwoDigitYear, .exportDayNumber,
                                          .exportLeadingZeroLost, .exportLeadingZeroLost, .exportScientificNotation], "\(e.details)")
        #expect(e.details.map(\.line) == [4, 5, 6, 7, 8, 9, 10])
        #expect(e.details.map(\.field) == ["nir", "nir", "birth_date", "birth_date", "serial", "serial", "serial"])
        #expect(!e.message.contains(Self.nir(1)) && e.message.contains("32302 est le 08/06/1988"), "\(e.message)")
        #expect(try r.firstNames().isEmpty)
    }

    /// Mixed encodings: rows in the other encoding than the start's are refused, not decoded
    /// into plausible wrong names.
    @Test func mixedEncodingsRefuseTheRowsThatDiffer() throws {
        // UTF-8 for the first 64 KiB, then a Windows-1252 row.
        let r = try Register()
        var lines: [(String, String)] = []
        while (Self.header + Self.rows(lines)).utf8.count < TextTranscoder.probeBytes { lines.append(("Zoé", "Martin")) }
        var bytes = Array((Self.header + Self.rows(lines)).utf8)
        bytes += Self.windows1252("\(Self.nir(lines.count));08/06/1988;Anaïs;Martin;sans photo;953701166\n")
        let e = try #require(r.error { _ = try r.service.importRoster(source(bytes, chunk: 4096)) })
        #expect(e.details.map(\.code) == [.encodingInvalid] && e.details.first?.field == "first_name" && e.details.first?.line == lines.count + 2,
                "\(e.details)")
        // Windows-1252 first, then a row saved in UTF-8 (Ã© for é).
        let w = try Register()
        var mixed = Self.windows1252(Self.header + Self.rows(Self.names))
        mixed += Array("\(Self.nir(9));08/06/1988;Zoé;Martin;sans photo;953701166\n".utf8)
        let file = try InputFile.open(try write(mixed), sheet: nil, field: "FILE")
        #expect(file.encoding == .windows1252)
        let f = try #require(w.error { _ = try w.service.importRoster(file.source) })
        #expect(f.details.map(\.code) == [.encodingInvalid] && f.details.first?.line == 6, "\(f.details)")
        // A header that cannot be read (a stray byte in a UTF-8 file) is said to be unreadable.
        let h = try Register()
        let header = Array("nir;date_naissance;pr".utf8) + [0xE9] + Array("nom;nom;type_carte;numero_serie\n".utf8)
        let g = try #require(h.error { _ = try h.service.importRoster(source(header + Array(Self.rows(Self.names).utf8), chunk: 64)) })
        #expect(g.details.contains { $0.code == .encodingInvalid }, "\(g.details)")
        // Bytes handed to the import without decoding: invalid UTF-8 is encoding_invalid too.
        let u = try Register()
        let rawRow = Self.windows1252("nir;date_naissance;prenom;nom;type_carte;numero_serie\n" + Self.rows([("Anaïs", "Martin")]))
        let v = try #require(u.error { _ = try u.service.importRoster(raw(rawRow, chunk: 64)) })
        #expect(v.details.map(\.code) == [.encodingInvalid], "\(v.details)")
    }

    /// Attacks: endless NULs (/dev/zero on standard input), a 1 GiB line, a file of only a
    /// byte-order mark, UTF-16 of an odd byte count. Each ends, clearly.
    @Test func attacksOnTheDecodingEndClearly() throws {
        let r = try Register()
        // /dev/zero, read as standard input is: the record limit stops it after 1 MiB.
        let zero = open("/dev/zero", O_RDONLY)
        defer { close(zero) }
        var read = 0
        let endless = InputFile.standardInput { body in
            var chunk = [UInt8](repeating: 1, count: 1 << 16)
            while true {
                let n = chunk.withUnsafeMutableBytes { Glibc.read(zero, $0.baseAddress!, $0.count) }
                read += n
                try chunk.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[0..<n])) }
            }
        }
        let z = try #require(r.error { _ = try r.service.importRoster(endless.source) })
        #expect(z.code == .csvMalformed && z.message.contains("enregistrement trop long"), "\(z)")
        #expect(read < 4 << 20 && endless.encoding == .utf8, "\(read) bytes read")
        // A 1 GiB line (a Windows-1252 one: every byte decoded), made as it is read.
        var made = 0
        let long = InputFile.standardInput { body in
            let chunk = [UInt8](repeating: 0xE9, count: 1 << 16)
            while made < 1 << 30 {
                made += chunk.count
                try chunk.withUnsafeBufferPointer { try body($0) }
            }
        }
        let l = try #require(r.error { _ = try r.service.importRoster(long.source) })
        #expect(l.code == .csvMalformed && made < 4 << 20 && long.encoding == .windows1252, "\(l), \(made)")
        // Only a byte-order mark: an empty file, whatever the encoding.
        for bom: [UInt8] in [[0xEF, 0xBB, 0xBF], [0xFF, 0xFE], [0xFE, 0xFF]] {
            let file = try InputFile.open(try write(bom), sheet: nil, field: "FILE")
            let e = try #require(r.error { _ = try r.service.importRoster(file.source) })
            #expect(e.code == .csvEmpty, "\(bom): \(e)")
        }
        // UTF-16 cut in the middle of its last code unit: that row is refused, the rest read.
        var odd = Self.utf16(Self.header + Self.rows(Self.names), bigEndian: false, bom: true)
        odd.removeLast(3)  // the line break and half of the serial's last digit
        let o = try #require(r.error { _ = try r.service.importRoster(source(odd, chunk: 3)) })
        #expect(o.details.map(\.code) == [.encodingInvalid] && o.details.first?.line == 5 && o.details.first?.field == "serial", "\(o.details)")
        #expect(try r.firstNames().isEmpty)
    }
}
