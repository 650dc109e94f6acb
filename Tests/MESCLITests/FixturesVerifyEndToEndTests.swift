import Foundation
import Testing
@testable import MESCLI

/// `mes fixtures verify` through the binary: the fixture's own batch output passes (0), a
/// tampered one fails (65) with its differences in French or JSON; hostile arguments.
@Suite(.serialized) struct FixturesVerifyEndToEndTests {
    /// A store with 400 fixture members and the batch's results on them.
    static func batch() throws -> (Scenario, members: String, results: String) {
        let s = try Scenario(demo: false)
        let members = s.dir.appendingPathComponent("m.csv").path, results = s.dir.appendingPathComponent("results.jsonl").path
        let f = try s.run(["fixtures", "--count", "400", "--seed", "verify", "--roster", s.dir.appendingPathComponent("r.csv").path,
                           "--members", members])
        #expect(f.status == 0, "\(f.stderr)")
        let b = try s.run(["batch", "oppose", members, "--receipts", s.dir.appendingPathComponent("rec").path, "--quiet"])
        #expect(b.status != 0 && b.status != 64, "a batch with refused rows: \(b.stderr)")
        try Data(b.stdout.utf8).write(to: URL(fileURLWithPath: results))
        return (s, members, results)
    }

    @Test func theBatchsOwnResultsPassAndATamperedCopyFails() throws {
        let (s, members, results) = try Self.batch()
        let ok = try s.run(["fixtures", "verify", members, results])
        #expect(ok.status == 0 && ok.stdout == "Conforme : les 400 lignes ont le statut et le motif attendus.\n", "\(ok.stdout) \(ok.stderr)")
        let okJSON = try s.run(["fixtures", "verify", members, results, "--json"])
        #expect(okJSON.json["status"] as? String == "as_expected" && okJSON.json["difference_count"] as? Int == 0)
        // From standard input.
        let piped = try s.run(["fixtures", "verify", members, "-"], stdin: try String(contentsOfFile: results, encoding: .utf8))
        #expect(piped.status == 0, "\(piped.stderr)")

        // Tampered: one status changed, one row gone, a row twice, a line with control characters.
        var lines = try String(contentsOfFile: results, encoding: .utf8).split(separator: "\n").map(String.init)
        let changed = try #require(lines.firstIndex { $0.contains("\"status\":\"opposed\"") })
        lines[changed] = lines[changed].replacingOccurrences(of: "\"status\":\"opposed\"", with: "\"status\":\"locked\"")
        let removed = lines.remove(at: changed + 1)
        lines.insert(lines[0], at: 5)
        lines.append(#"{"row":9999,"status":"opposed\u001b]0;pwned\u0007","reason":"\u001b[2J"}"#)  // escaped: valid JSON
        lines.append("{\"row\":3,\"status\":\"\u{1B}[31mraw\"}")  // raw: not JSON
        lines.append("\u{1B}[31mnot a row")
        let tampered = s.dir.appendingPathComponent("tampered.jsonl").path
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: tampered))
        let bad = try s.run(["fixtures", "verify", members, tampered])
        #expect(bad.status == 65, "\(bad.stdout) \(bad.stderr)")
        #expect(bad.stdout.hasPrefix("Non conforme : 6 écarts sur 400 lignes (398 conformes)."), "\(bad.stdout)")
        #expect(bad.stdout.contains(": attendu opposed, obtenu locked"), "\(bad.stdout)")
        #expect(bad.stdout.contains(": aucun résultat (attendu"), "\(bad.stdout)")
        #expect(bad.stdout.contains("un second résultat") && bad.stdout.contains("ligne 9999 : un résultat pour une ligne absente"))
        #expect(bad.stdout.contains("illisible"))
        #expect(!bad.stdout.contains("\u{1B}") && !bad.stdout.contains("\u{07}"), "control characters reach the terminal")
        let removedRow = try #require(JSONSerialization.jsonObject(with: Data(removed.utf8)) as? [String: Any])["row"] as? Int
        let json = try s.run(["fixtures", "verify", members, tampered, "--json"])
        #expect(json.status == 65 && json.json["status"] as? String == "different" && json.json["difference_count"] as? Int == 6)
        let differences = json.json["differences"] as? [[String: Any]] ?? []
        #expect(differences.contains { $0["kind"] as? String == "missing" && $0["row"] as? Int == removedRow })
        #expect(differences.contains { $0["kind"] as? String == "unexpected" && ($0["status"] as? String ?? "").contains("\u{1B}]0;pwned") })
    }

    @Test func badArgumentsAndFiles() throws {
        let (s, members, results) = try Self.batch()
        func status(_ args: [String]) throws -> RunResult { try s.run(["fixtures", "verify"] + args) }
        #expect(try status([]).status == 64)
        #expect(try status([members]).status == 64)
        #expect(try status([members, results, results]).status == 64)
        #expect(try status(["-", results]).status == 64)
        let missing = try status([members, s.dir.appendingPathComponent("absent.jsonl").path, "--json"])
        #expect(missing.status == 66 && missing.errorJSON["field"] as? String == "results", "\(missing.stderr)")
        #expect(try status([s.dir.appendingPathComponent("absent.csv").path, results]).status == 66)
        #expect(try status([members, s.dir.path]).status == 66)
        #expect(try status([members, "/dev/zero"]).status == 66)
        #expect(try status([results, results]).status == 65)  // the results are no members file
        let roster = try status([s.dir.appendingPathComponent("r.csv").path, results, "--json"])
        #expect(roster.status == 65 && roster.errorJSON["code"] as? String == "csv_header", "\(roster.stderr)")
        let empty = s.dir.appendingPathComponent("empty.csv").path
        try Data().write(to: URL(fileURLWithPath: empty))
        #expect(try status([empty, results, "--json"]).errorJSON["code"] as? String == "input_empty")
        let full = try sh("\"$MES\" fixtures verify '\(members)' '\(results)' > /dev/full", env: ["MES_HOME": s.store])
        #expect(full.status == 74, "\(full.err)")
        // The fixtures command itself still takes its options after 'fixtures'.
        #expect(try s.run(["fixtures", "--count", "2", "--seed", "1", "--roster", "-"]).status == 0)
    }
}
