import Foundation
import Testing
@testable import MESCore

/// The labelled corpus made by scripts/make_stdnum_corpus.py with python-stdnum.
struct CorpusRow {
    let input: String
    let stdnum: Bool
    let stdnumNoDash: Bool

    static func load() throws -> [CorpusRow] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let data = try String(contentsOf: root.appendingPathComponent("Fixtures/nir-stdnum-corpus.jsonl"), encoding: .utf8)
        return try data.split(separator: "\n").map { line in
            let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            return CorpusRow(input: o["input"] as! String, stdnum: o["stdnum"] as! Bool, stdnumNoDash: o["stdnum_nodash"] as! Bool)
        }
    }
}

@Suite struct StdnumCorpusTests {
    @Test func corpusIsLargeAndMixed() throws {
        let rows = try CorpusRow.load()
        #expect(rows.count >= 20_000)
        #expect(rows.filter(\.stdnum).count > 1_000)
        #expect(rows.filter { !$0.stdnum }.count > 1_000)
    }

    @Test func stdnumRulesAgreeOnEveryLine() throws {
        let v = NIRValidator(rules: .stdnum)
        var mismatches: [String] = []
        for row in try CorpusRow.load() where (v.validate(row.input).nir != nil) != row.stdnum {
            mismatches.append(row.input)
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    @Test func defaultRulesNeverAcceptWhatStdnumRejects() throws {
        let v = NIRValidator(rules: .insee)
        let app = NIRValidator(rules: .app)
        var bad: [String] = []
        for row in try CorpusRow.load() {
            if v.validate(row.input).nir != nil && !row.stdnumNoDash { bad.append(row.input) }
            if app.validate(row.input).nir != nil && !row.stdnumNoDash { bad.append(row.input) }
        }
        #expect(bad.isEmpty, "\(bad.prefix(10))")
    }
}
