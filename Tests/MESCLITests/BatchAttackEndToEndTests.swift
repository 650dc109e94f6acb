import Foundation
import Testing
import TestSupport
import MESSheets

/// Issue 32's batch attacked end to end (argv, reports, exit statuses, signals): what each attack
/// found, kept as a test.
@Suite(.serialized) struct BatchAttackEndToEndTests {
    static let header = "nir;date_naissance;type_carte;numero_serie;code"

    /// The report's rows of `path` (';', UTF-8 with BOM, no cell holding ';' in these tests).
    func reportRows(_ path: String) throws -> [[String: String]] {
        let lines = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "\u{FEFF}", with: "")
            .split(separator: "\n").map { $0.split(separator: ";", omittingEmptySubsequences: false).map(String.init) }
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(lines[0], $0)) }
    }

    /// A code request refused for a wrong birth date, run again: the next step spoke of « ce code »
    /// and of the code to check, on a row that has no code. It names what a request checks.
    @Test func aRefusedCodeRequestsNextStepNamesWhatToCheck() throws {
        let s = try Scenario()
        let file = s.dir.appendingPathComponent("m.csv").path
        try "\(Self.header)\n116304403801618;09/06/1988;sans photo;953701166;\n".write(toFile: file, atomically: true, encoding: .utf8)
        let report = s.dir.appendingPathComponent("r.csv").path
        let args = ["batch", "oppose", file, "--receipts", s.dir.appendingPathComponent("rec").path, "--request-codes",
                    "--report", report, "--force", "--quiet"]
        let first = try s.run(args)
        #expect(first.status == 77, "\(first.stderr)")
        let mismatch = try reportRows(report)[0]["prochaine_etape"] ?? ""
        #expect(mismatch.contains("date de naissance") && !mismatch.contains("code ou"), "\(mismatch)")
        let again = try s.run(args)
        #expect(again.jsonLines.first?["status"] as? String == "not_retried", "\(again.stdout)")
        let step = try reportRows(report)[0]["prochaine_etape"] ?? ""
        #expect(!step.contains("ce code") && step.contains("date de naissance") && step.contains("--retry-failed"), "\(step)")
    }

    /// Ctrl-C (or SIGTERM) while the mailed receipts were being sent went unheeded: every
    /// message of the queue was sent, and the run exited 0 as if nothing had been asked. Here
    /// the transport (a sendmail program) interrupts the run from its first message: the run
    /// stops sending, leaves the rest queued, writes the report and exits 130.
    @Test func ctrlCWhileMailingReceiptsStopsTheSending() throws {
        let s = try Scenario(demo: false)
        let members = try s.opposableMembers(count: 4, seed: "mail-ctrl-c")
        let lines = try String(contentsOfFile: members, encoding: .utf8).split(separator: "\n").map(String.init)
        let withMail = ([lines[0] + ";email"] + lines.dropFirst().enumerated().map { "\($1);m\($0)@example.org" }).joined(separator: "\n") + "\n"
        let file = s.dir.appendingPathComponent("mail.csv").path
        try withMail.write(toFile: file, atomically: true, encoding: .utf8)
        let count = s.dir.appendingPathComponent("sent").path
        let program = s.dir.appendingPathComponent("sendmail.sh").path
        try "#!/bin/sh\ncat > /dev/null\necho x >> '\(count)'\nkill -INT $PPID\nexit 0\n".write(toFile: program, atomically: true, encoding: .utf8)
        chmod(program, 0o755)
        s.environment["MES_MAIL_URL"] = "sendmail:" + program
        let report = s.dir.appendingPathComponent("r.csv").path
        let r = try s.run(["batch", "oppose", file, "--receipts", s.dir.appendingPathComponent("rec").path, "--mail-receipts",
                           "--report", report, "--legal-representative"])
        #expect(r.status == 130, "\(r.status) \(r.stderr)")
        let sent = (try? String(contentsOfFile: count, encoding: .utf8))?.split(separator: "\n").count ?? 0
        #expect(sent == 1, "sent \(sent) after Ctrl-C")
        #expect(r.jsonLines.dropLast().allSatisfy { $0["status"] as? String == "opposed" } && r.jsonLines.count == 5, "\(r.stdout)")
        #expect(r.stderr.contains("Interrompu"), "\(r.stderr)")
        let rows = try reportRows(report)
        #expect(rows.count == 4 && rows.filter { $0["envoi"] == "envoyé" }.count == 1, "\(rows.map { $0["envoi"] ?? "" })")
        #expect(try s.run(["outbox", "list", "--json"]).stdout.components(separatedBy: "\"queued\"").count - 1 >= 3)
    }

    /// A letter's code outlives the member's six weeks when it was asked late: the re-run's
    /// code_still_valid told the volunteer to have the code passed back while it is valid (until
    /// its expiry), though the space is created automatically weeks before — issue 32's wrong
    /// deadline, fixed for code_requested but not here. The next step names the earlier date.
    @Test func aCodeStillValidSaysTheDeadlineNotJustTheExpiry() throws {
        let s = try Scenario()  // Martine: notified on 10/01/2022, her space created automatically on 21/02/2022
        let file = s.dir.appendingPathComponent("m.csv").path
        try "\(Self.header)\n116304403801618;08/06/1988;sans photo;953701166;\n".write(toFile: file, atomically: true, encoding: .utf8)
        let report = s.dir.appendingPathComponent("r.csv").path
        let args = ["batch", "oppose", file, "--receipts", s.dir.appendingPathComponent("rec").path, "--request-codes",
                    "--report", report, "--force", "--quiet"]
        let first = try s.run(args)
        #expect(first.jsonLines.first?["status"] as? String == "code_requested", "\(first.stdout) \(first.stderr)")
        let created = try reportRows(report)[0]["creation_automatique_le"] ?? ""
        #expect(!created.isEmpty)
        s.advance(seconds: 86_400)
        let again = try s.run(args)
        #expect(again.jsonLines.first?["status"] as? String == "code_still_valid", "\(again.stdout)")
        let row = try reportRows(report)[0]
        #expect(row["code_valable_jusqu_au"] != created)
        #expect(row["prochaine_etape"]?.contains("avant le \(created)") == true, "\(row)")
    }

    /// In an .xlsx or .ods report every cell is a text cell, which no spreadsheet reads as a
    /// formula; yet the CSV's guard went in too: a kept phone number « +33 6 12 34 56 78 » came
    /// out « '+33 6 12 34 56 78 », not unchanged. The CSV report keeps its guard.
    @Test func aSpreadsheetReportCarriesKeptCellsUnchanged() throws {
        let s = try Scenario(demo: false)
        let members = try s.opposableMembers(count: 2, seed: "phone")
        let lines = try String(contentsOfFile: members, encoding: .utf8).split(separator: "\n").map(String.init)
        let file = s.dir.appendingPathComponent("tel.csv").path
        try ([lines[0] + ";Téléphone"] + lines.dropFirst().map { $0 + ";+33 6 12 34 56 78" }).joined(separator: "\n")
            .appending("\n").write(toFile: file, atomically: true, encoding: .utf8)
        for name in ["r.xlsx", "r.ods"] {
            let report = s.dir.appendingPathComponent(name).path
            let r = try s.run(["batch", "oppose", file, "--check", "--keep-column", "Téléphone", "--report", report])
            #expect(r.status == 0, "\(r.stderr)")
            let sheet = try Spreadsheet.read(Array(try Data(contentsOf: URL(fileURLWithPath: report))))
            let column = try #require(sheet.rows.first?.cells.firstIndex(of: "Téléphone"))
            #expect(sheet.rows.dropFirst().map { $0.cells[column] } == ["+33 6 12 34 56 78", "+33 6 12 34 56 78"], "\(name)")
        }
        let csv = s.dir.appendingPathComponent("r.csv").path
        _ = try s.run(["batch", "oppose", file, "--check", "--keep-column", "Téléphone", "--report", csv])
        #expect(try reportRows(csv).map { $0["Téléphone"] } == ["'+33 6 12 34 56 78", "'+33 6 12 34 56 78"])
    }

    /// A run that fails mid-way (here an unclosed quote) files the rows before the break and
    /// writes no report; run again once the file is fixed, those rows are already_opposed and the
    /// report said « Aucune » to do for them — though their receipts, never reported, were never
    /// posted. A receipt this association's batch filed still says to hand it over if not done.
    @Test func aRerunAfterAFailedRunStillSaysToPostTheReceipts() throws {
        let s = try Scenario(demo: false)
        let members = try s.opposableMembers(count: 3, seed: "failed-run")
        let lines = try String(contentsOfFile: members, encoding: .utf8).split(separator: "\n").map(String.init)
        let broken = s.dir.appendingPathComponent("broken.csv").path
        try (lines.prefix(3) + ["1;\"abc;c"] + lines.dropFirst(3)).joined(separator: "\n").appending("\n")
            .write(toFile: broken, atomically: true, encoding: .utf8)
        let report = s.dir.appendingPathComponent("r.csv").path
        let receipts = s.dir.appendingPathComponent("rec").path
        let failed = try s.run(["batch", "oppose", broken, "--receipts", receipts, "--report", report, "--group-size", "1", "--legal-representative"])
        #expect(failed.status == 65 && !FileManager.default.fileExists(atPath: report), "\(failed.stderr)")
        #expect(failed.jsonLines.filter { $0["status"] as? String == "opposed" }.count == 2, "\(failed.stdout)")
        let again = try s.run(["batch", "oppose", members, "--receipts", receipts, "--report", report, "--legal-representative"])
        #expect(again.status == 0, "\(again.stderr)")
        let rows = try reportRows(report)
        #expect(rows.map { $0["code"] ?? "" } == ["already_opposed", "already_opposed", "opposed"])
        for row in rows.prefix(2) {
            let step = row["prochaine_etape"] ?? ""
            #expect(step.lowercased().contains("justificatif à poster") && !step.hasPrefix("Aucune"), "\(step)")
        }
    }

    /// `--report FILE --force` replaces the file through a named temporary (`.mes-tmp-<random>-
    /// FILE`, linked then renamed: an unnamed file cannot replace one). Killed between the two,
    /// a hidden full copy of the report (names, masked NIRs) is left beside it, and no later run
    /// removes it (each run picks a new random name). The same holds for a receipt rewritten in
    /// the receipts folder. Known issue: removing stale temporaries safely needs a rule for what
    /// is stale (a lock per directory, or a name a later run can recognise as its own).
    @Test func aKilledReportReplacementLeavesNothingHidden() throws {
        guard findProgram("strace") != nil else { Issue.record("strace is not installed"); return }
        let s = try Scenario(demo: false)
        let members = try s.opposableMembers(count: 2, seed: "killed-report")
        let dir = s.dir.appendingPathComponent("rapports")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let report = dir.appendingPathComponent("r.csv").path
        try "ancien\n".write(toFile: report, atomically: true, encoding: .utf8)
        _ = try sh("strace -f -o /dev/null -e inject=renameat,renameat2:signal=SIGKILL:when=1 \"$MES\" batch oppose \(members) --check "
                   + "--legal-representative --report \(report) --force >/dev/null", env: ["MES_HOME": s.store, "MES_NOW": s.now])
        #expect(try s.run(["batch", "oppose", members, "--check", "--legal-representative", "--report", report, "--force"]).status == 0)
        let hidden = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") }
        withKnownIssue("a killed --force replacement leaves its named temporary behind") {
            #expect(hidden.isEmpty, "\(hidden)")
        }
    }

    /// A file with a header and no row (or a run stopped before its first row) was summed up
    /// « 0 ligne vérifiée en 0,001 s. . »: the counts, none, left a stray full stop.
    @Test func anEmptyRunsSummaryReadsWhole() throws {
        let s = try Scenario()
        let file = s.dir.appendingPathComponent("vide.csv").path
        try "\(Self.header)\n".write(toFile: file, atomically: true, encoding: .utf8)
        let r = try s.run(["batch", "oppose", file, "--check"])
        #expect(r.status == 0 && r.stderr.hasPrefix("0 ligne vérifiée en ") && !r.stderr.contains(". ."), "\(r.stderr)")
    }
}
