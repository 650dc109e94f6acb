import Foundation
import Testing
@testable import MESCLI
import MESCore

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

/// `--case` on `fixtures` and `nir generate`, tags and person_id through the binary (issue 33).
@Suite struct FixtureCaseEndToEndTests {
    static func rows(_ csv: String) -> (header: [String], rows: [[String]]) {
        let records = (try? CSVReader.parse(Array(csv.utf8))) ?? []
        return (records.first?.fields ?? [], records.dropFirst().map(\.fields))
    }

    @Test(arguments: ["corsica", "overseas", "abroad", "algeria-morocco-tunisia", "temporary", "pseudo-month", "twins", "deceased",
                      "minor", "adult-dependant"])
    func fixturesOfACaseHaveItInEveryFamily(name: String) throws {
        let kind = try #require(FixtureCase(rawValue: name))
        let r = try runBinary(["fixtures", "--count", "120", "--seed", "cases", "--roster", "-", "--case", kind.rawValue])
        #expect(r.status == 0, "\(r.stderr)")
        let (header, rows) = Self.rows(r.stdout)
        #expect(header.suffix(2) == ["person_id", "tags"] && rows.count == 120)
        #expect(rows.map { $0[14] } == (1...120).map(String.init))
        // A family is a holder's row and the rows attached to it after.
        var families: [[[String]]] = []
        for row in rows { if row[9].isEmpty { families.append([row]) } else { families[families.count - 1].append(row) } }
        for (k, family) in families.enumerated() where k < families.count - 1 {  // the last may be cut to the count
            #expect(family.contains { $0[15].split(separator: " ").contains(Substring(kind.rawValue)) }, "\(kind): \(family)")
        }
    }

    @Test func personIDJoinsTheRosterAndTheMembersAndImportIgnoresIt() throws {
        let s = try Scenario(demo: false)
        let roster = s.dir.appendingPathComponent("r.csv").path, members = s.dir.appendingPathComponent("m.csv").path
        let f = try s.run(["fixtures", "--count", "300", "--seed", "join", "--roster", roster, "--members", members,
                           "--case", "minor", "--case", "abroad"])
        #expect(f.status == 0, "\(f.stderr)")
        let r = Self.rows(try String(contentsOfFile: roster, encoding: .utf8)).rows
        var reader = CSVReader()
        reader.lenient = true
        var m: [CSVReader.Record] = []
        try Array(try Data(contentsOf: URL(fileURLWithPath: members))).withUnsafeBufferPointer { try reader.feed($0) { m.append($0) } }
        try reader.finish { m.append($0) }
        #expect(m.count == 301)
        // Row k of the members file is person_id k of the roster (its first name, where the row kept it).
        let byID = Dictionary(uniqueKeysWithValues: r.map { ($0[14], $0) })
        var same = 0
        for (k, record) in m.dropFirst().enumerated() where record.fields.count > 6 {
            if byID[String(k + 1)]?[2] == record.fields[6] { same += 1 }
        }
        #expect(same > 280, "\(same) of 300 rows joined by person_id")
        // The roster (with person_id and tags) imports into a fresh store.
        let t = try Scenario(demo: false)
        try t.run(["init", "--test-clock"])
        let imported = try t.run(["import", roster, "--json"])
        #expect(imported.status == 0 && imported.json["people"] as? Int == 300, "\(imported.stderr.prefix(500))")
    }

    @Test func nirGenerateCasesAndTags() throws {
        let r = try runBinary(["nir", "generate", "--count", "60", "--seed", "t", "--case", "overseas", "--case", "temporary", "--json"])
        #expect(r.status == 0)
        let lines = r.jsonLines
        #expect(lines.count == 60)
        for (k, line) in lines.enumerated() {
            let tags = line["tags"] as? [String] ?? []
            #expect(tags.contains(k % 2 == 0 ? "overseas" : "temporary"), "\(line)")
            #expect(line["valid"] as? Bool == true)
        }
        let check = try runBinary(["nir", "check", "--json"], stdin: Data(lines.map { $0["nir"] as? String ?? "" }.joined(separator: "\n").utf8))
        #expect(check.status == 0)
        // Every line carries tags, invalid ones too; the text form is unchanged.
        #expect(try runBinary(["nir", "generate", "--count", "20", "--seed", "t", "--invalid", "--json"]).jsonLines.allSatisfy { $0["tags"] is [Any] })
        #expect(!(try runBinary(["nir", "generate", "--count", "3", "--seed", "t", "--case", "abroad"]).stdout.contains("abroad")))
        // Abuse: a person's case, an unknown one, with --invalid, empty.
        for args in [["--case", "minor"], ["--case", "Corsica"], ["--case", "corsica", "--invalid"], ["--case", ""], ["--case"]] {
            let bad = try runBinary(["nir", "generate", "--count", "2", "--seed", "1"] + args)
            #expect(bad.status == 64 && bad.stdout.isEmpty, "\(args): \(bad.stderr)")
        }
        #expect(try runBinary(["fixtures", "--count", "2", "--seed", "1", "--roster", "-", "--case", "martian"]).status == 64)
    }
}
