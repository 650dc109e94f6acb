import Foundation
import Testing
import TestSupport
import MESCore
@testable import MESService
@testable import MESStore

/// `fixtures --members` twice on one store (issue 33): the same seed's population, untouched,
/// is reused (the same rows, the store as it was); changed or made otherwise, it is refused, or
/// replaced with `--force` when the store holds nothing else; an import refused row by row lists
/// 20 errors and counts them all.
@Suite struct FixturesAgainTests {
    let clock = FixedClock(Instant.parse("2026-01-01T10:00:00Z")!)

    func write(_ dir: String, count: Int = 120, seed: UInt64 = 7, tag: String, force: Bool = false) throws -> (FixturesResult, [UInt8]) {
        let r = FixturesRequest(count: count, seed: seed, roster: .file(dir + "-\(tag)-r.csv"), members: .file(dir + "-\(tag)-m.csv"), force: force)
        let result = try Fixtures.write(r, clock: clock, storeDirectory: dir, standardOutput: { _ in })
        return (result, Array(try Data(contentsOf: URL(fileURLWithPath: dir + "-\(tag)-m.csv"))))
    }

    @Test func theSamePopulationUntouchedIsReused() throws {
        let dir = temporaryPath("mes-fixtures-again")
        let (first, bytes) = try write(dir, tag: "1")
        #expect(first.population == .imported)
        let mark = try Store.open(dir).changeMark()
        let (second, again) = try write(dir, tag: "2")
        #expect(second.population == .reused && again == bytes && second.codes == first.codes)
        #expect(second.expected.map(\.rows) == first.expected.map(\.rows))
        #expect(try Store.open(dir).changeMark() == mark, "reusing wrote to the store")
        // --force (to replace the files) reuses it too.
        #expect(try write(dir, tag: "2", force: true).0.population == .reused)
    }

    @Test func aChangedPopulationIsRefusedThenReplacedWithForce() throws {
        let dir = temporaryPath("mes-fixtures-again")
        let (_, bytes) = try write(dir, tag: "1")
        // Something happened since: a wrong code typed for someone (an attempt counted).
        let store = try Store.open(dir)
        let firstNIR = try String(contentsOfFile: dir + "-1-r.csv", encoding: .utf8).split(separator: "\n")[1].split(separator: ",")[0]
        let person = try #require(try store.people(nir: NIR(trusted: String(firstNIR))).first)
        _ = try store.transaction { try IdentificationGate(store: store, policy: .standard)
            .identify(code: "AAAAAAAAAAAA", card: CardIdentity(nir: person.nir, card: person.card, serial: person.serial), now: clock.now()) }
        let refused = thrownError { _ = try write(dir, tag: "2") }
        #expect(refused?.code == .fixturesPresent && refused?.status == .refused && refused?.message.contains("changé depuis") == true,
                "\(String(describing: refused))")
        #expect(!FileManager.default.fileExists(atPath: dir + "-2-m.csv") && !FileManager.default.fileExists(atPath: dir + "-2-r.csv"))
        let (replaced, again) = try write(dir, tag: "2", force: true)
        #expect(replaced.population == .replaced && again == bytes)
        #expect(try Store.open(dir).counts().people == 120)
        // Now untouched again: reused.
        #expect(try write(dir, tag: "3").0.population == .reused)
    }

    @Test func anotherCountIsRefusedThenReplacedAndOtherPeopleAreKept() throws {
        let dir = temporaryPath("mes-fixtures-again")
        _ = try write(dir, tag: "1")
        let other = thrownError { _ = try write(dir, count: 60, tag: "2") }
        #expect(other?.code == .fixturesPresent && other?.message.contains("120 profils au 2026-01-01T10:00:00Z") == true, "\(String(describing: other))")
        #expect(try write(dir, count: 60, tag: "2", force: true).0.population == .replaced)
        #expect(try Store.open(dir).counts().people == 60)
        // Another seed beside it: then --force may not empty the store.
        #expect(try write(dir, count: 30, seed: 8, tag: "3").0.population == .imported)
        let mixed = thrownError { _ = try write(dir, count: 61, tag: "4", force: true) }
        #expect(mixed?.code == .fixturesPresent && mixed?.message.contains("90 personnes") == true, "\(String(describing: mixed))")
        #expect(try Store.open(dir).counts().people == 90)
    }

    /// A replacement that cannot write its files leaves the store as it was (one transaction).
    @Test func aFailedReplacementChangesNothing() throws {
        let dir = temporaryPath("mes-fixtures-again")
        _ = try write(dir, tag: "1")
        let mark = try Store.open(dir).changeMark()
        let r = FixturesRequest(count: 50, seed: 7, roster: .file(dir + "-r.csv"), members: .file(dir + "-missing/m.csv"), force: true)
        #expect(thrownError { _ = try Fixtures.write(r, clock: clock, storeDirectory: dir, standardOutput: { _ in }) } != nil)
        #expect(try Store.open(dir).changeMark() == mark)
        #expect(try Store.open(dir).fixturesRecord(seed: 7)?.count == 120)
    }

    /// The same people imported without a record (a store of an earlier version): the import is
    /// refused with the first 20 errors, each `person_present`, and the count of all.
    @Test func peopleAlreadyThereWithoutARecordAreCappedErrors() throws {
        let dir = temporaryPath("mes-fixtures-again")
        _ = try Service.initialize(dir, demo: false, testClock: true)
        let roster = FixturesRequest(count: 300, seed: 9, roster: .file(dir + "-alone.csv"))
        _ = try Fixtures.write(roster, clock: clock, storeDirectory: dir, standardOutput: { _ in })
        let service = try Service.open(dir, clock: clock)
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "-alone.csv")))
        _ = try service.importRoster { feed in try bytes.withUnsafeBufferPointer { try feed($0) } }
        let e = thrownError { _ = try write(dir, count: 300, seed: 9, tag: "1", force: true) }
        #expect(e?.code == .rosterInvalid && e?.details.count == 20 && e?.details.allSatisfy { $0.code == .personPresent } == true)
        #expect(e?.message.contains("300 erreurs") == true && e?.message.contains("… et 280 autres") == true
                && e?.message.contains("La base contient déjà 300 des personnes de la graine 9") == true, "\(e?.message.prefix(300) ?? "")")
        #expect(try Store.open(dir).counts().people == 300)
    }
}
