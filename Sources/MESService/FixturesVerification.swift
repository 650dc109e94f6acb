import FoundationEssentials
import MESCore

/// One way a batch's results differ from a members file's expectations.
public struct FixtureDifference: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// The row got another status or reason than expected.
        case mismatch
        /// The row has no result.
        case missing
        /// A result names a row the members file does not have.
        case unexpected
        /// A row has more than one result.
        case duplicate
        /// A results line that is not a batch row (not a JSON object, no integer `row`, no `status`).
        case unreadable
    }

    public let kind: Kind
    /// The members file's row (its line, as the batch numbers rows); nil for an unreadable line.
    public let row: Int?
    /// The results file's line (unexpected, duplicate, unreadable, mismatch).
    public let line: Int?
    public let expectedStatus: String?
    public let expectedReason: String?
    public let status: String?
    public let reason: String?
}

/// What `fixtures verify` found: every row as expected, or the differences (the first
/// `FixturesVerification.listed`, and how many in all).
public struct FixturesVerdict: Sendable {
    /// Members rows (with an expectation).
    public let rows: Int
    /// Rows whose one result has the expected status and reason.
    public let asExpected: Int
    /// Every difference found.
    public let differenceCount: Int
    /// The first differences, in the order found (members rows by row, then the results' own).
    public let differences: [FixtureDifference]
    /// Results lines read (batch rows, the summary and any other).
    public let resultLines: Int

    public var passed: Bool { differenceCount == 0 }
}

/// `mes fixtures verify MEMBERS RESULTS`: whether `mes batch oppose MEMBERS` gave every row its
/// `expected_status` and `expected_reason` (the members file of `mes fixtures --members`).
/// Rows are matched by number: a result's `row` is its members row's line in the file, as the
/// batch counts them (the header is line 1). A result without a reason matches an empty
/// `expected_reason`.
public enum FixturesVerification {
    /// How many differences a verdict lists (it counts them all).
    public static let listed = 1_000
    /// The longest results line read (a batch row is a few hundred bytes).
    static let maxLine = 1 << 20

    public static func verify(members: ByteSource, results: ByteSource) throws -> FixturesVerdict {
        let expected = try expectations(members)
        guard !expected.rows.isEmpty else {
            throw MESError(.inputEmpty, "Le fichier des membres n'a aucune ligne : rien à vérifier.", field: "MEMBERS")
        }
        var got: [Int: (status: String, reason: String, line: Int)] = [:]
        got.reserveCapacity(expected.rows.count)
        // The results' own differences (unreadable lines, duplicates, unknown rows), then the
        // members rows', each list capped; merged by row at the end.
        var differences: [FixtureDifference] = []
        var count = 0
        func note(_ d: FixtureDifference) {
            count += 1
            if differences.count < listed { differences.append(d) }
        }
        var later: [FixtureDifference] = []
        var laterCount = 0
        func noteLater(_ d: FixtureDifference) {
            laterCount += 1
            if later.count < listed { later.append(d) }
        }
        var lines = 0
        let decoder = JSONDecoder()
        try JSONLines.forEach(results, maxLine: maxLine) { lineNumber, text in
            lines = lineNumber
            if let text, text.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return }  // a blank line
            guard let line = text.flatMap({ try? decoder.decode(ResultLine.self, from: Data($0)) }) else {
                noteLater(.init(kind: .unreadable, row: nil, line: lineNumber, expectedStatus: nil, expectedReason: nil, status: nil, reason: nil))
                return
            }
            if line.isSummary && line.row == nil { return }
            guard let row = line.row, let status = line.status else {
                noteLater(.init(kind: .unreadable, row: nil, line: lineNumber, expectedStatus: nil, expectedReason: nil, status: nil, reason: nil))
                return
            }
            let reason = line.reason ?? ""
            if got[row] != nil {
                noteLater(.init(kind: .duplicate, row: row, line: lineNumber, expectedStatus: expected.rows[row]?.status,
                           expectedReason: expected.rows[row]?.reason, status: status, reason: reason))
                return
            }
            got[row] = (status, reason, lineNumber)
            if expected.rows[row] == nil {
                noteLater(.init(kind: .unexpected, row: row, line: lineNumber, expectedStatus: nil, expectedReason: nil,
                                status: status, reason: reason))
            }
        }
        var asExpected = 0
        for row in expected.order {
            let e = expected.rows[row]!
            guard let g = got[row] else {
                note(.init(kind: .missing, row: row, line: nil, expectedStatus: e.status, expectedReason: e.reason, status: nil, reason: nil))
                continue
            }
            if g.status == e.status && g.reason == e.reason {
                asExpected += 1
            } else {
                note(.init(kind: .mismatch, row: row, line: g.line, expectedStatus: e.status, expectedReason: e.reason,
                           status: g.status, reason: g.reason))
            }
        }
        count += laterCount
        // By row (an unreadable line, which has none, after the rows), then by results line.
        func key(_ d: FixtureDifference) -> (Int, Int) { (d.row ?? Int.max, d.line ?? 0) }
        differences = Array((differences + later).sorted { key($0) < key($1) }.prefix(listed))
        return FixturesVerdict(rows: expected.order.count, asExpected: asExpected, differenceCount: count, differences: differences,
                               resultLines: lines)
    }

    /// Each members row's expectation by its line, and the lines in order.
    static func expectations(_ members: ByteSource) throws -> (rows: [Int: (status: String, reason: String)], order: [Int]) {
        var reader = CSVReader()
        reader.lenient = true
        var header: [String]?
        var columns: (status: Int, reason: Int)?
        var rows: [Int: (status: String, reason: String)] = [:]
        var order: [Int] = []
        var problem: MESError?
        func take(_ r: CSVReader.Record) {
            guard problem == nil else { return }
            guard header != nil else {
                header = r.fields
                let names = r.fields.map { $0.trimmingSpaces() }
                guard let s = names.firstIndex(of: "expected_status"), let e = names.firstIndex(of: "expected_reason") else {
                    problem = MESError(.csvHeader, "Le fichier des membres n'a pas les colonnes expected_status et expected_reason : "
                                       + "il se fait avec mes fixtures --members (en CSV).", field: "MEMBERS")
                    return
                }
                columns = (s, e)
                return
            }
            if r.fields.count == 1 && r.fields[0].isEmpty { return }  // a blank line
            let (s, e) = columns!
            order.append(r.line)
            rows[r.line] = (s < r.fields.count ? r.fields[s] : "", e < r.fields.count ? r.fields[e] : "")
        }
        do {
            try members { chunk in
                if header == nil, chunk.first == UInt8(ascii: "{") {
                    throw MESError(.csvHeader, "Le fichier des membres est en JSON Lines : batch oppose lit le CSV, faites-le avec "
                                   + "mes fixtures --members FICHIER (sans --format jsonl).", field: "MEMBERS")
                }
                try reader.feed(chunk, take)
                if let problem { throw problem }
            }
            try reader.finish(take)
        } catch let f as CSVReader.Failure {
            throw MESError(.csvMalformed, "Fichier des membres mal formé : \(RosterImport.describe(f)).", field: "MEMBERS")
        }
        if let problem { throw problem }
        if header == nil {
            throw MESError(.inputEmpty, "Le fichier des membres est vide : rien à vérifier.", field: "MEMBERS")
        }
        return (rows, order)
    }
}

/// Lines of bytes, split on line feeds as they come; a line longer than `maxLine` is handed over
/// as nil (and skipped to its end).
enum JSONLines {
    static func forEach(_ source: ByteSource, maxLine: Int, _ body: @escaping (Int, [UInt8]?) throws -> Void) throws {
        var line: [UInt8] = []
        var number = 0
        var tooLong = false
        try source { chunk in
            var start = chunk.startIndex
            while start < chunk.endIndex {
                guard let nl = chunk[start...].firstIndex(of: 0x0A) else {
                    if !tooLong { line += chunk[start...] }
                    if line.count > maxLine { tooLong = true; line.removeAll() }
                    return
                }
                if !tooLong { line += chunk[start..<nl] }
                number += 1
                try body(number, tooLong || line.count > maxLine ? nil : line)
                line.removeAll(keepingCapacity: true)
                tooLong = false
                start = nl + 1
            }
        }
        if !line.isEmpty || tooLong {
            number += 1
            try body(number, tooLong ? nil : line)
        }
    }
}

/// One line of a results file as `batch oppose --json` writes it: its row, status and reason
/// (a summary line has none). Any other type under those keys (a row written "4", a reason 7)
/// fails the decoding: the line is unreadable. Decoded as a type, not as a JSON value of any
/// shape, so that 100,000 lines take about what JSONSerialization took.
struct ResultLine: Decodable {
    private enum Key: String, CodingKey { case row, status, reason, summary }
    let row: Int?
    let status: String?
    let reason: String?
    let isSummary: Bool

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        isSummary = c.contains(.summary)
        row = try c.decodeIfPresent(Int.self, forKey: .row)
        status = try c.decodeIfPresent(String.self, forKey: .status)
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
    }
}
