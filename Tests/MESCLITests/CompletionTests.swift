import Foundation
import Testing
@testable import MESCLI

/// The completion scripts in real shells: bash through its completion variables, zsh through
/// an interactive shell on a pseudo-terminal (zpty) pressing TAB, fish through `complete -C`.
/// Each runs in a directory holding files (one with a space) and directories, so that file and
/// directory completion can be told apart. Also `scripts/install`, into temporary prefixes.
@Suite struct CompletionTests {
    /// The command table with `batch oppose --receipts` completed as a directory (the command
    /// file marks it; until then the tests mark it here, so they check the generator either way).
    static let commands: [CommandSpec] = CommandTable.all.map { c in
        guard c.options.contains(where: { $0.name == "receipts" && !$0.completesDirectory }) else { return c }
        return CommandSpec(c.path, summary: c.summary, discussion: c.discussion, usages: c.usages,
                           options: c.options.map { $0.name == "receipts" ? $0.asDirectory() : $0 },
                           positionals: c.positionals, examples: c.examples, run: c.run)
    }

    /// A working directory: files `a b.csv` and `notes.txt`, directories `dir one` and `out`.
    let workdir: URL
    let scripts: URL

    init() throws {
        workdir = temporaryDirectory("mes-completion-cwd")
        scripts = temporaryDirectory("mes-completion-scripts")
        for f in ["a b.csv", "notes.txt"] { try Data().write(to: workdir.appendingPathComponent(f)) }
        for d in ["dir one", "out"] {
            try FileManager.default.createDirectory(at: workdir.appendingPathComponent(d), withIntermediateDirectories: true)
        }
        try FileManager.default.createDirectory(at: scripts.appendingPathComponent("fpath"), withIntermediateDirectories: true)
        try Completions.script(for: "bash", commands: Self.commands).write(to: scripts.appendingPathComponent("mes.bash"), atomically: true, encoding: .utf8)
        try Completions.script(for: "zsh", commands: Self.commands).write(to: scripts.appendingPathComponent("fpath/_mes"), atomically: true, encoding: .utf8)
        try Completions.script(for: "fish", commands: Self.commands).write(to: scripts.appendingPathComponent("mes.fish"), atomically: true, encoding: .utf8)
    }

    // MARK: bash

    /// What bash's `_mes` puts in COMPREPLY for the words (the last one is the word being completed).
    func bash(_ words: String...) throws -> [String] {
        let shell = try #require(shellTool("bash"))
        let program = """
            source "$1"; shift
            COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
            _mes
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        let r = try runTool(shell, ["-c", program, "bash", scripts.appendingPathComponent("mes.bash").path] + words, cwd: workdir)
        return r.stdout.split(separator: "\n").map(String.init)
    }

    @Test func bashOffersEachCommandsOwnOptionsAndValues() throws {
        #expect(Set(try bash("mes", "oppose", "--c")) == ["--code", "--code-file", "--card"])
        #expect(try bash("mes", "oppose", "--card", "") == ["photo", "plain"])
        let identify = try bash("mes", "identify", "--")
        #expect(identify.contains("--code") && identify.contains("--serial") && identify.contains("--json"))
        #expect(!identify.contains("--yes") && !identify.contains("--session"))
        #expect(try bash("mes", "nir", "check", "--r") == ["--rules"])
        // Values come from the command's own option: notify --via has no sms, code generate --via does.
        #expect(try bash("mes", "notify", "--via", "") == ["email", "letter"])
        #expect(try bash("mes", "code", "generate", "--via", "") == ["email", "sms"])
        // A command that is also a group, global options before and after the command.
        #expect(try bash("mes", "receipt", "") == ["verify"])
        #expect(try bash("mes", "receipt", "--id", "JO-X", "").isEmpty)
        #expect(try bash("mes", "--store", "out", "nir", "") == ["check", "format", "key", "generate"])
        #expect(try bash("mes", "oppose", "--json", "--ca") == ["--card"])
        #expect(try bash("mes", "receipt", "verify", "--c") == ["--cert"])
        #expect(try bash("mes", "help", "ni") == ["nir"])
        #expect(try bash("mes", "completions", "") == ["bash", "zsh", "fish"])
    }

    @Test func bashCompletesFileNamesWithSpacesAndDirectoriesOnlyForDirectories() throws {
        #expect(try bash("mes", "import", "a") == ["a b.csv"])
        #expect(Set(try bash("mes", "receipt", "verify", "")) == ["a b.csv", "notes.txt", "dir one", "out"])
        #expect(Set(try bash("mes", "batch", "oppose", "--receipts", "")) == ["dir one", "out"])
        #expect(Set(try bash("mes", "--store", "")) == ["dir one", "out"])
        #expect(Set(try bash("mes", "oppose", "--store", "")) == ["dir one", "out"])
        // "--opt=value", split at '=' as bash does by default, and in one word.
        #expect(try bash("mes", "notify", "--via", "=", "l") == ["letter"])
        #expect(try bash("mes", "notify", "--via=l") == ["--via=letter"])
        let script = try String(contentsOf: scripts.appendingPathComponent("mes.bash"), encoding: .utf8)
        #expect(script.contains("compopt -o filenames"))
    }

    // MARK: zsh

    /// What zsh offers on TAB after each line, in an interactive zsh on a pseudo-terminal
    /// (compadd is wrapped to write every match to a file). `setup` loads the completion.
    func zsh(_ lines: [String], setup: String) throws -> [String: Set<String>] {
        let shell = try #require(shellTool("zsh"))
        let dir = temporaryDirectory("mes-zsh")
        let capture = dir.appendingPathComponent("capture").path
        let rc = """
            PROMPT='mes-prompt> '; RPROMPT=''
            unset zle_bracketed_paste
            unsetopt AUTO_LIST AUTO_MENU LIST_BEEP BEEP
            LISTMAX=100000
            \(setup)
            compadd() {
              if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then
                builtin compadd "$@"
                return
              fi
              local -a __matches
              builtin compadd -A __matches "$@"
              (( $#__matches )) && print -rl -- "${__matches[@]}" >> \(capture)
              builtin compadd "$@"
            }
            """
        try rc.write(to: dir.appendingPathComponent("rc.zsh"), atomically: true, encoding: .utf8)
        let driver = """
            zmodload zsh/zpty
            zpty -b z 'zsh -f -i'
            zpty -w z "source \(dir.appendingPathComponent("rc.zsh").path); print READY-\\$((1+1))"
            # Keys typed before the line editor is waiting (its prompt shown) may be lost.
            zpty -r z out '*READY-2*mes-prompt>*'
            for line in "$@"; do
              : > \(capture)
              zpty -n -w z "$line"$'\\t'$'\\C-u'
              zpty -w z 'print DONE-$((6*7))'
              zpty -r z out '*DONE-42*mes-prompt>*'
              print -r -- "== $line"
              cat \(capture)
            done
            zpty -d z
            """
        let r = try runTool(shell, ["-f", "-c", driver, "zsh"] + lines, cwd: workdir, env: ["HOME": dir.path], timeout: 240)
        #expect(r.status == 0, "\(r.stderr)")
        var result: [String: Set<String>] = [:]
        var current: String?
        for line in r.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("== ") { current = String(line.dropFirst(3)); result[current!] = [] }
            else if let c = current, !line.isEmpty { result[c]!.insert(line.replacingOccurrences(of: "\\", with: "")) }
        }
        return result
    }

    @Test func zshCompletesFromFpath() throws {
        let lines = ["mes oppose --c", "mes oppose --card ", "mes identify --", "mes nir check --r", "mes receipt ",
                     "mes receipt --id JO-X --f", "mes batch oppose --receipts ", "mes --store ", "mes notify --via ",
                     "mes import a", "mes --json nir ", "mes receipt verify --", "mes help "]
        let fpath = scripts.appendingPathComponent("fpath").path
        let got = try zsh(lines, setup: "fpath=(\(fpath) $fpath); autoload -Uz compinit && compinit -u -D")
        #expect(got["mes oppose --c"] == ["--code", "--code-file", "--card"])
        #expect(got["mes oppose --card "] == ["photo", "plain"])
        let identify = got["mes identify --"] ?? []
        #expect(identify.contains("--code") && identify.contains("--serial") && !identify.contains("--yes"), "\(identify)")
        #expect(got["mes nir check --r"] == ["--rules"])
        #expect(got["mes receipt "] == ["verify"])
        #expect(got["mes receipt --id JO-X --f"] == ["--format", "--force"])
        #expect(got["mes batch oppose --receipts "] == ["dir one", "out"])
        #expect(got["mes --store "] == ["dir one", "out"])
        #expect(got["mes notify --via "] == ["email", "letter"])
        #expect(got["mes import a"] == ["a b.csv"])
        #expect(got["mes --json nir "] == ["check", "format", "key", "generate"])
        #expect(Set(got["mes receipt verify --"] ?? []) == ["--cert", "--json", "--store", "--now", "--wait", "--quiet", "--verbose", "--help"])
        #expect(got["mes help "]?.contains("oppose") == true)
    }

    @Test func zshCompletesThroughSourceOfTheBinarysOutput() throws {
        let got = try zsh(["mes receipt ", "mes oppose --c", "mes profiles "],
                          setup: "autoload -Uz compinit && compinit -u -D; source <(\(mesBinary.path) completions zsh)")
        #expect(got["mes receipt "] == ["verify"])
        #expect(got["mes oppose --c"] == ["--code", "--code-file", "--card"])
        #expect(got["mes profiles "] == ["list", "oppose", "activate"])
    }

    // MARK: fish

    /// What fish offers for the command line (`complete -C`), without descriptions.
    func fish(_ line: String) throws -> [String] {
        let shell = try #require(shellTool("fish"))
        let r = try runTool(shell, ["-c", "source $argv[1]; complete -C $argv[2]", scripts.appendingPathComponent("mes.fish").path, line],
                            cwd: workdir, env: ["HOME": workdir.path])
        return r.stdout.split(separator: "\n").map { String($0.split(separator: "\t", maxSplits: 1).first ?? "") }
    }

    @Test func fishScopesOptionsToTheirCommand() throws {
        #expect(Set(try fish("mes oppose --c")) == ["--code", "--code-file", "--card"])
        #expect(try fish("mes oppose --card ") == ["photo", "plain"])
        #expect(try fish("mes nir check --r") == ["--rules"])
        // No oppose flags under batch oppose or profiles …
        let batch = try fish("mes batch oppose --")
        #expect(batch.contains("--receipts") && batch.contains("--group-size"))
        for flag in ["--code", "--card", "--assisted", "--yes", "--session"] { #expect(!batch.contains(flag), "\(flag)") }
        let profiles = try fish("mes profiles list --")
        #expect(profiles.contains("--session"))
        for flag in ["--code", "--card", "--assisted", "--yes", "--profile"] { #expect(!profiles.contains(flag), "\(flag)") }
        #expect(try fish("mes receipt ") == ["verify"])
        #expect(!(try fish("mes receipt --id JO-X ")).contains("verify"))
        #expect(Set(try fish("mes batch oppose --receipts ")) == ["dir one/", "out/"])
        #expect(Set(try fish("mes --store ")) == ["dir one/", "out/"])
        #expect(try fish("mes notify --via ") == ["email", "letter"])
        #expect(try fish("mes code generate --via ") == ["email", "sms"])
        #expect(try fish("mes import a") == ["a b.csv"])
        #expect(Set(try fish("mes --json nir ")) == ["check", "format", "key", "generate"])
        #expect(try fish("mes help nir g") == ["generate"])
    }

    // MARK: scripts/install

    var installScript: String { packageRoot.appendingPathComponent("scripts/install").path }

    @Test func installDryRunChangesNothing() throws {
        let prefix = temporaryDirectory("mes-prefix").appendingPathComponent("usr")
        let r = try runTool("/bin/bash", [installScript, "--prefix", prefix.path, "--dry-run", "--binary", mesBinary.path], cwd: workdir)
        #expect(r.status == 0, "\(r.stderr)")
        for dest in ["bin/mes", "share/man/man1/mes.1", "share/bash-completion/completions/mes", "share/zsh/site-functions/_mes",
                     "share/fish/vendor_completions.d/mes.fish", "share/mes/schemas/"] {
            #expect(r.stdout.contains("would install: ") && r.stdout.contains(prefix.appendingPathComponent(dest).path), "\(dest)")
        }
        #expect(!FileManager.default.fileExists(atPath: prefix.path))
        let build = try runTool("/bin/bash", [installScript, "--prefix", prefix.path, "--dry-run"], cwd: workdir)
        #expect(build.stdout.contains("would build: swift build -c release"))
        let release = try runTool("/bin/bash", [installScript, "--prefix", prefix.path, "--dry-run", "--static"], cwd: workdir)
        #expect(release.status == 0 && release.stdout.contains("would build: scripts/release"), "\(release.stdout) \(release.stderr)")
        let both = try runTool("/bin/bash", [installScript, "--static", "--binary", mesBinary.path], cwd: workdir)
        #expect(both.status == 64 && both.stderr.contains("give one"), "\(both.stderr)")
        #expect(!FileManager.default.fileExists(atPath: prefix.path))
    }

    @Test func installPutsEveryFileInPlaceAndIsIdempotent() throws {
        let prefix = temporaryDirectory("mes-prefix").appendingPathComponent("usr")
        let first = try runTool("/bin/bash", [installScript, "--prefix", prefix.path, "--binary", mesBinary.path], cwd: workdir)
        #expect(first.status == 0, "\(first.stderr)")
        let expected: [(String, String, Int)] = [
            ("share/man/man1/mes.1", "man/mes.1", 0o644), ("share/bash-completion/completions/mes", "completions/mes.bash", 0o644),
            ("share/zsh/site-functions/_mes", "completions/_mes", 0o644), ("share/fish/vendor_completions.d/mes.fish", "completions/mes.fish", 0o644),
        ]
        for (dest, source, mode) in expected {
            let installed = prefix.appendingPathComponent(dest).path
            #expect(FileManager.default.contents(atPath: installed) == FileManager.default.contents(atPath: packageRoot.appendingPathComponent(source).path),
                    "\(dest)")
            #expect((try FileManager.default.attributesOfItem(atPath: installed)[.posixPermissions] as? Int) == mode, "\(dest)")
        }
        let bin = prefix.appendingPathComponent("bin/mes").path
        #expect((try FileManager.default.attributesOfItem(atPath: bin)[.posixPermissions] as? Int) == 0o755)
        #expect(try runTool(bin, ["--version"], cwd: workdir).stdout == "mes \(MES.version)\n")
        // The schemas, under share/mes/schemas.
        let schemas = try FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent("schemas").path).sorted()
        #expect(try FileManager.default.contentsOfDirectory(atPath: prefix.appendingPathComponent("share/mes/schemas").path).sorted() == schemas)
        for name in schemas {
            #expect(FileManager.default.contents(atPath: prefix.appendingPathComponent("share/mes/schemas/" + name).path)
                    == FileManager.default.contents(atPath: packageRoot.appendingPathComponent("schemas/" + name).path), "\(name)")
        }
        #expect(first.stdout.components(separatedBy: "installed: ").count == 6 + schemas.count, "\(first.stdout)")

        let second = try runTool("/bin/bash", [installScript, "--prefix", prefix.path, "--binary", mesBinary.path], cwd: workdir)
        #expect(second.status == 0)
        #expect(second.stdout.components(separatedBy: "up to date: ").count == 6 + schemas.count && !second.stdout.contains("installed: "),
                "\(second.stdout)")
    }

    @Test func installRefusesWithoutWriteAccess() throws {
        let parent = temporaryDirectory("mes-readonly")
        let prefix = parent.appendingPathComponent("usr")
        var exe = "/bin/bash"
        var args = [installScript, "--prefix", prefix.path, "--binary", mesBinary.path]
        if getuid() == 0 {
            // root may write anywhere: run as nobody on a directory only root may write.
            let setpriv = try #require(shellTool("setpriv"), "setpriv (util-linux) runs the script as another user")
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: parent.path)
            exe = setpriv
            args = ["--reuid=65534", "--regid=65534", "--clear-groups", "/bin/bash"] + args
        } else {
            try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: parent.path)
        }
        let r = try runTool(exe, args, cwd: URL(fileURLWithPath: "/"))
        #expect(r.status == 73, "\(r.stdout) \(r.stderr)")
        #expect(r.stderr.contains("no write access to \(parent.path)"), "\(r.stderr)")
        #expect(r.stderr.contains("--prefix"))
        #expect(!FileManager.default.fileExists(atPath: prefix.path))
        try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: parent.path)
    }
}

/// A shell or tool installed in the usual places.
func shellTool(_ name: String) -> String? {
    ["/usr/bin/\(name)", "/bin/\(name)", "/usr/local/bin/\(name)"].first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// Runs a program with arguments in a directory (no `MES_` variable nor `COLUMNS` but `env`'s),
/// output through files, killed after `timeout` seconds.
func runTool(_ exe: String, _ args: [String], cwd: URL, env: [String: String] = [:], timeout: TimeInterval = 60) throws -> RunResult {
    var environment = cleanEnvironment(env)
    if env["COLUMNS"] == nil { environment["COLUMNS"] = nil }
    return try runCaptured(URL(fileURLWithPath: exe), args, environment: environment, cwd: cwd, timeout: timeout)
}
