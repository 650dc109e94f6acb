import Foundation
import Testing
@testable import MESCLI

/// `mes` alone, `mes help …`, "did you mean" in usage errors, help wrapped to the terminal's
/// width, and the man page's FILES and EXAMPLES sections.
@Suite struct HelpTests {
    // MARK: did you mean

    @Test func editDistanceCountsASwapAsOneEdit() {
        #expect(Suggestions.distance("yse", "yes") == 1)
        #expect(Suggestions.distance("opose", "oppose") == 1)
        #expect(Suggestions.distance("kitten", "sitting") == 3)
        #expect(Suggestions.distance("", "nir") == 3)
        #expect(Suggestions.closest("opp", among: ["oppose", "outbox"]) == ["oppose"])
        #expect(Suggestions.closest("o", among: ["oppose", "outbox"]).isEmpty)
        #expect(Suggestions.closest("frobnicate", among: CommandTable.all.map { $0.path[0] }).isEmpty)
    }

    @Test func unknownCommandsOptionsAndValuesSuggestTheNearest() {
        let command = mes(["opose"])
        #expect(command.status == 64)
        #expect(command.stderr.hasPrefix("mes: command: commande inconnue « opose » ; vouliez-vous dire « oppose » ?\n"), "\(command.stderr)")
        #expect(command.stderr.contains("Aide : « mes --help » ou « mes help COMMANDE »") && !command.stderr.contains("Try"), "\(command.stderr)")
        let json = mes(["--json", "opose"])
        #expect(json.errorJSON["field"] as? String == "command" && json.errorJSON["exit"] as? Int == 64)
        #expect(json.errorJSON["code"] as? String == "unknown_command")
        #expect((json.errorJSON["message"] as? String)?.hasSuffix("vouliez-vous dire « oppose » ?") == true)

        let flag = mes(["oppose", "--yse"])
        #expect(flag.status == 64)
        #expect(flag.stderr.contains("option inconnue « --yse » pour « mes oppose » ; vouliez-vous dire « --yes » ?"), "\(flag.stderr)")
        let flagJSON = mes(["--json", "oppose", "--yse"]).errorJSON
        #expect(flagJSON["field"] as? String == "yse" && flagJSON["code"] as? String == "unknown_option")

        #expect(mes(["nir", "chekc", "1"]).stderr.contains("vouliez-vous dire « check » ?"))
        #expect(mes(["receipt", "verfy", "x.pdf"]).stderr.contains("vouliez-vous dire « verify » ?"))
        #expect(mes(["nir", "check", "--rules", "insea", "1"]).stderr.contains("vouliez-vous dire « insee » ?"))
        #expect(mes(["--jsn", "nir", "check", "1"]).stderr.contains("vouliez-vous dire « --json » ?"))
        #expect(mes(["nir", "check", "--rulse=insee", "1"]).stderr.contains("vouliez-vous dire « --rules » ?"))
        #expect(mes(["help", "opose"]).stderr.contains("vouliez-vous dire « oppose » ?"))
        #expect(mes(["opp"]).stderr.contains("vouliez-vous dire « oppose » ?"))
        // Nothing near: the list of commands, as before.
        let far = mes(["frobnicate"])
        #expect(far.status == 64 && !far.stderr.contains("vouliez-vous") && far.stderr.contains("commandes possibles : nir, vitale"))
    }

    /// Each kind of usage error has its own code and names the option (issue 30).
    @Test func everyUsageErrorHasItsOwnCode() {
        func code(_ args: [String]) -> (String?, String?) {
            let e = mes(["--json"] + args).errorJSON
            return (e["code"] as? String, e["field"] as? String)
        }
        #expect(code(["vitale", "check", "--card"]) == ("missing_value", "card"))
        #expect(code(["vitale", "check", "123"]) == ("missing_option", "card"))
        #expect(code(["nir", "check", "--rules", "strict", "x"]) == ("invalid_value", "rules"))
        #expect(code(["nir", "generate", "--count", "2", "--seed", "1", "--reason", "key"]) == ("conflicting_options", "reason"))
        #expect(code(["outbox"]) == ("missing_command", "command"))
        #expect(code(["receipt", "verify"]) == ("missing_argument", "file"))
        #expect(code(["nir", "generate", "--count", "x"]) == ("invalid_value", "count"))
        #expect(code(["oppose", "--yes=oui"]) == ("invalid_value", "yes"))
        let english = mes(["vitale", "check", "123"]).stderr
        #expect(english.contains("option obligatoire absente : --card"), "\(english)")
    }

    // MARK: mes, mes help

    @Test func bareMesPrintsTheUsageAndCommands() throws {
        let r = mes([], env: ["COLUMNS": "80"])
        #expect(r.status == 0)
        #expect(r.stderr.isEmpty)
        #expect(r.stdout.contains("USAGE: mes [--store DIR] [--now TIME] [--json] COMMAND ..."))
        for c in CommandTable.all { #expect(r.stdout.contains("  \(c.name) "), "\(c.name)") }
        #expect(r.stdout.contains("mes help COMMAND"))
        #expect(!r.stdout.contains("EXIT STATUS"), "the short usage; mes --help has the rest")
        let binary = try runBinary([], env: ["COLUMNS": "80"])
        #expect(binary.status == 0 && binary.stdout == r.stdout)
    }

    @Test func helpHelpAndHelpForEveryCommandPath() {
        let r = mes(["help", "help"])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("USAGE: mes help [COMMAND...]\n"))
        for path in Completions.Tree(CommandTable.all).paths {
            let h = mes(["help"] + path)
            #expect(h.status == 0 && !h.stdout.isEmpty, "\(path)")
            if !path.isEmpty { #expect(h.stdout == mes(path + ["--help"]).stdout, "\(path)") }
        }
        #expect(mes(["help", "receipt", "verify"]).stdout.hasPrefix("USAGE: mes receipt verify"))
        #expect(mes(["help", "nope"]).status == 64)
    }

    // MARK: wrapping

    @Test func helpWrapsToCOLUMNS() {
        let env = ["COLUMNS": "60"]
        var texts = [mes([], env: env).stdout, mes(["--help"], env: env).stdout, mes(["help", "help"], env: env).stdout]
        for path in Completions.Tree(CommandTable.all).paths where !path.isEmpty { texts.append(mes(["help"] + path, env: env).stdout) }
        for t in texts {
            #expect(t.split(separator: "\n").allSatisfy { $0.count <= 60 }, "\(t.split(separator: "\n").filter { $0.count > 60 })")
        }
        // A usage line goes on with a hanging indent under the options.
        let oppose = mes(["oppose", "--help"], env: env).stdout.split(separator: "\n").map(String.init)
        #expect(oppose[0].hasPrefix("USAGE: mes oppose [--session TOKEN]"))
        #expect(oppose[1].hasPrefix(String(repeating: " ", count: "USAGE: mes oppose ".count) + "["))
        // Long examples go on after a backslash.
        #expect(oppose.contains { $0.hasPrefix("  mes oppose --code") && $0.hasSuffix(" \\") })
        // Narrower still: descriptions go under their option.
        for path in Completions.Tree(CommandTable.all).paths {
            let lines = mes(["help"] + path, env: ["COLUMNS": "40"]).stdout.split(separator: "\n")
            #expect(lines.allSatisfy { $0.count <= 40 }, "\(path): \(lines.filter { $0.count > 40 })")
        }
        // Without COLUMNS and without a terminal: 80.
        #expect(mes(["oppose", "--help"]).stdout.split(separator: "\n").allSatisfy { $0.count <= 80 })
        #expect(mes(["oppose", "--help"]).stdout.split(separator: "\n").contains { $0.count > 60 })
    }

    @Test func helpWrapsToTheTerminalsWidth() throws {
        let script = try #require(shellTool("script"), "script (util-linux) gives the binary a terminal")
        let r = try runTool(script, ["-qec", "stty cols 50; \(mesBinary.path) help oppose", "/dev/null"],
                            cwd: FileManager.default.temporaryDirectory)
        let lines = r.stdout.replacingOccurrences(of: "\r", with: "").split(separator: "\n")
        #expect(lines.count > 20 && lines.first?.hasPrefix("USAGE: mes oppose") == true, "\(r.stdout)")
        #expect(lines.allSatisfy { $0.count <= 50 }, "\(lines.filter { $0.count > 50 })")
        #expect(lines.contains { $0.count > 40 })
    }

    // MARK: man page

    func manText() throws -> String {
        let mandoc = try #require(shellTool("mandoc"), "install mandoc (.ci/run does)")
        let r = try runTool(mandoc, ["-Tascii", "-O", "width=80", packageRoot.appendingPathComponent("man/mes.1").path],
                            cwd: packageRoot)
        #expect(r.status == 0)
        // Drop overstrike (bold, underline) and tabs.
        var out = ""
        for ch in r.stdout { if ch == "\u{8}" { out.removeLast() } else { out.append(ch) } }
        return out.replacingOccurrences(of: "\t", with: "        ")
    }

    @Test func manPageHasFilesAndExamples() throws {
        let roff = try String(contentsOf: packageRoot.appendingPathComponent("man/mes.1"), encoding: .utf8)
        let sections = roff.split(separator: "\n").filter { $0.hasPrefix(".SH ") }.map { String($0.dropFirst(4)) }
        #expect(sections.suffix(4) == ["ENVIRONMENT", "FILES", "EXAMPLES", "SEE ALSO"])
        let text = try manText()
        let files = text.components(separatedBy: "\nFILES\n").last?.components(separatedBy: "\nEXAMPLES\n").first ?? ""
        for f in ["$MES_HOME", "$XDG_DATA_HOME/mes", "~/.local/share/mes", "mes.db", "secret.key", "signing.key", "signing.crt",
                  "outbox/", "receipts/"] {
            #expect(files.contains(f), "FILES lacks \(f)")
        }
    }

    /// The rendered page with each backslash-continued line joined to the next, as a shell reads it.
    func joinedCommands(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
        var out: [String] = []
        var pending: String?
        for line in lines {
            let body = pending == nil ? line : line.drop { $0 == " " }.description
            let whole = (pending ?? "") + body
            if whole.hasSuffix(" \\") { pending = String(whole.dropLast(1)) } else { out.append(whole); pending = nil }
        }
        return out.joined(separator: "\n")
    }

    @Test func everyExampleInTheManPageIsWholeOnTheScreen() throws {
        let text = try manText()
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= 80 }, "\(text.split(separator: "\n").filter { $0.count > 80 })")
        let joined = joinedCommands(text)
        for c in CommandTable.all {
            for e in c.examples { #expect(joined.contains(e), "\(c.name): \(e)") }
        }
        for (_, commands) in Prose.examples {
            for e in commands { #expect(joined.contains(e), "\(e)") }
        }
    }

    /// The EXAMPLES section, copied from `man mes` and pasted into bash, runs from start to end.
    @Test func manPageExamplesRunAsPasted() throws {
        let text = try manText()
        let section = try #require(text.components(separatedBy: "\nEXAMPLES\n").last?.components(separatedBy: "\nSEE ALSO\n").first)
        // The commands are the lines indented more than the prose (7 columns).
        let commands = section.split(separator: "\n").filter { $0.hasPrefix("         ") }.map { $0.dropFirst(11) }
        #expect(commands.count >= 20)
        let home = temporaryDirectory("mes-examples")
        let program = "set -euo pipefail\n" + commands.joined(separator: "\n") + "\n"
        let r = try runTool("/bin/bash", ["-c", program], cwd: home,
                            env: ["HOME": home.path, "TMPDIR": home.path, "PATH": mesBinary.deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")],
                            timeout: 120)
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("authentique"))
        #expect(FileManager.default.fileExists(atPath: home.appendingPathComponent(".zfunc/_mes").path))
        #expect(FileManager.default.fileExists(atPath: home.appendingPathComponent("justificatifs").path))
    }
}
