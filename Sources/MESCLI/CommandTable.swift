import MESCore
import MESRender

/// A command's path and how to build its spec: a command line builds only the spec it runs
/// (the whole table costs every command a few hundred thousand instructions otherwise).
public struct CommandEntry: Sendable {
    public let path: [String]
    let make: @Sendable () -> CommandSpec

    init(_ path: [String], _ make: @escaping @Sendable () -> CommandSpec) {
        self.path = path
        self.make = make
    }

    /// The spec, built now.
    public var spec: CommandSpec { make() }
}

/// Every `mes` command, in the order `--help`, the man page and the completions list them.
public enum CommandTable {
    /// The commands by path, their specs built on demand (`CommandTableTests` checks each
    /// entry's path against its spec's).
    public static let entries: [CommandEntry] = [
        .init(["nir", "check"]) { NIRCheckCommand.spec }, .init(["nir", "format"]) { NIRFormatCommand.spec },
        .init(["nir", "key"]) { NIRKeyCommand.spec }, .init(["nir", "generate"]) { NIRGenerateCommand.spec },
        .init(["vitale", "check"]) { VitaleCheckCommand.spec }, .init(["vitale", "generate"]) { VitaleGenerateCommand.spec },
        .init(["init"]) { InitCommand.spec }, .init(["import"]) { ImportCommand.spec }, .init(["fixtures"]) { FixturesCommand.spec },
        .init(["fixtures", "verify"]) { FixturesVerifyCommand.spec }, .init(["notify"]) { NotifyCommand.spec },
        .init(["outbox", "list"]) { OutboxListCommand.spec }, .init(["outbox", "show"]) { OutboxShowCommand.spec },
        .init(["outbox", "send"]) { OutboxSendCommand.spec }, .init(["outbox", "letters"]) { OutboxLettersCommand.spec },
        .init(["outbox", "export"]) { OutboxExportCommand.spec }, .init(["history"]) { HistoryCommand.spec },
        .init(["code", "generate"]) { CodeGenerateCommand.spec }, .init(["identify"]) { IdentifyCommand.spec },
        .init(["oppose"]) { OpposeCommand.spec }, .init(["contacts", "show"]) { ContactsShowCommand.spec },
        .init(["activate"]) { ActivateCommand.spec }, .init(["close"]) { CloseCommand.spec }, .init(["sweep"]) { SweepCommand.spec },
        .init(["login"]) { LoginCommand.spec }, .init(["logout"]) { LogoutCommand.spec },
        .init(["recover", "identifier"]) { RecoverCommands.identifier }, .init(["recover", "password"]) { RecoverCommands.password },
        .init(["profiles", "list"]) { ProfilesListCommand.spec }, .init(["profiles", "oppose"]) { ProfilesOpposeCommand.spec },
        .init(["profiles", "activate"]) { ProfilesActivateCommand.spec }, .init(["receipt"]) { ReceiptCommand.spec },
        .init(["receipt", "verify"]) { ReceiptVerifyCommand.spec }, .init(["key", "export"]) { KeyCommands.export },
        .init(["key", "import"]) { KeyCommands.import }, .init(["advisers", "add"]) { AdvisersAddCommand.spec },
        .init(["advisers", "list"]) { AdvisersListCommand.spec }, .init(["advisers", "release"]) { AdvisersReleaseCommand.spec },
        .init(["batch", "oppose"]) { BatchCommand.spec }, .init(["demo"]) { DemoCommand.spec }, .init(["schema"]) { SchemaCommand.spec },
    ] + StoreSafetyCommands.entries + DocumentationCommands.entries

    /// Every command's spec, built now.
    public static var all: [CommandSpec] { entries.map(\.spec) }
}

/// `mes completions` and `mes manpage`: the shell scripts and man page, made from this table.
enum DocumentationCommands {
    static let entries: [CommandEntry] = [.init(["completions"]) { all[0] }, .init(["manpage"]) { all[1] }]

    static var all: [CommandSpec] {
        [
            CommandSpec(["completions"], summary: "Print the completion script for a shell.",
                        discussion: "The scripts in completions/ are this output: source <(mes completions bash).",
                        positionals: [PositionalSpec("SHELL", "bash, zsh or fish", choices: ["bash", "zsh", "fish"])],
                        examples: ["mes completions bash > /etc/bash_completion.d/mes"]) { inv, ctx in
                ctx.stdout.write(Completions.script(for: inv.positionals[0], commands: CommandTable.all))
            },
            CommandSpec(["manpage"], summary: "Print the man page (roff), as installed in man/mes.1.",
                        examples: ["mes manpage | man -l -"]) { _, ctx in
                ctx.stdout.write(ManPage.render(commands: CommandTable.all))
            },
        ]
    }
}
