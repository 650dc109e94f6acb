import Foundation
import Testing
import TestSupport
@testable import MESCLI
import MESCore

/// The man page and completion scripts are generated from the command table and committed;
/// these tests keep the committed files equal to the generator and complete.
/// Re-record with: scripts/regen-docs
@Suite struct DocumentationTests {
    func committed(_ path: String) throws -> String {
        try String(contentsOf: packageRoot.appendingPathComponent(path), encoding: .utf8)
    }

    @Test func committedFilesMatchTheGenerator() throws {
        #expect(try committed("man/mes.1") == ManPage.render(commands: CommandTable.all), "run scripts/regen-docs")
        #expect(try committed("completions/mes.bash") == Completions.script(for: "bash", commands: CommandTable.all))
        #expect(try committed("completions/_mes") == Completions.script(for: "zsh", commands: CommandTable.all))
        #expect(try committed("completions/mes.fish") == Completions.script(for: "fish", commands: CommandTable.all))
    }

    @Test func everyCommandAndFlagIsListed() throws {
        let man = try committed("man/mes.1")
        let bash = try committed("completions/mes.bash")
        let zsh = try committed("completions/_mes")
        let fish = try committed("completions/mes.fish")
        for c in CommandTable.all {
            #expect(man.contains(".SS \(c.name.replacingOccurrences(of: "-", with: "\\-"))"), "man lacks \(c.name)")
            for w in c.path {
                #expect(bash.contains(w) && zsh.contains(w) && fish.contains("-a \(w)"), "completion lacks \(w)")
            }
            for o in c.options {
                let roff = o.name.replacingOccurrences(of: "-", with: "\\-")
                #expect(man.contains("\\-\\-\(roff)"), "man lacks --\(o.name) of \(c.name)")
                #expect(bash.contains("--\(o.name)"), "bash lacks --\(o.name)")
                #expect(zsh.contains("'--\(o.name)["), "zsh lacks --\(o.name)")
                #expect(fish.contains("-l \(o.name)"), "fish lacks --\(o.name)")
            }
        }
    }

    func tool(_ name: String) -> String? {
        ["/usr/bin/\(name)", "/bin/\(name)", "/usr/local/bin/\(name)"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    func run(_ exe: String, _ args: [String]) throws -> (Int32, String) {
        let r = try runProgram(exe, args)
        return (r.status, r.output)
    }

    @Test func manPageIsLintClean() throws {
        let mandoc = try #require(tool("mandoc"), "install mandoc (.ci/run does)")
        let (status, out) = try run(mandoc, ["-Tlint", packageRoot.appendingPathComponent("man/mes.1").path])
        #expect(status == 0, "\(out)")
        #expect(out.isEmpty, "\(out)")
    }

    @Test(arguments: [("bash", "completions/mes.bash"), ("zsh", "completions/_mes"), ("fish", "completions/mes.fish")])
    func completionScriptsParse(shell: String, path: String) throws {
        let exe = try #require(tool(shell), "install \(shell) (.ci/run does)")
        let (status, out) = try run(exe, ["-n", packageRoot.appendingPathComponent(path).path])
        #expect(status == 0, "\(out)")
    }

    @Test func bashCompletesSubcommandsAndChoices() throws {
        let bash = try #require(tool("bash"))
        let script = packageRoot.appendingPathComponent("completions/mes.bash").path
        let (_, out) = try run(bash, ["-c", "source \(script); COMP_WORDS=(mes nir check --rules ''); COMP_CWORD=4; _mes; echo \"${COMPREPLY[*]}\"; COMP_WORDS=(mes nir g); COMP_CWORD=2; _mes; echo \"${COMPREPLY[*]}\""])
        #expect(out == "insee stdnum app cnam\ngenerate\n")
    }
}

/// Documentation that cannot drift (issue 29): what the code lists, the man page and the README
/// say. The man page's ENVIRONMENT and FILES are made from `DeliverySettings.help` and
/// `StoreLayout`; `committedFilesMatchTheGenerator` fails on any stale line of the committed page.
@Suite struct DocumentationDriftTests {
    func committed(_ path: String) throws -> String {
        try String(contentsOf: packageRoot.appendingPathComponent(path), encoding: .utf8)
    }

    func section(_ man: String, _ name: String) -> String {
        guard let start = man.range(of: "\n.SH \(name)\n") else { return "" }
        let rest = man[start.upperBound...]
        return String(rest[..<(rest.range(of: "\n.SH ")?.lowerBound ?? rest.endIndex)])
    }

    @Test func everyDeliveryKeyIsInTheEnvironmentSection() throws {
        let env = section(try committed("man/mes.1"), "ENVIRONMENT")
        for key in DeliverySettings.keys + ["MES_HOME", "MES_NOW", "MES_SESSION"] {
            #expect(env.contains(key), "\(key)")
        }
    }

    @Test func everyFileOfTheStoreIsInTheFilesSection() throws {
        let files = section(try committed("man/mes.1"), "FILES")
        for e in StoreLayout.entries where e.about != nil {
            #expect(files.contains(e.name.replacingOccurrences(of: "-", with: "\\-")) || files.contains(e.name), "\(e.name)")
        }
        #expect(!files.contains("made by mes init or replaced by mes key import"), "the signing key is a row of mes.db since 0.2.0")
    }

    @Test func theReadmesExitTableIsTheCodes() throws {
        let readme = try committed("README.md")
        let rows = readme.split(separator: "\n").filter { $0.hasPrefix("| ") }.compactMap { line -> Int32? in
            let cell = line.dropFirst(2).prefix { $0 != " " }
            return Int32(cell)
        }
        #expect(Set(rows).isSuperset(of: ExitStatus.allCases.map(\.rawValue)), "missing: \(Set(ExitStatus.allCases.map(\.rawValue)).subtracting(rows).sorted())")
    }

    @Test func theReceiptsSectionNamesEveryVerdictAsPrinted() throws {
        let mandoc = try #require(shellTool("mandoc"), "install mandoc (.ci/run does)")
        let r = try runTool(mandoc, ["-Tutf8", "-O", "width=400", packageRoot.appendingPathComponent("man/mes.1").path], cwd: packageRoot)
        var text = ""
        for ch in r.stdout { if ch == "\u{8}" { text.removeLast() } else { text.append(ch) } }
        let receipts = text.components(separatedBy: "\nRECEIPTS\n").last?.components(separatedBy: "\nFIXTURES\n").first ?? ""
        for word in ["authentique", "altéré", "non signé", "inconnu"] {
            #expect(receipts.contains(word), "\(word)")
        }
        #expect(!receipts.contains(" altered ("), "the verdict as printed, not in English")
    }
}
