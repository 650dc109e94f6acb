import Foundation
import Testing
import MESCore

/// The invalid NIRs a CI user generates, through the built binary (issue 33): `nir check`
/// refuses every one with exactly the reason and code it is labelled with, and the members
/// file's person_id and tags are columns the batch reads past.
@Suite(.serialized) struct InvalidNIREndToEndTests {
    @Test func nirCheckGivesEveryGeneratedNIRItsLabel() throws {
        let generated = try runBinary(["nir", "generate", "--invalid", "--count", "20000", "--seed", "ci-nirs", "--json"])
        #expect(generated.status == 0, "\(generated.stderr)")
        let rows = generated.jsonLines
        #expect(rows.count == 20_000)
        let text = rows.map { $0["nir"] as! String }.joined(separator: "\n") + "\n"
        let checked = try runBinary(["nir", "check", "--json", "--expect", "invalid"], stdin: Data(text.utf8))
        #expect(checked.status == 0, "\(checked.stderr.prefix(500))")
        let verdicts = checked.jsonLines
        #expect(verdicts.count == rows.count)
        var wrong: [String] = []
        for (row, verdict) in zip(rows, verdicts) {
            #expect(verdict["input"] as? String == row["nir"] as? String)
            if verdict["valid"] as? Bool != false || verdict["reason"] as? String != row["reason"] as? String
                || verdict["code"] as? String != row["code"] as? String {
                wrong.append("\(row) → \(verdict)")
            }
        }
        #expect(wrong.isEmpty, "\(wrong.count): \(wrong.prefix(5))")
        // Each reason's code is the one of SPEC §9.
        for row in rows {
            let reason = NIRReason(rawValue: row["reason"] as! String)!
            #expect(row["code"] as? String == reason.code.rawValue)
        }
        // The empty input, asked for by name: as an argument (standard input skips blank lines).
        let empty = try runBinary(["nir", "generate", "--invalid", "--reason", "empty", "--count", "50", "--seed", "e", "--json"]).jsonLines
        for row in empty {
            let r = try runBinary(["nir", "check", "--json", "--expect", "invalid", "--", row["nir"] as! String])
            #expect(r.status == 0 && r.jsonLines.first?["reason"] as? String == "empty" && row["code"] as? String == "nir_length",
                    "\(row): \(r.stdout) \(r.stderr)")
        }
        // Text: the NIR, a tab, the reason; the same values as JSON.
        let plain = try runBinary(["nir", "generate", "--invalid", "--count", "500", "--seed", "ci-nirs"])
        #expect(plain.stdout == rows.prefix(500).map { "\($0["nir"] as! String)\t\($0["reason"] as! String)\n" }.joined())
    }

    @Test func theMembersFileGoesStraightIntoTheBatchsCheck() throws {
        let s = try Scenario(demo: false)
        let roster = s.dir.appendingPathComponent("r.csv").path, members = s.dir.appendingPathComponent("m.csv").path
        #expect(try s.run(["fixtures", "--count", "1200", "--seed", "columns", "--roster", roster, "--members", members]).status == 0)
        let (header, rows) = try FixturesEndToEndTests.membersRows(members)
        #expect(header.suffix(4) == ["expected_status", "expected_reason", "person_id", "tags"])
        #expect(rows.map { $0[9] } == (1...1_200).map(String.init))
        // The same person as the roster's row of that number, with the same tags.
        let rosterRows = try CSVReader.parse(Array(try Data(contentsOf: URL(fileURLWithPath: roster)))).dropFirst().map(\.fields)
        #expect(rosterRows.map { [$0[14], $0[15]] } == rows.map { [$0[9], $0[10]] })
        #expect(rows.contains { !$0[10].isEmpty })
        // Read as it is by the batch, which ignores the four fixtures columns. With every row
        // certified: each is ready, or invalid with its expected reason.
        func checked(_ flags: [String]) throws -> [[String: Any]] {
            let check = try s.run(["batch", "oppose", members, "--check"] + flags)
            let lines = check.jsonLines.filter { $0["row"] != nil }
            #expect(lines.count == 1_200, "\(check.stderr.prefix(800))")
            return lines
        }
        func differences(_ lines: [[String: Any]], _ expected: ([String]) -> (String, String)) -> [String] {
            zip(rows, lines).compactMap { row, line in
                let (status, reason) = expected(row)
                return line["status"] as? String == status && (line["reason"] as? String ?? "") == reason ? nil : "\(row) → \(line)"
            }
        }
        let certified = try checked(["--legal-representative"])
        let wrong = differences(certified) { $0[7] == "invalid" ? ("invalid", $0[8]) : ("ready", "") }
        #expect(wrong.isEmpty, "\(wrong.count): \(wrong.prefix(3))")
        #expect(certified.contains { $0["status"] as? String == "ready" } && certified.contains { $0["status"] as? String == "invalid" })
        // Without it, the rows of minors (by their tags) are refused: the check reads the birth
        // date, not the store.
        let plain = differences(try checked([])) { row in
            if row[7] == "invalid" { return ("invalid", row[8]) }
            return row[10].split(separator: " ").contains("minor") ? ("refused", "legal_representative_required") : ("ready", "")
        }
        #expect(plain.isEmpty, "\(plain.count): \(plain.prefix(3))")
        // And as JSON Lines, the same keys.
        let jsonl = try s.run(["fixtures", "--count", "30", "--seed", "columns-j", "--roster", s.dir.appendingPathComponent("r2.csv").path,
                               "--members", "-", "--format", "jsonl", "--store", s.dir.appendingPathComponent("store2").path])
        #expect(jsonl.status == 0, "\(jsonl.stderr)")
        #expect(jsonl.jsonLines.map { $0["person_id"] as? String } == (1...30).map(String.init))
        #expect(jsonl.jsonLines.allSatisfy { $0.keys.contains("tags") })
    }
}
