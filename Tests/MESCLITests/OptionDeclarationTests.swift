import Foundation
import Testing
import TestSupport
@testable import MESCLI

/// Commands read their options through constants (`inv[Self.report]`, `inv[SharedOptions.nir]`),
/// never by name, so a typo does not compile. What the compiler cannot see is a constant read by
/// a command whose spec does not list it (it would quietly read nothing): `Invocation` asserts it
/// on every read in debug builds, and this test checks every command file's reads against its
/// specs, including the options the shared helpers read for it.
@Suite struct OptionDeclarationTests {
    /// Option names declared as constants in a source text: `static let x = Option("name"`.
    static func constants(in text: String) -> [String: String] {
        let pattern = try! NSRegularExpression(pattern: #"static let (\w+) = (?:Option|Flag)\(\s*"([a-z0-9-]+)""#)
        var out: [String: String] = [:]
        for m in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            out[String(text[Range(m.range(at: 1), in: text)!])] = String(text[Range(m.range(at: 2), in: text)!])
        }
        return out
    }

    /// The options the shared helpers read on a command's behalf.
    static let helpers: [String: [String]] = [
        "Args.cardIdentity(": ["nir", "card", "serial"], "Args.nir(inv)": ["nir"], "Args.card(": ["card"],
        "Args.session(": ["session", "session-file"], "Args.code(": ["code", "code-file"], "Args.username(": ["username"],
        "Args.profileID(": ["profile"], "Confirmation.require(": ["yes"], "Confirmation.password(": ["password-file"],
        "SendNow.deliver(": ["no-send"],
    ]

    @Test func everyOptionACommandReadsIsDeclaredInItsSpec() throws {
        let sources = packageRoot.appendingPathComponent("Sources/MESCLI")
        let shared = Self.constants(in: try String(contentsOf: sources.appendingPathComponent("Arguments.swift"), encoding: .utf8))
        let commands = sources.appendingPathComponent("Commands")
        let pathPattern = try NSRegularExpression(pattern: #"CommandSpec\(\s*\[([^\]]*)\]"#)
        var checked = 0
        for file in try FileManager.default.contentsOfDirectory(atPath: commands.path) where file.hasSuffix(".swift") {
            let text = try String(contentsOf: commands.appendingPathComponent(file), encoding: .utf8)
            let own = Self.constants(in: text)
            // The commands this file declares, and the options their specs list.
            let paths = pathPattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { m in
                String(text[Range(m.range(at: 1), in: text)!]).split(separator: ",").map {
                    $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                }
            }
            let specs = CommandTable.all.filter { c in paths.contains(c.path) }
            #expect(specs.count == paths.count, "\(file): \(paths)")
            let declared = Set(specs.flatMap { $0.options.map(\.name) })
            // What the file's code reads: its own constants, the shared ones, and the helpers'.
            guard let body = text.range(of: "static func run") else { continue }
            let code = String(text[body.lowerBound...])
            var read: [String] = []
            for (constant, name) in own where code.contains("Self.\(constant)") { read.append(name) }
            for (constant, name) in shared where code.contains("SharedOptions.\(constant)") { read.append(name) }
            if code.contains("SendNow.option") { read.append("no-send") }
            for (helper, names) in Self.helpers where code.contains(helper) { read += names }
            for name in read {
                #expect(declared.contains(name), "\(file) reads --\(name), which its spec does not declare")
                checked += 1
            }
        }
        #expect(checked > 80)
    }

    @Test func aLookupOfAnUndeclaredOptionIsCaught() {
        let inv = Invocation(command: LogoutCommand.spec)
        #expect(inv.declares(SharedOptions.session))
        #expect(!inv.declares(SharedOptions.nir))
        #expect(!inv.declares(BatchCommand.check))
    }
}
