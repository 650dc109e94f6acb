import Foundation
import Testing

/// Notification waves run as processes: several at once on one store, as an operator's retry
/// or a scheduler's overlap would start them, notify every profile exactly once.
@Suite struct NotificationWaveEndToEndTests {
    /// A store with the demo people and 3,000 synthetic ones (families, people out of reach).
    func populated() throws -> Scenario {
        let s = try Scenario()
        try s.importSynthetic(count: 3000, seed: "wave")
        return s
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
        let events = try s.run(["history", "--json"]).json["events"] as? [[String: Any]] ?? []
        let ids = events.filter { $0["event"] as? String == "notified" }.compactMap { ($0["profile"] as? [String: Any])?["id"] as? Int }
        #expect(ids.count == notified && Set(ids).count == notified)
        #expect(try s.run(["notify", "--no-send", "--json"]).json["notified"] as? Int == 0)
    }
}
