import Testing
@testable import MESCore

@Suite struct InputLimitsTests {
    @Test func theDocumentedLimits() {
        #expect(InputLimits.receiptFile == 4 * 1024 * 1024)
        #expect(InputLimits.passwordFile == 4 * 1024)
        #expect(InputLimits.secretFile == 4 * 1024)
        #expect(InputLimits.csvField == 64 * 1024)
        #expect(InputLimits.nirLine == 4 * 1024)
        #expect(InputLimits.standardInput == 4 * 1024 * 1024)
    }

    @Test func theCSVRecordLimitIsTheReadersOwn() {
        #expect(InputLimits.csvRecord == CSVReader().maxRecordBytes)
    }

    @Test func sizesAreShownInFrenchUnits() {
        #expect(InputLimits.describe(4 << 20) == "4 Mio")
        #expect(InputLimits.describe(64 << 10) == "64 Kio")
        #expect(InputLimits.describe(1000) == "1000 octets")
        let e = InputLimits.fileTooLarge("recu.pdf", limit: InputLimits.receiptFile, field: "FILE")
        #expect(e == MESError(.fileTooLarge, "Fichier trop volumineux (plus de 4 Mio) : recu.pdf", field: "FILE") && e.status == .invalidData)
        #expect(InputLimits.lineTooLong(line: 3, limit: 4096).message == "Ligne 3 trop longue (plus de 4 Kio)")
        #expect(InputLimits.inputTooLarge(limit: 4096).status == .invalidData)
    }
}
