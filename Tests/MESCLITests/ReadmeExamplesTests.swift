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
        // `mes` records each status; the blocks run in one shell, in order, from the package root.
        let script = """
            mes() { command mes "$@"; s=$?; printf '%s\\t%s\\n' "$s" "$*" >> \(statuses); return $s; }
            cd \(packageRoot.path)
            \(blocks.joined(separator: "\n").replacingOccurrences(of: "/tmp/mes-example", with: work.appendingPathComponent("store").path)
                .replacingOccurrences(of: "justificatif.pdf", with: work.appendingPathComponent("justificatif.pdf").path)
                .replacingOccurrences(of: "justificatifs/", with: work.appendingPathComponent("justificatifs").path + "/")
                .replacingOccurrences(of: " registre.csv", with: " " + work.appendingPathComponent("registre.csv").path)
                .replacingOccurrences(of: " adherents.csv", with: " " + work.appendingPathComponent("adherents.csv").path)
                .replacingOccurrences(of: "> resultats.jsonl", with: "> " + work.appendingPathComponent("resultats.jsonl").path)
                .replacingOccurrences(of: " rapport.csv", with: " " + work.appendingPathComponent("rapport.csv").path)
                .replacingOccurrences(of: " rapport-codes.csv", with: " " + work.appendingPathComponent("rapport-codes.csv").path)
                .replacingOccurrences(of: " membres.csv", with: " " + work.appendingPathComponent("membres.csv").path)
                .replacingOccurrences(of: " registre-membres.csv", with: " " + work.appendingPathComponent("registre-membres.csv").path)
                .replacingOccurrences(of: " pw.txt", with: " " + work.appendingPathComponent("pw.txt").path)
                .replacingOccurrences(of: " otp.txt", with: " " + work.appendingPathComponent("otp.txt").path)
                .replacingOccurrences(of: " roster.csv", with: " " + work.appendingPathComponent("roster.csv").path)
                .replacingOccurrences(of: " r.csv", with: " " + work.appendingPathComponent("r.csv").path)
                .replacingOccurrences(of: " m.csv", with: " " + work.appendingPathComponent("m.csv").path))
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
        FileManager.default.createFile(atPath: err.path, contents: nil)
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
