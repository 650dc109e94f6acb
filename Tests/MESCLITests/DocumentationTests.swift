import Foundation
import Testing
import TestSupport
@testable import MESCLI

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
