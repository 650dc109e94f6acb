import MESCore
import MESRender

/// Every `mes` command, in the order `--help`, the man page and the completions list them.
public enum CommandTable {
    public static var all: [CommandSpec] {
        [NIRCheckCommand.spec, NIRFormatCommand.spec, NIRKeyCommand.spec, NIRGenerateCommand.spec, VitaleCheckCommand.spec, VitaleGenerateCommand.spec,
         InitCommand.spec, ImportCommand.spec, FixturesCommand.spec, FixturesVerifyCommand.spec, NotifyCommand.spec, OutboxListCommand.spec,
         OutboxShowCommand.spec, OutboxSendCommand.spec, OutboxLettersCommand.spec, OutboxExportCommand.spec, HistoryCommand.spec, CodeGenerateCommand.spec, IdentifyCommand.spec, OpposeCommand.spec,
         ContactsShowCommand.spec, ActivateCommand.spec, CloseCommand.spec, SweepCommand.spec, LoginCommand.spec, LogoutCommand.spec, RecoverCommands.identifier, RecoverCommands.password, ProfilesListCommand.spec,
         ProfilesOpposeCommand.spec, ProfilesActivateCommand.spec, ReceiptCommand.spec, ReceiptVerifyCommand.spec, KeyCommands.export, KeyCommands.import,
         AdvisersAddCommand.spec, AdvisersListCommand.spec, AdvisersReleaseCommand.spec, BatchCommand.spec, DemoCommand.spec, SchemaCommand.spec]
            + StoreSafetyCommands.all + DocumentationCommands.all
    }
}

/// `mes completions` and `mes manpage`: the shell scripts and man page, made from this table.
enum DocumentationCommands {
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
