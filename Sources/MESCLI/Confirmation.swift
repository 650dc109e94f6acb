#if canImport(Glibc)
import Glibc
#endif
import MESCore
import MESSystem

/// Asking for the explicit confirmation a decision needs, and for passwords.
enum Confirmation {
    /// The confirmation of an opposition, in the service's words.
    static let opposition = """
    Je valide l'opposition à la création de Mon espace santé.
    En validant cette décision, Mon espace santé ne sera pas créé.
    Vous pourrez créer Mon espace santé à tout moment.
    """

    /// `--yes`, or a typed "oui" when standard input is a terminal; otherwise a usage error that
    /// quotes the decision being confirmed (the prompt's first line).
    static func require(_ inv: Invocation, _ ctx: Context, prompt: String) throws {
        if inv.flag("yes") { return }
        guard ctx.stdin.isTerminal else {
            let decision = prompt.split(separator: "\n").first.map(String.init) ?? prompt
            throw MESError(.confirmationRequired, "Confirmez votre décision (--yes) : « \(decision.hasSuffix(".") ? String(decision.dropLast()) : decision) ».",
                           field: "yes")
        }
        ctx.stderr.write(prompt + "\nContinuer ? [oui/non] ")
        ctx.stderr.flush()
        let answer = terminalLine()
        guard ["o", "oui", "y", "yes"].contains(answer.trimmingSpaces.lowercased()) else {
            throw MESError(.cancelled, "Annulé : aucune décision n'a été enregistrée.", field: "yes")
        }
    }

    /// The password and its confirmation: from --password-file (one or two lines), typed on a
    /// terminal without echo, or standard input.
    static func password(_ inv: Invocation, _ ctx: Context, twice: Bool) throws -> (password: String, confirmation: String) {
        let text: String
        if let path = inv.value("password-file") {
            text = String(decoding: try FileIO.read(path, limit: InputLimits.passwordFile, field: "password-file", allowStreams: true),
                          as: UTF8.self)
        } else if ctx.stdin.isTerminal {
            let typed = promptHidden(twice ? ["Mot de passe : ", "Confirmer le mot de passe : "] : ["Mot de passe : "], ctx)
            return (typed[0], typed.last!)
        } else {
            text = String(decoding: try ctx.stdin.readAll(limit: InputLimits.passwordFile, field: "password"), as: UTF8.self)
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        guard let first = lines.first, !first.isEmpty else {
            throw MESError.invalid(.passwordRequired, Messages.fieldRequired + " (mot de passe : --password-file ou entrée standard)", field: "password")
        }
        let second = lines.count > 1 && !lines[1].isEmpty ? lines[1] : first
        return (first, second)
    }

    /// One line typed on the terminal (standard input), without waiting for the end of input;
    /// at most 1 KiB is kept.
    static func terminalLine() -> String {
        var line: [UInt8] = []
        var c: UInt8 = 0
        while true {
            let n = read(0, &c, 1)
            if n < 0 && errno == EINTR { continue }
            guard n == 1, c != 0x0A else { break }
            if line.count < 1024 { line.append(c) }
        }
        return String(decoding: line, as: UTF8.self)
    }

    /// One line per prompt, typed on the terminal with echo off for all of them. Echo goes off
    /// before the first prompt is shown and comes back after the last line, so nothing typed
    /// in answer (or ahead) is ever echoed.
    static func promptHidden(_ prompts: [String], _ ctx: Context) -> [String] {
        var saved = termios()
        let terminal = tcgetattr(0, &saved) == 0
        var noEcho = saved
        noEcho.c_lflag &= ~tcflag_t(ECHO)
        if terminal {
            // Ctrl-C, a hang-up or a kill while echo is off must not leave the terminal mute.
            terminalBeforePrompt = saved
            for sig in restoringSignals { signal(sig, restoreTerminalThenDie) }
            tcsetattr(0, TCSANOW, &noEcho)
        }
        defer {
            if terminal {
                tcsetattr(0, TCSANOW, &saved)
                for sig in restoringSignals { signal(sig, SIG_DFL) }
            }
        }
        return prompts.map { prompt in
            ctx.stderr.write(prompt)
            ctx.stderr.flush()
            let line = terminalLine()
            ctx.stderr.write("\n")
            ctx.stderr.flush()
            return line
        }
    }
}

/// The terminal's settings before a hidden prompt, for `restoreTerminalThenDie` (set before the
/// handler is installed, read only by it).
nonisolated(unsafe) private var terminalBeforePrompt = termios()
private let restoringSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

/// Restores echo, then dies of the same signal (async-signal-safe calls only).
private func restoreTerminalThenDie(_ sig: Int32) {
    tcsetattr(0, TCSANOW, &terminalBeforePrompt)
    signal(sig, SIG_DFL)
    raise(sig)
}

