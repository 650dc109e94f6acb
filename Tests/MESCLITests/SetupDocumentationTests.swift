import Foundation
import Testing

/// The README's prerequisites are what the two commands install: every Debian package and
/// Python tool `scripts/test` and `scripts/demo` install is named in the README, and `.ci/run`
/// runs exactly `scripts/test`.
@Suite struct SetupDocumentationTests {
    func text(_ path: String) throws -> String {
        try String(contentsOf: packageRoot.appendingPathComponent(path), encoding: .utf8)
    }

    /// The words of `for pkg in …; do` and of `pip install … NAMES` in a script.
    func installed(_ script: String) -> [String] {
        var names: [String] = []
        for line in script.split(separator: "\n") {
            if let r = line.range(of: "for pkg in "), let end = line.range(of: "; do") {
                names += line[r.upperBound..<end.lowerBound].split(separator: " ").map(String.init)
            }
            if line.contains("pip install") {
                names += line.split(separator: " ").filter { !$0.hasPrefix("-") && !$0.contains("/") && !$0.contains("$") }
                    .drop { $0 != "install" }.dropFirst().map(String.init)
            }
        }
        return names
    }

    @Test func theReadmeNamesWhatTheTwoCommandsInstall() throws {
        let readme = try text("README.md")
        let start = try #require(readme.range(of: "## Prerequisites")).lowerBound
        let prerequisites = String(readme[start...].prefix(1_200))
        let names = installed(try text("scripts/test")) + installed(try text("scripts/demo"))
        #expect(names.contains("libsqlite3-dev") && names.contains("aiosmtpd") && names.contains("jsonschema"), "\(names)")
        for name in Set(names) {
            #expect(prerequisites.contains(name), "README's prerequisites do not name \(name)")
        }
        #expect(try text(".ci/run").contains("exec scripts/test"))
        #expect(readme.contains("```sh\nscripts/demo\n```") && readme.contains("```sh\nscripts/test\n```"))
    }
}

/// `nir check` as a CI verdict (issue 33): `--expect`, blank lines skipped and counted, empty
/// input an error.
@Suite struct NIRCheckVerdictTests {
    @Test func expectationsBlankLinesAndEmptyInput() throws {
        let valid = "116304403801618\n", invalid = "116304403801617\n"
        #expect(try runBinary(["nir", "check", "--expect", "invalid"], stdin: Data(invalid.utf8)).status == 0)
        #expect(try runBinary(["nir", "check", "--expect", "invalid"], stdin: Data((invalid + valid).utf8)).status == 65)
        #expect(try runBinary(["nir", "check", "--expect", "valid"], stdin: Data(valid.utf8)).status == 0)
        #expect(try runBinary(["nir", "check", "--expect", "valid"], stdin: Data((valid + invalid).utf8)).status == 65)
        // A trailing blank line is not an invalid NIR.
        let trailing = try runBinary(["nir", "check", "--json"], stdin: Data((valid + "\n  \n").utf8))
        #expect(trailing.status == 0 && trailing.stdout.split(separator: "\n").count == 1 && trailing.stderr.contains("2 lignes vides ignorées"))
        // No input at all fails: a broken pipeline never passes.
        for empty in ["", "\n", " \n\t\n"] {
            let r = try runBinary(["nir", "check", "--json"], stdin: Data(empty.utf8))
            #expect(r.status == 65 && r.errorJSON["code"] as? String == "input_empty", "\(empty.debugDescription): \(r.stderr)")
        }
    }
}
