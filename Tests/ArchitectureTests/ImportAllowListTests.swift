import Foundation
import Testing

/// The layers, enforced: every `import` of every Swift file under `Sources/<Module>/` must be in
/// its module's allow-list. The table is the picture of docs/ARCHITECTURE.md; change both together.
@Suite struct ImportAllowListTests {
    /// The C library, under its name on each system (`mes` builds on Linux only; the `Darwin`
    /// branches of `#if canImport` are kept so they stay harmless).
    static let libc: Set<String> = ["Glibc", "Darwin"]

    /// Which modules each module may import.
    static let allowed: [String: Set<String>] = [
        // Rules, state machine, policies: nothing, not even Foundation (no I/O).
        "MESCore": [],
        // Keyed hashes, sealing, signing (libcrypto).
        "MESCrypto": ["MESCore", "CCrypto", "Synchronization"],
        // The operating system: files, processes.
        "MESSystem": libc.union(["MESCore"]),
        // The SQLite store and the outbox (it keys, seals and signs what it keeps).
        "MESStore": libc.union(["MESCore", "MESCrypto", "MESSystem", "CSQLite"]),
        // Text, JSON, PDF and e-mail renderers: pure.
        "MESRender": ["MESCore", "CZlib", "FoundationEssentials", "Synchronization"],
        // Real transports (SMTP, sendmail, HTTP SMS gateway).
        "MESDelivery": libc.union(["MESCore", "MESSystem", "CCurl", "FoundationEssentials"]),
        // Spreadsheets (.xlsx, .ods): bytes in, bytes out, over zlib and libxml2.
        // No Foundation: its ICU headers clash with libxml2's (CXML2) in one module on a clean
        // build. MESSystem for its locks and threads only: no file I/O here.
        "MESSheets": libc.union(["MESCore", "MESSystem", "CZlib", "CXML2"]),
        // The use cases.
        "MESService": libc.union(["MESCore", "MESCrypto", "MESStore", "MESRender", "MESDelivery", "MESSystem", "MESSheets", "FoundationEssentials", "Dispatch"]),
        // The command line: arguments, commands, views.
        "MESCLI": libc.union(["MESCore", "MESRender", "MESService", "MESSystem"]),
        // The one-line main.
        "mes": ["MESCLI"],
    ]

    /// Imports outside the table, allowed in these files only until their types move
    /// (file → modules). An exception no longer used fails the test too: delete it.
    static let pending: [String: Set<String>] = [:]

    /// One `import` found in a source file.
    struct Import: Equatable, CustomStringConvertible {
        var file: String
        var line: Int
        var module: String
        var description: String { "\(file):\(line): imports \(module)" }
    }

    /// The modules a Swift source imports, with their lines: `import X`, `@testable import X`,
    /// `import struct X.Y`, `@_exported public import X.Y`… (the module is `X`). Lines inside
    /// multi-line string literals and comments are not imports.
    static func imports(in text: String, file: String) -> [Import] {
        let attribute = #"(?:@[A-Za-z_]+(?:\([^)]*\))?\s+)*"#
        let access = #"(?:(?:public|package|internal|fileprivate|private)\s+)?"#
        let kind = #"(?:(?:typealias|struct|class|enum|protocol|let|var|func)\s+)?"#
        let pattern = try! NSRegularExpression(pattern: "^\\s*" + attribute + access + "import\\s+" + kind + "([A-Za-z_][A-Za-z0-9_]*)")
        var found: [Import] = []
        var inString = false, inComment = false
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let s = String(line)
            let wasInString = inString, wasInComment = inComment
            if s.components(separatedBy: "\"\"\"").count % 2 == 0 { inString.toggle() }
            if !inString {
                if s.contains("/*") && !s.contains("*/") { inComment = true }
                if s.contains("*/") { inComment = false }
            }
            guard !wasInString, !wasInComment else { continue }
            let range = NSRange(s.startIndex..., in: s)
            if let m = pattern.firstMatch(in: s, range: range), let r = Range(m.range(at: 1), in: s) {
                found.append(Import(file: file, line: i + 1, module: String(s[r])))
            }
        }
        return found
    }

    /// The package's root, from this file's path.
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Every Swift file under `Sources/`, by module, as paths relative to the root.
    static func sources() throws -> [(module: String, file: String)] {
        let sources = root.appendingPathComponent("Sources")
        var out: [(String, String)] = []
        for module in try FileManager.default.contentsOfDirectory(atPath: sources.path).sorted() {
            guard let walk = FileManager.default.enumerator(atPath: sources.appendingPathComponent(module).path) else { continue }
            for case let path as String in walk where path.hasSuffix(".swift") {
                out.append((module, "Sources/\(module)/\(path)"))
            }
        }
        return out.sorted { $0.1 < $1.1 }
    }

    /// What breaks the table: each import outside it, named by file, line and module.
    static func violations() throws -> (imports: [String], stale: [String], modules: [String]) {
        var bad: [String] = [], used: [String: Set<String>] = [:], unknown: Set<String> = []
        for (module, file) in try sources() {
            guard let allowed = allowed[module] else { unknown.insert(module); continue }
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            for i in imports(in: text, file: file) where !allowed.contains(i.module) {
                if pending[file]?.contains(i.module) == true { used[file, default: []].insert(i.module); continue }
                bad.append("\(i.file):\(i.line): \(module) imports \(i.module), outside its allow-list \(allowed.sorted())")
            }
        }
        let stale = pending.flatMap { file, modules in
            modules.subtracting(used[file] ?? []).map { "\(file): the exception for \($0) is no longer used; delete it" }
        }
        return (bad, stale.sorted(), unknown.sorted())
    }

    @Test func everyModuleImportsOnlyWhatItsLayerAllows() throws {
        let (bad, stale, unknown) = try Self.violations()
        #expect(try Self.sources().count > 100, "the sources were found")
        #expect(unknown.isEmpty, "modules without an allow-list: \(unknown)")
        #expect(bad.isEmpty, "\n\(bad.joined(separator: "\n"))")
        #expect(stale.isEmpty, "\n\(stale.joined(separator: "\n"))")
    }

    /// The table of docs/ARCHITECTURE.md's "Allowed imports" section, as module → imports
    /// (`nothing` is none; `libc` stands for Glibc and Darwin).
    static func documentedTable(_ text: String) -> [String: Set<String>] {
        var table: [String: Set<String>] = [:]
        var inSection = false
        var inTable = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("## ") { inSection = line == "## Allowed imports"; continue }
            guard inSection else { continue }
            // The section's first table only.
            if line.hasPrefix("|") { inTable = true } else if inTable { break }
            guard line.hasPrefix("| `") else { continue }
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2 else { continue }
            let module = cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            var imports: Set<String> = []
            for item in cells[1].split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where item != "nothing" {
                if item == "libc" { imports.formUnion(libc) } else { imports.insert(item.trimmingCharacters(in: CharacterSet(charactersIn: "`"))) }
            }
            table[module] = imports
        }
        return table
    }

    /// The picture in docs/ARCHITECTURE.md is this test's table: a change to one without the
    /// other fails.
    @Test func theDocumentedTableIsTheEnforcedOne() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("docs/ARCHITECTURE.md"), encoding: .utf8)
        let documented = Self.documentedTable(text)
        #expect(documented == Self.allowed, "docs/ARCHITECTURE.md: \(documented.sorted { $0.key < $1.key })")
        // And it would notice a drift: one module more in the document is a difference.
        let drifted = text.replacingOccurrences(of: "| `MESRender` | `MESCore`, `CZlib`, `FoundationEssentials`, `Synchronization` |", with: "| `MESRender` | `MESCore`, `CZlib`, `FoundationEssentials`, `Synchronization`, `MESStore` |")
        #expect(drifted != text && Self.documentedTable(drifted) != Self.allowed)
    }

    @Test func everyFormOfImportIsRead() {
        let text = """
            import MESCore
            @testable import MESStore
            import struct MESRender.JSON
            @_exported public import MESCrypto.Signing
            @preconcurrency import Dispatch
              import  CSQLite // indented
            // import Commented
            /// import DocComment
            let x = 1 // import Trailing
            /*
            import InBlockComment
            */
            let python = \"""
                import json, sys
                \"""
            #if canImport(Glibc)
            import Glibc
            #endif
            """
        #expect(Self.imports(in: text, file: "F.swift").map(\.module)
                == ["MESCore", "MESStore", "MESRender", "MESCrypto", "Dispatch", "CSQLite", "Glibc"])
        #expect(Self.imports(in: text, file: "F.swift").map(\.line) == [1, 2, 3, 4, 5, 6, 17])
    }
}
