import Foundation
import Testing

/// Notification waves run as processes: several at once on one store, as an operator's retry
/// or a scheduler's overlap would start them, notify every profile exactly once.
@Suite struct NotificationWaveEndToEndTests {
    /// A store with the demo people and 3,000 synthetic ones (families, people out of reach):
    /// a private copy of one imported once per test run.
    func populated(_ count: Int = 3000) throws -> Scenario {
        try Scenario.prepared("wave-\(count)") { try $0.importSynthetic(count: count, seed: "wave") }
    }

    /// The "notified" audit lines' profile ids.
    func notifiedIDs(_ s: Scenario) throws -> [Int] {
        let events = try s.run(["history", "--json"]).json["events"] as? [[String: Any]] ?? []
        return events.filter { $0["event"] as? String == "notified" }.compactMap { ($0["profile"] as? [String: Any])?["id"] as? Int }
    }

    /// SIGKILL at several moments of a wave on 25,000 people (its groups of 10,000 read ahead on
    /// a second thread), then a wave to the end: every profile once, as a wave alone does.
    @Test func aWaveKilledAtAnyMomentResumesWithEachProfileNotifiedOnce() throws {
        let alone = try populated(25_000)
        let reference = try alone.run(["notify", "--no-send", "--json"]).json
        let s = try populated(25_000)
        let env = ["MES_HOME": s.store, "MES_NOW": s.now]
        for delay in [50_000, 200_000, 400_000, 700_000] as [UInt32] {
            let p = try startBinary(["notify", "--no-send"], env: env)
            usleep(delay)
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
        }
        let last = try s.run(["notify", "--no-send", "--json"])
        #expect(last.status == 0, "\(last.stderr)")
        let ids = try notifiedIDs(s)
        #expect(ids.count == reference["notified"] as? Int && Set(ids).count == ids.count)
        #expect(try s.run(["notify", "--no-send", "--json"]).json["notified"] as? Int == 0)
        func messages(_ s: Scenario) throws -> Int { (try s.run(["outbox", "list", "--json"]).json["messages"] as? [Any])?.count ?? -1 }
        #expect(try messages(s) == messages(alone), "one message per address, none twice")
    }

    @Test func threeWavesAtOnceNotifyEachProfileOnce() throws {
        let alone = try populated()
        let reference = try alone.run(["notify", "--no-send", "--json"]).json
        let notified = try #require(reference["notified"] as? Int)
        #expect(notified > 2_000)

        let s = try populated()
        let env = ["MES_HOME": s.store, "MES_NOW": s.now]
        let outputs = (0..<3).map { s.dir.appendingPathComponent("wave-\($0).json") }
        let waves = try outputs.map { try startBinary(["notify", "--no-send", "--json"], env: env, stdout: $0) }
        for p in waves { p.waitUntilExit() }
        #expect(waves.allSatisfy { $0.terminationStatus == 0 })
        let results = try outputs.map { try JSONSerialization.jsonObject(with: Data(contentsOf: $0)) as? [String: Any] ?? [:] }
        #expect(results.map { $0["notified"] as? Int ?? -1 }.reduce(0, +) == notified)
        #expect(results.map { $0["messages"] as? Int ?? -1 }.reduce(0, +) == reference["messages"] as? Int)
        // Each wave reports who is left out of reach, the same profiles.
        #expect(results.allSatisfy { $0["without_address"] as? Int == reference["without_address"] as? Int })
        // One "notified" line per profile, and nothing left to notify.
        let ids = try notifiedIDs(s)
        #expect(ids.count == notified && Set(ids).count == notified)
        #expect(try s.run(["notify", "--no-send", "--json"]).json["notified"] as? Int == 0)
    }
}
