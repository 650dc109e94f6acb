import Foundation
import Testing
import MESCore

/// Every secret a person types has a limit that holds; the clock is the system's on real stores;
/// failures say nothing about what exists; secrets can stay off the command line.
@Suite(.serialized) struct AttemptLimitTests {
    func write(_ s: Scenario, _ text: String) throws -> String {
        let p = s.dir.appendingPathComponent("f-\(UUID().uuidString)").path
        try text.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }

    @Test func tenWrongOneTimeCodesThenTheRightOneIsRefused() throws {
        let s = try Scenario()
        let token = try s.martineSession()
        #expect(try s.run(["activate", "--session", token, "--accept-cgu", "--email", "m@example.fr"]).status == 0)
        let otp = try s.lastCode()
        let pw = try write(s, "Soleil#2022x\nSoleil#2022x\n")
        for i in 0..<10 {
            let wrong = String(format: "%06d", (Int(otp)! + 1 + i) % 1_000_000)
            let r = try s.run(["activate", "--session", token, "--accept-cgu", "--email", "m@example.fr", "--email-otp", wrong,
                               "--username", "martine.l", "--password-file", pw, "--json"])
            #expect(r.status == 77 && r.errorJSON["code"] as? String == "otp_rejected")
        }
        let right = try s.run(["activate", "--session", token, "--accept-cgu", "--email", "m@example.fr", "--email-otp", otp,
                               "--username", "martine.l", "--password-file", pw, "--json"])
        #expect(right.status == 77, "the code is spent after 5 wrong tries")
        #expect(right.errorJSON["code"] as? String == "otp_rejected")
        // A new code can be asked for, but not at once.
        #expect(try s.run(["activate", "--session", token, "--accept-cgu", "--email", "m@example.fr", "--json"]).errorJSON["code"] as? String == "too_soon")
    }

    @Test func thirtyOneAssistedGuessesLockBeforeTheRightBirthDayAndAreAllAudited() throws {
        let s = try Scenario()
        var codes: [String] = []
        for day in 1...31 {
            let date = String(format: "%02d/06/1988", day)
            let r = try s.run(["oppose", "--assisted", "--adviser", "A042", "--nir", "116304403801618", "--birth-date", date,
                               "--last-name", "Leguellec", "--yes", "--json"])
            codes.append(r.errorJSON["code"] as? String ?? "opposed")
        }
        #expect(!codes.contains("opposed"), "\(codes)")
        #expect(codes[7] == "locked", "day 8, the right one, comes after the lock")
        #expect(Array(codes.prefix(4)) == Array(repeating: "identity_not_found", count: 4))
        let events = (try s.run(["history", "--json"]).json["events"] as? [[String: Any]] ?? [])
        let assisted = events.filter { ($0["event"] as? String ?? "").hasPrefix("assisted_") }
        #expect(codes[30] == "birth_date_invalid", "31/06 is no date: refused before any check")
        #expect(assisted.count == 30)
        #expect(assisted.allSatisfy { $0["actor_id"] as? String == "A042" && $0["channel"] as? String == "phone" })
        // Another adviser is locked out of this NIR too, and an unknown adviser is refused.
        let other = try s.run(["advisers", "add", "B7"])
        #expect(other.status == 0)
        let again = try s.run(["oppose", "--assisted", "--adviser", "B7", "--nir", "116304403801618", "--birth-date", "08/06/1988",
                               "--last-name", "Leguellec", "--yes", "--json"])
        #expect(again.errorJSON["code"] as? String == "locked")
        let unknown = try s.run(["oppose", "--assisted", "--adviser", "Z9", "--nir", "116304403801618", "--birth-date", "08/06/1988",
                                 "--last-name", "Leguellec", "--yes", "--json"])
        #expect(unknown.status == 69 && unknown.errorJSON["code"] as? String == "adviser_unknown")
        // After the lock, the right answers work.
        s.advance(seconds: 15 * 60 + 1)
        let ok = try s.run(["oppose", "--assisted", "--adviser", "B7", "--nir", "116304403801618", "--birth-date", "08/06/1988",
                            "--last-name", "Leguellec", "--yes", "--json"])
        #expect(ok.status == 0, "\(ok.stderr)")
    }

    @Test func aFixedClockIsRefusedByARealStoreWhoseRecordsCarryTheSystemTime() throws {
        let dir = temporaryDirectory("mes-clock").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let env = ["MES_HOME": dir]
        #expect(try runBinary(["init"], env: env).status == 0)
        let roster = dir + "/r.csv"
        try "nir,birth_date,first_name,last_name,card_type,serial,email\n116304403801618,08/06/1988,Martine,Leguellec,plain,953701166,m@example.fr\n"
            .write(toFile: roster, atomically: true, encoding: .utf8)
        let refused = try runBinary(["--now", "2019-05-01T08:00:00Z", "import", roster, "--json"], env: env)
        #expect(refused.status == 64)
        #expect(refused.errorJSON["field"] as? String == "now")
        let viaEnv = try runBinary(["import", roster, "--json"], env: env.merging(["MES_NOW": "2019-05-01T08:00:00Z"]) { $1 })
        #expect(viaEnv.status == 64 && viaEnv.errorJSON["field"] as? String == "now")
        #expect(try runBinary(["import", roster], env: env).status == 0)
        // (With a code rather than by phone: the phone service keeps office hours, the system clock may not.)
        let card = ["--nir", "116304403801618", "--card", "plain", "--serial", "953701166"]
        #expect(try runBinary(["code", "generate", "--birth-date", "08/06/1988"] + card, env: env).status == 0)
        let code = try runBinary(["outbox", "show", "last", "--json"], env: env).json["code"] as? String ?? ""
        let receipt = dir + "/j.pdf"
        let r = try runBinary(["oppose", "--code", code] + card + ["--yes", "--receipt", receipt, "--json"], env: env)
        #expect(r.status == 0, "\(r.stderr)")
        let today = Instant(seconds: Int64(Date().timeIntervalSince1970)).parisDate
        #expect(r.json["decided_on"] as? String == today.iso)
        #expect(try runBinary(["receipt", "verify", receipt], env: env).stdout.hasPrefix("authentique"))
        // A store needing no store keeps --now; an existing real store cannot become a test store.
        #expect(try runBinary(["--now", "2019-05-01T08:00:00Z", "nir", "generate", "--count", "1", "--seed", "1"], env: env).status == 0)
        #expect(try runBinary(["init", "--test-clock"], env: env).status == 69)
    }

    /// A wrong code on a known card, a wrong serial and an unknown person: same message, same
    /// status, same time within noise (each run a first failure, on its own card).
    @Test func theThreeFailurePathsLookAlike() throws {
        let s = try Scenario(demo: false)
        try s.run(["init", "--test-clock"])
        let roster = s.dir.appendingPathComponent("r.csv").path
        #expect(try s.run(["fixtures", "--count", "40", "--seed", "7", "--roster", roster]).status == 0)
        #expect(try s.run(["import", roster]).status == 0)
        let people = try String(contentsOfFile: roster, encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let unknown = try s.run(["nir", "generate", "--count", "40", "--seed", "99"]).stdout.split(separator: "\n").map(String.init)
        var times: [String: [Double]] = [:]
        var answers: [String: Set<String>] = [:]
        for i in 0..<30 {
            let p = people[i]
            let cases = [
                ("wrong_code", ["--nir", p[0], "--card", p[4], "--serial", p[5]]),
                ("wrong_serial", ["--nir", p[0], "--card", "plain", "--serial", String(format: "9%08d", i)]),
                ("unknown_person", ["--nir", unknown[i], "--card", p[4], "--serial", p[5]]),
            ]
            for (label, args) in cases {
                let t = Date()
                let r = try s.run(["identify", "--code", "ZZZZZZZZZZZZ"] + args + ["--json"])
                times[label, default: []].append(Date().timeIntervalSince(t))
                answers[label, default: []].insert("\(r.status) \(r.errorJSON["code"] ?? "") \(r.errorJSON["message"] ?? "")")
            }
        }
        #expect(Set(answers.values.flatMap { $0 }).count == 1, "\(answers)")
        let medians = times.mapValues { $0.sorted()[$0.count / 2] }
        let ratio = medians.values.max()! / medians.values.min()!
        #expect(ratio <= 1.3, "medians \(medians)")
    }

    @Test func secretsCanStayOffTheCommandLine() throws {
        let s = try Scenario()
        try s.run(["code", "generate"] + Scenario.martine + Scenario.martineBirth)
        let codeFile = try write(s, try s.lastCode() + "\n")
        let id = try s.run(["identify", "--code-file", codeFile, "--json"] + Scenario.martine)
        #expect(id.status == 0, "\(id.stderr)")
        let token = id.json["session"] as? String ?? ""
        let fromStdin = try runBinary(["profiles", "list", "--session-file", "-", "--json"], stdin: Data((token + "\n").utf8),
                                      env: ["MES_HOME": s.store, "MES_NOW": s.now])
        #expect(fromStdin.status == 0, "\(fromStdin.stderr)")
        #expect((fromStdin.json["profiles"] as? [Any])?.count == 5)
        let fromEnv = try runBinary(["profiles", "list", "--json"], env: ["MES_HOME": s.store, "MES_NOW": s.now, "MES_SESSION": token])
        #expect(fromEnv.status == 0)
        #expect(try s.run(["profiles", "list", "--session", token, "--session-file", codeFile]).status == 64)
        // Numbers are read strictly: 03 is not profile 3.
        let zero = try s.run(["profiles", "oppose", "--session", token, "--profile", "03", "--legal-representative", "--yes", "--json"])
        #expect(zero.status == 65 && zero.errorJSON["field"] as? String == "profile")
        #expect(try s.run(["outbox", "show", "01"]).status == 64)
        // Logging out ends the session.
        #expect(try s.run(["logout", "--session", token]).status == 0)
        #expect(try s.run(["profiles", "list", "--session", token]).status == 77)
        #expect(try s.run(["logout", "--session", token]).status == 77)
    }

    @Test func codeRequestsCountWrongIdentitiesAndLock() throws {
        let s = try Scenario()
        var codes: [String] = []
        for day in ["01", "02", "03", "04", "05"] {
            let r = try s.run(["code", "generate", "--nir", "116304403801618", "--birth-date", "\(day)/06/1988", "--card", "plain",
                               "--serial", "953701166", "--json"])
            codes.append(r.errorJSON["code"] as? String ?? "sent")
        }
        #expect(codes == ["identity_not_found", "identity_not_found", "identity_not_found", "identity_not_found", "locked"], "\(codes)")
        let right = try s.run(["code", "generate", "--json"] + Scenario.martine + Scenario.martineBirth)
        #expect(right.errorJSON["code"] as? String == "locked", "no oracle while locked")
        s.advance(seconds: 15 * 60 + 1)
        #expect(try s.run(["code", "generate"] + Scenario.martine + Scenario.martineBirth).status == 0)
    }

    @Test func aStoreWithHistoryCannotBecomeATestStore() throws {
        let dir = temporaryDirectory("mes-pristine").appendingPathComponent("store").path
        #expect(try runBinary(["init"], env: ["MES_HOME": dir]).status == 0)
        #expect(try runBinary(["advisers", "add", "A042"], env: ["MES_HOME": dir]).status == 0)
        #expect(try runBinary(["init", "--test-clock"], env: ["MES_HOME": dir]).status == 69)
        #expect(try runBinary(["--now", "2019-05-01T08:00:00Z", "history"], env: ["MES_HOME": dir]).status == 64)
    }
}
