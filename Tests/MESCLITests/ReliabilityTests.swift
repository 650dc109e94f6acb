import Foundation
import Testing
@testable import MESCLI
import MESCore
@testable import MESStore
import MESSystem

/// The reliability and security proof: concurrency, crashes, hostile input, faults.
/// Bounded for CI; `scripts/soak.py` runs the same proofs longer.
@Suite(.serialized) struct ReliabilityTests {
    /// Splits a members file into `parts` overlapping files of `size` rows (each row in two files).
    func overlappingParts(_ members: String, into dir: URL, parts: Int, size: Int) throws -> [String] {
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: members)), as: UTF8.self)
        var lines = text.split(separator: "\n").map(String.init)
        let header = lines.removeFirst()
        return try (0..<parts).map { k in
            let rows = (0..<size).map { lines[(k * size / 2 + $0) % lines.count] }
            let p = dir.appendingPathComponent("part-\(k).csv").path
            try ([header] + rows).joined(separator: "\n").appending("\n").write(toFile: p, atomically: true, encoding: .utf8)
            return p
        }
    }

    /// Eight batches at once on one store, 750 rows each, every member in two of them: 3,000
    /// opposed once and reported already_opposed once, none lost, none twice, no lock error.
    @Test func eightProcessesSevenHundredFiftyDecisionsEachNothingLostOrDuplicated() throws {
        let (s, members) = try Scenario.withOpposableMembers()
        let parts = try overlappingParts(members, into: s.dir, parts: 8, size: 750)
        let receipts = s.dir.appendingPathComponent("rec").path
        let procs = try parts.enumerated().map { k, part -> (Process, URL, URL) in
            let out = s.dir.appendingPathComponent("out-\(k)"), err = s.dir.appendingPathComponent("err-\(k)")
            let p = try startBinary(["batch", "oppose", part, "--receipts", receipts, "--legal-representative"],
                                    env: ["MES_HOME": s.store, "MES_NOW": s.now], stdout: out, stderr: err)
            return (p, out, err)
        }
        var opposed = 0, already = 0
        for (p, out, err) in procs {
            p.waitUntilExit()
            let errText = String(decoding: try Data(contentsOf: err), as: UTF8.self)
            #expect(p.terminationStatus == 0, "\(errText)")
            // Waiting is said (a line of its own); giving up (store_busy) never happens here.
            #expect(!errText.contains("locked") && !errText.contains("restée occupée") && !errText.contains("store_busy"), "\(errText)")
            let rows = String(decoding: try Data(contentsOf: out), as: UTF8.self).split(separator: "\n").dropLast()
            #expect(rows.count == 750)
            for r in rows {
                if r.contains("\"status\":\"opposed\"") { opposed += 1 } else if r.contains("\"status\":\"already_opposed\"") { already += 1 }
                else { Issue.record("unexpected row \(r)") }
            }
        }
        #expect(opposed == 3000)
        #expect(already == 3000)
        try BatchKiller.checkExactlyOnce(store: s.store, receipts: receipts, members: 3000)
    }

    /// SIGKILL at well-chosen moments of a batch of 3,000 members in groups of 300, each run
    /// resuming the previous one's work: while it starts (before its first file), at its first
    /// receipt, halfway through a group's files (the group committed, the rest of its files not
    /// yet written: the next run must rewrite them), on a group's last file and just past it
    /// (the next group under way), and halfway through a later group. Kills follow the receipts
    /// written, not the clock, so a loaded machine sees the same moments. Then a run to the end
    /// files each member once, with one whole receipt each.
    @Test func batchKilledAtEveryStageStillFilesEachMemberOnce() throws {
        let (s, members) = try Scenario.withOpposableMembers()
        let receipts = s.dir.appendingPathComponent("rec").path
        #expect(try BatchKiller.killAt(files: nil, store: s.store, now: s.now, members: members, receipts: receipts),
                "the batch ended before it could be killed while starting")
        for files in [1, 150, 300, 301, 450] {
            #expect(try BatchKiller.killAt(files: files, store: s.store, now: s.now, members: members, receipts: receipts),
                    "the batch ended before it wrote \(files) receipts")
        }
        let done = try s.run(["batch", "oppose", members, "--receipts", receipts, "--legal-representative", "--quiet"])
        #expect(done.status == 0, "\(done.stderr)")
        let statuses = done.jsonLines.dropLast().map { $0["status"] as? String ?? "" }
        #expect(statuses.count == 3_000)
        #expect(statuses.allSatisfy { $0 == "opposed" || $0 == "already_opposed" })
        try BatchKiller.checkExactlyOnce(store: s.store, receipts: receipts, members: 3_000)
        // The members' plaintext codes never rest in the data directory.
        let codes = String(decoding: try Data(contentsOf: URL(fileURLWithPath: members)), as: UTF8.self)
            .split(separator: "\n").dropFirst().prefix(200).map { $0.split(separator: ";")[4] }
        let db = try Data(contentsOf: URL(fileURLWithPath: s.store + "/mes.db"))
        for c in codes { #expect(db.range(of: Data(c.utf8)) == nil) }
    }
}

/// Hostile input: malformed argv (2,000 by default, in process), 30,000 CSV rows, 40,000 NIR lines
/// and more through the binary: no crash, documented statuses, clear messages, store unchanged.
///
/// The argv fuzzer's count comes from the environment: `MES_FUZZ_COUNT=40000 swift test --filter
/// HostileInputTests` runs the long campaign (about 80 s on two cores; the seed is fixed, so a
/// count replays the same argv). The default, 2,000, runs in a few seconds.
@Suite(.serialized) struct HostileInputTests {
    static let documented: Set<Int32> = [0, 64, 65, 66, 69, 73, 75, 77]

    /// Values chosen to break things.
    static func hostileValues(_ rng: inout SeededGenerator) -> String {
        // Huge values are rare: a few hundred of them prove the point without making the files huge.
        if Int.random(in: 0..<400, using: &rng) == 0 { return huge[Int.random(in: 0..<huge.count, using: &rng)] }
        return pool[Int.random(in: 0..<pool.count, using: &rng)]
    }

    static let huge: [String] = [String(repeating: "A", count: 5_000), String(repeating: "9", count: 100_000),
                                 String(repeating: "é", count: 20_000), String(repeating: "\"", count: 3_000)]

    static let pool: [String] = [
            "", " ", "-", "--", "--json", "\u{0}", "a\u{0}b", "\n", "\r\n", "\"", "'", "\\", "😀", "🇫🇷", "é", "\u{202E}abc",
            "'; DROP TABLE people; --", "1 OR 1=1", "Robert'); DELETE FROM codes;--", "%s%s%n", "$(reboot)", "`id`",
            "31/02/2020", "29/02/2021", "00/00/0000", "2099-01-01", "01/01/3000", "1800-01-01", "2022-13-40", "99/99/9999",
            "1 55 12 55 555 555 55", "116304403801619", "11630440380161", "1163044038016188", "1 16 30 44 038 016 1X", "2C0000000000000",
            "000000000000000", "999999999999999", "1 16 30 44 038 016 18", "253072B07300470", "１１６３０４４０３８０１６１８",
            "HuqZF3KXCz8k", "HuqZF3KXCz8", "HuqZF3KXCz8k!", "ÉÉÉÉÉÉÉÉÉÉÉÉ", "0102457612 4", "95370116a", "1234567", "12345678901234",
            "photo", "plain", "gold", "avec photo", "-1", "0", "99999999999999999999", "1e9", "NaN", "null", "true",
            "/", "/etc/passwd", "/nonexistent/x.csv",
            "../../../../etc/shadow", "JO-0000000000", "JO-\u{0}", "email", "sms", "letter", "pdf", "text", "json", "bash",
        ]

    /// A fingerprint of the store's content (rows and files), cheap enough to take after every command.
    static func fingerprint(_ store: String) throws -> String {
        let db = try Database(path: store + "/mes.db", create: false, readOnly: true)
        var parts: [String] = []
        for t in ["people", "codes", "sessions", "decisions", "receipts", "outbox", "audit", "accounts", "otps"] {
            let r = try db.first("SELECT count(*), coalesce(sum(rowid), 0) FROM \(t)")
            parts.append("\(t):\(r?.int(0) ?? -1):\(r?.int(1) ?? -1)")
        }
        let people = try db.first("SELECT group_concat(state || coalesce(email, '') || coalesce(mobile, '') || failed_attempts, ',') FROM people")
        parts.append(people?.text(0) ?? "")
        parts.append(FileIO.list(store + "/outbox").sorted().joined(separator: ","))
        parts.append(FileIO.list(store + "/receipts").sorted().joined(separator: ","))
        return parts.joined(separator: "|")
    }

    /// The same argv with every relative file or folder option value placed under `dir`, so
    /// that no run writes into the test process's working directory (the repository).
    static func confine(_ args: [String], _ c: CommandSpec, to dir: URL) -> [String] {
        let paths = Set(c.options.filter(\.completesFile).map { "--" + $0.name })
        var out = args
        // Every relative value, `-` and `--bogus` included: where it is not a standard stream or
        // an option, it is a folder or file name (`--maildir -z` made a Maildir named `-z`).
        for i in out.indices.dropLast() where paths.contains(out[i]) && !out[i + 1].hasPrefix("/") {
            out[i + 1] = dir.path + "/" + out[i + 1]
        }
        return out
    }

    /// Commands that write by design whatever their input (left out of the random argv).
    static let writers: Set<String> = ["init", "demo", "notify", "sweep", "fixtures", "import", "backup", "restore"]

    /// How many random argv `argvCombinations` tries: `MES_FUZZ_COUNT`, else 2,000.
    static let fuzzCount = ProcessInfo.processInfo.environment["MES_FUZZ_COUNT"].flatMap(Int.init) ?? 2_000

    @Test func argvCombinations() throws {
        let rootBefore = Self.rootEntries()
        let s = try Scenario()
        let env = ["MES_HOME": s.store, "MES_NOW": s.now]
        var rng = SeededGenerator(seed: 7)
        let commands = CommandTable.all.filter { !Self.writers.contains($0.path[0]) }
        var baseline = try Self.fingerprint(s.store)
        var counts: [Int32: Int] = [:]
        for i in 0..<Self.fuzzCount {
            let c = commands[Int.random(in: 0..<commands.count, using: &rng)]
            var args = c.path
            for _ in 0..<Int.random(in: 0...6, using: &rng) {
                let r = Int.random(in: 0..<10, using: &rng)
                if r < 6, !c.options.isEmpty {
                    let o = c.options[Int.random(in: 0..<c.options.count, using: &rng)]
                    args.append("--" + o.name)
                    if o.value != nil && Int.random(in: 0..<10, using: &rng) > 0 { args.append(Self.hostileValues(&rng)) }
                } else if r < 8 {
                    args.append(Self.hostileValues(&rng))
                } else {
                    args.append(["--json", "--help", "--bogus", "-z", "--now", "--store"][Int.random(in: 0..<6, using: &rng)])
                }
            }
            // Never let a random --store point at the real file system.
            if let k = args.firstIndex(of: "--store") { args.removeSubrange(k...min(k + 1, args.count - 1)) }
            if args.contains("-o") || args.contains("--output") || args.contains("--receipt") || args.contains("--receipts") {
                args = args.filter { !$0.hasPrefix("/") && !$0.hasPrefix("..") }
            }
            args = Self.confine(args, c, to: s.dir)
            let r = mes(args, stdin: i % 7 == 0 ? "116304403801618\n\u{0}\n" : "", env: env)
            counts[r.status, default: 0] += 1
            #expect(Self.documented.contains(r.status), "\(args) -> \(r.status): \(r.stderr)")
            if r.status != 0 {
                #expect(!r.stderr.isEmpty || !r.stdout.isEmpty, "\(args) failed silently")
                if r.status == 70 { Issue.record("internal error for \(args): \(r.stderr)") }
            }
            if r.status == 0 || r.status == 77 {
                baseline = try Self.fingerprint(s.store)  // a success, or a wrong code counted for the lockout
            } else if i % 20 == 0 {
                let now = try Self.fingerprint(s.store)
                #expect(now == baseline, "\(args) -> \(r.status) changed the store")
                baseline = now
            }
        }
        // Both refusals are common whatever the count: usage errors (64) and bad data (65).
        #expect((counts[64] ?? 0) > Self.fuzzCount / 400 && (counts[65] ?? 0) > Self.fuzzCount / 400, "\(counts)")
        #expect(Self.rootEntries() == rootBefore, "the fuzzer wrote into the repository")
    }

    /// What the package root holds: a fuzzed option value must never land there.
    static func rootEntries() -> Set<String> {
        Set((try? FileManager.default.contentsOfDirectory(atPath: packageRoot.path)) ?? [])
    }

    @Test func someArgvThroughTheBinaryNeverCrash() throws {
        let rootBefore = Self.rootEntries()
        let s = try Scenario()
        var rng = SeededGenerator(seed: 11)
        for _ in 0..<150 {
            let c = CommandTable.all[Int.random(in: 0..<CommandTable.all.count, using: &rng)]
            guard !Self.writers.contains(c.path[0]) else { continue }
            var args = c.path
            for o in c.options where Bool.random(using: &rng) {
                args.append("--" + o.name)
                if o.value != nil { args.append(Self.hostileValues(&rng)) }
            }
            args = args.map { $0.replacingOccurrences(of: "\u{0}", with: "") }  // argv cannot carry NUL
            args = Self.confine(args.filter { !$0.hasPrefix("/") && !$0.hasPrefix("..") }, c, to: s.dir)
            let r = try s.run(args)
            #expect(Self.documented.contains(r.status), "\(args) -> \(r.status): \(r.stderr)")
        }
        #expect(Self.rootEntries() == rootBefore, "the fuzzer wrote into the repository")
    }

    @Test func thirtyThousandHostileCSVRows() throws {
        let s = try Scenario()
        let before = s.snapshot()
        var rng = SeededGenerator(seed: 3)
        var bytes: [UInt8] = Array("\u{FEFF}nir;date_naissance;type_carte;numero_serie;code;nom;prenom\n".utf8)
        let rows = 30_000
        for i in 0..<rows {
            var fields = (0..<7).map { _ in Self.hostileValues(&rng) }
            if fields.joined().utf8.count > 200_000 { fields[0] = "x" }
            if i % 5 == 0 { fields[0] = "116304403801618" }  // a known NIR with garbage elsewhere
            var line = fields.map { f -> String in
                f.contains(";") || f.contains("\"") || f.contains("\n") || f.contains("\r") ? "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : f
            }.joined(separator: ";")
            if i % 11 == 0 { line += ";extra" }
            bytes += Array(line.utf8)
            if i % 13 == 0 { bytes += [0xFF, 0xFE, 0xC3] }  // invalid UTF-8
            bytes.append(0x0A)
        }
        let file = s.dir.appendingPathComponent("hostile.csv")
        try Data(bytes).write(to: file)
        let receipts = s.dir.appendingPathComponent("rec").path
        let r = try s.run(["batch", "oppose", file.path, "--receipts", receipts, "--request-codes"])
        #expect(r.status == 65, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == rows + 1)
        #expect(lines.dropLast().allSatisfy { $0.contains("\"status\":\"invalid\"") || $0.contains("\"status\":\"identity_mismatch\"") })
        #expect(s.snapshot() == before)
        // The same rows as a roster: rejected whole, nothing imported.
        let imp = try s.run(["import", file.path, "--json"])
        #expect(imp.status == 65)
        #expect(s.snapshot() == before)
    }

    @Test func fortyThousandHostileNIRLines() throws {
        var rng = SeededGenerator(seed: 5)
        var text = ""
        var n = 0
        while n < 40_000 {
            let v = Self.hostileValues(&rng).replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
            guard v.utf8.count <= 4096 else { continue }  // longer lines stop the run: below
            text += v + "\n"
            n += 1
        }
        let r = try runBinary(["nir", "check", "--json"], stdin: Data(text.utf8))
        #expect(r.status == 65)
        // One JSON line per input, but blank lines (empty, or spaces and tabs only), which are
        // skipped and counted on standard error (issue 33).
        let blank = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            .filter { $0.allSatisfy { $0 == " " || $0 == "\t" } }.count
        #expect(r.stdout.split(separator: "\n", omittingEmptySubsequences: false).count == 40_001 - blank)
        if blank > 0 { #expect(r.stderr.contains("\(blank) ligne") , "\(r.stderr.suffix(200))") }
        // A line over 4 KiB ends the run with its line number (memory stays flat on endless input).
        let long = try runBinary(["nir", "check", "--json"], stdin: Data(("116304403801618\n" + String(repeating: "1", count: 5_000) + "\n").utf8))
        #expect(long.status == 65 && long.errorJSON["code"] as? String == "line_too_long" && long.stderr.contains("Ligne 2"), "\(long.stderr)")
        let huge = try runBinary(["vitale", "check", "--card", "photo", String(repeating: "1", count: 100_000)])
        #expect(huge.status == 65)
    }
}

/// Faults: a read-only data directory and a full disk (needs root to mount a small tmpfs).
@Suite(.serialized) struct FaultTests {
    static let canMount: Bool = {
        guard getuid() == 0 else { return false }
        let dir = temporaryDirectory("probe")
        defer { _ = shell("umount \(dir.path) 2>/dev/null; rmdir \(dir.path)") }
        return shell("mount -t tmpfs -o size=64k tmpfs \(dir.path)") == 0
    }()

    @discardableResult
    static func shell(_ command: String) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try? p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

    /// A store on a small tmpfs of its own, with the demo people.
    func mountedStore(size: String) throws -> (Scenario, String) {
        let s = try Scenario(demo: false)
        let mnt = s.dir.appendingPathComponent("mnt").path
        try FileManager.default.createDirectory(atPath: mnt, withIntermediateDirectories: true)
        try #require(Self.shell("mount -t tmpfs -o size=\(size),mode=0700 tmpfs \(mnt)") == 0)
        return (s, mnt)
    }

    @Test(.enabled(if: FaultTests.canMount, "needs root to mount a tmpfs")) func readOnlyDataDirectory() throws {
        let (s, mnt) = try mountedStore(size: "4m")
        defer { Self.shell("umount \(mnt)") }
        let env = ["MES_HOME": mnt + "/store", "MES_NOW": s.now]
        #expect(try runBinary(["init", "--demo"], env: env).status == 0)
        let before = Scenario.files(mnt + "/store")
        #expect(Self.shell("mount -o remount,ro \(mnt)") == 0)
        for args in [["code", "generate", "--nir", "116304403801618", "--birth-date", "08/06/1988", "--card", "plain", "--serial", "953701166"],
                     ["notify"], ["init", "--demo"], ["oppose", "--assisted", "--adviser", "A042", "--nir", "116304403801618",
                                                      "--birth-date", "08/06/1988", "--last-name", "Leguellec", "--yes", "--json"]] {
            let r = try runBinary(args, env: env)
            #expect(r.status == 73 || r.status == 69, "\(args): \(r.status) \(r.stderr)")
            #expect(!r.stderr.isEmpty)
            #expect(!r.stderr.contains("SQLite error"), "\(r.stderr)")
        }
        #expect(Self.shell("mount -o remount,rw \(mnt)") == 0)
        #expect(Scenario.files(mnt + "/store") == before)
    }

    @Test(.enabled(if: FaultTests.canMount, "needs root to mount a tmpfs")) func fullDisk() throws {
        let (s, mnt) = try mountedStore(size: "1m")
        defer { Self.shell("umount \(mnt)") }
        let env = ["MES_HOME": mnt + "/store", "MES_NOW": s.now]
        #expect(try runBinary(["init", "--demo"], env: env).status == 0)
        // Fill the disk.
        Self.shell("dd if=/dev/zero of=\(mnt)/filler bs=4k 2>/dev/null; sync")
        let before = Scenario.files(mnt + "/store")
        let r = try runBinary(["notify", "--json"], env: env)
        #expect(r.status == 73, "\(r.status) \(r.stderr)")
        #expect(r.stderr.contains("disk_full") || r.stderr.contains("cannot_create") || r.stderr.contains("store_"), "\(r.stderr)")
        let receipt = try runBinary(["oppose", "--assisted", "--adviser", "A042", "--nir", "116304403801618", "--birth-date", "08/06/1988",
                                     "--last-name", "Leguellec", "--yes", "--json"], env: env)
        #expect(receipt.status == 73, "\(receipt.stderr)")
        // Nothing half-written: no outbox file, no receipt, the same records once space is back.
        Self.shell("rm -f \(mnt)/filler")
        let after = Scenario.files(mnt + "/store")
        #expect(after.filter { $0.key.hasPrefix("outbox/") || $0.key.hasPrefix("receipts/") } == before.filter { $0.key.hasPrefix("outbox/") || $0.key.hasPrefix("receipts/") })
        let db = try Database(path: mnt + "/store/mes.db", create: false)
        #expect(try db.first("PRAGMA integrity_check")?.text(0) == "ok")
        #expect(try db.first("SELECT count(*) FROM outbox")?.int(0) == 0)
        #expect(try db.first("SELECT count(*) FROM decisions")?.int(0) == 0)
    }
}

extension FaultTests {
    /// Receipts on a small file system that fills up mid-run: the run stops with 73, prints only
    /// the lines of groups whose files are on disk, and once there is room again a second run
    /// files the rest and writes the receipts the first one could not: each member exactly once.
    @Test(.enabled(if: FaultTests.canMount, "needs root to mount a tmpfs")) func batchReceiptsOnAFullDisk() throws {
        let s = try Scenario(demo: false)
        let members = try s.opposableMembers(count: 400, seed: "full")
        let mnt = s.dir.appendingPathComponent("mnt").path
        try FileManager.default.createDirectory(atPath: mnt, withIntermediateDirectories: true)
        try #require(Self.shell("mount -t tmpfs -o size=700k,mode=0700 tmpfs \(mnt)") == 0)
        defer { Self.shell("umount \(mnt)") }
        let receipts = mnt + "/rec"
        let first = try s.run(["batch", "oppose", members, "--receipts", receipts, "--legal-representative", "--group-size", "50"])
        #expect(first.status == 73, "\(first.stderr)")
        let printed = first.jsonLines.filter { $0["status"] as? String == "opposed" }
        // 700 kB hold about a hundred signed receipts: the first group is printed, never a part of one.
        #expect(printed.count >= 50 && printed.count < 400 && printed.count % 50 == 0, "whole groups only: \(printed.count)")
        #expect(first.stderr.contains("plus de place sur le disque"), "\(first.stderr)")
        for line in printed {  // every printed receipt is whole on disk
            let d = try Data(contentsOf: URL(fileURLWithPath: line["receipt_file"] as? String ?? "/"))
            #expect(d.suffix(6) == Data("%%EOF\n".utf8))
        }
        #expect(Self.shell("mount -o remount,size=16m \(mnt)") == 0)
        let second = try s.run(["batch", "oppose", members, "--receipts", receipts, "--legal-representative", "--json"])
        #expect(second.status == 0, "\(second.stderr)")
        try BatchKiller.checkExactlyOnce(store: s.store, receipts: receipts, members: 400)
    }
}

extension Scenario {
    /// Files under a directory with their bytes.
    static func files(_ root: String) -> [String: Data] {
        var out: [String: Data] = [:]
        let e = FileManager.default.enumerator(atPath: root)
        while let rel = e?.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + rel, isDirectory: &isDir), !isDir.boolValue,
               !rel.hasSuffix("-shm"), !rel.hasSuffix("-wal") {
                out[rel] = FileManager.default.contents(atPath: root + "/" + rel)
            }
        }
        return out
    }
}
