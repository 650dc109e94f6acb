import Foundation
import Testing
import TestSupport
import MESCore
@testable import MESService

/// `FixturesVerification`: a batch's JSON Lines against a members file's expectations, matched
/// by row number (the members row's line in the file).
@Suite struct FixturesVerificationTests {
    static let members = """
        \u{FEFF}nir;date_naissance;type_carte;numero_serie;code;nom;prenom;expected_status;expected_reason
        1;01/01/1950;avec photo;1;c;A;a;opposed;
        2;01/01/1950;avec photo;2;c;B;b;refused;already_active
        3;01/01/1950;avec photo;3;c;C;c;identity_mismatch;identity_not_found

        """
    static let results = """
        {"schema_version":2,"row":2,"nir":"1 **","status":"opposed","receipt":"JO-1"}
        {"schema_version":2,"row":3,"status":"refused","reason":"already_active","message":"…"}
        {"schema_version":2,"row":4,"status":"identity_mismatch","reason":"identity_not_found"}
        {"schema_version":2,"summary":{"opposed":1},"rows":3,"receipts":"rec","seconds":0.1}

        """

    static func source(_ text: String, piece: Int = 7) -> ByteSource {
        let bytes = Array(text.utf8)
        return { feed in
            var i = 0
            while i < bytes.count {
                let end = min(i + piece, bytes.count)
                try bytes[i..<end].withUnsafeBufferPointer { try feed($0) }
                i = end
            }
        }
    }

    static func verify(_ results: String, members: String = members) throws -> FixturesVerdict {
        try FixturesVerification.verify(members: source(members), results: source(results))
    }

    @Test func everyRowAsExpectedPasses() throws {
        for piece in [1, 7, 1 << 16] {
            let v = try FixturesVerification.verify(members: Self.source(Self.members, piece: piece), results: Self.source(Self.results, piece: piece))
            #expect(v.passed && v.rows == 3 && v.asExpected == 3 && v.differences.isEmpty, "\(piece)")
        }
        // Blank lines, CRLF line ends, a null reason and no summary change nothing.
        let crlf = Self.results.replacingOccurrences(of: "\n", with: "\r\n").replacingOccurrences(of: #""JO-1"}"#, with: #""JO-1","reason":null}"#)
        #expect(try Self.verify("\n" + crlf + "\n \n").passed)
        #expect(try Self.verify(Self.results.split(separator: "\n").prefix(3).joined(separator: "\n")).passed)
        // ',' separated members (as a spreadsheet may save them again) read alike.
        #expect(try Self.verify(Self.results, members: Self.members.replacingOccurrences(of: ";", with: ",")).passed)
    }

    @Test func eachKindOfDifferenceIsListedByRow() throws {
        let results = """
            {"row":2,"status":"opposed","reason":"locked"}
            {"row":3,"status":"refused","reason":"already_active"}
            {"row":3,"status":"opposed"}
            {"row":9,"status":"opposed"}
            not json at all
            [1,2]
            {"row":"4","status":"identity_mismatch"}
            {"row":true,"status":"x"}
            {"row":2.5,"status":"x"}
            {"row":4}
            {"row":4,"status":"identity_mismatch","reason":7}
            {"row":4,"status":"identity_mismatch","reason":"identity_not_found\\u001b[2J"}

            """
        let v = try Self.verify(results)
        #expect(!v.passed && v.rows == 3 && v.asExpected == 1)
        let kinds = v.differences.map { "\($0.kind.rawValue) \($0.row.map(String.init) ?? "-") \($0.line.map(String.init) ?? "-")" }
        #expect(kinds == ["mismatch 2 1", "duplicate 3 3", "mismatch 4 12", "unexpected 9 4", "unreadable - 5", "unreadable - 6",
                          "unreadable - 7", "unreadable - 8", "unreadable - 9", "unreadable - 10", "unreadable - 11"], "\(kinds)")
        #expect(v.differenceCount == v.differences.count)
        let mismatch = v.differences[0]
        #expect(mismatch.expectedStatus == "opposed" && mismatch.expectedReason == "" && mismatch.status == "opposed" && mismatch.reason == "locked")
        // Control characters come back as they were (the views escape them).
        #expect(v.differences[2].reason == "identity_not_found\u{1B}[2J")
        // A row without a result.
        let missing = try Self.verify(Self.results.split(separator: "\n").dropFirst().joined(separator: "\n"))
        #expect(missing.differences.map(\.kind) == [.missing] && missing.differences[0].row == 2 && missing.differences[0].line == nil)
        // No results at all: every row missing.
        #expect(try Self.verify("").differences.map(\.kind) == [.missing, .missing, .missing])
    }

    @Test func aHugeOrEndlessLineIsOneUnreadableLine() throws {
        let long = "{\"row\":2,\"status\":\"" + String(repeating: "x", count: 1 << 21) + "\"}"
        let v = try Self.verify(long + "\n" + Self.results.split(separator: "\n").dropFirst().joined(separator: "\n") + "\n" + long)
        #expect(v.differences.map(\.kind) == [.missing, .unreadable, .unreadable], "\(v.differences.map(\.kind))")
    }

    @Test func differencesAreCountedAllAndListedUpToTheCap() throws {
        var results = ""
        for row in 0..<1_500 { results += "{\"row\":\(1_000 + row),\"status\":\"opposed\"}\n" }
        let v = try Self.verify(results)
        #expect(v.differenceCount == 1_503 && v.differences.count == FixturesVerification.listed)
        #expect(v.differences.prefix(3).map(\.kind) == [.missing, .missing, .missing])
    }

    @Test func aMembersFileWithoutExpectationsIsRefused() throws {
        func code(_ members: String) -> ErrorCode? { thrownError { _ = try Self.verify(Self.results, members: members) }?.code }
        #expect(code("nir;date_naissance;code\n1;2;3\n") == .csvHeader)
        #expect(code("") == .inputEmpty)
        #expect(code("\u{FEFF}nir;expected_status;expected_reason\n") == .inputEmpty)
        #expect(code("{\"nir\":\"1\",\"expected_status\":\"opposed\"}\n") == .csvHeader)
        let e = thrownError { _ = try Self.verify(Self.results, members: "a;b\n1;2\n") }
        #expect(e?.field == "MEMBERS" && e?.message.contains("mes fixtures --members") == true)
    }
}
