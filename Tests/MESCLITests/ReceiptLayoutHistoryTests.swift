import Foundation
import Testing
import TestSupport

/// Receipts made by earlier layouts (`Fixtures/receipts/`, files `mes` wrote before the layout
/// changed, with the certificate of the store that signed them) still verify with the
/// certificate alone, their fields read back, and any change to them is still found.
@Suite struct ReceiptLayoutHistoryTests {
    struct Fixture: Sendable, CustomStringConvertible {
        let file: String, certificate: String, reference: String, name: String
        var description: String { file }
    }

    static let layout1: [Fixture] = [
        Fixture(file: "layout1-adult.pdf", certificate: "layout1-demo.crt", reference: "JO-ZPM0HS1B83", name: "LEGUELLEC Martine Julie"),
        Fixture(file: "layout1-minor.pdf", certificate: "layout1-demo.crt", reference: "JO-V7D2FX1F0K", name: "CAPANELLI Jean-Jacques"),
        Fixture(file: "layout1-lukasz.pdf", certificate: "layout1-fixtures.crt", reference: "JO-TQBQ090S4N", name: "WĄSIK Łukasz"),
    ]

    static func path(_ name: String) -> String { packageRoot.appendingPathComponent("Fixtures/receipts/" + name).path }

    /// `receipt verify --cert` on `bytes`, with no store.
    func verify(_ bytes: [UInt8], _ f: Fixture) throws -> (status: Int32, json: [String: Any]) {
        let dir = temporaryDirectory("mes-layout1")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("r.pdf").path
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let r = try runBinary(["receipt", "verify", "--cert", Self.path(f.certificate), file, "--json"],
                              env: ["MES_HOME": dir.appendingPathComponent("absent").path])
        return (r.status, r.json)
    }

    @Test(arguments: layout1) func aLayout1ReceiptStillVerifies(_ f: Fixture) throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Self.path(f.file))))
        let v = try verify(bytes, f)
        #expect(v.status == 0 && v.json["status"] as? String == "authentic", "\(v.json)")
        #expect(v.json["receipt"] as? String == f.reference || v.json["id"] as? String == f.reference, "\(v.json)")
        let text = try runProgram(try #require(findProgram("pdftotext")), [Self.path(f.file), "-"])
        #expect(text.output.contains("Nom de l'assuré : " + f.name), "\(text.output)")
    }

    @Test(arguments: layout1) func aChangedLayout1ReceiptIsAltered(_ f: Fixture) throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Self.path(f.file))))
        let text = String(decoding: bytes, as: UTF8.self)
        // A digit of the date on the page (signed), a digit of the signature value (not signed),
        // the last byte gone.
        let date = try #require(bytes.indices.first { bytes[$0...].starts(with: Array("(Le 03/02/2022)".utf8)) }) + 5
        var page = bytes
        page[date] = UInt8(ascii: "4")
        let contents = try #require(text.range(of: "/Contents <")).upperBound.utf16Offset(in: text) + 200
        var value = bytes
        value[contents] = value[contents] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        for (label, altered) in [("page", page), ("signature value", value), ("truncated", Array(bytes.dropLast()))] {
            let v = try verify(altered, f)
            #expect(v.status == 65 && v.json["status"] as? String == "altered", "\(label): \(v.json)")
        }
    }
}
