import Foundation
import Testing

/// The README's examples run as written, in order, from the repository's root: no command of
/// theirs meets a usage error, a missing file or an internal error.
@Suite(.serialized) struct ReadmeExamplesTests {
    /// The `sh` blocks of the README's Examples section, in order.
    static func blocks() throws -> [String] {
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        guard let start = readme.range(of: "## Examples"), let end = readme.range(of: "\n## ", range: start.upperBound..<readme.endIndex) else {
            return []
        }
        var blocks: [String] = []
        var rest = readme[start.upperBound..<end.lowerBound]
        while let open = rest.range(of: "```sh\n"), let close = rest.range(of: "```", range: open.upperBound..<rest.endIndex) {
            blocks.append(String(rest[open.upperBound..<close.lowerBound]))
            rest = rest[close.upperBound...]
        }
        return blocks
    }

    @Test func everyExampleRunsAsWritten() throws {
        let blocks = try Self.blocks()
        #expect(blocks.count >= 5)
        let work = temporaryDirectory("mes-readme")
        let bin = work.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: bin.appendingPathComponent("mes").path, withDestinationPath: mesBinary.path)
        let statuses = work.appendingPathComponent("statuses").path
        // The examples' paths, moved into the work directory.
        let moved: [(String, String)] = [
            ("/tmp/mes-example", work.appendingPathComponent("store").path),
            ("justificatif.pdf", work.appendingPathComponent("justificatif.pdf").path),
            ("cloture.pdf", work.appendingPathComponent("cloture.pdf").path),
            ("justificatifs/", work.appendingPathComponent("justificatifs").path + "/"),
            (" registre.csv", " " + work.appendingPathComponent("registre.csv").path),
            (" adherents.csv", " " + work.appendingPathComponent("adherents.csv").path),
            ("> resultats.jsonl", "> " + work.appendingPathComponent("resultats.jsonl").path),
            (" resultats.jsonl", " " + work.appendingPathComponent("resultats.jsonl").path),
            (" rapport.csv", " " + work.appendingPathComponent("rapport.csv").path),
            (" rapport-codes.csv", " " + work.appendingPathComponent("rapport-codes.csv").path),
            (" membres.csv", " " + work.appendingPathComponent("membres.csv").path),
            (" registre-membres.csv", " " + work.appendingPathComponent("registre-membres.csv").path),
            (" pw.txt", " " + work.appendingPathComponent("pw.txt").path),
            (" otp.txt", " " + work.appendingPathComponent("otp.txt").path),
            (" roster.csv", " " + work.appendingPathComponent("roster.csv").path),
            (" r.csv", " " + work.appendingPathComponent("r.csv").path),
            (" m.csv", " " + work.appendingPathComponent("m.csv").path),
            (" lettres.pdf", " " + work.appendingPathComponent("lettres.pdf").path),
            (" courriers.pdf", " " + work.appendingPathComponent("courriers.pdf").path),
            (" rapport.ods", " " + work.appendingPathComponent("rapport.ods").path),
        ]
        var examples = blocks.joined(separator: "\n")
        for (from, to) in moved { examples = examples.replacingOccurrences(of: from, with: to) }
        // `mes` records each status; the blocks run in one shell, in order, from the package root.
        let script = """
            mes() { command mes "$@"; s=$?; printf '%s\\t%s\\n' "$s" "$*" >> \(statuses); return $s; }
            cd \(packageRoot.path)
            \(examples)
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-c", script]
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MES_") }
        env["PATH"] = bin.path + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        env["HOME"] = work.path
        p.environment = env
        p.standardOutput = FileHandle.nullDevice
        let err = work.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        p.waitUntilExit()
        let lines = try String(contentsOfFile: statuses, encoding: .utf8).split(separator: "\n")
        #expect(lines.count >= 40, "\(lines.count) commands ran")
        let broken = lines.filter { ["64", "66", "70", "73", "74"].contains(String($0.prefix { $0 != "\t" })) }
        let stderr = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        #expect(broken.isEmpty, "\(broken)\n\(stderr.suffix(3000))")
        #expect(lines.contains { $0.hasPrefix("0\treceipt verify") }, "the receipt verifies")
        #expect(lines.contains { $0.hasPrefix("0\tlogin --username martine.l --otp-file") }, "the sign-in opens a session")
    }
}
