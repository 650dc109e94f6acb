import Foundation
import Testing
import TestSupport

/// libcurl is loaded only to send (issue 31). A machine whose libcurl cannot be loaded still
/// runs every other command, and sending says why in French, keeps the message queued and
/// exits 75: nothing is lost. The library is hidden by a mount namespace (root; skipped where
/// `unshare -m` is not allowed).
@Suite struct CurlLoadingTests {
    @Test func withoutLibcurlSendingSaysWhyAndKeepsTheMessage() throws {
        let s = try Scenario()
        #expect(try s.run(["code", "generate"] + Scenario.martine + Scenario.martineBirth).status == 0)
        guard let library = ["/lib/x86_64-linux-gnu/libcurl.so.4", "/usr/lib/x86_64-linux-gnu/libcurl.so.4", "/lib/aarch64-linux-gnu/libcurl.so.4"]
            .first(where: { FileManager.default.fileExists(atPath: $0) }) else { return }
        let empty = s.dir.appendingPathComponent("empty").path
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        let script = "mount --bind \"$1\" \"$2\" && shift 2 && exec \"$@\""
        func hidden(_ args: [String]) throws -> RunResult {
            try runCaptured(URL(fileURLWithPath: "/usr/bin/unshare"), ["-m", "/bin/sh", "-c", script, "sh", empty, library, mesBinary.path] + args,
                            environment: ["MES_HOME": s.store, "MES_NOW": s.now, "MES_MAIL_URL": "smtp://127.0.0.1:9",
                                          "MES_MAIL_FROM": "mes@example.fr", "PATH": "/usr/bin:/bin"])
        }
        let probe = try hidden(["--version"])
        guard probe.status == 0 else { return }  // no mount namespace here
        let sent = try hidden(["outbox", "send"])
        #expect(sent.status == 75, "\(sent.status) \(sent.stdout) \(sent.stderr)")
        let said = sent.stdout + sent.stderr
        #expect(said.contains("libcurl ne peut pas être chargé (paquet libcurl4)") && said.contains("échec d'envoi de configuration"), "\(said)")
        #expect(!said.contains("delivery failure"), "\(said)")
        // The message waits, untouched, for a machine that can send it.
        let list = try s.run(["--json", "outbox", "list"]).json["messages"] as? [[String: Any]] ?? []
        #expect(list.count == 1 && list.first?["status"] as? String == "queued" && list.first?["attempts"] as? Int == 0, "\(list)")
        // Everything else runs without it.
        #expect(try hidden(["history", "--limit", "1"]).status == 0)
    }
}
