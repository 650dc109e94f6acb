import Foundation
import Testing
import TestSupport
@testable import MESSheets
@testable import MESStore
import MESCore

/// Issue 32's acceptance: an association's sheet of 300 members, as a volunteer keeps it (French
/// headers, the association's own columns, members without their code, minors with and without
/// consent, a wrong serial, two-digit years), filed over four passes and five weeks: as .xlsx,
/// then .ods, then through LibreOffice Calc to CSV in its default and UTF-8 forms. By the end
/// every fixable row is filed, no member was locked by the re-runs, every report row has a next
/// step, no letter was promised that was not sent; `--check` lists every problem first and
/// touches nothing.
@Suite(.serialized) struct AssociationSheetAcceptanceTests {
    static let header = ["N° adhérent", "Nom", "Prénom", "N° de sécurité sociale", "Date de naissance", "Type de carte Vitale", "N° de série",
                         "Code provisoire", "Représentant légal", "Signataire du mandat", "Téléphone", "Remarques"]
    static let kept = ["--keep-column", "N° adhérent", "--keep-column", "Téléphone", "--keep-column", "Remarques"]

    /// What each member's row is, and what the volunteer does about it over the passes.
    enum Kind: String { case plain, minorWithConsent, minorWithout, lostCode, wrongSerial, twoDigitYear }

    struct Member {
        var cells: [String]
        let kind: Kind
        let serial: String
        let birth: String
    }

    func members(_ s: Scenario) throws -> [Member] {
        let file = try s.opposableMembers(count: 300, seed: "asso-300", minors: true)
        let lines = try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "\u{FEFF}", with: "")
            .split(separator: "\n").dropFirst().map { $0.split(separator: ";", omittingEmptySubsequences: false).map(String.init) }
        // nir;date_naissance;type_carte;numero_serie;code;nom;prenom;expected_status;expected_reason
        var out: [Member] = []
        var minors = 0, adults = 0
        for (i, f) in lines.enumerated() {
            let minor = f[7] == "refused"
            let kind: Kind
            if minor {
                minors += 1
                kind = minors % 2 == 0 ? .minorWithConsent : .minorWithout
            } else {
                adults += 1
                switch adults % 10 {
                case 1: kind = .lostCode
                case 2: kind = .wrongSerial
                case 3: kind = .twoDigitYear
                default: kind = .plain
                }
            }
            var serial = f[3]
            if kind == .wrongSerial {
                // One digit mistyped (the length stays right: the card cannot be told from the row).
                let last = serial.last!
                serial = String(serial.dropLast()) + (last == "9" ? "0" : String(last.wholeNumberValue! + 1))
            }
            var birth = f[1]
            if kind == .twoDigitYear { birth = String(birth.prefix(6)) + String(birth.suffix(2)) }
            let consent = kind == .minorWithConsent ? "oui" : ""
            let signatory = kind == .minorWithConsent ? "Parent \(i + 1)" : ""
            out.append(Member(cells: ["A-\(1000 + i)", f[5], f[6], f[0], birth, f[2], serial, kind == .lostCode ? "" : f[4],
                                      consent, signatory, "06 00 00 \(String(format: "%02d", i % 100)) 00", i % 7 == 0 ? "appeler le soir" : ""],
                              kind: kind, serial: f[3], birth: f[1]))
        }
        return out
    }

    func write(_ members: [Member], as kind: SpreadsheetKind, to path: String) throws {
        let rows = [Self.header] + members.map(\.cells)
        let bytes = kind == .xlsx ? SheetWriter.xlsx(sheetName: "Adhérents", rows: rows) : SheetWriter.ods(sheetName: "Adhérents", rows: rows)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// LibreOffice Calc, headless, converts `sheet` to CSV with `filter` (nil: its default).
    func libreOfficeCSV(_ s: Scenario, _ sheet: String, filter: String?, name: String) throws -> String {
        let soffice = try #require(findProgram("soffice"), "LibreOffice (soffice) is installed by the test command")
        let out = s.dir.appendingPathComponent("lo-" + name).path
        let run = try runProgram(soffice, ["-env:UserInstallation=file://\(s.dir.path)/lo-profile", "--headless",
                                           "--convert-to", filter.map { "csv:Text - txt - csv (StarCalc):" + $0 } ?? "csv", "--outdir", out, sheet])
        #expect(run.status == 0, "\(run.output)")
        let csv = out + "/" + URL(fileURLWithPath: sheet).deletingPathExtension().lastPathComponent + ".csv"
        let target = s.dir.appendingPathComponent(name).path
        try FileManager.default.moveItem(atPath: csv, toPath: target)
        return target
    }

    func statuses(_ r: RunResult) -> [Int: String] {
        var out: [Int: String] = [:]
        for line in r.jsonLines.dropLast() { if let row = line["row"] as? Int { out[row] = line["status"] as? String } }
        return out
    }

    /// The report's rows (a spreadsheet, read back), each a column → cell map.
    func report(_ path: String) throws -> [[String: String]] {
        let sheet = try Spreadsheet.read(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        guard let head = sheet.rows.first?.cells else { return [] }
        return sheet.rows.dropFirst().map { row in
            Dictionary(uniqueKeysWithValues: head.enumerated().map { ($0.element, $0.offset < row.cells.count ? row.cells[$0.offset] : "") })
        }
    }

    /// Every letter in the outbox, oldest first, with its code.
    func letters(_ s: Scenario) throws -> [(id: Int, created: String)] {
        let msgs = try s.run(["outbox", "list", "--json"]).json["messages"] as? [[String: Any]] ?? []
        return msgs.filter { $0["channel"] as? String == "letter" }.compactMap { m in
            (m["id"] as? Int).map { ($0, m["created_at"] as? String ?? "") }
        }.sorted { $0.id < $1.id }
    }

    func attemptState(_ s: Scenario) throws -> [String] {
        let db = try Database(path: s.store + "/mes.db", create: false)
        return try db.query("SELECT hex(key), failures, locks, coalesce(locked_until, 0) FROM attempts ORDER BY key").map { r in
            "\(r.text(0) ?? "") \(r.int(1) ?? 0) \(r.int(2) ?? 0) \(r.int(3) ?? 0)"
        }
    }

    @Test func threeHundredMembersOverFourPassesAndSixWeeks() throws {
        let s = try Scenario(demo: false)
        var members = try members(s)
        try #require(members.count == 300)
        let count = { (k: Kind) in members.filter { $0.kind == k }.count }
        try #require(count(.minorWithConsent) > 5 && count(.minorWithout) > 5 && count(.lostCode) > 5 && count(.wrongSerial) > 5)
        let receipts = s.dir.appendingPathComponent("justificatifs").path
        let row = { (i: Int) in i + 2 }  // the sheet's row: its header is row 1
        s.advance(seconds: 86_400)

        // Pass 0: --check lists every problem, and touches nothing.
        let sheet1 = s.dir.appendingPathComponent("adherents.xlsx").path
        try write(members, as: .xlsx, to: sheet1)
        let db = try Database(path: s.store + "/mes.db", create: false)
        let auditBefore = try db.first("SELECT count(*) FROM audit")?.int(0)
        let attemptsBefore = try attemptState(s)
        let check = try s.run(["batch", "oppose", sheet1, "--check", "--request-codes", "--replace-codes"] + Self.kept)
        #expect(check.status == 65, "\(check.stderr)")
        let checked = statuses(check)
        for (i, m) in members.enumerated() {
            let expected = m.kind == .twoDigitYear ? "invalid" : m.kind == .minorWithout ? "refused" : "ready"
            #expect(checked[row(i)] == expected, "row \(row(i)) \(m.kind): \(String(describing: checked[row(i)]))")
        }
        // Each kind of error said once, with its column and its fix.
        #expect(check.stderr.contains("Export du tableur : \(count(.twoDigitYear)) lignes ont des dates dont l'année n'a que deux chiffres (colonne « Date de naissance »)"),
                "\(check.stderr)")
        #expect(check.jsonLines.dropLast().filter { $0["reason"] as? String == "export_two_digit_year" }.count == count(.twoDigitYear))
        #expect(try db.first("SELECT count(*) FROM audit")?.int(0) == auditBefore && (try attemptState(s)) == attemptsBefore)
        #expect(try letters(s).isEmpty)

        // Pass 1 (.xlsx): codes for the members who lost theirs.
        let report1 = s.dir.appendingPathComponent("rapport-1.xlsx").path
        let pass1 = try s.run(["batch", "oppose", sheet1, "--receipts", receipts, "--request-codes", "--replace-codes",
                               "--association", "Les Amis du quartier", "--report", report1] + Self.kept)
        let st1 = statuses(pass1)
        try #require(st1.count == 300, "\(pass1.stderr.prefix(600))")
        for (i, m) in members.enumerated() {
            let expected: String
            switch m.kind {
            case .plain, .minorWithConsent: expected = "opposed"
            case .minorWithout: expected = "refused"
            case .lostCode: expected = "code_requested"
            case .wrongSerial: expected = "identity_mismatch"
            case .twoDigitYear: expected = "invalid"
            }
            #expect(st1[row(i)] == expected, "pass 1, row \(row(i)) \(m.kind): \(String(describing: st1[row(i)]))")
        }
        let r1 = try report(report1)
        #expect(r1.count == 300 && r1.allSatisfy { !($0["prochaine_etape"] ?? "").isEmpty }, "every row has a next step")
        #expect(r1.allSatisfy { $0["N° adhérent"]?.hasPrefix("A-") == true }, "the association's own columns travel")
        // No letter promised and not sent: one letter per code_requested row.
        let sent1 = try letters(s)
        #expect(sent1.count == count(.lostCode))
        #expect(r1.filter { $0["code"] == "code_requested" }.allSatisfy { ($0["prochaine_etape"] ?? "").hasPrefix("Courrier envoyé au membre") })

        // Pass 2, a week later (.ods): the codes the members passed back, the consents signed.
        s.advance(seconds: 7 * 86_400)
        var codes: [String] = []
        for letter in sent1 { codes.append(try #require(try s.run(["outbox", "show", "\(letter.id)", "--json"]).json["code"] as? String)) }
        var next = codes.makeIterator()
        for i in members.indices {
            switch members[i].kind {
            case .lostCode:
                let code = next.next()
                try #require(code != nil)
                members[i].cells[7] = code ?? ""
            case .minorWithout: members[i].cells[8] = "oui"; members[i].cells[9] = "Parent \(i + 1)"
            default: break
            }
        }
        let sheet2 = s.dir.appendingPathComponent("adherents.ods").path
        try write(members, as: .ods, to: sheet2)
        let pass2 = try s.run(["batch", "oppose", sheet2, "--receipts", receipts, "--association", "Les Amis du quartier",
                               "--report", s.dir.appendingPathComponent("rapport-2.ods").path] + Self.kept)
        let st2 = statuses(pass2)
        try #require(st2.count == 300, "\(pass2.stderr.prefix(600))")
        for (i, m) in members.enumerated() {
            let expected: String
            switch m.kind {
            case .plain, .minorWithConsent: expected = "already_opposed"
            case .minorWithout, .lostCode: expected = "opposed"
            case .wrongSerial: expected = "not_retried"  // never tried twice: no member locked
            case .twoDigitYear: expected = "invalid"
            }
            #expect(st2[row(i)] == expected, "pass 2, row \(row(i)) \(m.kind): \(String(describing: st2[row(i)]))")
        }

        // Pass 3, two weeks later: the volunteer fixes serials and years, saves, and LibreOffice
        // exports the sheet to CSV as it does by default.
        s.advance(seconds: 14 * 86_400)
        for i in members.indices {
            members[i].cells[6] = members[i].serial
            members[i].cells[4] = members[i].birth
        }
        let fixed = s.dir.appendingPathComponent("adherents-corrige.ods").path
        try write(members, as: .ods, to: fixed)
        let defaultCSV = try libreOfficeCSV(s, fixed, filter: nil, name: "adherents-defaut.csv")
        let pass3 = try s.run(["batch", "oppose", defaultCSV, "--receipts", receipts, "--association", "Les Amis du quartier"] + Self.kept)
        #expect(pass3.stderr.contains("Windows-1252"), "the export's encoding is said: \(pass3.stderr)")
        let st3 = statuses(pass3)
        try #require(st3.count == 300, "\(pass3.stderr.prefix(600))")
        for (i, m) in members.enumerated() {
            let expected = m.kind == .wrongSerial || m.kind == .twoDigitYear ? "opposed" : "already_opposed"
            #expect(st3[row(i)] == expected, "pass 3, row \(row(i)) \(m.kind): \(String(describing: st3[row(i)]))")
        }

        // Pass 4, five weeks on, in UTF-8: every member is filed, by this association.
        s.advance(seconds: 14 * 86_400)
        let utf8CSV = try libreOfficeCSV(s, fixed, filter: "59,34,76,1", name: "adherents-utf8.csv")
        let report4 = s.dir.appendingPathComponent("rapport-4.xlsx").path
        let pass4 = try s.run(["batch", "oppose", utf8CSV, "--receipts", receipts, "--association", "Les Amis du quartier",
                               "--report", report4] + Self.kept)
        #expect(pass4.status == 0, "\(pass4.stderr)")
        #expect(statuses(pass4).values.allSatisfy { $0 == "already_opposed" } && statuses(pass4).count == 300)
        let r4 = try report(report4)
        #expect(r4.allSatisfy { $0["depose_par"] == "cette association" && !($0["prochaine_etape"] ?? "").isEmpty })
        #expect(r4.allSatisfy { ($0["prenom"] ?? "").unicodeScalars.allSatisfy { $0 != "\u{FFFD}" } }, "names decoded whole")

        // Nobody locked; each wrong serial counted once, to the association (the fixtures made
        // failures of their own before); one letter per member who lost a code.
        let now = Instant.parse(s.now)!.seconds
        #expect(try db.first("SELECT count(*) FROM attempts WHERE locked_until > ?", .int(now))?.int(0) == 0)
        let failures = try db.query("SELECT channel, actor_id, detail FROM audit WHERE event = 'identification_failed' AND channel = 'batch'")
        #expect(failures.count == count(.wrongSerial), "\(failures.map { "\($0.text(0) ?? "") \($0.text(1) ?? "") \($0.text(2) ?? "")" }) vs \(count(.wrongSerial))")
        #expect(try letters(s).count == count(.lostCode))
        #expect(try db.first("SELECT count(*) FROM people WHERE state = 'opposed'")?.int(0) ?? 0 >= 300)
    }
}
