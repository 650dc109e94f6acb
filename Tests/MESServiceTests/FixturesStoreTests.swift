import Foundation
import Testing
import TestSupport
import MESCore
@testable import MESService
@testable import MESStore

/// `fixtures --members` writes codes drawn from its seed (predictable by design): never into a
/// real register, only into a store made for tests.
@Suite struct FixturesStoreTests {
    func directory() -> String {
        temporaryPath("mes-fixtures-store")
    }

    func request(_ dir: String) -> FixturesRequest {
        FixturesRequest(count: 5, seed: 1, roster: .file(dir + "-roster.csv"), members: .file(dir + "-members.csv"))
    }

    @Test func aRealStoreIsRefusedAndLeftAsItWas() throws {
        let dir = directory()
        _ = try Service.initialize(dir, demo: false)            // a real store: no test clock
        let people = try Store.open(dir).counts().people
        do {
            _ = try Fixtures.write(request(dir), clock: SystemClock(), storeDirectory: dir, standardOutput: { _ in })
            Issue.record("fixtures were written into a real store")
        } catch let e as MESError {
            #expect(e.code == .storeNotForTests && e.status == .refused && e.field == "members")
            #expect(e.message.contains("codes prévisibles"))
        }
        #expect(try Store.open(dir).counts().people == people)
        #expect(!FileManager.default.fileExists(atPath: dir + "-roster.csv") && !FileManager.default.fileExists(atPath: dir + "-members.csv"))
    }

    @Test func aTestStoreOrANewOneTakesThem() throws {
        let test = directory()
        _ = try Service.initialize(test, demo: false, testClock: true)
        #expect(try Fixtures.write(request(test), clock: SystemClock(), storeDirectory: test, standardOutput: { _ in }).codes > 0)
        let fresh = directory()
        #expect(try Fixtures.write(request(fresh), clock: SystemClock(), storeDirectory: fresh, standardOutput: { _ in }).codes > 0)
    }
}
