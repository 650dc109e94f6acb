import Foundation
import Testing

/// Endless or hostile input ends fast with a documented status; output that cannot be
/// delivered is an error and spends nothing; data cannot drive a terminal or a spreadsheet.
@Suite(.serialized) struct BoundedInputTests {
    @Test func endlessAndQuadraticInputsEndInUnderASecond() throws {
        let s = try Scenario()
        let env = ["MES_HOME": s.store, "MES_NOW": s.now]
        let parens = s.dir.appendingPathComponent("parens.pdf").path
        try Data(repeating: UInt8(ascii: "("), count: 80_000).write(to: URL(fileURLWithPath: parens))
        let cases: [(String, Set<Int32>)] = [
            ("\"$MES\" receipt verify /dev/zero", [65, 66]),
            ("\"$MES\" receipt verify \(parens)", [65]),
            ("\"$MES\" login --username martine.l --password-file /dev/zero", [65, 66]),
            ("\"$MES\" login --username martine.l < /dev/zero", [65]),
            ("\"$MES\" nir check < /dev/zero", [65]),
            ("\"$MES\" identify --code-file /dev/zero --nir 116304403801618 --card plain --serial 953701166", [65, 66]),
        ]
        for (command, statuses) in cases {
            let r = try sh(command + " > /dev/null", env: env)
            #expect(statuses.contains(r.status), "\(command): \(r.status) \(r.err)")
            #expect(r.seconds < 1, "\(command) took \(r.seconds) s")
        }
    }

    @Test func outputThatCannotBeDeliveredIsAnErrorAndSpendsNothing() throws {
        let s = try Scenario()
        let env = ["MES_HOME": s.store, "MES_NOW": s.now]
        #expect(try sh("\"$MES\" nir generate --count 100000 > /dev/full", env: env).status == 74)
        #expect(try sh("\"$MES\" manpage > /dev/full", env: env).status == 74)
        let piped = try sh("\"$MES\" nir generate --count 5000000 | head -1 > /dev/null", env: env)
        #expect(piped.seconds < 2, "a reader that went away stops the run")
        try s.run(["code", "generate"] + Scenario.martine + Scenario.martineBirth)
        let code = try s.lastCode()
        let identify = "\"$MES\" identify --code \(code) --nir 116304403801618 --card plain --serial 953701166"
        let full = try sh(identify + " > /dev/full", env: env)
        #expect(full.status == 74, "\(full.err)")
        let closed = try sh(identify + " >&-", env: env)
        #expect(closed.status == 74, "\(closed.err)")
        // The code was not spent and no session opened: it still identifies.
        let ok = try s.run(["identify", "--code", code, "--json"] + Scenario.martine)
        #expect(ok.status == 0, "\(ok.stderr)")
        let events = (try s.run(["history", "--json"]).json["events"] as? [[String: Any]] ?? []).filter { $0["event"] as? String == "identified" }
        #expect(events.count == 1)
    }

    /// Attacking the change: `notify` whose summary cannot be written (a full disk) says so
    /// (74), and what it did stands exactly once: running it again notifies nobody twice.
    @Test func notifyOnAFullOutputStandsOnceAndSaysSo() throws {
        let s = try Scenario()
        let env = ["MES_HOME": s.store, "MES_NOW": s.now]
        let full = try sh("\"$MES\" notify --no-send > /dev/full", env: env)
        #expect(full.status == 74, "\(full.err)")
        #expect(full.err.contains("incomplète"), "\(full.err)")
        let queued = (try s.run(["outbox", "list", "--json"]).json["messages"] as? [Any])?.count ?? 0
        #expect(queued > 0)
        let again = try s.run(["notify", "--no-send", "--json"])
        #expect(again.status == 0 && again.json["notified"] as? Int == 0, "\(again.stdout)")
        #expect((try s.run(["outbox", "list", "--json"]).json["messages"] as? [Any])?.count == queued)
    }

    /// Attacking the change: the new commands' secret files and member files fed endless input.
    @Test func newCommandsEndFastOnEndlessInput() throws {
        let s = try Scenario()
        let env = ["MES_HOME": s.store, "MES_NOW": s.now]
        let receipts = s.dir.appendingPathComponent("rec").path
        // A device named as a data file is not one (66, found by the attack: it was read as a
        // malformed CSV); endless standard input is read and bounded (65).
        for (command, status) in [("\"$MES\" contacts show --session-file /dev/zero", Int32(65)),
                                  ("\"$MES\" contacts show --session-file - < /dev/zero", 65),
                                  ("\"$MES\" batch oppose /dev/zero --receipts \(receipts)", 66),
                                  ("\"$MES\" import /dev/zero", 66),
                                  ("\"$MES\" import /tmp", 66),
                                  ("\"$MES\" batch oppose - --receipts \(receipts) < /dev/zero", 65)] {
            let r = try sh(command + " > /dev/null", env: env)
            #expect(r.status == status, "\(command): \(r.status) \(r.err)")
            #expect(r.seconds < 2, "\(command) took \(r.seconds) s")
        }
        // A pipe is a stream of data, read as such (`mes import <(zcat roster.csv.gz)`).
        let fifo = s.dir.appendingPathComponent("fifo").path
        let piped = try sh("mkfifo \(fifo) && (printf 'nir,birth_date,first_name,last_name,card_type,serial\\n"
                           + "290063155510117,1990-06-15,Zoé,Martin,plain,12345678\\n' > \(fifo) &) && timeout 20 \"$MES\" import \(fifo)", env: env)
        #expect(piped.status == 0, "\(piped.err)")
        // Found by the third attack: a writer that wrote and left between the look at the pipe
        // and a second open took its bytes with it, and the import waited forever. Twenty
        // quick writers in a row, each given 20 s.
        for i in 0..<20 {
            let quick = s.dir.appendingPathComponent("quick\(i)").path
            let r = try sh("mkfifo \(quick) && (printf 'nir,birth_date,first_name,last_name,card_type,serial\\n"
                           + "290063155510117,1990-06-15,Rapide\(i),Martin,plain,12345678\\n' > \(quick) &) && timeout 20 \"$MES\" import \(quick)", env: env)
            #expect(r.status == 0, "writer \(i): \(r.status) \(r.err)")
        }
        // Found by the second attack: a named pipe whose writer comes later was read as empty.
        let late = s.dir.appendingPathComponent("late").path
        // (The pipe is made before the writer goes to the background: `mkfifo P && (…) &` put
        // mkfifo there too, and a mes that now starts sooner found no pipe yet, and the writer
        // then waited forever for a reader. Every writer is bounded by `timeout`.)
        let waited = try sh("mkfifo \(late) && { (sleep 0.5; timeout 10 sh -c \"printf 'nir,birth_date,first_name,last_name,card_type,serial\\\\n"
                            + "290063155510117,1990-06-15,Inès,Martin,plain,12345678\\\\n' > \(late)\") & } && timeout 20 \"$MES\" import \(late); s=$?; wait; exit $s",
                            env: env)
        #expect(waited.status == 0, "\(waited.err)")
        // A writer that opens the pipe and leaves without a byte, before or after the import
        // opens it: an empty file (65), at once, not a wait for another writer.
        for (i, writer) in ["{ (timeout 10 sh -c ': > F' > /dev/null 2>&1 &); sleep 0.3; }", "{ (sleep 0.3; timeout 10 sh -c ': > F') > /dev/null 2>&1 & }"].enumerated() {
            let f = s.dir.appendingPathComponent("empty\(i)").path
            let r = try sh("mkfifo \(f) && " + writer.replacingOccurrences(of: "F", with: f) + " && timeout 20 \"$MES\" import \(f); s=$?; wait; exit $s",
                           env: env)
            #expect(r.status == 65 && r.err.contains("Fichier vide"), "\(writer): \(r.status) \(r.err)")
        }
    }

    /// Attacking the review: the streamed listings on a full output end with 74, quickly.
    @Test func streamedListingsOnAFullOutputSaySo() throws {
        let s = try Scenario()
        let env = ["MES_HOME": s.store, "MES_NOW": s.now]
        #expect(try s.run(["notify", "--no-send"]).status == 0)
        for command in ["outbox list", "outbox list --json --limit 2", "history", "history --json --since 2022-01-01", "sweep --dry-run --json"] {
            let r = try sh("\"$MES\" \(command) > /dev/full", env: env)
            #expect(r.status == 74 && r.err.contains("sortie"), "\(command): \(r.status) \(r.err)")
            #expect(r.seconds < 2, "\(command) took \(r.seconds) s")
        }
    }

    @Test func aBatchPipedIntoHeadStopsPromptly() throws {
        let (s, members) = try Scenario.withOpposableMembers()
        let receipts = s.dir.appendingPathComponent("rec").path
        let r = try sh("\"$MES\" batch oppose \(members) --receipts \(receipts) --legal-representative --group-size 500 | head -1 > /dev/null; "
                       + "exit ${PIPESTATUS:-0}", env: ["MES_HOME": s.store, "MES_NOW": s.now])
        _ = r
        let filed = try FileManager.default.contentsOfDirectory(atPath: receipts).filter { $0.hasPrefix("JO-") }.count
        #expect(filed < 3_000, "the run went on after its reader was gone: \(filed) receipts")
        // What was filed is reported by the next run, nothing twice.
        let again = try s.run(["batch", "oppose", members, "--receipts", receipts, "--legal-representative"])
        #expect(again.status == 0, "\(again.stderr)")
        try BatchKiller.checkExactlyOnce(store: s.store, receipts: receipts, members: 3_000)
    }

    @Test func aDataDirectoryOpenToOthersIsBroughtBackToPrivate() throws {
        let dir = temporaryDirectory("mes-perm").appendingPathComponent("store").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        chmod(dir, 0o777)
        try Data(repeating: 7, count: 32).write(to: URL(fileURLWithPath: dir + "/secret.key"))
        chmod(dir + "/secret.key", 0o666)
        let r = try runBinary(["init"], env: ["MES_HOME": dir])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("0777") && r.stderr.contains("0700"), "\(r.stderr)")
        let mode = { (p: String) -> Int in (try? FileManager.default.attributesOfItem(atPath: p)[.posixPermissions] as? Int) ?? 0 }
        #expect(mode(dir) == 0o700)
        #expect(mode(dir + "/secret.key") == 0o600)
    }

    @Test func controlSequencesAndFormulasFromDataAreNeutralised() throws {
        let s = try Scenario(demo: false)
        try s.run(["init", "--test-clock"])
        let csv = s.dir.appendingPathComponent("evil.csv").path
        try "nir,birth_date,\u{1B}[2J\u{1B}]0;pwned\u{07}x\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let r = try s.run(["import", csv])
        #expect(r.status == 65)
        #expect(!r.stderr.contains("\u{1B}"), "raw escape sequence on the terminal")
        #expect(r.stderr.contains("\\x1b"), "\(r.stderr)")
        // A formula as a first name: the tab-separated history starts no cell with it.
        let roster = s.dir.appendingPathComponent("r.csv").path
        try "nir,birth_date,first_name,last_name,card_type,serial\n116304403801618,08/06/1988,=HYPERLINK(A1),Dupont,plain,953701166\n"
            .write(toFile: roster, atomically: true, encoding: .utf8)
        #expect(try s.run(["import", roster]).status == 0)
        try s.run(["advisers", "add", "A042"])
        #expect(try s.run(["oppose", "--assisted", "--adviser", "A042", "--nir", "116304403801618", "--birth-date", "08/06/1988",
                           "--last-name", "Dupont", "--yes"]).status == 0)
        let history = try s.run(["history"])
        let cells = history.stdout.split(separator: "\n").flatMap { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        #expect(!cells.contains { $0.hasPrefix("=") || $0.hasPrefix("+") || $0.hasPrefix("@") }, "\(history.stdout)")
        // JSON stays exact.
        let json = try s.run(["history", "--json"]).stdout
        #expect(json.contains("=HYPERLINK"))
    }
}
