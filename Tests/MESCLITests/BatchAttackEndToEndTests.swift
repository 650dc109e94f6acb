import Foundation
import Testing
import TestSupport

/// Issue 32's batch attacked end to end (argv, reports, exit statuses, signals): what each attack
/// found, kept as a test.
@Suite(.serialized) struct BatchAttackEndToEndTests {
    static let header = "nir;date_naissance;type_carte;numero_serie;code"

    /// The report's rows of `path` (';', UTF-8 with BOM, no cell holding ';' in these tests).
    func reportRows(_ path: String) throws -> [[String: String]] {
        let lines = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "\u{FEFF}", with: "")
            .split(separator: "\n").map { $0.split(separator: ";", omittingEmptySubsequences: false).map(String.init) }
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(lines[0], $0)) }
    }

    /// A code request refused for a wrong birth date, run again: the next step spoke of « ce code »
    /// and of the code to check, on a row that has no code. It names what a request checks.
    @Test func aRefusedCodeRequestsNextStepNamesWhatToCheck() throws {
        let s = try Scenario()
        let file = s.dir.appendingPathComponent("m.csv").path
        try "\(Self.header)\n116304403801618;09/06/1988;sans photo;953701166;\n".write(toFile: file, atomically: true, encoding: .utf8)
        let report = s.dir.appendingPathComponent("r.csv").path
        let args = ["batch", "oppose", file, "--receipts", s.dir.appendingPathComponent("rec").path, "--request-codes",
                    "--report", report, "--force", "--quiet"]
        let first = try s.run(args)
        #expect(first.status == 77, "\(first.stderr)")
        let mismatch = try reportRows(report)[0]["prochaine_etape"] ?? ""
        #expect(mismatch.contains("date de naissance") && !mismatch.contains("code ou"), "\(mismatch)")
        let again = try s.run(args)
        #expect(again.jsonLines.first?["status"] as? String == "not_retried", "\(again.stdout)")
        let step = try reportRows(report)[0]["prochaine_etape"] ?? ""
        #expect(!step.contains("ce code") && step.contains("date de naissance") && step.contains("--retry-failed"), "\(step)")
    }
}
