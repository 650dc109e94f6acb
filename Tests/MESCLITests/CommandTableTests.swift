import Testing
@testable import MESCLI

/// The command table's paths, known without building a spec, are the specs' own (issue 31:
/// a command line builds only the spec it runs).
@Suite struct CommandTableTests {
    @Test func everyEntrysPathIsItsSpecsAndUnique() {
        let entries = CommandTable.entries
        for e in entries { #expect(e.path == e.spec.path, "\(e.path) builds \(e.spec.path)") }
        #expect(Set(entries.map { $0.path.joined(separator: " ") }).count == entries.count)
        #expect(CommandTable.all.map(\.path) == entries.map(\.path))
    }

    @Test func theParserFindsCommandsAndGroupsByPath() throws {
        let parser = Parser(entries: CommandTable.entries)
        #expect(parser.children(of: ["nir"]) == ["check", "format", "key", "generate"])
        #expect(parser.command(["receipt", "verify"])?.name == "receipt verify")
        #expect(parser.command(["nir"]) == nil && parser.has(["receipt"]) && !parser.has(["nope"]))
    }
}
