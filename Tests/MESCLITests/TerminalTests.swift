import Foundation
import Testing

/// What a person at a terminal sees and types, through a real pseudo-terminal.
@Suite(.serialized) struct TerminalTests {
    @Test func typingOuiAtTheConfirmationRecordsTheDecisionAtOnce() throws {
        let s = try Scenario()
        let token = try s.martineSession()
        let (status, screen, after) = try onTerminal(["oppose", "--session", token], env: ["MES_HOME": s.store, "MES_NOW": s.now],
                                                     prompt: "[oui/non]", input: "oui\n")
        #expect(status == 0, "\(screen)")
        #expect(screen.contains("Ma décision a bien été prise en compte."), "\(screen)")
        #expect(after < 1, "decision recorded \(after) s after typing")
    }

    /// Attacking the change through a terminal: the password typed at activation (twice) is
    /// prompted for and never echoed.
    @Test func theActivationPasswordIsPromptedForAndNeverEchoed() throws {
        let s = try Scenario()
        let token = try s.martineSession()
        let password = "Grenadine-Lune-2022!"
        let (status, screen, _) = try onTerminal(["activate", "--accept-cgu", "--username", "martine.l88"],
                                                 env: ["MES_HOME": s.store, "MES_NOW": s.now, "MES_SESSION": token],
                                                 prompt: "Mot de passe : ", input: password + "\n" + password + "\n")
        #expect(status == 0, "\(screen)")
        #expect(screen.contains("Confirmer le mot de passe"), "\(screen)")
        #expect(screen.contains("activé"), "\(screen)")
        #expect(!screen.contains(password), "the password was echoed: \(screen)")
    }

    /// Attacking the review: "Mot de passe oublié ?" asks for the new password twice on a
    /// terminal, never echoed, and the account then signs in with it.
    @Test func aNewPasswordIsPromptedForTwiceAndNeverEchoed() throws {
        let s = try Scenario()
        _ = try s.activeMartine()
        #expect(try s.run(["recover", "password", "--username", "martine.l"]).status == 0)
        let otp = s.dir.appendingPathComponent("otp").path
        try (try s.lastCode()).write(toFile: otp, atomically: true, encoding: .utf8)
        let password = "Mandarine-Soir-2023!"
        let (status, screen, _) = try onTerminal(["recover", "password", "--username", "martine.l", "--otp-file", otp],
                                                 env: ["MES_HOME": s.store, "MES_NOW": s.now],
                                                 prompt: "Mot de passe : ", input: password + "\n" + password + "\n")
        #expect(status == 0, "\(screen)")
        #expect(screen.contains("Confirmer le mot de passe") && screen.contains("Votre mot de passe a été modifié"), "\(screen)")
        #expect(!screen.contains(password), "the password was echoed: \(screen)")
        let newPw = s.dir.appendingPathComponent("new").path
        try (password + "\n").write(toFile: newPw, atomically: true, encoding: .utf8)
        #expect(try s.run(["login", "--username", "martine.l", "--password-file", newPw]).status == 0)
    }

    /// Attacking the change: Ctrl-C at the hidden password prompt left the terminal without echo.
    @Test func ctrlCAtThePasswordPromptGivesTheTerminalItsEchoBack() throws {
        let s = try Scenario()
        let token = try s.martineSession()
        let script = """
        import os, pty, sys, time, termios, json, signal
        pid, fd = pty.fork()
        if pid == 0:
            signal.pthread_sigmask(signal.SIG_SETMASK, [])
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.execv(sys.argv[1], sys.argv[1:])
        out = b""; deadline = time.time() + 20
        while b"Mot de passe" not in out and time.time() < deadline:
            out += os.read(fd, 4096)
        muted = not (termios.tcgetattr(fd)[3] & termios.ECHO)
        os.write(fd, b"\\x03")
        done, status = 0, 0
        while not done and time.time() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG); time.sleep(0.02)
        if not done:
            os.kill(pid, 9); os.waitpid(pid, 0)
        print(json.dumps({"muted": muted, "echo": bool(termios.tcgetattr(fd)[3] & termios.ECHO),
                          "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0}))
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = ["-c", script, mesBinary.path, "activate", "--accept-cgu", "--username", "martine.l88"]
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MES_") }
        for (k, v) in ["MES_HOME": s.store, "MES_NOW": s.now, "MES_SESSION": token] { environment[k] = v }
        p.environment = environment
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let o = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        #expect(o["muted"] as? Bool == true, "echo was on at the prompt: \(o)")
        #expect(o["signal"] as? Int == Int(SIGINT), "\(o)")
        #expect(o["echo"] as? Bool == true, "the terminal was left without echo: \(o)")
    }

    @Test func anythingButOuiCancels() throws {
        let s = try Scenario()
        let token = try s.martineSession()
        let (status, screen, _) = try onTerminal(["close", "--session", token], env: ["MES_HOME": s.store, "MES_NOW": s.now],
                                                 prompt: "[oui/non]", input: "non\n")
        // Declining is no usage error: its own status (1), and no "Try 'mes --help'".
        #expect(status == 1, "\(screen)")
        #expect(screen.contains("Annulé") && !screen.contains("Try"), "\(screen)")
    }

    @Test func aBusyStoreSaysItIsWaiting() throws {
        let s = try Scenario()
        // Another process holds the write lock for 1.5 s.
        let holder = try s.holdStoreLock(seconds: 1.5)
        let (status, screen, _) = try onTerminal(["code", "generate"] + Scenario.martine + Scenario.martineBirth,
                                                 env: ["MES_HOME": s.store, "MES_NOW": s.now], prompt: "never shown", input: "")
        holder.waitUntilExit()
        #expect(status == 0, "\(screen)")
        #expect(screen.contains("attente"), "\(screen)")
    }

    @Test func nirCheckOnATerminalSaysItReadsStandardInput() throws {
        let (status, screen, _) = try onTerminal(["nir", "check"], env: [:], prompt: "Ctrl-D", input: "116304403801618\n\u{4}")
        #expect(status == 0, "\(screen)")
        #expect(screen.contains("Ctrl-D"))
        #expect(screen.contains("valide"))
    }

    /// Found attacking the change through a pseudo-terminal: a person typing NIRs got every
    /// verdict only after Ctrl-D (the output waited in its buffer). Each now answers its line.
    @Test func nirCheckAnswersEachTypedLineBeforeTheNext() throws {
        let (status, screen, seen) = try onTerminal(["nir", "check"], env: [:], steps: [
            (waitFor: "Ctrl-D", type: "116304403801618\n"),
            (waitFor: "valide", type: "abc\n"),
            (waitFor: "invalide", type: "\u{4}"),
        ])
        #expect(seen == 3, "\(seen) of 3 answers came before the next line was typed: \(screen)")
        #expect(status == 65, "\(screen)")
    }

    @Test func batchProgressShowsDoneOfTotalAndAPercentage() throws {
        let (s, members) = try Scenario.withOpposableMembers()
        let (status, screen, _) = try onTerminal(["batch", "oppose", members, "--receipts", s.dir.appendingPathComponent("rec").path,
                                                  "--legal-representative", "--group-size", "500"],
                                                 env: ["MES_HOME": s.store, "MES_NOW": s.now], prompt: "never shown", input: "")
        #expect(status == 0, "\(screen.suffix(500))")
        // The total is estimated from the file's size while it is read: said with "≈".
        #expect(screen.contains("/≈") && screen.contains(" lignes ("), "\(screen.suffix(500))")
        #expect(screen.contains("%"))
        #expect(screen.contains("3000 lignes traitées"))
    }
}
