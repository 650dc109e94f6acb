import Foundation
import Testing
@testable import MESCLI
@testable import MESStore

@Suite(.serialized) struct ImportEndToEndTests {
    let header = "nir,birth_date,first_name,last_name,card_type,serial,email,mobile,address,holder_birth_date\n"

    /// `n` families of a holder and one child (two rows each), NIRs made valid by their key.
    func families(_ n: Int) -> String {
        var out = ""
        for i in 0..<n {
            let body = "1880675" + String(format: "%03d%03d", 101 + i / 999, i % 999 + 1)
            let key = 97 - Int(Int64(body)! % 97)
            let nir = body + String(format: "%02d", key)
            out += "\(nir),1988-06-08,Parent\(i),Nom,plain,\(90_000_000 + i),p\(i)@example.fr,,,\n"
            out += "\(nir),2015-01-02,Enfant\(i),Nom,plain,\(90_000_000 + i),,,,1988-06-08\n"
        }
        return out
    }

    func db(_ s: Scenario) throws -> Database { try Database(path: s.store + "/mes.db", create: false, readOnly: true) }

    @Test func familiesAcrossBatchesAreAttachedToTheirHolder() throws {
        let s = try Scenario(demo: false)
        try s.run(["init", "--test-clock"])
        let file = s.dir.appendingPathComponent("r.csv")
        // 1,500 families: 3,000 rows, several hand-over batches; one child comes before its holder.
        let rows = families(1_500)
        var lines = rows.split(separator: "\n").map(String.init)
        lines.swapAt(0, 1)
        try (header + lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let r = try s.run(["import", file.path, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.json["people"] as? Int == 3_000)
        let d = try db(s)
        #expect(try d.first("SELECT count(*) FROM people WHERE holder_id IS NOT NULL")?.int(0) == 1_500)
        #expect(try d.first("""
            SELECT count(*) FROM people c JOIN people h ON h.id = c.holder_id
            WHERE c.nir = h.nir AND h.holder_id IS NULL AND h.birth_date = '1988-06-08'
            """)?.int(0) == 1_500)
        #expect(try d.first("SELECT count(*) FROM people WHERE email IS NULL")?.int(0) == 1_500)
        #expect(try d.first("SELECT count(*) FROM people WHERE mobile IS NOT NULL OR address IS NOT NULL")?.int(0) == 0)
        // Ids follow the file (rows go in by groups of 32 and the rest of each batch one by one);
        // the child whose holder came after it goes in last.
        #expect(try d.first("SELECT min(id), max(id) FROM people").map { [$0.int(0), $0.int(1)] } == [1, 3_000])
        #expect(try d.query("SELECT first_name FROM people WHERE id IN (1, 2, 3, 1024, 1025, 3000) ORDER BY id").map { $0.text(0)! }
                == ["Parent0", "Parent1", "Enfant1", "Parent512", "Enfant512", "Enfant0"])
        #expect(try d.first("SELECT holder_id FROM people WHERE id = 3000")?.int(0) == 1)
    }

    @Test func aProblemLateInALargeFileImportsNothing() throws {
        let s = try Scenario(demo: false)
        try s.run(["init", "--test-clock"])
        let before = s.snapshot(databaseContent: true)
        for (name, tail, field) in [("bad-row", "116304403801619,08/06/1988,X,Y,plain,953701166,,,,\n", "nir"),
                                    ("bad-quote", "116304403801618,08/06/1988,\"X,Y,plain,953701166,,,,\n", "file")] {
            let file = s.dir.appendingPathComponent("\(name).csv")
            try (header + families(1_500) + tail).write(to: file, atomically: true, encoding: .utf8)
            let r = try s.run(["import", file.path, "--json"])
            #expect(r.status == 65, "\(name): \(r.stderr)")
            #expect((r.errorJSON["field"] as? String) == field, "\(name)")
            if name == "bad-row" {  // each row's problem, as data
                let first = (r.errorJSON["errors"] as? [[String: Any]])?.first
                #expect(first?["line"] as? Int == 3002 && first?["field"] as? String == "nir" && first?["code"] as? String == "nir_invalid", "\(r.stderr)")
            }
            #expect(s.snapshot(databaseContent: true) == before, "\(name): the store changed")
        }
    }

    /// A bulk load runs under a rollback journal: killed while its journal exists, the store opens
    /// again empty, sound and in WAL mode, and the same file then imports in full.
    @Test func anImportKilledMidwayLeavesNothingAndRunsAgain() throws {
        let s = try Scenario(demo: false)
        try s.run(["init", "--test-clock"])
        let file = s.dir.appendingPathComponent("big.csv")
        try (header + families(40_000)).write(to: file, atomically: true, encoding: .utf8)
        let journal = s.store + "/mes.db-journal"
        let p = try startBinary(["import", file.path], env: ["MES_HOME": s.store, "MES_NOW": s.now])
        let deadline = Date().addingTimeInterval(60)
        while p.isRunning && !FileManager.default.fileExists(atPath: journal) && Date() < deadline { usleep(1_000) }
        usleep(20_000)
        try #require(p.isRunning, "the import ended before it could be killed; use a larger file")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(FileManager.default.fileExists(atPath: journal), "killed with its journal in place")

        let store = try Store.open(s.store)
        #expect(try store.peopleCount() == 0)
        #expect(try store.db.first("PRAGMA integrity_check")?.text(0) == "ok")
        #expect(try store.db.first("PRAGMA journal_mode")?.text(0) == "wal")
        // The journal was rolled back.
        // (Seen under load: a journal whose header was not zeroed yet is left. Whatever is left
        // must be inert: the store opens again unchanged and whole.)
        if FileManager.default.fileExists(atPath: journal) {
            let again = try Store.open(s.store)
            #expect(try again.peopleCount() == 0)
            #expect(try again.db.first("PRAGMA integrity_check")?.text(0) == "ok")
        }

        let r = try s.run(["import", file.path, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.json["people"] as? Int == 80_000)
        #expect(try store.peopleCount() == 80_000)
    }

    @Test func standardInputIsStreamed() throws {
        let s = try Scenario(demo: false)
        try s.run(["init", "--test-clock"])
        let r = try s.run(["import", "-", "--json"], stdin: header + families(600))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.json["people"] as? Int == 1_200)
    }
}
