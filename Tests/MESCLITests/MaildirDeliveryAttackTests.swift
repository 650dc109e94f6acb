import Foundation
import Testing
import TestSupport

/// `MES_MAIL_URL=maildir:DIR` under a full disk and a kill: a message counts as sent only once
/// it is whole in new/, and a later send delivers it exactly once.
@Suite(.serialized) struct MaildirDeliveryAttackTests {
    func newFiles(_ maildir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: maildir + "/new")) ?? []).sorted()
    }

    @Test func aFullDiskOrAKillLeavesTheMessageQueuedThenItArrivesOnce() throws {
        guard findProgram("strace") != nil else { Issue.record("strace is not installed"); return }
        let injections = ["fsync,fdatasync:error=ENOSPC:when=1", "linkat,renameat2,renameat,rename:signal=SIGKILL",
                          "write:error=ENOSPC:when=3"]
        for injection in injections {
            let s = try Scenario()
            let maildir = s.deliverToMaildir()
            #expect(try s.run(["code", "generate", "--no-send"] + Scenario.martine + Scenario.martineBirth).status == 0)
            let env = s.environment.merging(["MES_HOME": s.store, "MES_NOW": s.now]) { $1 }
            let r = try sh("strace -f -o /dev/null -e inject=\(injection) \"$MES\" outbox send --json", env: env)
            let delivered = newFiles(maildir)
            let queued = try s.run(["outbox", "list", "--status", "queued", "--json"]).json["messages"] as? [Any] ?? []
            // Whole in new/ and recorded sent, or not there and still queued: never half.
            #expect((delivered.isEmpty && queued.count == 1) || (delivered.count == 1 && queued.isEmpty),
                    "\(injection): \(delivered), \(queued.count) queued, exit \(r.status) \(r.err)")
            for name in delivered {
                let text = try String(contentsOfFile: maildir + "/new/" + name, encoding: .utf8)
                #expect(text.contains("Message-ID:") && text.hasSuffix("\n"), "\(injection): \(name) is whole")
            }
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: maildir + "/tmp")) ?? []).isEmpty)
            // A later send, past any back-off: exactly one copy in all.
            s.advance(seconds: 3_600)
            #expect(try s.run(["outbox", "send", "--retry-now"]).status == 0)
            #expect(newFiles(maildir).count == 1, "\(injection): \(newFiles(maildir))")
        }
    }

    /// A Maildir path that is a file, or under one: a configuration error, the message kept.
    @Test func aMaildirThatCannotBeMadeKeepsTheMessage() throws {
        let s = try Scenario()
        try "x".write(to: s.dir.appendingPathComponent("plain"), atomically: true, encoding: .utf8)
        s.environment["MES_MAIL_URL"] = "maildir:" + s.dir.appendingPathComponent("plain/Maildir").path
        let r = try s.run(["code", "generate", "--json"] + Scenario.martine + Scenario.martineBirth)
        #expect(r.status == 0 && r.json["delivery"] as? String == "queued", "\(r.stdout) \(r.stderr)")
    }
}
