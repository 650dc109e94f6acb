import Foundation
import Testing
@testable import MESStore

/// Single decisions survive SIGKILL; files are never written through links nor over what is
/// not ours; shared receipts folders keep each other's files.
@Suite(.serialized) struct SafeFilesTests {
    /// Names in `dir` that no finished write should leave.
    func leftovers(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasPrefix(".mes-tmp") }
    }

    @Test func twoHundredKilledOpposeRunsNeitherBlockNorOrphan() throws {
        let s = try Scenario()
        try s.run(["code", "generate"] + Scenario.martine + Scenario.martineBirth)
        let code = try s.lastCode()
        let out = s.dir.appendingPathComponent("out").path
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let receipt = out + "/justificatif.pdf"
        let args = ["oppose", "--code", code] + Scenario.martine + ["--yes", "--receipt", receipt]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let p = try startBinary(args, env: ["MES_HOME": s.store, "MES_NOW": s.now])
            usleep(UInt32.random(in: 0...40_000, using: &rng))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
        }
        // Whatever the kills left, the person is not blocked: the re-run reports the opposition
        // (or files it), with exactly one record and one whole, authentic receipt.
        let again = try s.run(args + ["--json"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(["opposed", "already_opposed"].contains(again.json["status"] as? String ?? ""), "\(again.stdout)")
        let db = try Database(path: s.store + "/mes.db", create: false)
        #expect(try db.first("SELECT count(*) FROM decisions WHERE kind = 'opposition'")?.int(0) == 1)
        #expect(try db.first("SELECT count(*) FROM receipts")?.int(0) == 1)
        #expect(try s.run(["receipt", "verify", receipt]).stdout.hasPrefix("authentique"))
        #expect(leftovers(out).isEmpty, "\(leftovers(out))")
        #expect(leftovers(s.store + "/receipts").isEmpty)
        let stray = try FileManager.default.contentsOfDirectory(atPath: s.store + "/receipts")
        #expect(stray.count <= 1, "\(stray)")
    }

    @Test func aSymlinkInTheReceiptsFolderIsLeftAloneAndItsTargetUnchanged() throws {
        let s = try Scenario(demo: false)
        let members = try s.opposableMembers(count: 20, seed: "link")
        let receipts = s.dir.appendingPathComponent("rec").path
        let first = try s.run(["batch", "oppose", members, "--receipts", receipts, "--legal-representative"])
        #expect(first.status == 0)
        let name = try #require(first.jsonLines.first { $0["status"] as? String == "opposed" }?["receipt_file"] as? String)
        // Replace a receipt with a link to a file of the user's.
        let secret = s.dir.appendingPathComponent("precious.txt").path
        try "my own notes\n".write(toFile: secret, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: name)
        try FileManager.default.createSymbolicLink(atPath: name, withDestinationPath: secret)
        let again = try s.run(["batch", "oppose", members, "--receipts", receipts, "--legal-representative"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try String(contentsOfFile: secret, encoding: .utf8) == "my own notes\n", "the link's target was written through")
        // The repair replaced the link itself with the receipt.
        let attrs = try FileManager.default.attributesOfItem(atPath: name)
        #expect(attrs[.type] as? FileAttributeType == .typeRegular)
        #expect(try s.run(["receipt", "verify", name]).status == 0)
    }

    @Test func twoStoresSharingOneReceiptsFolderKeepEachOthersFiles() throws {
        let a = try Scenario(demo: false), (b, membersB) = try Scenario.withOpposableMembers()
        let shared = a.dir.appendingPathComponent("shared").path
        let membersA = try a.opposableMembers(count: 30, seed: "storeA")
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
        let mine = shared + "/JO-MYOWNFILE_NOTES.pdf"
        try "not a receipt".write(toFile: mine, atomically: true, encoding: .utf8)
        // Store B's run is killed mid-way: its marker and list of files stay behind.
        let killed = try startBinary(["batch", "oppose", membersB, "--receipts", shared, "--legal-representative", "--group-size", "100"],
                                     env: ["MES_HOME": b.store, "MES_NOW": b.now])
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, ((try? FileManager.default.contentsOfDirectory(atPath: shared)) ?? []).filter({ $0.hasPrefix("JO-") }).count < 300 {
            usleep(5_000)
        }
        kill(killed.processIdentifier, SIGKILL)
        killed.waitUntilExit()
        let before = Set(try FileManager.default.contentsOfDirectory(atPath: shared).filter { $0.hasPrefix("JO-") })
        #expect(before.count >= 300)
        // Store A's run cleans nothing of B's, nor the user's file.
        let r = try a.run(["batch", "oppose", membersA, "--receipts", shared, "--legal-representative"])
        #expect(r.status == 0, "\(r.stderr)")
        let after = Set(try FileManager.default.contentsOfDirectory(atPath: shared).filter { $0.hasPrefix("JO-") })
        #expect(before.isSubset(of: after), "\(before.subtracting(after).count) files of store B or the user's were removed")
        #expect(after.count == before.count + r.jsonLines.filter { $0["status"] as? String == "opposed" }.count)
        #expect(FileManager.default.fileExists(atPath: mine))
        // Store B's next run finishes and cleans only what its own killed run left unbacked.
        let rb = try b.run(["batch", "oppose", membersB, "--receipts", shared, "--legal-representative"])
        #expect(rb.status == 0, "\(rb.stderr)")
        #expect(FileManager.default.fileExists(atPath: mine))
        #expect(after.subtracting(before).isSubset(of: Set(try FileManager.default.contentsOfDirectory(atPath: shared))), "A's files stay")
    }

    @Test func forceNeverReplacesTheStoresOwnFilesNorDevices() throws {
        let s = try Scenario()
        let token = try s.martineSession()
        for target in [s.store + "/mes.db", s.store + "/secret.key", s.store + "/signing.key", "/dev/null", s.store] {
            let before = (try? Data(contentsOf: URL(fileURLWithPath: target))) ?? Data()
            let r = try s.run(["receipt", "--session", token, "--format", "text", "-o", target, "--force", "--json"])
            #expect(r.status != 0, "\(target) was replaced")
            if target != "/dev/null" && target != s.store {
                #expect((try? Data(contentsOf: URL(fileURLWithPath: target))) ?? Data() == before, "\(target)")
            }
        }
        #expect(try s.run(["profiles", "list", "--session", token]).status == 0, "the store still works")
    }

    /// Found by an outside attack: an output option aimed at a store file that does not exist
    /// yet, or into the outbox, planted a file that blocked every later message.
    @Test func outputsNeverLandInTheStoreEvenWithoutForce() throws {
        let s = try Scenario()
        let base = ["oppose", "--assisted", "--adviser", "A042", "--nir", "116304403801618", "--birth-date", "08/06/1988",
                    "--last-name", "Leguellec", "--yes", "--json", "--receipt"]
        for target in [s.store + "/mes.conf", s.store + "/outbox/000001-email.eml", s.store + "/mes.db-journal"] {
            let r = try s.run(base + [target])
            #expect(r.status == 73 && r.errorJSON["code"] as? String == "unsafe_output", "\(target): \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: target))
        }
        let roster = try s.run(["fixtures", "--count", "2", "--seed", "x", "--roster", s.store + "/outbox/x.eml"])
        #expect(roster.status == 73)
        for dir in [s.store, s.store + "/outbox"] {
            let members = s.dir.appendingPathComponent("m.csv")
            try "nir;type_carte;numero_serie;code\n".write(to: members, atomically: true, encoding: .utf8)
            let b = try s.run(["batch", "oppose", members.path, "--receipts", dir])
            #expect(b.status == 73, "\(dir): \(b.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/.mes-batch-lock"))
        }
        // And the service still sends codes.
        #expect(try s.run(["code", "generate"] + Scenario.martine + Scenario.martineBirth).status == 0)
    }

    /// Found by attacking the change: exporting into an existing Maildir (the second export the
    /// help promises adds only new messages) was refused because new/ is a directory.
    @Test func exportingAgainAddsOnlyNewMessages() throws {
        let s = try Scenario()
        let maildir = s.dir.appendingPathComponent("Maildir").path
        #expect(try s.run(["notify", "--no-send"]).status == 0)
        let first = try s.run(["outbox", "export", "--maildir", maildir, "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        let before = try FileManager.default.contentsOfDirectory(atPath: maildir + "/new").sorted()
        #expect(before.count == first.json["written"] as? Int)
        #expect(!before.isEmpty)
        let again = try s.run(["outbox", "export", "--maildir", maildir, "--json"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.json["written"] as? Int == 0)
        #expect(try s.run(["code", "generate"] + Scenario.martine + Scenario.martineBirth + ["--no-send"]).status == 0)
        let third = try s.run(["outbox", "export", "--maildir", maildir, "--json"])
        #expect(third.status == 0 && third.json["written"] as? Int == 1, "\(third.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: maildir + "/new").count == before.count + 1)
    }

    /// A Maildir that is the data directory, its outbox, or whose new/ leads into the outbox is
    /// refused before anything is created.
    @Test func aMaildirNeverLandsInTheStore() throws {
        let s = try Scenario()
        #expect(try s.run(["notify", "--no-send"]).status == 0)
        let outboxBefore = try FileManager.default.contentsOfDirectory(atPath: s.store + "/outbox").sorted()
        let linked = s.dir.appendingPathComponent("Linked").path
        try FileManager.default.createDirectory(atPath: linked, withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: linked + "/new", withDestinationPath: s.store + "/outbox")
        for dir in [s.store, s.store + "/outbox", s.store + "/outbox/md", linked] {
            let r = try s.run(["outbox", "export", "--maildir", dir, "--json"])
            #expect(r.status == 73 && r.errorJSON["code"] as? String == "unsafe_output", "\(dir): \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: s.store + "/new"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.store + "/outbox").sorted() == outboxBefore)
    }

    /// Found by attacking the change: `notify` killed before its commit left its message files
    /// in outbox/ (the rows rolled back), and every later message failed on the first of them.
    /// Messages now live in the store: files found in outbox/ (an older version's, or planted)
    /// are neither read for new messages nor followed.
    @Test func filesLeftByAKilledRunDoNotBlockTheOutbox() throws {
        let s = try Scenario()
        let outbox = s.store + "/outbox"
        let victim = s.dir.appendingPathComponent("victim").path
        try "keep".write(toFile: victim, atomically: true, encoding: .utf8)
        try "orphan".write(toFile: outbox + "/000001-email.eml", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: outbox + "/000002-email.eml", withDestinationPath: victim)
        let r = try s.run(["notify", "--no-send", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect((r.json["messages"] as? Int ?? 0) >= 2)
        let first = try s.run(["outbox", "show", "1"]).stdout
        #expect(first.contains("Code provisoire pour"), "\(first)")
        #expect(try String(contentsOfFile: outbox + "/000001-email.eml", encoding: .utf8) == "orphan")
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep")
        let listed = try s.run(["outbox", "list", "--json"]).json["messages"] as? [Any]
        #expect(listed?.count == r.json["messages"] as? Int)
    }
}

