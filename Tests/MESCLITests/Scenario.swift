import Foundation
@testable import MESCLI

/// A store in a temporary directory and a fixed clock, driven through the built binary.
final class Scenario {
    let dir: URL
    var now: String

    init(demo: Bool = true, now: String = "2022-02-03T10:00:00Z") throws {
        dir = temporaryDirectory("mes-e2e")
        self.now = now
        if demo { _ = try run(["init", "--demo"]) }
    }

    deinit { try? FileManager.default.removeItem(at: dir) }

    var store: String { dir.appendingPathComponent("store").path }

    /// Runs `mes` with this store and clock.
    @discardableResult
    func run(_ args: [String], stdin: String = "") throws -> RunResult {
        try runBinary(args, stdin: Data(stdin.utf8), env: ["MES_HOME": store, "MES_NOW": now])
    }

    /// Moves the clock.
    func advance(seconds: Int) {
        now = Instant.parse(now)!.adding(seconds: Int64(seconds)).iso8601
    }

    /// The code carried by the last delivered message (read as a script would).
    func lastCode() throws -> String {
        let r = try run(["outbox", "show", "last", "--json"])
        return r.json["code"] as? String ?? ""
    }

    /// Every file of the store with its bytes (to prove a failed command changed nothing).
    func snapshot() -> [String: Data] {
        var out: [String: Data] = [:]
        let e = FileManager.default.enumerator(atPath: store)
        while let rel = e?.nextObject() as? String {
            let p = store + "/" + rel
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: p, isDirectory: &isDir), !isDir.boolValue {
                out[rel] = FileManager.default.contents(atPath: p)
            } else { out[rel + "/"] = Data() }
        }
        return out
    }

    /// Everything under the store except the outbox, as bytes.
    func bytesOutsideOutbox() -> [(String, Data)] {
        snapshot().filter { !$0.key.hasPrefix("outbox/") }.map { ($0.key, $0.value) }
    }

    // The demo people.
    static let martine = ["--nir", "1 16 30 44 038 016 18", "--card", "plain", "--serial", "953701166"]
    static let martineBirth = ["--birth-date", "08/06/1988"]

    /// Generates a code for Martine, reads it from the outbox and identifies: returns the session token.
    func martineSession() throws -> String {
        try run(["code", "generate"] + Self.martine + Self.martineBirth)
        let code = try lastCode()
        let r = try run(["identify", "--json", "--code", code] + Self.martine)
        return r.json["session"] as? String ?? ""
    }
}

import MESCore
