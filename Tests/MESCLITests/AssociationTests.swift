import Foundation
import Testing
@testable import MESStore
import MESCore
@testable import MESCLI

/// An association filing for its members, through the built binary: row-by-row certification
/// for minors, the two passes for members without a usable code, the report, the audit trail.
@Suite(.serialized) struct AssociationTests {
    static let week = 7 * 86_400

    /// A members file's lines (BOM dropped), split on ';' (fixtures write no quotes).
    func rows(_ path: String) throws -> [[String]] {
        var text = try String(contentsOfFile: path, encoding: .utf8)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        return text.split(whereSeparator: \.isNewline).map { $0.split(separator: ";", omittingEmptySubsequences: false).map(String.init) }
    }

    func write(_ rows: [[String]], to path: String) throws {
        try ("\u{FEFF}" + rows.map { $0.joined(separator: ";") }.joined(separator: "\r\n") + "\r\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// The report's rows (BOM checked and dropped).
    func report(_ path: String) throws -> [[String]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(data.starts(with: [0xEF, 0xBB, 0xBF]), "UTF-8 BOM")
        return String(decoding: data.dropFirst(3), as: UTF8.self).split(whereSeparator: \.isNewline)
            .map { $0.split(separator: ";", omittingEmptySubsequences: false).map(String.init) }
    }

    /// The report's cells of `column` (by its header), for every member row.
    func column(_ report: [[String]], _ name: String) -> [String] {
        guard let i = report.first?.firstIndex(of: name) else { Issue.record("no column \(name) in \(report.first ?? [])"); return [] }
        return report.dropFirst().map { i < $0.count ? $0[i] : "<missing>" }
    }

    static let reportColumns = ["ligne", "nom", "prenom", "nir", "statut", "code", "justificatif", "envoi", "prochaine_etape", "message",
                                "colonne", "creation_automatique_le", "code_valable_jusqu_au", "depose_par", "alertes"]

    func letters(_ s: Scenario, at time: String) throws -> [Int] {
        let msgs = try s.run(["outbox", "list", "--json"]).json["messages"] as? [[String: Any]] ?? []
        return msgs.filter { $0["channel"] as? String == "letter" && $0["created_at"] as? String == time }.compactMap { $0["id"] as? Int }.sorted()
    }

    /// The acceptance test of the two passes: every notification code has expired; pass 1 sends
    /// each member a code by letter (6 weeks) and a re-run sends none again; three weeks later,
    /// with the codes the members passed back, pass 2 files every one of them, with receipts,
    /// the report and the audit trail naming who certified each minor.
    @Test func twoPassesWithTheClockMovedBetweenThem() throws {
        let s = try Scenario(demo: false)
        let members = try s.opposableMembers(count: 40, seed: "two-pass", minors: true)
        var table = try rows(members)
        try #require(table.count == 41 && table.allSatisfy { $0.count == table[0].count }, "\(table.prefix(2))")
        let codeColumn = try #require(table[0].firstIndex(of: "code"))
        // The association certifies each row, with the parent who signed.
        table[0] += ["representant_legal", "signataire"]
        for i in 1..<table.count { table[i] += ["oui", "Parent \(i)"] }
        let pass1File = s.dir.appendingPathComponent("pass1.csv").path
        try write(table, to: pass1File)
        let receipts = s.dir.appendingPathComponent("justificatifs").path
        let report1 = s.dir.appendingPathComponent("rapport1.csv").path

        s.advance(seconds: 8 * Self.week)  // every notification code has expired
        let pass1Time = s.now
        let expired = try s.run(["batch", "oppose", pass1File, "--receipts", receipts])
        #expect(expired.status == 77 && expired.jsonLines.dropLast().allSatisfy { $0["status"] as? String == "code_expired" })
        let pass1 = try s.run(["batch", "oppose", pass1File, "--receipts", receipts, "--request-codes", "--report", report1])
        #expect(pass1.status == 0, "\(pass1.stderr)")
        let lines1 = pass1.jsonLines.dropLast()
        #expect(lines1.count == 40)
        let sixWeeksOn = Instant.parse(pass1Time)!.adding(seconds: 6 * Int64(Self.week)).iso8601
        #expect(lines1.allSatisfy { $0["status"] as? String == "code_requested" && $0["destination"] as? String == "courrier postal"
                                    && $0["code_expires_at"] as? String == sixWeeksOn }, "\(lines1.prefix(2))")
        #expect(pass1.stderr.contains("code demandé : 40"), "\(pass1.stderr)")
        let r1 = try report(report1)
        #expect(r1[0] == Self.reportColumns)
        #expect(r1.count == 41)
        #expect(column(r1, "statut").allSatisfy { $0 == "code demandé" } && column(r1, "code").allSatisfy { $0 == "code_requested" })
        #expect(column(r1, "envoi").allSatisfy { $0 == "courrier postal" })
        #expect(column(r1, "code_valable_jusqu_au").allSatisfy { $0 == Instant.parse(sixWeeksOn)!.parisDate.french })
        // Every row says what to do next: wait for the code, and until when it can be filed.
        #expect(column(r1, "prochaine_etape").allSatisfy { $0.hasPrefix("Courrier envoyé au membre. Nouveau code attendu") && $0.contains(" avant le ") },
                "\(r1.prefix(3))")
        let sent = try letters(s, at: pass1Time)
        #expect(sent.count == 40)
        // The letters say how long the code lasts.
        let letter = try s.run(["outbox", "show", "\(sent[0])", "--json"]).json["body"] as? String ?? ""
        #expect(letter.contains("6 semaines"), "\(letter)")

        // Pass 1 again, a minute later: nobody gets a second letter, and no row claims one: each
        // says the code sent by the earlier letter is still valid, and until when.
        s.advance(seconds: 60)
        let again = try s.run(["batch", "oppose", pass1File, "--receipts", receipts, "--request-codes"])
        #expect(again.status == 0)
        #expect(again.jsonLines.dropLast().allSatisfy { $0["status"] as? String == "code_still_valid" && $0["destination"] == nil
                                                        && $0["code_expires_at"] as? String == sixWeeksOn && $0["letter_sent_at"] as? String == pass1Time })
        #expect(try letters(s, at: s.now).isEmpty)

        // The members pass their codes back (in row order: one letter per row).
        var pass2 = table
        for (i, id) in sent.enumerated() {
            let code = try s.run(["outbox", "show", "\(id)", "--json"]).json["code"] as? String
            pass2[i + 1][codeColumn] = try #require(code)
        }
        let pass2File = s.dir.appendingPathComponent("pass2.csv").path
        try write(pass2, to: pass2File)
        s.advance(seconds: 3 * Self.week)
        let report2 = s.dir.appendingPathComponent("rapport2.csv").path
        let filed = try s.run(["batch", "oppose", pass2File, "--receipts", receipts, "--report", report2])
        #expect(filed.status == 0, "\(filed.stderr)")
        #expect(filed.jsonLines.dropLast().allSatisfy { $0["status"] as? String == "opposed" }, "\(filed.stdout.prefix(500))")
        let pdfs = try FileManager.default.contentsOfDirectory(atPath: receipts).filter { $0.hasSuffix(".pdf") }
        #expect(pdfs.count == 40)
        let r2 = try report(report2)
        #expect(column(r2, "statut").allSatisfy { $0 == "opposition enregistrée" } && column(r2, "code").allSatisfy { $0 == "opposed" })
        #expect(column(r2, "justificatif").allSatisfy(pdfs.contains), "\(r2.prefix(3))")
        // The audit trail: every opposition by the batch; each minor's names its signatory.
        let history = try s.run(["history", "--channel", "batch", "--json"]).json["events"] as? [[String: Any]] ?? []
        let oppositions = history.filter { $0["event"] as? String == "opposition" }
        #expect(oppositions.count == 40)
        let certified = oppositions.compactMap { $0["detail"] as? String }
        #expect(!certified.isEmpty && certified.allSatisfy { $0.hasPrefix("legal_representative certified by row ") && $0.contains(", signatory Parent ") },
                "\(certified.prefix(2))")
        // Run again: nothing filed twice.
        #expect(try s.run(["batch", "oppose", pass2File, "--receipts", receipts]).jsonLines.dropLast().allSatisfy { $0["status"] as? String == "already_opposed" })
    }

    /// A code passed back after its 6 weeks is expired like any other; pass 1 again replaces it.
    @Test func aLetterCodeKeptTooLongIsReplacedByAnotherLetter() throws {
        let s = try Scenario(demo: false)
        let roster = s.dir.appendingPathComponent("r.csv").path, members = s.dir.appendingPathComponent("m.csv").path
        #expect(try s.run(["fixtures", "--count", "3", "--seed", "late", "--roster", roster, "--members", members]).status == 0)
        let receipts = s.dir.appendingPathComponent("rec").path
        s.advance(seconds: 7 * Self.week)
        #expect(try s.run(["batch", "oppose", members, "--receipts", receipts, "--request-codes", "--legal-representative"]).status == 0)
        let sent = try letters(s, at: s.now)
        #expect(sent.count == 3)
        var table = try rows(members)
        let codeColumn = try #require(table[0].firstIndex(of: "code"))
        for (i, id) in sent.enumerated() { table[i + 1][codeColumn] = try s.run(["outbox", "show", "\(id)", "--json"]).json["code"] as? String ?? "" }
        let late = s.dir.appendingPathComponent("late.csv").path
        try write(table, to: late)
        s.advance(seconds: 6 * Self.week + 1)
        let tooLate = try s.run(["batch", "oppose", late, "--receipts", receipts, "--legal-representative"])
        #expect(tooLate.status == 77 && tooLate.jsonLines.dropLast().allSatisfy { $0["status"] as? String == "code_expired" })
        let again = try s.run(["batch", "oppose", late, "--receipts", receipts, "--legal-representative", "--request-codes"])
        #expect(again.jsonLines.dropLast().allSatisfy { $0["status"] as? String == "code_requested" && $0["destination"] != nil })
        #expect(try letters(s, at: s.now).count == 3)
    }

    /// Martine's children (minors) with codes of their own, certified row by row.
    func childrenFile(_ s: Scenario, cells: [(String, String)], name: String = "enfants.csv") throws -> String {
        let births = ["02/05/2010", "21/09/2012", "30/01/2015", "11/11/2017"]
        var lines = ["nir;date_naissance;type_carte;numero_serie;code;representant_legal;signataire"]
        for (birth, (certification, signatory)) in zip(births, cells) {
            try s.run(["code", "generate", "--nir", "116304403801618", "--birth-date", birth, "--card", "plain", "--serial", "953701166"])
            lines.append("116304403801618;\(birth);sans photo;953701166;\(try s.lastCode());\(certification);\(signatory)")
        }
        let path = s.dir.appendingPathComponent(name).path
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func eachRowCertifiesItsMinorAndTheAuditTrailSaysWhoSigned() throws {
        let s = try Scenario()
        let file = try childrenFile(s, cells: [("oui", "Jean Capanelli"), ("non", ""), ("", ""), ("Oui", "")])
        let receipts = s.dir.appendingPathComponent("rec").path
        let r = try s.run(["batch", "oppose", file, "--receipts", receipts, "--association", "Union des parents"])
        #expect(r.status == 69, "\(r.stderr)")
        let rows = Array(r.jsonLines.dropLast())
        #expect(rows.map { $0["status"] as? String ?? "" } == ["opposed", "refused", "refused", "opposed"])
        for i in [1, 2] {
            #expect(rows[i]["reason"] as? String == "legal_representative_required" && rows[i]["field"] as? String == "legal_representative")
            #expect((rows[i]["message"] as? String ?? "").contains("colonne legal_representative"))
        }
        let events = try s.run(["history", "--nir", "116304403801618", "--channel", "batch", "--json"]).json["events"] as? [[String: Any]] ?? []
        #expect(events.map { $0["detail"] as? String ?? "" } == [
            "legal_representative certified by row 2, signatory Jean Capanelli",
            "legal_representative certified by row 5, signatory Union des parents"])
        #expect(events.allSatisfy { $0["actor"] as? String == "association" && $0["actor_id"] as? String == "Union des parents" })

        // The blanket flag certifies the empty cell; an explicit non stays refused.
        s.advance(seconds: 60)
        let flagged = try s.run(["batch", "oppose", file, "--receipts", receipts, "--legal-representative"])
        #expect(flagged.jsonLines.dropLast().map { $0["status"] as? String ?? "" } == ["already_opposed", "refused", "opposed", "already_opposed"])
        let last = try s.run(["history", "--nir", "116304403801618", "--channel", "batch", "--json"]).json["events"] as? [[String: Any]] ?? []
        #expect(last.last?["detail"] as? String == "legal_representative certified by --legal-representative, signatory association")
    }

    /// Attacks on the new columns: each bad cell is an invalid row naming its column, the others
    /// are filed, nothing of the bad value is echoed and nothing is written for those rows.
    @Test func badCertificationCellsAreRowErrorsNamingTheColumn() throws {
        let s = try Scenario()
        let huge = String(repeating: "A", count: 200_000)
        let file = try childrenFile(s, cells: [("peut-être", ""), ("oui", "Jean\u{1B}[2JCapanelli"), ("oui", huge), ("=1+1", "")])
        let before = s.snapshot()
        let r = try s.run(["batch", "oppose", file, "--receipts", s.dir.appendingPathComponent("rec").path, "--legal-representative",
                           "--report", s.dir.appendingPathComponent("rapport.csv").path])
        #expect(r.status == 65)
        let rows = Array(r.jsonLines.dropLast())
        #expect(rows.map { $0["status"] as? String ?? "" } == ["invalid", "invalid", "invalid", "invalid"])
        #expect(rows.map { $0["field"] as? String ?? "" } == ["legal_representative", "signatory", "signatory", "legal_representative"])
        #expect(rows.map { $0["reason"] as? String ?? "" } == ["legal_representative_invalid", "name_invalid", "name_invalid", "legal_representative_invalid"])
        #expect(!r.stdout.contains("peut") && !r.stdout.contains("\u{1B}") && !r.stdout.contains("AAAA") && !r.stdout.contains("=1+1"))
        let report = try self.report(s.dir.appendingPathComponent("rapport.csv").path)
        // The column at fault as the file's header names it.
        #expect(column(report, "colonne") == ["representant_legal", "signataire", "signataire", "representant_legal"])
        // Only the outbox and the codes' records moved before the run; the run itself wrote nothing.
        #expect(s.snapshot() == before)
    }

    /// A report that cannot be written is refused before anything is filed: a device (even
    /// /dev/full), a missing directory, the store's own file; exit 73 and the store unchanged.
    @Test func anUnwritableReportIsRefusedBeforeAnythingIsFiled() throws {
        let s = try Scenario()
        try s.run(["code", "generate"] + Scenario.martine + Scenario.martineBirth)
        let file = s.dir.appendingPathComponent("m.csv").path
        try "nir;type_carte;numero_serie;code\n116304403801618;plain;953701166;\(try s.lastCode())\n".write(toFile: file, atomically: true, encoding: .utf8)
        let receipts = s.dir.appendingPathComponent("rec").path
        let before = s.snapshot()
        for (target, code) in [("/dev/full", "unsafe_output"), (s.dir.appendingPathComponent("missing/r.csv").path, "cannot_create"),
                               (s.store + "/mes.db", "unsafe_output"), (s.dir.path, "unsafe_output")] {
            for force in [[], ["--force"]] {
                let r = try s.run(["--json", "batch", "oppose", file, "--receipts", receipts, "--report", target] + force)
                #expect(r.status == 73, "\(target) \(force): \(r.status) \(r.stderr)")
                #expect(r.errorJSON["field"] as? String == "report" && r.errorJSON["code"] as? String == code, "\(target): \(r.stderr)")
                #expect(s.snapshot() == before, "\(target): nothing filed")
                #expect(!FileManager.default.fileExists(atPath: receipts), "\(target): no receipts folder")
            }
        }
    }

    /// The report is written whole once the run is done, never when it fails.
    @Test func aFailedRunWritesNoReport() throws {
        let s = try Scenario()
        let report = s.dir.appendingPathComponent("rapport.csv").path
        let r = try s.run(["batch", "oppose", "-", "--receipts", s.dir.appendingPathComponent("rec").path, "--report", report],
                          stdin: "nir;type_carte;numero_serie;code\n1 55;plain;1;x\n\"unterminated;plain;1;x\n")
        #expect(r.status == 65 && r.stderr.contains("csv_malformed") || r.stderr.contains("mal formé"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: report))
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.dir.path).allSatisfy { !$0.contains("mes-tmp") })
    }

    /// No English in what people read of a batch: the summary, and the report's statuses.
    @Test func theHumanSummaryIsFrench() throws {
        let s = try Scenario()
        let file = try childrenFile(s, cells: [("oui", ""), ("non", ""), ("peut-être", ""), ("", "")])
        let report = s.dir.appendingPathComponent("rapport.csv").path
        let r = try s.run(["batch", "oppose", file, "--receipts", s.dir.appendingPathComponent("rec").path, "--report", report])
        #expect(r.stderr.contains("4 lignes traitées en ") && r.stderr.contains("opposition enregistrée : 1 ; ligne invalide : 1 ; refusé : 2."), "\(r.stderr)")
        #expect(r.stderr.contains("Rapport écrit dans "), "\(r.stderr)")
        let words = Set(r.stderr.split { !$0.isLetter && $0 != "_" }.map(String.init))
        for english in ["opposed", "refused", "invalid", "rows", "report", "Report", "lines", "summary", "code_requested"] {
            #expect(!words.contains(english), "\(english) in \(r.stderr)")
        }
        #expect(column(try self.report(report), "statut") == ["opposition enregistrée", "refusé", "ligne invalide", "refusé"])
    }

    /// A batch asking for codes killed with SIGKILL, then run again: every member has exactly
    /// one letter and one live code (a re-run never supersedes a code already sent).
    @Test func aKilledPassOneThenRunAgainSendsEachMemberOneLetter() throws {
        let s = try Scenario(demo: false)
        let members = try s.opposableMembers(count: 2000, seed: "kill-letters")
        s.advance(seconds: 7 * Self.week)
        let receipts = s.dir.appendingPathComponent("rec").path
        let args = ["batch", "oppose", members, "--receipts", receipts, "--request-codes", "--legal-representative", "--quiet", "--group-size", "200"]
        let p = try startBinary(args, env: ["MES_HOME": s.store, "MES_NOW": s.now])
        usleep(400_000)
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let done = try s.run(args)
        #expect(done.status == 0, "\(done.stderr)")
        // The rows whose letter the killed run sent say so (code_still_valid, with its date); the others get theirs now.
        #expect(done.jsonLines.dropLast().allSatisfy {
            $0["status"] as? String == "code_requested" || ($0["status"] as? String == "code_still_valid" && $0["letter_sent_at"] as? String == s.now)
        })
        let db = try Database(path: s.store + "/mes.db", create: false)
        #expect(try db.first("PRAGMA integrity_check")?.text(0) == "ok")
        let now = Instant.parse(s.now)!.seconds
        #expect(try db.first("SELECT count(*) FROM outbox WHERE channel = 'letter' AND created_at = ?", .int(now))?.int(0) == 2000)
        #expect(try db.first("SELECT count(DISTINCT person_id) FROM outbox WHERE channel = 'letter' AND created_at = ?", .int(now))?.int(0) == 2000)
        #expect(try db.first("""
            SELECT count(*) FROM (SELECT person_id FROM codes WHERE kind = 'on_demand' AND used_at IS NULL AND superseded_at IS NULL
            GROUP BY person_id HAVING count(*) = 1)
            """)?.int(0) == 2000)
    }
}

extension FaultTests {
    /// A report on a full disk: the run files its rows, then fails with 73 (disk_full) and leaves
    /// no part of a report behind; once there is room, the same run reports every row, filed
    /// once (already_opposed), each still saying to post its receipt (the first run's report, which
    /// said so, was never written). The tmpfs holds that report (some 80 KB).
    @Test(.enabled(if: FaultTests.canMount, "needs root to mount a tmpfs")) func batchReportOnAFullDisk() throws {
        let s = try Scenario(demo: false)
        let members = try s.opposableMembers(count: 300, seed: "full-report")
        let mnt = s.dir.appendingPathComponent("mnt").path
        try FileManager.default.createDirectory(atPath: mnt, withIntermediateDirectories: true)
        try #require(Self.shell("mount -t tmpfs -o size=128k,mode=0700 tmpfs \(mnt)") == 0)
        defer { Self.shell("umount \(mnt)") }
        Self.shell("dd if=/dev/zero of=\(mnt)/filler bs=4k count=1000")
        let report = mnt + "/rapport.csv", receipts = s.dir.appendingPathComponent("rec").path
        let args = ["batch", "oppose", members, "--receipts", receipts, "--legal-representative", "--report", report]
        let first = try s.run(["--json"] + args)
        #expect(first.status == 73 && first.errorJSON["code"] as? String == "disk_full" && first.errorJSON["field"] as? String == "report",
                "\(first.stderr)")
        #expect(first.jsonLines.filter { $0["status"] as? String == "opposed" }.count == 300, "the rows were filed and printed")
        #expect(try FileManager.default.contentsOfDirectory(atPath: mnt) == ["filler"], "no part of a report")
        try FileManager.default.removeItem(atPath: mnt + "/filler")
        let second = try s.run(args)
        #expect(second.status == 0, "\(second.stderr)")
        let lines = String(decoding: try Data(contentsOf: URL(fileURLWithPath: report)).dropFirst(3), as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 301 && lines.dropFirst().allSatisfy { $0.contains(";déjà opposé;already_opposed;JO-") }, "\(lines.prefix(2))")
        #expect(lines.dropFirst().allSatisfy { $0.contains("Justificatif à poster au membre si ce n'est pas déjà fait") }, "\(lines.prefix(2))")
    }
}
