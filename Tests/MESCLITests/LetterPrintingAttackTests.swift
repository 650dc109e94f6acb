import Foundation
import Testing
import TestSupport
@testable import MESStore

/// `mes outbox letters` under attack: what is at the target, a killed or failing printing,
/// two printings at once, a posting that does not match.
@Suite(.serialized) struct LetterPrintingAttackTests {
    /// A store of `count` synthetic people notified by letter (queued, not printed).
    func lettersWaiting(_ count: Int) throws -> Scenario {
        let s = try Scenario(demo: false)
        #expect(try s.run(["init", "--test-clock"]).status == 0)
        try s.importSynthetic(count: count, seed: "letters-attack")
        let n = try s.run(["notify", "--via", "letter", "--no-send", "--json"])
        #expect(n.status == 0 && (n.json["letter"] as? Int ?? 0) > 0, "\(n.stderr)")
        return s
    }

    func waiting(_ s: Scenario) throws -> Int {
        let db = try Database(path: s.store + "/mes.db", create: false)
        return Int(try db.first("SELECT count(*) FROM outbox WHERE channel = 'letter' AND status = 'letter'")!.int(0)!)
    }

    func printedTwice(_ s: Scenario) throws -> Int {
        let db = try Database(path: s.store + "/mes.db", create: false)
        return Int(try db.first("SELECT count(*) FROM print_batches WHERE letters = 0")!.int(0)!)
    }

    @Test func whatIsAtTheTargetIsNeverWrittenThrough() throws {
        let s = try lettersWaiting(20)
        let dir = s.dir.path
        // An existing file: refused without --force, untouched.
        try "keep".write(toFile: dir + "/exists.pdf", atomically: true, encoding: .utf8)
        let r1 = try s.run(["outbox", "letters", "--pdf", dir + "/exists.pdf", "--json"])
        #expect(r1.status == 73 && r1.errorJSON["code"] as? String == "file_exists", "\(r1.stderr)")
        #expect(try String(contentsOfFile: dir + "/exists.pdf", encoding: .utf8) == "keep")
        // A symbolic link: refused; with --force the link is replaced, its target untouched.
        try "target".write(toFile: dir + "/target", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.pdf", withDestinationPath: dir + "/target")
        #expect(try s.run(["outbox", "letters", "--pdf", dir + "/link.pdf"]).status == 73)
        // Devices and directories: refused even with --force.
        for target in ["/dev/full", "/dev/null", dir] {
            let r = try s.run(["outbox", "letters", "--pdf", target, "--force", "--json"])
            #expect(r.status == 73 || r.status == 66, "\(target): \(r.status) \(r.stderr)")
        }
        let before = try waiting(s)
        let forced = try s.run(["outbox", "letters", "--pdf", dir + "/link.pdf", "--force", "--json"])
        #expect(forced.status == 0 && forced.json["letters"] as? Int == before, "\(forced.stderr)")
        #expect(try String(contentsOfFile: dir + "/target", encoding: .utf8) == "target")
        let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/link.pdf")
        #expect(attributes[.type] as? FileAttributeType == .typeRegular)
        #expect(try waiting(s) == 0)
    }

    /// A full disk, a failed sync or rename, a SIGKILL while writing or renaming: no file, nothing recorded, the
    /// letters still waiting; the next run prints them all.
    @Test func aFailedOrKilledPrintingLeavesNothingAndLosesNoLetter() throws {
        guard findProgram("strace") != nil else { Issue.record("strace is not installed"); return }
        let s = try lettersWaiting(300)
        let before = try waiting(s)
        let pdf = s.dir.path + "/out/lettres.pdf"
        try FileManager.default.createDirectory(atPath: s.dir.path + "/out", withIntermediateDirectories: true)
        let env = ["MES_HOME": s.store, "MES_NOW": s.now]
        let full = try sh("strace -f -o /dev/null -e inject=write:error=ENOSPC:when=20 \"$MES\" outbox letters --pdf \(pdf) --json", env: env)
        #expect(full.status == 73 && full.err.contains("disk_full"), "\(full.err)")
        let renamed = try sh("strace -f -o /dev/null -e inject=rename,renameat,renameat2,linkat:error=EIO \"$MES\" outbox letters --pdf \(pdf)", env: env)
        #expect(renamed.status != 0)
        let killed = try sh("strace -f -o /dev/null -e inject=write:signal=SIGKILL:when=30 \"$MES\" outbox letters --pdf \(pdf)", env: env)
        #expect(killed.status != 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.dir.path + "/out") == [], "no file, no temporary file")
        #expect(try waiting(s) == before)
        let r = try s.run(["outbox", "letters", "--pdf", pdf, "--json"])
        #expect(r.status == 0 && r.json["letters"] as? Int == before, "\(r.stderr)")
    }

    /// ENOSPC at each sync — the PDF's (1), its folder's (2), the database's commit (3) — and a
    /// kill at the rename that names the file, each on a fresh store: the PDF exists if and only
    /// if its letters are recorded printed (a file of letters not recorded could be posted twice),
    /// no temporary file is left, and whatever is still waiting prints on the next run.
    @Test func aFailedSyncOrAKilledRenameNeverLeavesAFileAndTheRecordApart() throws {
        guard findProgram("strace") != nil else { Issue.record("strace is not installed"); return }
        let injections = (1...3).map { "fsync,fdatasync:error=ENOSPC:when=\($0)" } + ["rename,renameat,renameat2,linkat:signal=SIGKILL"]
        for injection in injections {
            let s = try lettersWaiting(30)
            let before = try waiting(s)
            let out = s.dir.path + "/out"
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let r = try sh("strace -f -o /dev/null -e inject=\(injection) \"$MES\" outbox letters --pdf \(out)/lettres.pdf --json",
                           env: ["MES_HOME": s.store, "MES_NOW": s.now])
            let files = try FileManager.default.contentsOfDirectory(atPath: out)
            let left = try waiting(s)
            if files.isEmpty {
                #expect(left == before, "\(injection): no file, so nothing recorded (exit \(r.status))")
                #expect(r.status != 0, "\(injection): a failure says so")
            } else {
                #expect(files == ["lettres.pdf"] && left == 0 && r.status == 0, "\(injection): \(files), \(left) waiting, exit \(r.status) \(r.err)")
            }
            let again = try s.run(["outbox", "letters", "--pdf", out + "/encore.pdf", "--json"])
            #expect(again.status == 0 && (again.json["letters"] as? Int ?? 0) == left, "\(injection): \(again.stderr)")
        }
    }

    /// Two printings at once: every letter in exactly one recorded file, never in two.
    @Test func twoPrintingsAtOnceNeverPrintALetterTwice() throws {
        let s = try lettersWaiting(2_000)
        let before = try waiting(s)
        let env = cleanEnvironment(["MES_HOME": s.store, "MES_NOW": s.now])
        let a = try startBinary(["outbox", "letters", "--pdf", s.dir.path + "/a.pdf", "--json"], env: env)
        let b = try runBinary(["outbox", "letters", "--pdf", s.dir.path + "/b.pdf", "--json"], env: ["MES_HOME": s.store, "MES_NOW": s.now])
        a.waitUntilExit()
        #expect([0, 75].contains(b.status) && [0, 75].contains(a.terminationStatus), "\(b.stderr)")
        let files = ["a.pdf", "b.pdf"].filter { FileManager.default.fileExists(atPath: s.dir.path + "/" + $0) }
        let db = try Database(path: s.store + "/mes.db", create: false)
        let batches = try db.query("SELECT letters FROM print_batches").map { Int($0.int(0)!) }
        #expect(batches.reduce(0, +) == before && batches.allSatisfy { $0 > 0 }, "\(batches)")
        #expect(files.count == batches.count, "one file per recorded batch: \(files) \(batches)")
        #expect(try waiting(s) == 0)
    }

    /// A posting is recorded for the exact bytes printed, once, at a date that makes sense.
    @Test func aPostingMustMatchItsBatch() throws {
        let s = try lettersWaiting(5)
        let pdf = s.dir.path + "/lettres.pdf"
        #expect(try s.run(["outbox", "letters", "--pdf", pdf]).status == 0)
        let copy = s.dir.path + "/changed.pdf"
        try (try Data(contentsOf: URL(fileURLWithPath: pdf)) + Data("\n".utf8)).write(to: URL(fileURLWithPath: copy))
        #expect(try s.run(["outbox", "letters", "--posted", copy, "--json"]).errorJSON["code"] as? String == "print_batch_unknown")
        #expect(try s.run(["outbox", "letters", "--posted", pdf, "--posted-at", "2022-02-02", "--json"]).errorJSON["code"] as? String
                == "posting_date_invalid")
        #expect(try s.run(["outbox", "letters", "--posted", pdf, "--posted-at", "2023-01-01", "--json"]).errorJSON["code"] as? String
                == "posting_date_invalid")
        #expect(try s.run(["outbox", "letters", "--posted", pdf, "--posted-at", "demain", "--json"]).status == 64)
        #expect(try s.run(["outbox", "letters", "--posted", "/dev/zero", "--json"]).status != 0)
        #expect(try s.run(["outbox", "letters", "--posted", pdf]).status == 0)
        #expect(try s.run(["outbox", "letters", "--posted", pdf, "--json"]).errorJSON["code"] as? String == "already_posted")
        #expect(try s.run(["outbox", "letters", "--pdf", pdf, "--posted", pdf]).status == 64)
        #expect(try s.run(["outbox", "letters"]).status == 64)
    }
}
