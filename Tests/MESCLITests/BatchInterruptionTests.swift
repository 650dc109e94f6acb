import Foundation
import Testing
import TestSupport

/// Ctrl-C during an association's batch (issue 32): the run stops between two rows, prints and
/// reports what was done, says in French what is left, exits 130 and leaves nothing hidden; a
/// re-run finishes the rest. Two runs launched at once count a wrong code once.
@Suite(.serialized) struct BatchInterruptionTests {
    func waitFor(_ what: String, seconds: Double = 60, _ condition: () -> Bool) {
        let end = Date().addingTimeInterval(seconds)
        while !condition() && Date() < end { usleep(20_000) }
        #expect(condition(), "timed out waiting for \(what)")
    }

    /// The batch reads members from a pipe (decoded once its first 64 KiB say the encoding);
    /// after those rows, while it waits for more, Ctrl-C.
    @Test func ctrlCStopsWithTheRowsDoneReportedAndNothingHidden() throws {
        let s = try Scenario(demo: false)
        let members = try s.opposableMembers(count: 1_000, seed: "ctrl-c")
        let lines = try String(contentsOfFile: members, encoding: .utf8).split(separator: "\n").map(String.init)
        // Enough rows for the first 64 KiB, and some left to send after the interruption.
        var sent = 1
        while lines[0...sent].joined(separator: "\n").utf8.count < 70_000 { sent += 1 }
        try #require(lines.count > sent + 10)
        let receipts = s.dir.appendingPathComponent("rec").path
        let report = s.dir.appendingPathComponent("rapport.csv").path
        let out = s.dir.appendingPathComponent("out.jsonl"), err = s.dir.appendingPathComponent("err.txt")
        for url in [out, err] { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
        let p = Process()
        p.executableURL = mesBinary
        p.arguments = ["batch", "oppose", "-", "--receipts", receipts, "--group-size", "1", "--report", report, "--legal-representative"]
        p.environment = ["MES_HOME": s.store, "MES_NOW": s.now, "PATH": "/usr/bin:/bin"]
        let input = Pipe()
        p.standardInput = input
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        input.fileHandleForWriting.write(Data((lines[0...sent].joined(separator: "\n") + "\n").utf8))
        // Groups of one row: all but the last are printed once the last is filed.
        waitFor("the rows printed", seconds: 120) { ((try? String(contentsOf: out, encoding: .utf8)) ?? "").split(separator: "\n").count >= sent - 1 }
        usleep(200_000)  // blocked reading the pipe
        kill(p.processIdentifier, SIGINT)
        waitFor("the run to stop", seconds: 30) { !p.isRunning }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        input.fileHandleForWriting.closeFile()
        let stdout = try String(contentsOf: out, encoding: .utf8), stderr = try String(contentsOf: err, encoding: .utf8)
        #expect(p.terminationReason == .exit && p.terminationStatus == 130, "\(p.terminationStatus) \(stderr)")
        let objects = stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.count == sent + 1 && objects.dropLast().allSatisfy { $0["status"] as? String == "opposed" }, "\(stdout.suffix(300))")
        #expect(objects.last?["interrupted_after"] as? Int == sent + 1, "\(stdout.suffix(300))")
        #expect(stderr.contains("Interrompu : les lignes jusqu'à la ligne \(sent + 1) ont été traitées") && stderr.contains("Relancez la même commande"),
                "\(stderr)")
        #expect(!stderr.contains("Try") && !stderr.contains("error"), "\(stderr)")
        // The report holds the three rows done; nothing hidden is left behind.
        let reportLines = try String(contentsOfFile: report, encoding: .utf8).split(separator: "\n")
        #expect(reportLines.count == sent + 1, "\(reportLines.count)")
        // (The empty lock file stays, as after any run: removing a lock file others may hold races.)
        let hidden = try FileManager.default.contentsOfDirectory(atPath: receipts).filter { $0.hasPrefix(".") && $0 != ".mes-batch-lock" }
        #expect(hidden.isEmpty, "\(hidden)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.dir.path).allSatisfy { !$0.hasPrefix(".mes") })

        // The same file whole: the three rows are already filed, the rest now.
        let again = try s.run(["batch", "oppose", members, "--receipts", receipts, "--legal-representative"])
        #expect(again.status == 0, "\(again.stderr)")
        let statuses = again.jsonLines.dropLast().map { $0["status"] as? String ?? "" }
        #expect(statuses.prefix(sent).allSatisfy { $0 == "already_opposed" } && statuses.dropFirst(sent).allSatisfy { $0 == "opposed" }
                && statuses.count == lines.count - 1, "\(statuses.count)")
    }

    /// `--check` on a file: every row says ready or what is wrong, the exit status says whether
    /// the file would go through, and no --receipts is needed.
    @Test func checkNeedsNoReceiptsAndSaysReady() throws {
        let s = try Scenario(demo: false)
        let members = try s.opposableMembers(count: 4, seed: "check")
        let r = try s.run(["batch", "oppose", members, "--check", "--legal-representative"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.jsonLines.dropLast().allSatisfy { $0["status"] as? String == "ready" })
        #expect(r.jsonLines.last?["check"] as? Bool == true)
        #expect(r.stderr.contains("Vérification seulement : rien n'a été déposé"), "\(r.stderr)")
        let missing = try s.run(["batch", "oppose", members])
        #expect(missing.status == 64 && missing.stderr.contains("--receipts"), "\(missing.stderr)")
    }

    /// Two runs of a file with a wrong code, launched at once: the card counts one try.
    @Test func twoRunsAtOnceCountAWrongCodeOnce() throws {
        let s = try Scenario()
        let file = s.dir.appendingPathComponent("m.csv").path
        try "nir;type_carte;numero_serie;code\n116304403801618;plain;953701166;BBBBBBBBBBBB\n".write(toFile: file, atomically: true, encoding: .utf8)
        let args = ["batch", "oppose", file, "--receipts", s.dir.appendingPathComponent("rec").path, "--quiet"]
        let a = try startBinary(args, env: ["MES_HOME": s.store, "MES_NOW": s.now])
        let b = try startBinary(args, env: ["MES_HOME": s.store, "MES_NOW": s.now])
        a.waitUntilExit()
        b.waitUntilExit()
        #expect(Set([a.terminationStatus, b.terminationStatus]) == [77])
        let history = try s.run(["history", "--nir", "116304403801618", "--json"]).json["events"] as? [[String: Any]] ?? []
        let failures = history.filter { $0["event"] as? String == "identification_failed" }
        #expect(failures.count == 1, "\(failures)")
    }
}

/// `--check` as an unlucky user meets it: standard output full, a link at the report's path,
/// /dev/zero as the members file. Each is refused with its status, nothing written through.
@Suite struct BatchCheckAttackTests {
    @Test func fullOutputLinkedReportAndDevZero() throws {
        let s = try Scenario(demo: false)
        let members = try s.opposableMembers(count: 5, seed: "check-attack")
        let env = ["MES_HOME": s.store, "MES_NOW": s.now]
        #expect(try sh("\"$MES\" batch oppose '\(members)' --check --quiet --legal-representative > /dev/full", env: env).status == 74)
        let target = s.dir.appendingPathComponent("cible.txt").path
        try "intact\n".write(toFile: target, atomically: true, encoding: .utf8)
        let link = s.dir.appendingPathComponent("rapport.csv").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let linked = try s.run(["batch", "oppose", members, "--check", "--quiet", "--report", link])
        #expect(linked.status == 73, "\(linked.stderr)")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "intact\n")
        let zero = try s.run(["batch", "oppose", "/dev/zero", "--check", "--quiet"])
        #expect(zero.status == 66 && zero.stdout.isEmpty, "\(zero.stderr)")
    }
}
