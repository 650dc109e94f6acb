import Foundation
import Glibc
import Testing
@testable import MESCLI
import MESStore
import MESSystem

/// `mes fixtures` streams its files: what it leaves when it is killed or fails, and what it
/// refuses before writing anything. Found by attacking the streaming change.
@Suite(.serialized) struct FixturesSafetyTests {
    /// The sizes of the unnamed files (`O_TMPFILE`) that process `pid` is writing in `dir`.
    static func unnamedFiles(of pid: Int32, in dir: String) -> [Int] {
        FileIO.list("/proc/\(pid)/fd").compactMap { fd in
            let link = "/proc/\(pid)/fd/\(fd)"
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: link), target.hasPrefix(dir + "/#") else {
                return nil
            }
            var st = stat()
            return stat(link, &st) == 0 ? Int(st.st_size) : nil
        }
    }

    /// Waits until `ready` holds while `p` runs, then kills it (SIGKILL); false when it ended first.
    static func kill(_ p: Process, when ready: () -> Bool) -> Bool {
        var seen = false
        while p.isRunning && !seen { seen = ready(); if !seen { usleep(1_000) } }
        if seen { Glibc.kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        return seen
    }

    /// The files of the folder, but the store.
    static func outputs(_ s: Scenario) -> [String] { FileIO.list(s.dir.path).filter { $0 != "store" }.sorted() }

    /// Third attack: one path for both files was found out only once all the work was done (73
    /// "file exists"), and with --force the members file replaced the roster. A usage error now,
    /// before anything is written, however the path is spelt.
    @Test func oneFileForBothOutputsIsRefusedFirst() throws {
        let s = try Scenario(demo: false)
        let x = s.dir.appendingPathComponent("x.csv").path
        let sub = s.dir.appendingPathComponent("sub").path
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
        for (roster, members, extra) in [(x, x, [String]()), (x, x, ["--force"]), (x, sub + "/../x.csv", []), (x, s.dir.path + "/./x.csv", ["--force"])] {
            let r = try s.run(["fixtures", "--count", "5", "--seed", "1", "--roster", roster, "--members", members] + extra)
            #expect(r.status == 64 && r.stderr.contains("même fichier"), "\(members): \(r.status) \(r.stderr)")
            #expect(Self.outputs(s) == ["sub"], "nothing written")
        }
    }

    @Test func killedWhileWritingTheRosterItLeavesNothingAndRunsAgain() throws {
        let s = try Scenario(demo: false)
        let roster = s.dir.appendingPathComponent("r.csv").path
        let p = try startBinary(["fixtures", "--count", "20000000", "--seed", "kill", "--roster", roster],
                                env: ["MES_HOME": s.store, "MES_NOW": s.now])
        #expect(Self.kill(p) { Self.unnamedFiles(of: p.processIdentifier, in: s.dir.path).contains { $0 > 0 } })
        #expect(p.terminationReason == .uncaughtSignal)
        #expect(Self.outputs(s).isEmpty, "no roster, whole or in part, and no temporary file")
        let again = try s.run(["fixtures", "--count", "1000", "--seed", "kill", "--roster", roster])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(Self.outputs(s) == ["r.csv"])
    }

    @Test func killedWhileWritingTheMembersItLeavesNeitherFileAndTheStoreAsItWas() throws {
        let s = try Scenario(demo: false)
        let roster = s.dir.appendingPathComponent("r.csv").path, members = s.dir.appendingPathComponent("m.csv").path
        let args = ["fixtures", "--count", "100000", "--seed", "kill", "--roster", roster, "--members", members]
        let p = try startBinary(args, env: ["MES_HOME": s.store, "MES_NOW": s.now])
        // The roster is written (not yet in place), then imported, then the members file starts.
        #expect(Self.kill(p) { Self.unnamedFiles(of: p.processIdentifier, in: s.dir.path).filter { $0 > 0 }.count == 2 })
        #expect(Self.outputs(s).isEmpty, "neither file, whole or in part, and no temporary file")
        // The import and the codes were one transaction, rolled back: the same command runs again
        // (it would find every person already there otherwise).
        let again = try s.run(["fixtures", "--count", "2000", "--seed", "kill", "--roster", roster, "--members", members, "--json"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.json["codes"] as? Int == 2000)
        #expect(Self.outputs(s) == ["m.csv", "r.csv"])
    }

    @Test func anExistingFileOrALinkIsRefusedBeforeAnythingIsWritten() throws {
        let s = try Scenario(demo: false)
        let dir = s.dir.path
        for name in ["r.csv", "victim"] {
            #expect(FileManager.default.createFile(atPath: dir + "/" + name, contents: Data("keep".utf8)))
        }
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.csv", withDestinationPath: dir + "/victim")
        try FileManager.default.createSymbolicLink(atPath: dir + "/null.csv", withDestinationPath: "/dev/null")
        for (roster, members) in [("r.csv", "m.csv"), ("new.csv", "r.csv"), ("link.csv", "m.csv"), ("new.csv", "link.csv")] {
            let r = try s.run(["fixtures", "--count", "10", "--seed", "x", "--roster", dir + "/" + roster, "--members", dir + "/" + members])
            #expect(r.status == 73, "\(roster) \(members)")
            #expect(r.stderr.contains("Le fichier existe déjà"), "\(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: s.store), "no store made for a refused command")
        #expect(Self.outputs(s) == ["link.csv", "null.csv", "r.csv", "victim"])
        // Even with --force, a link to a device is refused; a link to a file is replaced, never followed.
        #expect(try s.run(["fixtures", "--count", "10", "--seed", "x", "--roster", dir + "/null.csv", "--force"]).status == 73)
        #expect(try s.run(["fixtures", "--count", "10", "--seed", "x", "--roster", dir + "/link.csv", "--force"]).status == 0)
        var st = stat()
        #expect(lstat(dir + "/link.csv", &st) == 0 && st.st_mode & S_IFMT == S_IFREG)
        #expect(try String(contentsOfFile: dir + "/victim", encoding: .utf8) == "keep")
        #expect(try String(contentsOfFile: dir + "/r.csv", encoding: .utf8) == "keep")
    }

    @Test func aFullDiskOrStandardOutputFailsCleanly() throws {
        let s = try Scenario(demo: false)
        let env = ["MES_HOME": s.store, "MES_NOW": s.now]
        let dir = s.dir.path
        // A device is no output, even with --force.
        #expect(try s.run(["fixtures", "--count", "10", "--seed", "x", "--roster", "/dev/full"]).status == 73)
        #expect(try s.run(["fixtures", "--count", "10", "--seed", "x", "--roster", "/dev/full", "--force"]).status == 73)
        // Standard output full: the roster to it stops at once, the members to it leave no roster
        // file and no codes; the same command to a file runs after.
        #expect(try sh("\"$MES\" fixtures --count 200000 --seed full --roster - > /dev/full", env: env).status == 74)
        #expect(try sh("\"$MES\" fixtures --count 2000 --seed full --roster \(dir)/r.csv --members - > /dev/full", env: env).status == 74)
        #expect(try sh("\"$MES\" fixtures --count 2000 --seed full --roster - --members \(dir)/m.csv > /dev/full", env: env).status == 74)
        #expect(Self.outputs(s).isEmpty)
        let again = try s.run(["fixtures", "--count", "2000", "--seed", "full", "--roster", dir + "/r.csv", "--members", dir + "/m.csv"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(Self.outputs(s) == ["m.csv", "r.csv"])
    }
}
