import Foundation
import Testing
@testable import MESCLI
import MESCore

/// `mes schema`: the schemas of schemas/ built into the binary (`EmbeddedSchemas`, made by
/// scripts/make-schemas.py), and error codes as enums of the catalogue.
@Suite struct SchemaCommandTests {
    static var folder: String { packageRoot.appendingPathComponent("schemas").path }

    static func file(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name + ".schema.json"))
    }

    static func schema(_ name: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: try file(name)) as? [String: Any])
    }

    /// The generated source holds exactly schemas/ (run scripts/make-schemas.py after a change).
    @Test func theEmbeddedSchemasAreThoseOfTheFolder() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder).filter { $0.hasSuffix(".schema.json") }
        #expect(EmbeddedSchemas.all.map(\.name) == files.map { String($0.dropLast(".schema.json".count)) }.sorted())
        for (name, title, text) in EmbeddedSchemas.all {
            let file = try Self.file(name), parsed = try Self.schema(name)
            #expect(Data((text + "\n").utf8) == file, "\(name): run python3 scripts/make-schemas.py")
            #expect(parsed["title"] as? String == title)
        }
    }

    @Test func everySchemaPrintsAsItsFile() throws {
        for name in SchemaCatalogue.names {
            let r = mes(["schema", name]), file = try Self.file(name)
            #expect(r.status == 0 && Data(r.stdout.utf8) == file, "\(name)")
            #expect(mes(["schema", name, "--json"]).stdout == r.stdout)
        }
        let list = mes(["schema", "--list"])
        #expect(list.status == 0 && list.stdout == SchemaCatalogue.names.joined(separator: "\n") + "\n")
        let json = mes(["schema", "--list", "--json"]).json["schemas"] as? [[String: String]] ?? []
        #expect(json.map { $0["name"] ?? "" } == SchemaCatalogue.names && json.first?["title"] == "mes activate (--json)")
    }

    /// Every field that carries an error code lists the catalogue, no more and no less.
    @Test func reasonCodesAreTheCatalogue() throws {
        let catalogue = ErrorCode.allCases.map(\.rawValue)
        func enumAt(_ name: String, _ path: [String]) throws -> [String] {
            var node: Any = try Self.schema(name)
            for key in path {
                if let i = Int(key), let a = node as? [Any] { node = a[i] } else { node = (node as? [String: Any])?[key] as Any }
            }
            if let any = (node as? [String: Any])?["anyOf"] as? [[String: Any]] { node = any[0] }
            return (node as? [String: Any])?["enum"] as? [String] ?? []
        }
        let places: [(String, [String])] = [
            ("error", ["properties", "error", "properties", "code"]),
            ("error", ["properties", "error", "properties", "errors", "items", "properties", "code"]),
            ("nir-check", ["oneOf", "1", "properties", "code"]),
            ("vitale-check", ["properties", "code"]),
            ("vitale-generate", ["properties", "code"]),
            ("batch-oppose", ["oneOf", "0", "properties", "reason"]),
            ("fixtures-members-row", ["properties", "expected_reason"]),
        ]
        for (name, path) in places {
            let listed = try enumAt(name, path)
            #expect(listed == catalogue, "\(name) \(path)")
        }
        let checked = try enumAt("nir-check", ["oneOf", "1", "properties", "reason"]), generated = try enumAt("nir-generate", ["properties", "reason"])
        #expect(checked == NIRReason.allCases.map(\.rawValue))
        // `nir generate --invalid --reason empty` gives the empty input too, and each line its code.
        #expect(generated == NIRReason.allCases.map(\.rawValue))
        #expect(Set(try enumAt("nir-generate", ["properties", "code"])) == Set(NIRReason.allCases.map(\.code.rawValue)))
    }

    /// Arguments abused: unknown or hostile names, both forms at once, a NAME too many, a full disk.
    @Test func badArgumentsAreUsageErrors() throws {
        for args in [["schema"], ["schema", "opose"], ["schema", "../schemas/oppose"], ["schema", "oppose", "error"],
                     ["schema", "--list", "oppose"], ["schema", "--list=yes"], ["schema", ""], ["schema", "oppose\u{1B}[2J"]] {
            let r = mes(args)
            #expect(r.status == 64 && r.stdout.isEmpty, "\(args): \(r.status) \(r.stderr)")
            #expect(!r.stderr.contains("\u{1B}"), "\(args)")
        }
        #expect(mes(["schema", "opose"]).stderr.contains("vouliez-vous dire « oppose » ?"))
        let full = try sh("\"$MES\" schema oppose > /dev/full", env: [:])
        #expect(full.status == 74, "\(full.err)")
        let closed = try sh("\"$MES\" schema --list >&-", env: [:])
        #expect(closed.status == 74, "\(closed.err)")
    }
}
