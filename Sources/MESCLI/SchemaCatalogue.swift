import MESCore
import MESRender

/// The JSON Schemas built into the binary (`EmbeddedSchemas`, generated from schemas/ by
/// scripts/make-schemas.py).
enum SchemaCatalogue {
    /// Every name, sorted.
    static var names: [String] { EmbeddedSchemas.all.map(\.name) }

    /// The schema's text (a name of `names`; the parser checks it).
    static func text(of name: String) -> String {
        EmbeddedSchemas.all.first { $0.name == name }?.text ?? ""
    }

    /// `mes schema --list`: names one a line, or names and titles under --json.
    static var listing: SimpleReport {
        SimpleReport(text: names.joined(separator: "\n"),
                     json: .obj([("schemas", .array(EmbeddedSchemas.all.map { .obj([("name", .string($0.name)), ("title", .string($0.title))]) }))]))
    }
}
