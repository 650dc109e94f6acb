import Foundation
import Testing

/// Progress on long commands (issue 30): one line on a terminal's standard error for import,
/// notify, outbox send, outbox letters, sweep and fixtures --members; never on a pipe; none
/// under --quiet; steps as lines under --verbose.
@Suite(.serialized) struct ProgressTests {
    /// A pseudo-terminal run that must succeed; its screen.
    func screen(_ args: [String], _ env: [String: String]) throws -> String {
        let (status, screen, _) = try onTerminal(args, env: env, prompt: "never shown", input: "")
        #expect(status == 0, "\(args): \(screen.suffix(600))")
        return screen
    }

    @Test func everyLongCommandShowsItsProgressOnATerminal() throws {
        let s = try Scenario(demo: false)
        _ = try s.run(["init", "--test-clock"])
        let roster = s.dir.appendingPathComponent("roster.csv").path
        let members = s.dir.appendingPathComponent("members.csv").path
        let fixtures = try screen(["fixtures", "--count", "3000", "--seed", "progress", "--roster", roster, "--members", members],
                                  ["MES_HOME": s.store, "MES_NOW": s.now])
        #expect(fixtures.contains("/3000 personnes importées (") && fixtures.contains("3000/3000 membres écrits (100 %)"), "\(fixtures)")
        // The line is wiped before the result: the summary starts a line of its own.
        #expect(fixtures.contains("\u{1B}[K"))

        // A register of people never notified, for the wave and what follows it.
        let other = s.dir.appendingPathComponent("other").path
        #expect(try runBinary(["init", "--test-clock", "--store", other]).status == 0)
        let env = ["MES_HOME": other, "MES_NOW": s.now]
        let imported = try screen(["import", roster], env)
        #expect(imported.contains("3000/3000 lignes (100 %)") && imported.contains("3000 personnes importées"), "\(imported)")

        let notified = try screen(["notify"], env)
        #expect(notified.contains("profils parcourus (100 %)"), "\(notified)")

        var mail = env
        mail["MES_MAIL_URL"] = "maildir:" + s.dir.appendingPathComponent("maildir").path
        let sent = try screen(["outbox", "send", "--limit", "150"], mail)
        #expect(sent.contains("150/150 messages traités (100 %)"), "\(sent.suffix(400))")

        let letters = try screen(["outbox", "letters", "--pdf", s.dir.appendingPathComponent("letters.pdf").path], env)
        #expect(letters.contains("courriers mis en page (100 %)"), "\(letters)")

        let swept = try screen(["sweep", "--dry-run"], env)
        #expect(swept.contains("profils parcourus (100 %)"), "\(swept)")

        // --quiet: no progress, even on a terminal.
        let quiet = try screen(["-q", "sweep", "--dry-run"], env)
        #expect(!quiet.contains("profils parcourus"), "\(quiet)")
    }

    @Test func neverOnAPipeAndStepsUnderVerbose() throws {
        let s = try Scenario(demo: false)
        _ = try s.run(["init", "--test-clock"])
        let roster = s.dir.appendingPathComponent("roster.csv").path
        let members = s.dir.appendingPathComponent("members.csv").path
        for args in [["fixtures", "--count", "2000", "--seed", "pipe", "--roster", roster, "--members", members], ["notify"],
                     ["sweep", "--dry-run"], ["outbox", "letters", "--pdf", s.dir.appendingPathComponent("l.pdf").path]] {
            let r = try s.run(args)
            #expect(r.status == 0, "\(args): \(r.stderr)")
            #expect(!r.stderr.contains("%") && !r.stderr.contains("\r") && !r.stderr.contains("\u{1B}"), "\(args): \(r.stderr)")
        }
        // --verbose on a pipe: each step and the progress as lines, with no personal data.
        let verbose = try s.run(["sweep", "--dry-run", "--verbose"])
        #expect(verbose.status == 0)
        #expect(verbose.stderr.contains("mes: base ") && verbose.stderr.contains("profils parcourus (100 %)"), "\(verbose.stderr)")
        #expect(!verbose.stderr.contains("\r"))
        // Both at once is a usage error naming them.
        let both = try s.run(["--json", "-q", "-v", "sweep", "--dry-run"])
        #expect(both.status == 64 && both.errorJSON["code"] as? String == "conflicting_options", "\(both.stderr)")
    }

    @Test func aBusyStoreIsWaitedForAsLongAsWaitSaysThenExit75() throws {
        let s = try Scenario()
        let holder = try s.holdStoreLock(seconds: 4)
        defer { holder.waitUntilExit() }
        let started = Date()
        let r = try s.run(["--json", "--wait", "1", "code", "generate"] + Scenario.martine + Scenario.martineBirth)
        let took = Date().timeIntervalSince(started)
        // The notice comes first, the error document last.
        let last = String(r.stderr.split(separator: "\n").last ?? "")
        let error = RunResult(status: r.status, stdout: "", stderr: last).errorJSON
        #expect(r.status == 75 && error["code"] as? String == "store_busy", "\(r.stderr)")
        #expect(took < 3.5, "waited \(took) s for --wait 1")
        // Said on standard error even though it is no terminal.
        #expect(r.stderr.contains("attente (au plus 1 s, --wait)"), "\(r.stderr)")
        // A wait that is no number of seconds is refused before anything runs.
        let bad = try s.run(["--json", "--wait", "soon", "history"])
        #expect(bad.status == 64 && bad.errorJSON["field"] as? String == "wait", "\(bad.stderr)")
    }
}
