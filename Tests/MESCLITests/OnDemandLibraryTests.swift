import Foundation
import Testing
import TestSupport
import MESSheets

/// Runs `mes` with `library` hidden (an empty file mounted over it in a mount namespace: root).
/// nil where `unshare -m` is not allowed or the library is not at one of `paths`, and where the
/// binary under test cannot start without it: the debug build beside the tests may link what
/// the release opens on demand (ReleaseTests check with `ldd` that the release does not).
func runWithLibraryHidden(_ paths: [String], _ s: Scenario, _ args: [String], env: [String: String] = [:]) throws -> RunResult? {
    guard let library = paths.first(where: { FileManager.default.fileExists(atPath: $0) }) else { return nil }
    let empty = s.dir.appendingPathComponent("empty").path
    _ = FileManager.default.createFile(atPath: empty, contents: Data())
    let script = "mount --bind \"$1\" \"$2\" && shift 2 && exec \"$@\""
    func hidden(_ program: String, _ args: [String]) throws -> RunResult {
        try runCaptured(URL(fileURLWithPath: "/usr/bin/unshare"), ["-m", "/bin/sh", "-c", script, "sh", empty, library, program] + args,
                        environment: ["MES_HOME": s.store, "MES_NOW": s.now, "PATH": "/usr/bin:/bin"].merging(env) { $1 })
    }
    guard try hidden("/bin/true", []).status == 0 else { return nil }  // no mount namespace here
    let probe = try hidden(mesBinary.path, ["--version"])
    if probe.status != 0 {
        #expect(mesBinary == debugBinary, "the release cannot start without \(library): \(probe.stderr)")
        return nil
    }
    return try hidden(mesBinary.path, args)
}

/// libcurl is loaded only to send and libxml2 only to read a spreadsheet (issue 31). A machine
/// where one of them cannot be loaded still runs every other command, and the command that needs
/// it says why in French: sending keeps the message queued and exits 75, nothing is lost.
@Suite struct OnDemandLibraryTests {
    @Test func withoutLibcurlSendingSaysWhyAndKeepsTheMessage() throws {
        let s = try Scenario()
        #expect(try s.run(["code", "generate"] + Scenario.martine + Scenario.martineBirth).status == 0)
        let curl = ["/lib/x86_64-linux-gnu/libcurl.so.4", "/usr/lib/x86_64-linux-gnu/libcurl.so.4", "/lib/aarch64-linux-gnu/libcurl.so.4"]
        let env = ["MES_MAIL_URL": "smtp://127.0.0.1:9", "MES_MAIL_FROM": "mes@example.fr"]
        func hidden(_ args: [String]) throws -> RunResult? { try runWithLibraryHidden(curl, s, args, env: env) }
        guard let sent = try hidden(["outbox", "send"]) else { return }
        #expect(sent.status == 75, "\(sent.status) \(sent.stdout) \(sent.stderr)")
        let said = sent.stdout + sent.stderr
        #expect(said.contains("libcurl ne peut pas être chargé (paquet libcurl4)") && said.contains("échec d'envoi de configuration"), "\(said)")
        #expect(!said.contains("delivery failure"), "\(said)")
        // The message waits, untouched, for a machine that can send it.
        let list = try s.run(["--json", "outbox", "list"]).json["messages"] as? [[String: Any]] ?? []
        #expect(list.count == 1 && list.first?["status"] as? String == "queued" && list.first?["attempts"] as? Int == 0, "\(list)")
        // Everything else runs without it.
        #expect(try hidden(["history", "--limit", "1"])?.status == 0)
    }

    @Test func withoutLibxml2ASpreadsheetIsRefusedAndSaysWhyWhileCSVIsRead() throws {
        let s = try Scenario()
        let rows = [["N° de sécurité sociale", "Date de naissance", "Type de carte Vitale", "N° de série", "Code provisoire"],
                    ["116304403801618", "08/06/1988", "sans photo", "953701166", ""]]
        let xlsx = s.dir.appendingPathComponent("membres.xlsx").path
        try Data(SheetWriter.xlsx(sheetName: "Adhérents", rows: rows)).write(to: URL(fileURLWithPath: xlsx))
        let csv = s.dir.appendingPathComponent("membres.csv").path
        try (rows.map { $0.joined(separator: ";") }.joined(separator: "\n") + "\n").write(toFile: csv, atomically: true, encoding: .utf8)
        let xml2 = ["/lib/x86_64-linux-gnu/libxml2.so.2", "/usr/lib/x86_64-linux-gnu/libxml2.so.2", "/lib/aarch64-linux-gnu/libxml2.so.2"]
        guard let sheet = try runWithLibraryHidden(xml2, s, ["--json", "batch", "oppose", xlsx, "--check", "--request-codes"]) else { return }
        #expect(sheet.status == 65 || sheet.status == 69, "\(sheet.status) \(sheet.stderr)")
        #expect(sheet.stderr.contains("libxml2 ne peut pas être chargé (paquet libxml2)"), "\(sheet.stderr)")
        // The same rows as CSV are read; the spreadsheet reads once libxml2 is back.
        let read = try runWithLibraryHidden(xml2, s, ["--json", "batch", "oppose", csv, "--check", "--request-codes"])
        #expect(read?.status == 0, "\(read?.stderr ?? "")")
        #expect(try s.run(["--json", "batch", "oppose", xlsx, "--check", "--request-codes"]).status == 0)
    }
}
