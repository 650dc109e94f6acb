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
        // The backup starts as soon as the batches have filed something (a fixed pause let the
        // release binary file all 3,000 before it, and the backup then saw nothing move).
        var before = 0
        for _ in 0..<2_000 where before == 0 {
            usleep(5_000)
            before = try Store.open(s.store).counts().decisions
        }
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

/// Attack of the backup commands: killed midway, output paths that are taken, streams.
@Suite(.serialized) struct BackupAttackTests {
    /// A small test store with a backup of it.
    func store() throws -> (Scenario, String) {
        let s = try Scenario()
        let file = s.dir.appendingPathComponent("b.mesbak").path
        #expect(try s.run(["backup", "--plain", file]).status == 0)
        return (s, file)
    }

    /// A backup killed after its snapshot was made (at the rename that would put the file in
    /// place) left a copy of the whole database in the store's folder; the next backup removes
    /// it, and nothing appears at the path.
    @Test func whatAKilledBackupLeftIsRemovedByTheNext() throws {
        guard findProgram("strace") != nil else { Issue.record("strace is not installed"); return }
        let (s, _) = try store()
        let target = s.dir.appendingPathComponent("k.mesbak").path
        _ = try sh("strace -f -o /dev/null -e inject=rename,renameat,renameat2,linkat:signal=SIGKILL:when=1 \"$MES\" backup --plain \(target) >/dev/null",
                   env: ["MES_HOME": s.store, "MES_NOW": s.now])
        #expect(!FileManager.default.fileExists(atPath: target))
        let stray = { try FileManager.default.contentsOfDirectory(atPath: s.store).filter { $0.hasPrefix(".mes-backup-") } }
        #expect(try !stray().isEmpty, "the kill came after the snapshot")
        #expect(try s.run(["check"]).status == 65)   // named: unknown_file
        #expect(try s.run(["backup", "--plain", target]).status == 0)
        #expect(try stray().isEmpty)
        #expect(try s.run(["check"]).status == 0)
    }

    /// A restore killed at its last step (the rename into place) leaves its staging folder
    /// beside the target and nothing at the target; the next restore completes and removes it.
    @Test func whatAKilledRestoreLeftIsRemovedByTheNext() throws {
        guard findProgram("strace") != nil else { Issue.record("strace is not installed"); return }
        let (s, file) = try store()
        let target = s.dir.appendingPathComponent("restored").path
        _ = try sh("strace -f -o /dev/null -e inject=rename,renameat,renameat2:signal=SIGKILL:when=1 \"$MES\" restore \(file) \(target) >/dev/null",
                   env: [:])
        #expect(!FileManager.default.fileExists(atPath: target))
        let staged = { try FileManager.default.contentsOfDirectory(atPath: s.dir.path).filter { $0.hasPrefix("restored.restore-") } }
        #expect(try staged().count == 1)
        #expect(try runBinary(["restore", file, target], env: [:]).status == 0)
        #expect(try staged().isEmpty)
        #expect(try runBinary(["check"], env: ["MES_HOME": target]).status == 0)
    }

    /// Output paths that are taken, a stream for the passphrase, a device for the file.
    @Test func takenPathsStreamsAndDevices() throws {
        let (s, file) = try store()
        // An existing file is refused without --force (73) and left as it was.
        #expect(try s.run(["backup", "--plain", file]).status == 73)
        // A link at the path is replaced with --force, never followed.
        let link = s.dir.appendingPathComponent("link.mesbak").path
        let elsewhere = s.dir.appendingPathComponent("elsewhere").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: elsewhere)
        #expect(try s.run(["backup", "--plain", "--force", link]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: elsewhere))
        #expect((try FileManager.default.attributesOfItem(atPath: link)[.type] as? FileAttributeType) == .typeRegular)
        // An endless passphrase file is bounded (65); a device is never written (73).
        #expect(try s.run(["backup", "--passphrase-file", "/dev/zero", s.dir.appendingPathComponent("z").path]).status == 65)
        #expect(try s.run(["backup", "--plain", "--force", "/dev/full"]).status == 73)
        // A restore over a store, or over a file, is refused and changes nothing.
        #expect(try runBinary(["restore", file, s.store], env: [:]).status == 69)
        #expect(try runBinary(["restore", file, file], env: [:]).status == 69)
        // Two backups at once each write a whole file.
        let a = try startBinary(["backup", "--plain", s.dir.appendingPathComponent("a").path], env: cleanEnvironment(["MES_HOME": s.store]))
        let b = try runBinary(["backup", "--plain", s.dir.appendingPathComponent("b2").path], env: ["MES_HOME": s.store])
        a.waitUntilExit()
        #expect(a.terminationStatus == 0 && b.status == 0)
        for name in ["a", "b2"] {
            #expect(try runBinary(["restore", s.dir.appendingPathComponent(name).path, s.dir.appendingPathComponent("r-" + name).path], env: [:]).status == 0)
        }
    }
}
