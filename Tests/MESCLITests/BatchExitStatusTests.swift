import Foundation
import Testing

/// `if mes batch oppose …` succeeds only when every row was filed (or already was, or got a code).
@Suite(.serialized) struct BatchExitStatusTests {
    func run(_ s: Scenario, _ rows: [String]) throws -> RunResult {
        let file = s.dir.appendingPathComponent("m-\(UUID().uuidString).csv")
        try (["nir;date_naissance;type_carte;numero_serie;code"] + rows).joined(separator: "\n").appending("\n")
            .write(to: file, atomically: true, encoding: .utf8)
        return try s.run(["batch", "oppose", file.path, "--receipts", s.dir.appendingPathComponent("rec").path])
    }

    @Test func aBatchThatFiledNobodyFails() throws {
        let s = try Scenario()
        // Nobody identified: a wrong code on a real card.
        let mismatch = try run(s, ["116304403801618;08/06/1988;sans photo;953701166;ZZZZZZZZZZZZ"])
        #expect(mismatch.status == 77, "\(mismatch.stderr)")
        #expect(mismatch.stderr.contains("identité non reconnue : 1"), "\(mismatch.stderr)")
        // Refused: an active space (Claire), with her own code.
        try s.run(["code", "generate", "--nir", "290063155510117", "--birth-date", "27/06/1990", "--card", "photo", "--serial", "09876543210"])
        let code = try s.lastCode()
        let refused = try run(s, ["290063155510117;27/06/1990;avec photo;09876543210;\(code)"])
        #expect(refused.status == 69, "\(refused.stdout)\(refused.stderr)")
        // Everybody filed: 0, and the French summary.
        try s.run(["code", "generate"] + Scenario.martine + Scenario.martineBirth)
        let ok = try run(s, ["116304403801618;08/06/1988;sans photo;953701166;\(try s.lastCode())"])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stderr.contains("opposition enregistrée : 1"), "\(ok.stderr)")
        #expect(!ok.stderr.contains("opposed"), "no English in the summary for people")
    }
}
