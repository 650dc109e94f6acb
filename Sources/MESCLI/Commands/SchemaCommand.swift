import MESCore
import MESRender

/// `mes schema`: the JSON Schemas of the `--json` outputs, as the binary carries them.
enum SchemaCommand {
    static let list = Flag("list", "List the schemas' names, one a line (with --json: names and titles).")

    static var spec: CommandSpec {
        CommandSpec(
            ["schema"], summary: "Print the JSON Schema (draft 2020-12) of a --json output.",
            discussion: "The schemas of schemas/ in the source tree, built into the binary: NAME is a command's words joined by '-' (nir-check, batch-oppose), error (the error document on standard error), or the rows of a file fixtures writes as JSON Lines (fixtures-roster-row, fixtures-members-row). The schema is printed as it is (it carries no schema_version), with or without --json. Error codes (code, reason, expected_reason) are enums of every stable code.",
            usages: ["mes schema NAME", "mes schema --list"],
            options: [list],
            positionals: [PositionalSpec("NAME", "the schema's name (mes schema --list)", optional: true, choices: SchemaCatalogue.names)],
            examples: ["mes schema --list", "mes schema batch-oppose > batch-oppose.schema.json"],
            run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let name = inv.positionals.first
        if inv[Self.list] {
            if name != nil { throw Usage.conflicting("list", "--list ne prend pas de NOM") }
            ctx.emit(SchemaCatalogue.listing)
            return
        }
        guard let name else { throw MESError(.missingArgument, "argument manquant : le NOM d'un schéma, ou --list", field: "NAME") }
        ctx.stdout.write(SchemaCatalogue.text(of: name) + "\n")
    }
}
