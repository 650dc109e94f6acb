import MESCore
import MESRender

/// Every `mes` command, in the order `--help`, the man page and the completions list them.
public enum CommandTable {
    public static var all: [CommandSpec] {
        let store: [CommandSpec] = StoreCommands.all
        var all: [CommandSpec] = IdentifierCommands.all
        all.append(contentsOf: store.prefix(2))
        all.append(FixturesCommand.spec)
        all.append(contentsOf: store.dropFirst(2))
        all.append(contentsOf: EnrolmentCommands.all)
        all.append(contentsOf: ActivationCommands.all)
        all.append(contentsOf: ProfileCommands.all)
        all.append(contentsOf: ReceiptCommands.all)
        all.append(BatchCommand.spec)
        all.append(DemoCommand.spec)
        all.append(contentsOf: DocumentationCommands.all)
        return all
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
