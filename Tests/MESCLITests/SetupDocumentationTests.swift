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

/// The fixtures' version is pinned to the bytes of reference seeds (issue 33): a change to any
/// generator changes a digest below, and whoever makes it bumps `Versions.fixtures` (and the
/// generator's own version) with the new digests, and says so in CHANGELOG.md.
@Suite struct FixturesVersionTests {
    func digest(_ command: String) throws -> String {
        let dir = temporaryDirectory("fixtures-version")
        let out = dir.appendingPathComponent("sum").path
        let r = try sh("\"$MES\" \(command) | sha256sum > \(out)", env: [:])
        #expect(r.status == 0, "\(r.err)")
        return String(try String(contentsOfFile: out, encoding: .utf8).prefix(64))
    }

    @Test func theVersionIsPinnedToTheBytes() throws {
        let version = try runBinary(["--version", "--json"]).json
        // Fixtures version 4: the invalid NIRs widened (every refused month, keys 00, 98, 99,
        // letters in either case, other scripts' digits, lengths 1 to 30, separators) with their
        // code in JSON; the roster's bytes did not change.
        #expect(version["fixtures_version"] as? Int == 4)
        #expect((version["generators"] as? [String: Int]) == ["population": 4, "nir": 4, "vitale": 1])
        #expect(try digest("nir generate --invalid --seed 42 --count 300 --json") == "8a5210ef56b5e320f652963fcfd7eea48708705554508a0bde6469b172c45f22")
        #expect(try digest("fixtures --count 60 --seed 7 --now 2022-02-03T10:00:00Z --roster -") == "3eca8e516a092c7e50fbdf28f21ad95c168e09168a9c07527d1250625f865dbb")
        #expect(try digest("vitale generate --card photo --count 50 --seed 3 --invalid --json") == "b1a2f2926e182a39e4d6bbde00b41cbdb09bb88f994e96e98717efc83982e655")
    }
}

/// Generators without `--seed` say the seed they drew on standard error (issue 33), so a
/// failing CI run can be replayed byte for byte.
@Suite struct DrawnSeedTests {
    @Test(arguments: [["nir", "generate", "--count", "20", "--invalid", "--json"], ["vitale", "generate", "--card", "photo", "--count", "20"]])
    func aDrawnSeedIsSaidAndReplays(args: [String]) throws {
        let first = try runBinary(args)
        #expect(first.status == 0)
        let said = try #require(first.stderr.split(separator: " ").compactMap { UInt64($0) }.first, "\(first.stderr)")
        let again = try runBinary(args + ["--seed", String(said)])
        #expect(again.stdout == first.stdout && !again.stdout.isEmpty)
        #expect(again.stderr.isEmpty)
    }
}

/// Without `--now` (or `MES_NOW`) a seed's fixtures are those of 2026-01-01T10:00:00Z whatever
/// the day; `nir generate` and `vitale generate` do not depend on the date at all (issue 33).
@Suite struct DefaultDateTests {
    @Test func fixturesWithoutNowAreThoseOfTheFixedDate() throws {
        let plain = try runBinary(["fixtures", "--count", "60", "--seed", "3", "--roster", "-"])
        let fixed = try runBinary(["fixtures", "--count", "60", "--seed", "3", "--roster", "-", "--now", "2026-01-01T10:00:00Z"])
        let other = try runBinary(["fixtures", "--count", "60", "--seed", "3", "--roster", "-"], env: ["MES_NOW": "2027-06-01T10:00:00Z"])
        #expect(plain.status == 0 && plain.stdout == fixed.stdout && plain.stdout.count > 1_000)
        #expect(other.status == 0 && other.stdout != plain.stdout)
        let summary = try runBinary(["fixtures", "--count", "5", "--seed", "3", "--roster", "-", "--json"])
        #expect(summary.status == 0)
    }

    @Test(arguments: [["nir", "generate", "--count", "200", "--seed", "4"], ["nir", "generate", "--count", "200", "--seed", "4", "--invalid"],
                      ["vitale", "generate", "--card", "plain", "--count", "100", "--seed", "4"]])
    func generatorsIgnoreTheDate(args: [String]) throws {
        let a = try runBinary(args, env: ["MES_NOW": "2020-01-01T00:00:00Z"]), b = try runBinary(args + ["--now", "2035-12-31T23:59:59Z"])
        #expect(a.status == 0 && a.stdout == b.stdout && !a.stdout.isEmpty)
        #expect(try runBinary(args).stdout == a.stdout)
    }
}
