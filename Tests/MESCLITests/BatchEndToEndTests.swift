import Foundation
import Testing
@testable import MESStore
import MESCore
import MESRender
@testable import MESCLI

/// The association batch, run with the built binary.
@Suite(.serialized) struct BatchEndToEndTests {
    /// The code of the last message delivered for a NIR's profiles.
    func code(_ s: Scenario, nir: String, to: String? = nil) throws -> String {
        let msgs = try s.run(["outbox", "list", "--nir", nir, "--json"]).json["messages"] as? [[String: Any]] ?? []
        let m = try #require(msgs.last { to == nil || ($0["to"] as? String) == to })
        return try s.run(["outbox", "show", "\(m["id"] as! Int)", "--json"]).json["code"] as? String ?? ""
    }

    func key(_ body: String) -> String {
        let k = 97 - Int(body.replacingOccurrences(of: "2A", with: "19"))! % 97
        return k < 10 ? "0\(k)" : "\(k)"
    }

    @Test func everyStatusFromASemicolonFileWithBOM() throws {
        let s = try Scenario()
        let martine = "1 16 30 44 038 016 18"
        let karim = "1850344109123" + key("1850344109123")
        let paul = "152072A004017" + key("152072A004017")
        let claire = "2900631555101" + key("2900631555101")
        let sophie = "2850597105123" + key("2850597105123")
        // Henri: a code that will expire. Sophie: a code superseded by a newer one. Paul: locked. Claire: active.
        let henri = "1380475056042" + key("1380475056042")
        try s.run(["code", "generate", "--nir", henri, "--birth-date", "19/04/1938", "--card", "plain", "--serial", "12345678"])
        let henriCode = try code(s, nir: henri)
        try s.run(["code", "generate", "--nir", sophie, "--birth-date", "20/05/1985", "--card", "photo", "--serial", "04512378963"])
        let sophieOld = try code(s, nir: sophie)
        s.advance(seconds: 31)
        try s.run(["code", "generate", "--nir", sophie, "--birth-date", "20/05/1985", "--card", "photo", "--serial", "04512378963"])
        try s.run(["code", "generate", "--nir", paul, "--birth-date", "03/07/1952", "--card", "plain", "--serial", "87654321"])
        let paulCode = try code(s, nir: paul)
        for _ in 0..<5 { try s.run(["identify", "--code", "AAAAAAAAAAAA", "--nir", paul, "--card", "plain", "--serial", "87654321"]) }
        // A code used to identify (not to oppose).
        try s.run(["code", "generate", "--nir", karim, "--birth-date", "15/03/1985", "--card", "photo", "--serial", "01024576124"])
        let karimCode = try code(s, nir: karim)
        #expect(try s.run(["identify", "--code", karimCode, "--nir", karim, "--card", "photo", "--serial", "01024576124"]).status == 0)
        s.advance(seconds: 20 * 60)
        try s.run(["code", "generate", "--nir", martine, "--birth-date", "08/06/1988", "--card", "plain", "--serial", "953701166"])
        let martineCode = try code(s, nir: "116304403801618")
        try s.run(["code", "generate", "--nir", claire, "--birth-date", "27/06/1990", "--card", "photo", "--serial", "09876543210"])
        let claireCode = try code(s, nir: claire)

        let csv = """
        \u{FEFF}Numéro de sécurité sociale;Date de naissance;Type de carte;Numéro de série;Code provisoire;Nom;Prénom\r
        \(martine);08/06/1988;sans photo;953701166;\(martineCode);"Leguellec";"Martine Julie"\r
        \(martine);08/06/1988;sans photo;953701166;\(martineCode);"Leguellec";"Martine Julie"\r
        \(karim);1985-03-15;avec photo;0102457612 4;;Benali;Karim\r
        1 55 12 55 555 555 55;01/01/1955;plain;12345678;HuqZF3KXCz8k;"Château; Ébène";"Hélène"\r
        \(martine);31/02/2020;plain;953701166;HuqZF3KXCz8k;X;Y\r
        \(martine);08/06/1988;plain;123456789;HuqZF3KXCz8k;X;Y\r
        \(karim);15/03/1985;photo;01024576124;\(karimCode);Benali;Karim\r
        \(paul);03/07/1952;plain;87654321;\(paulCode);Santoni;Paul-Antoine\r
        \(sophie);20/05/1985;photo;04512378963;\(sophieOld);Martin;Sophie\r
        \(claire);27/06/1990;photo;09876543210;\(claireCode);Fontaine;Claire\r
        \(henri);19/04/1938;plain;12345678;\(henriCode);Lefebvre;Henri\r
        \(martine);08/06/1988;sans photo;953701166;;Leguellec;Martine\r

        """
        let file = s.dir.appendingPathComponent("adherents.csv")
        try csv.write(to: file, atomically: true, encoding: .utf8)
        let receipts = s.dir.appendingPathComponent("justificatifs").path
        // Without --request-codes: an unusable code is reported as such, a row without a code is
        // invalid (--request-codes replaces both: AssociationTests).
        let r = try s.run(["batch", "oppose", file.path, "--receipts", receipts])
        #expect(r.status == 65, "\(r.stderr)")  // some rows are invalid
        let lines = r.jsonLines
        let rows = lines.dropLast()
        let statuses = rows.map { $0["status"] as? String ?? "" }
        #expect(statuses == ["opposed", "already_opposed", "invalid", "invalid", "invalid", "identity_mismatch", "code_used",
                             "locked", "code_superseded", "refused", "code_expired", "invalid"], "\(statuses)")
        #expect(rows[2]["reason"] as? String == "code_required" && rows[11]["reason"] as? String == "code_required")
        #expect(rows.map { $0["row"] as? Int ?? 0 } == Array(2...13))
        #expect(rows[3]["field"] as? String == "nir")
        #expect(rows[4]["field"] as? String == "birth_date")
        #expect(rows[0]["nir"] as? String == "1 16 30 ** *** *** **")
        #expect(!r.stdout.contains("116304403801618"))
        let summary = try #require(lines.last?["summary"] as? [String: Any])
        #expect(summary["opposed"] as? Int == 1 && summary["invalid"] as? Int == 4)
        #expect(r.stderr.contains("12 lignes traitées"))
        // One receipt, named without the NIR, authentic.
        let files = try FileManager.default.contentsOfDirectory(atPath: receipts).filter { $0.hasSuffix(".pdf") }
        try #require(files.count == 1)
        #expect(files[0].hasSuffix("_LEGUELLEC.pdf"))
        #expect(try s.run(["receipt", "verify", receipts + "/" + files[0]]).status == 0)
        let hist = try s.run(["history", "--nir", "116304403801618", "--json"])
        let ev = (hist.json["events"] as? [[String: Any]] ?? []).first { $0["event"] as? String == "opposition" }
        #expect(ev?["channel"] as? String == "batch" && ev?["actor"] as? String == "association")

        // A re-run files nothing new.
        s.advance(seconds: 60)
        let before = try FileManager.default.contentsOfDirectory(atPath: receipts).sorted()
        let again = try s.run(["batch", "oppose", file.path, "--receipts", receipts, "--json"])
        let again0 = again.jsonLines.dropLast().map { $0["status"] as? String ?? "" }
        #expect(again0[0] == "already_opposed" && again0[1] == "already_opposed")
        #expect(!again0.contains("opposed"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: receipts).sorted() == before)
    }

    /// Found by the fixtures' helper: a member opposed before the batch (by phone, say) spent
    /// their code on the first run, which recorded nothing; a re-run said `code_used`. Both runs
    /// now say `already_opposed`, and so does `oppose --code` typed twice.
    @Test func aMemberOpposedBeforeTheBatchStaysAlreadyOpposedOnARerun() throws {
        let s = try Scenario()
        try s.run(["code", "generate"] + Scenario.martine + Scenario.martineBirth)
        let code = try s.lastCode()
        let phone = try s.run(["oppose", "--assisted", "--adviser", "A042", "--nir", "116304403801618", "--birth-date", "08/06/1988",
                               "--last-name", "Leguellec", "--yes"])
        #expect(phone.status == 0, "\(phone.stderr)")
        let members = s.dir.appendingPathComponent("m.csv").path
        try "nir;date_naissance;type_carte;numero_serie;code\n116304403801618;08/06/1988;sans photo;953701166;\(code)\n"
            .write(toFile: members, atomically: true, encoding: .utf8)
        let receipts = s.dir.appendingPathComponent("rec").path
        for run in 1...2 {
            let r = try s.run(["batch", "oppose", members, "--receipts", receipts])
            #expect(r.status == 0 && r.jsonLines.first?["status"] as? String == "already_opposed", "run \(run): \(r.stdout) \(r.stderr)")
        }
        for run in 1...2 {
            let r = try s.run(["oppose", "--code", code, "--yes", "--json"] + Scenario.martine)
            #expect(r.status == 0 && r.json["status"] as? String == "already_opposed", "oppose \(run): \(r.stdout) \(r.stderr)")
        }
    }

    @Test func membersFromStandardInput() throws {
        let dir = temporaryDirectory("batch-stdin").path
        let env = ["MES_NOW": "2022-02-03T10:00:00Z"]
        #expect(mes(["--store", dir, "init", "--demo"], env: env).status == 0)
        let csv = "nir,type_carte,numero_serie,code\n116304403801618,plain,953701166,HuqZF3KXCz8k\n1 55,plain,1,x\n"
        let r = mes(["--store", dir, "batch", "oppose", "-", "--receipts", dir + "/rec", "--quiet"], stdin: csv, env: env)
        #expect(r.status == 65)
        let statuses = r.jsonLines.dropLast().map { $0["status"] as? String ?? "" }
        #expect(statuses == ["identity_mismatch", "invalid"])
    }

    /// Found by attacking the change: an existing report was refused with a hint to use
    /// --force, which batch oppose did not have, so a rerun could not keep its report path.
    @Test func anExistingReportIsReplacedOnlyWithForceAndALinkIsNotFollowed() throws {
        let dir = temporaryDirectory("batch-report").path
        let env = ["MES_NOW": "2022-02-03T10:00:00Z"]
        #expect(mes(["--store", dir, "init", "--demo"], env: env).status == 0)
        let csv = "nir,type_carte,numero_serie,code\n1 55,plain,1,x\n"
        let report = dir + "/rapport.csv", victim = dir + "/victim.txt"
        try "old".write(toFile: report, atomically: true, encoding: .utf8)
        let base = ["--json", "--store", dir, "batch", "oppose", "-", "--receipts", dir + "/rec", "--quiet", "--report"]
        let refused = mes(base + [report], stdin: csv, env: env)
        #expect(refused.status == 73 && refused.errorJSON["code"] as? String == "file_exists", "\(refused.stderr)")
        #expect(try String(contentsOfFile: report, encoding: .utf8) == "old")
        let forced = mes(base + [report, "--force"], stdin: csv, env: env)
        #expect(forced.status == 65, "\(forced.stderr)")
        #expect(try String(contentsOfFile: report, encoding: .utf8).contains(";"))
        try "keep".write(toFile: victim, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: report)
        try FileManager.default.createSymbolicLink(atPath: report, withDestinationPath: victim)
        #expect(mes(base + [report, "--force"], stdin: csv, env: env).status == 65)
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep")
        #expect(try FileManager.default.attributesOfItem(atPath: report)[.type] as? FileAttributeType == .typeRegular)
    }

    @Test func aFailedRunLeavesNoReceiptsDirectoryBehind() throws {
        let dir = temporaryDirectory("batch-fail").path
        let env = ["MES_NOW": "2022-02-03T10:00:00Z"]
        #expect(mes(["--store", dir, "init", "--demo"], env: env).status == 0)
        let receipts = dir + "/new/rec"
        // A bad option, an empty input, a header with an unknown column: 64 or 65, and no directory.
        for (args, stdin, status) in [(["--group-size", "0"], "nir,type_carte,numero_serie,code\n", Int32(64)),
                                      ([], "", 65), ([], "nir,colour\n", 65)] {
            let r = mes(["--store", dir, "batch", "oppose", "-", "--receipts", receipts, "--quiet"] + args, stdin: stdin, env: env)
            #expect(r.status == status, "\(args) \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/new"), "\(args)")
        }
        // A directory that was already there stays, with nothing left by the failed run but its lock.
        try FileManager.default.createDirectory(atPath: receipts, withIntermediateDirectories: true)
        #expect(mes(["--store", dir, "batch", "oppose", "-", "--receipts", receipts, "--quiet"], stdin: "", env: env).status == 65)
        #expect(try FileManager.default.contentsOfDirectory(atPath: receipts) == [".mes-batch-lock"])
    }

    @Test func aRerunRewritesMissingOrDamagedReceiptsAsTheyWere() throws {
        let s = try Scenario(demo: false)
        let members = try s.opposableMembers(count: 40, seed: "repair")
        let receipts = s.dir.appendingPathComponent("rec").path
        #expect(try s.run(["batch", "oppose", members, "--receipts", receipts, "--legal-representative", "--quiet"]).status == 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: receipts).filter { $0.hasSuffix(".pdf") }.sorted()
        try #require(names.count == 40)
        let original = try names.map { try Data(contentsOf: URL(fileURLWithPath: receipts + "/" + $0)) }
        // What a power cut between a group's commit and its sync can leave: an empty file, a file
        // cut short, a block of something else; and a file deleted by hand. One more was re-issued
        // since (a duplicate): the batch's file stays the original.
        try Data().write(to: URL(fileURLWithPath: receipts + "/" + names[0]))
        try original[1].prefix(1000).write(to: URL(fileURLWithPath: receipts + "/" + names[1]))
        try Data(repeating: 0, count: original[2].count).write(to: URL(fileURLWithPath: receipts + "/" + names[2]))
        try FileManager.default.removeItem(atPath: receipts + "/" + names[3])
        let reissuedID = String(names[4].prefix { $0 != "_" })
        #expect(try s.run(["receipt", "--id", reissuedID, "-o", s.dir.appendingPathComponent("dup.pdf").path]).status == 0)
        try FileManager.default.removeItem(atPath: receipts + "/" + names[4])
        let untouched = try FileManager.default.attributesOfItem(atPath: receipts + "/" + names[5])[.modificationDate] as? Date

        s.advance(seconds: 3600)
        let again = try s.run(["batch", "oppose", members, "--receipts", receipts, "--legal-representative"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.jsonLines.dropLast().allSatisfy { $0["status"] as? String == "already_opposed" && $0["receipt_file"] != nil })
        // Rewritten receipts are whole, signed and on record (a new signature value: ECDSA draws
        // a fresh nonce); the page is the original's, not the duplicate's.
        for name in names.prefix(5) {
            let v = try s.run(["receipt", "verify", receipts + "/" + name, "--json"])
            #expect(v.json["status"] as? String == "authentic", "\(name): \(v.stdout)")
            let text = try String(contentsOfFile: receipts + "/" + name, encoding: .isoLatin1)
            #expect(!text.contains("Duplicata"), "\(name)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: receipts + "/" + names[5])) == original[5])
        // An intact file is left alone (not rewritten).
        #expect(try FileManager.default.attributesOfItem(atPath: receipts + "/" + names[5])[.modificationDate] as? Date == untouched)
        #expect(try s.run(["receipt", "verify", receipts + "/" + names[4]]).status == 0)
    }

    @Test func killedMidwayThenResumed() throws {
        let (s, members) = try Scenario.withOpposableMembers()
        let receipts = s.dir.appendingPathComponent("rec").path
        try BatchKiller.killOnce(store: s.store, now: s.now, members: members, receipts: receipts, after: 0.6)
        let done = try s.run(["batch", "oppose", members, "--receipts", receipts, "--legal-representative", "--json"])
        #expect(done.status == 0, "\(done.stderr)")
        let statuses = done.jsonLines.dropLast().map { $0["status"] as? String ?? "" }
        #expect(statuses.count == 3000)
        #expect(statuses.allSatisfy { $0 == "opposed" || $0 == "already_opposed" })
        try BatchKiller.checkExactlyOnce(store: s.store, receipts: receipts, members: 3000)
    }
}

/// Killing a batch with SIGKILL and checking what it left.
enum BatchKiller {
    static func arguments(_ members: String, _ receipts: String) -> [String] {
        ["batch", "oppose", members, "--receipts", receipts, "--legal-representative", "--quiet", "--group-size", "300"]
    }

    static func killOnce(store: String, now: String, members: String, receipts: String, after seconds: Double) throws {
        try killBinary(arguments(members, receipts), env: ["MES_HOME": store, "MES_NOW": now], after: UInt32(seconds * 1_000_000))
    }

    /// Starts a batch (groups of 300) and kills it once the receipts folder holds `files`
    /// receipts, or (`files` nil) 20 ms after it started. True when it was still running then.
    static func killAt(files: Int?, store: String, now: String, members: String, receipts: String) throws -> Bool {
        let p = try startBinary(arguments(members, receipts), env: ["MES_HOME": store, "MES_NOW": now])
        if let files {
            let deadline = Date().addingTimeInterval(120)
            func written() -> Int { ((try? FileManager.default.contentsOfDirectory(atPath: receipts)) ?? []).count { $0.hasPrefix("JO-") } }
            while p.isRunning && written() < files && Date() < deadline { usleep(3_000) }
        } else {
            usleep(20_000)
        }
        let running = p.isRunning
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        return running
    }

    /// Every member has exactly one opposition and one readable receipt; the database is sound.
    static func checkExactlyOnce(store: String, receipts: String, members: Int) throws {
        let db = try Database(path: store + "/mes.db", create: false)
        #expect(try db.first("PRAGMA integrity_check")?.text(0) == "ok")
        #expect(try db.query("PRAGMA foreign_key_check").isEmpty)
        #expect(try db.first("SELECT count(*) FROM decisions WHERE kind = 'opposition'")?.int(0) == Int64(members))
        #expect(try db.first("SELECT count(*) FROM (SELECT person_id FROM decisions WHERE kind = 'opposition' GROUP BY person_id HAVING count(*) > 1)")?.int(0) == 0)
        #expect(try db.first("SELECT count(*) FROM receipts")?.int(0) == Int64(members))
        let files = try FileManager.default.contentsOfDirectory(atPath: receipts).filter { $0.hasPrefix("JO-") && $0.hasSuffix(".pdf") }
        #expect(files.count == members)
        let ids = Set(try db.query("SELECT id FROM receipts").compactMap { $0.text(0) })
        #expect(Set(files.map { String($0.prefix { $0 != "_" }) }) == ids)
        // Every file is a whole PDF.
        for f in files {
            let d = try Data(contentsOf: URL(fileURLWithPath: receipts + "/" + f))
            #expect(d.starts(with: Data("%PDF-1.5".utf8)) && d.suffix(6) == Data("%%EOF\n".utf8), "\(f)")
        }
    }
}
