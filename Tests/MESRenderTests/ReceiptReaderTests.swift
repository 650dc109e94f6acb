import Foundation
import Testing
import TestSupport
@testable import MESRender
import MESCore

@Suite struct ReceiptReaderTests {
    func receipt(name: String = "LEGUELLEC Martine Julie", greeting: String = "Martine Julie Leguellec") -> OppositionReceipt {
        OppositionReceipt(id: "JO-TEST000001", nir: NIRValidator().validate("116304403801618").nir!, name: name,
                          greeting: greeting, decidedOn: CalendarDate(year: 2021, month: 9, day: 28)!,
                          issuedAt: Instant.parse("2021-09-28T08:00:00Z")!, verification: "ABCD-EFGH-JKMN", copy: 1)
    }

    @Test func everyFormReadsBackAsBefore() throws {
        let r = receipt()
        let expected = ReceiptFields(id: r.id, nir: "116304403801618", name: r.name, greeting: r.greeting,
                                     decidedOn: "2021-09-28", verification: "ABCD-EFGH-JKMN")
        #expect(ReceiptReader.read(ReceiptRenderer.pdf(r)) == expected)
        #expect(ReceiptReader.read(Array(ReceiptRenderer.text(r).utf8)) == expected)
        #expect(ReceiptReader.read(Array(ReceiptRenderer.json(r).serialized().utf8)) == expected)
        #expect(try ReceiptReader.parse(ReceiptRenderer.pdf(r)) == expected)
        #expect(ReceiptReader.read([]) == nil)
        #expect(ReceiptReader.read(Array("%PDF-1.4 nothing".utf8)) == nil)
    }

    @Test func escapedParenthesesAndBackslashesInANameReadBack() throws {
        let r = receipt(name: "D'ARC (dite) Jeanne \\ Marie", greeting: "Jeanne (Marie) d'Arc")
        let f = try #require(ReceiptReader.read(ReceiptRenderer.pdf(r)))
        #expect(f.name == r.name)
        #expect(f.greeting == r.greeting)
    }

    @Test func trailingGarbageWithAnUnclosedLiteralKeepsWhatCameBefore() throws {
        let r = receipt()
        let f = ReceiptReader.read(ReceiptRenderer.pdf(r) + Array("\n((((( (x) Tj".utf8))
        #expect(f?.id == r.id)
        #expect(f?.verification == "ABCD-EFGH-JKMN")
    }

    @Test func unbalancedParenthesesAreLinear() throws {
        for count in [80_000, InputLimits.receiptFile - 4] {
            let bytes = Array("%PDF".utf8) + [UInt8](repeating: 0x28, count: count)
            var f: ReceiptFields? = ReceiptFields(id: "", nir: "", name: "", greeting: "", decidedOn: "", verification: "")
            let t = elapsed { f = ReceiptReader.read(bytes) }
            #expect(f == nil)
            #expect(t < .seconds(1), "\(count) bytes: \(t)")
        }
        // Closed ones, one after the other, without Tj: still one pass.
        let closed = Array("%PDF".utf8) + Array(repeating: Array("(a)".utf8), count: 1_000_000).flatMap { $0 }
        let t = elapsed { #expect(ReceiptReader.pdfTextLines(closed).isEmpty) }
        #expect(t < .seconds(1))
    }

    @Test func overTheLimitIsRefused() throws {
        let bytes = Array("%PDF".utf8) + [UInt8](repeating: 0x28, count: InputLimits.receiptFile)
        #expect(ReceiptReader.read(bytes) == nil)
        #expect(throws: InputLimits.fileTooLarge("recu.pdf", limit: InputLimits.receiptFile, field: "FILE")) {
            try ReceiptReader.parse(bytes, path: "recu.pdf")
        }
    }

    @Test func deeplyNestedJSONDoesNotCrash() {
        let bytes = Array("{\"receipt\":".utf8) + [UInt8](repeating: 0x5B, count: 1 << 20)
        #expect(ReceiptReader.read(bytes) == nil)
    }
}
