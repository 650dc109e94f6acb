import Foundation
import Testing
import MESCore
@testable import MESStore

/// `mes history --since --until --channel --actor --limit`, through the built binary.
@Suite(.serialized) struct HistoryFilterTests {
    func events(_ s: Scenario, _ args: [String]) throws -> [[String: Any]] {
        let r = try s.run(["history", "--json"] + args)
        #expect(r.status == 0, "\(args): \(r.stderr)")
        return r.json["events"] as? [[String: Any]] ?? []
    }

    /// A demo store with events on three days, by three channels and actors.
    func scenario() throws -> Scenario {
        let s = try Scenario()  // 2022-02-03T10:00:00Z, a Thursday
        _ = try s.martineSession()  // code_issued, identified (web)
        s.advance(seconds: 86_400)  // Friday: the phone service is open
        try s.run(["oppose", "--assisted", "--adviser", "A042", "--nir", "116304403801618", "--birth-date", "08/06/1988",
                   "--last-name", "Leguellec", "--yes"])
        s.advance(seconds: 86_400)
        try s.run(["code", "generate", "--nir", "290063155510117", "--birth-date", "27/06/1990", "--card", "photo", "--serial", "09876543210"])
        return s
    }

    /// Found by the attack: the first day of year 1 (year 0 at Paris midnight) crashed `mes`.
    @Test func theEarliestDatesAreAnswerNotACrash() throws {
        let s = try Scenario()
        for args in [["history", "--since", "0001-01-01"], ["history", "--since", "01/01/0001", "--until", "9999-12-31"],
                     ["outbox", "list", "--since", "0001-01-01"]] {
            let r = try s.run(args)
            #expect(r.status == 0, "\(args): \(r.status) \(r.stderr)")
        }
        let f = try s.run(["--now", "0001-01-01T00:00:00Z", "fixtures", "--count", "2", "--seed", "1", "--roster", "-"])
        #expect(f.status != 132 && f.status < 128, "\(f.status) \(f.stderr)")
    }

    @Test func filtersCombine() throws {
        let s = try scenario()
        let all = try events(s, [])
        #expect(all.count >= 5)
        // A date is a whole Paris day; both bounds included.
        let friday = try events(s, ["--since", "2022-02-04", "--until", "2022-02-04"])
        #expect(!friday.isEmpty && friday.allSatisfy { ($0["at"] as? String ?? "").hasPrefix("2022-02-04") })
        #expect(try events(s, ["--since", "04/02/2022", "--until", "04/02/2022"]).count == friday.count)
        // Instants: inclusive at both ends.
        let at = try events(s, ["--since", "2022-02-04T10:00:00Z", "--until", "2022-02-04T10:00:00Z"])
        #expect(at.count == friday.count)
        #expect(try events(s, ["--since", "2022-02-04T10:00:01Z", "--until", "2022-02-04T23:00:00+01:00"]).isEmpty)
        #expect(try events(s, ["--until", "2022-02-03"]).allSatisfy { ($0["at"] as? String ?? "").hasPrefix("2022-02-03") })
        // Channel, actor kind, actor id.
        let phone = try events(s, ["--channel", "phone"])
        #expect(!phone.isEmpty && phone.allSatisfy { $0["channel"] as? String == "phone" })
        #expect(phone.contains { $0["event"] as? String == "opposition" })
        #expect(try events(s, ["--actor", "adviser:A042"]).map { $0["event"] as? String ?? "" } == phone.map { $0["event"] as? String ?? "" })
        #expect(try events(s, ["--actor", "adviser", "--channel", "phone"]).count == phone.count)
        #expect(try events(s, ["--actor", "association:A042"]).isEmpty)   // a kind and an id: never another kind's
        #expect(try events(s, ["--actor", "adviser:nobody"]).isEmpty)
        // A bare id would match several kinds: refused, with how to say it.
        let bare = try s.run(["history", "--json", "--actor", "A042"])
        #expect(bare.status == 64 && bare.errorJSON["code"] as? String == "actor_invalid", "\(bare.stderr)")
        #expect(try events(s, ["--channel", "batch"]).isEmpty)
        // Limit: the first N, oldest first; with the NIR too.
        #expect(try events(s, ["--limit", "2"]).map { $0["at"] as? String ?? "" } == all.prefix(2).map { $0["at"] as? String ?? "" })
        let martine = try events(s, ["--nir", "116304403801618", "--channel", "phone", "--limit", "1"])
        #expect(martine.count == 1 && (martine[0]["profile"] as? [String: Any])?["nir"] as? String == "116304403801618")
        // Text: one tab-separated line per event; none says so.
        let text = try s.run(["history", "--channel", "phone"])
        #expect(text.stdout.split(separator: "\n").count == phone.count && text.stdout.contains("\tphone\t"))
        #expect(try s.run(["history", "--channel", "batch"]).stdout == "Aucun événement.\n")
        #expect(try s.run(["history", "--channel", "batch", "--json"]).stdout == "{\"schema_version\":2,\"events\":[]}\n")
    }

    @Test func badValuesNameTheFlagAndTheReason() throws {
        let s = try Scenario()
        for (args, field, words) in [(["--since", "hier"], "since", "date"), (["--until", "2022-02-30"], "until", "date"),
                                     (["--since", "2022-02-03T25:00:00Z"], "since", "instant"),
                                     (["--since", "2022-02-04", "--until", "2022-02-03"], "until", "avant"),
                                     (["--limit", "0"], "limit", "nombre entier"), (["--limit", "-3"], "limit", "nombre entier"),
                                     (["--limit", "99999999999999999999"], "limit", "nombre entier"),
                                     (["--channel", "fax"], "channel", "parmi"), (["--since", "\u{1B}[2J"], "since", "date")] {
            let r = try s.run(["--json", "history"] + args)
            #expect(r.status == 64, "\(args): \(r.status)")
            #expect(r.errorJSON["field"] as? String == field, "\(args): \(r.stderr)")
            #expect((r.errorJSON["message"] as? String ?? "").contains(words), "\(args): \(r.stderr)")
            #expect(!r.stderr.contains("\u{1B}"), "control characters are not echoed raw")
        }
    }

    /// Streaming: the peak heap of printing 60,000 events is that of printing 5,000. (Heap:
    /// the anonymous resident memory, sampled while it runs; the store's file is memory-mapped,
    /// and its pages count in the resident size however the rows are read.)
    @Test func memoryDoesNotGrowWithTheTrail() throws {
        let s = try Scenario()
        // A long trail: 60,000 events over the demo's profiles, written straight into the store.
        do {
            let db = try Database(path: s.store + "/mes.db", create: false)
            try db.exec("""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60000)
                INSERT INTO audit (at, event, person_id, channel, actor, actor_id, detail)
                SELECT 1643882400 + i, 'opposition', 1 + i % 13, 'batch', 'association', 'Union', 'row ' || i FROM n
                """)
        }
        func peakAnonKB(_ args: [String]) throws -> Int {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["python3", "-c", """
                import subprocess, sys, time
                p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
                peak = 0
                while p.poll() is None:
                    try:
                        for line in open(f"/proc/{p.pid}/status"):
                            if line.startswith("RssAnon:"): peak = max(peak, int(line.split()[1]))
                    except OSError: pass
                    time.sleep(0.0005)
                print(peak if p.returncode == 0 else -1)
                """, mesBinary.path] + args
            p.environment = ["MES_HOME": s.store, "MES_NOW": s.now, "PATH": "/usr/bin:/bin"]
            let out = Pipe()
            p.standardOutput = out
            try p.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return Int(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        }
        let events = try s.run(["history", "--json"]).json["events"] as? [Any] ?? []
        #expect(events.count >= 60_000)
        for format in [["--json"], []] {
            // (Not --limit 1 as the base: a run that short can end before a sample is taken.)
            let part = try peakAnonKB(["history", "--limit", "5000"] + format), all = try peakAnonKB(["history"] + format)
            #expect(part > 1_000 && all > 1_000 && all - part < 1_500, "\(format): 5,000 events \(part) kB, \(events.count) events \(all) kB")
        }
    }
}
