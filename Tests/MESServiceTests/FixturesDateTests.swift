import Foundation
import Testing
import TestSupport
import MESCore
@testable import MESService

/// Fixtures are reproducible by default (issue 33): without `--now` they are made as of
/// `Fixtures.fixedNow`, so two runs on two days (two clocks) give the same bytes.
@Suite struct FixturesDateTests {
    func files(_ clock: any Clock, date: FixturesDate, members: Bool) throws -> ([UInt8], [UInt8], FixturesResult) {
        let dir = temporaryPath("mes-fixtures-date")
        let r = FixturesRequest(count: 400, seed: 11, roster: .file(dir + "-r.csv"), members: members ? .file(dir + "-m.csv") : nil, date: date)
        let result = try Fixtures.write(r, clock: clock, storeDirectory: dir, standardOutput: { _ in })
        let roster = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "-r.csv")))
        let file = members ? Array(try Data(contentsOf: URL(fileURLWithPath: dir + "-m.csv"))) : []
        return (roster, file, result)
    }

    static let clocks: [any Clock] = [FixedClock(Instant.parse("2026-03-05T22:59:59Z")!), FixedClock(Instant.parse("2026-03-05T23:00:01Z")!),
                                      FixedClock(Instant.parse("2031-07-14T12:00:00Z")!)]

    @Test func twoClocksGiveTheSameBytesByDefault() throws {
        for members in [false, true] {
            let runs = try Self.clocks.map { try files($0, date: .fixed, members: members) }
            #expect(runs.allSatisfy { $0.0 == runs[0].0 && $0.1 == runs[0].1 }, "members: \(members)")
            #expect(runs.allSatisfy { $0.2.now == Fixtures.fixedNow })
            #expect(runs[0].0.count > 10_000 && (!members || runs[0].1.count > 10_000))
        }
        // The system clock too.
        #expect(try files(SystemClock(), date: .fixed, members: false).0 == (try files(Self.clocks[0], date: .fixed, members: false).0))
        #expect(Fixtures.fixedNow.iso8601 == "2026-01-01T10:00:00Z")
    }

    /// Given a clock (`--now`), fixtures are made as of it: midnight in Paris changes them.
    @Test func aGivenClockDatesThem() throws {
        let before = try files(Self.clocks[0], date: .clock, members: false), after = try files(Self.clocks[1], date: .clock, members: false)
        #expect(before.0 != after.0 && before.2.now == Self.clocks[0].now())
        #expect(try files(FixedClock(Fixtures.fixedNow), date: .clock, members: true).1 == (try files(Self.clocks[2], date: .fixed, members: true).1))
    }
}
