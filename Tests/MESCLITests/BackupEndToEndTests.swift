import Foundation
import Testing
@testable import MESStore

/// `mes backup` while 8 processes file oppositions, then `mes restore` and `mes check`: the copy
/// is whole, holds every opposition committed before the backup began and none half, and its
/// receipts verify.
@Suite(.serialized) struct BackupEndToEndTests {
    @Test func aBackupTakenWhileEightProcessesFileIsWholeAndRestores() throws {
        let (s, members) = try Scenario.withOpposableMembers()
        let lines = try String(contentsOfFile: members, encoding: .utf8).split(separator: "\n").map(String.init)
        var env = cleanEnvironment()
        env["MES_HOME"] = s.store
        env["MES_NOW"] = s.now
        var processes: [Process] = []
        for k in 0..<8 {
            let file = s.dir.appendingPathComponent("part\(k).csv").path
            let rows = lines.dropFirst().enumerated().filter { $0.offset % 8 == k }.map(\.element)
            try ([lines[0]] + rows).joined(separator: "\n").appending("\n").write(toFile: file, atomically: true, encoding: .utf8)
            processes.append(try startBinary(["batch", "oppose", file, "--receipts", s.dir.appendingPathComponent("receipts").path,
                                              "--legal-representative"], env: env))
        }
        usleep(400_000)
        let before = try Store.open(s.store).counts().decisions
        let phrase = s.dir.appendingPathComponent("phrase").path
        try "une phrase de passe assez longue\n".write(toFile: phrase, atomically: true, encoding: .utf8)
        let file = s.dir.appendingPathComponent("store.mesbak").path
        let backup = try s.run(["backup", "--passphrase-file", phrase, file, "--json"])
        for p in processes { p.waitUntilExit() }
        #expect(backup.status == 0, "\(backup.stderr)")
        let after = try Store.open(s.store).counts().decisions
        #expect(before < after, "the batches were still filing when the backup ran (\(before) then \(after))")

        // Nothing at all written where the store goes until it is whole; then a store that checks.
        let target = s.dir.appendingPathComponent("restored").path
        let restore = try runBinary(["restore", file, target, "--passphrase-file", phrase, "--json"], env: ["MES_HOME": s.store])
        #expect(restore.status == 0, "\(restore.stderr)")
        let check = try runBinary(["check", "--json", "--receipts", s.dir.appendingPathComponent("receipts").path], env: ["MES_HOME": target])
        let problems = (check.json["problems"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
        // Receipts filed after the backup began are unknown to the copy; none is altered, none half there.
        #expect(Set(problems).isSubset(of: ["receipt_file_unknown"]), "\(check.stdout)")
        let copy = try Store.open(target).counts()
        #expect(copy.decisions >= before && copy.decisions <= after, "\(before) ≤ \(copy.decisions) ≤ \(after)")
        #expect(copy.receipts == copy.decisions, "every decision in the copy has its receipt record")
        #expect(try runBinary(["check"], env: ["MES_HOME": target]).status == 0)

        // The backup holds no contact, code or key in clear.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        let key = try Data(contentsOf: URL(fileURLWithPath: s.store + "/secret.key"))
        for needle in [Data("@example".utf8), Data("SQLite format".utf8), Data("PRIVATE KEY".utf8), key] {
            #expect(bytes.range(of: needle) == nil)
        }
        // A restore never writes over a store.
        let again = try runBinary(["restore", file, target, "--passphrase-file", phrase], env: [:])
        #expect(again.status == 69, "\(again.stderr)")
    }
}
