import Foundation
import Testing

/// Runs the built `mes` binary over the python-stdnum labelled corpus.
@Suite struct IdentifierEndToEndTests {
    struct Row { let input: String; let stdnum: Bool; let noDash: Bool }

    func corpus() throws -> [Row] {
        let text = try String(contentsOf: packageRoot.appendingPathComponent("Fixtures/nir-stdnum-corpus.jsonl"), encoding: .utf8)
        return text.split(separator: "\n").map {
            let o = try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
            return Row(input: o["input"] as! String, stdnum: o["stdnum"] as! Bool, noDash: o["stdnum_nodash"] as! Bool)
        }
    }

    /// JSON Lines split on "\n" only (inputs may hold U+2028 and friends).
    func lines(_ s: String) -> [[String: Any]] {
        s.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map {
            try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    /// The corpus without its blank lines (empty, or spaces and tabs only): standard input's
    /// blank lines are skipped and counted, not checked (issue 33); stdnum rejects them all.
    func checkedRows() throws -> [Row] {
        let all = try corpus()
        #expect(all.filter { $0.input.allSatisfy { $0 == " " || $0 == "\t" } }.allSatisfy { !$0.stdnum })
        return all.filter { !$0.input.allSatisfy { $0 == " " || $0 == "\t" } }
    }

    @Test func binaryAgreesWithStdnumOnEveryLine() throws {
        let rows = try checkedRows()
        let input = Data(rows.map { $0.input + "\n" }.joined().utf8)
        let r = try runBinary(["nir", "check", "--rules", "stdnum", "--json"], stdin: input)
        #expect(r.status == 65)
        let out = lines(r.stdout)
        try #require(out.count == rows.count)
        var mismatches = 0
        for (row, o) in zip(rows, out) {
            #expect(o["input"] as? String == row.input)
            if (o["valid"] as? Bool) != row.stdnum { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test func binaryDefaultRulesNeverAcceptWhatStdnumRejects() throws {
        let rows = try checkedRows()
        let r = try runBinary(["nir", "check", "--json"], stdin: Data(rows.map { $0.input + "\n" }.joined().utf8))
        let out = lines(r.stdout)
        try #require(out.count == rows.count)
        let accepted = zip(rows, out).filter { $1["valid"] as? Bool == true }
        #expect(accepted.count > 1_000)
        #expect(accepted.allSatisfy { $0.0.noDash })
    }

    @Test func exitCodesFromTheBinary() throws {
        #expect(try runBinary(["nir", "check", "116304403801618"]).status == 0)
        #expect(try runBinary(["nir", "check", "116304403801619"]).status == 65)
        #expect(try runBinary(["nir", "check", "--what"]).status == 64)
        let v = try runBinary(["--version"])
        #expect(v.status == 0 && v.stdout.hasPrefix("mes "))
    }
}
