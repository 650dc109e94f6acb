import Foundation
@testable import MESCLI
import MESCore

/// The package root (for Fixtures/, man/, completions/).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// What one run of `mes` gave.
struct RunResult {
    let status: Int32
    let stdout: String
    let stderr: String

    /// stdout parsed as one JSON object.
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any] ?? [:] }
    /// stderr parsed as one JSON object (errors under --json).
    var errorJSON: [String: Any] {
        let o = (try? JSONSerialization.jsonObject(with: Data(stderr.utf8))) as? [String: Any] ?? [:]
        return o["error"] as? [String: Any] ?? [:]
    }
    /// stdout parsed as JSON Lines.
    var jsonLines: [[String: Any]] {
        stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }
}

/// Runs `mes` in-process (fast; same code path as the binary but for the process boundary).
func mes(_ args: [String], stdin: String = "", env: [String: String] = [:]) -> RunResult {
    let ctx = Context(stdout: Output(), stderr: Output(), stdin: Input(stdin), environment: env)
    let status = MES.run(args, context: ctx)
    ctx.stdout.flush()
    ctx.stderr.flush()
    return RunResult(status: status.rawValue, stdout: ctx.stdout.text, stderr: ctx.stderr.text)
}

/// The built `mes` executable, next to the test bundle.
let mesBinary: URL = {
    var exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    if let p = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { exe = URL(fileURLWithPath: p) }
    var dir = exe.deletingLastPathComponent()
    while dir.path != "/" {
        let candidate = dir.appendingPathComponent("mes")
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDir), !isDir.boolValue { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    return packageRoot.appendingPathComponent(".build/debug/mes")
}()

/// Starts the built binary without waiting (concurrency and crash tests); output to files or nowhere.
func startBinary(_ args: [String], env: [String: String], stdout: URL? = nil, stderr: URL? = nil) throws -> Process {
    let p = Process()
    p.executableURL = mesBinary
    p.arguments = args
    p.environment = env
    for url in [stdout, stderr].compactMap({ $0 }) { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
    p.standardOutput = try stdout.map { try FileHandle(forWritingTo: $0) } ?? FileHandle.nullDevice
    p.standardError = try stderr.map { try FileHandle(forWritingTo: $0) } ?? FileHandle.nullDevice
    try p.run()
    return p
}

/// Runs the built binary as a user would; output goes through files (no pipe deadlock).
func runBinary(_ args: [String], stdin: Data = Data(), env: [String: String] = [:], timeout: TimeInterval = 120) throws -> RunResult {
    let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("mes-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: tmp) }
    let inURL = tmp.appendingPathComponent("in"), outURL = tmp.appendingPathComponent("out"), errURL = tmp.appendingPathComponent("err")
    try stdin.write(to: inURL)
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let p = Process()
    p.executableURL = mesBinary
    p.arguments = args
    var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MES_") }
    for (k, v) in env { environment[k] = v }
    p.environment = environment
    p.standardInput = try FileHandle(forReadingFrom: inURL)
    p.standardOutput = try FileHandle(forWritingTo: outURL)
    p.standardError = try FileHandle(forWritingTo: errURL)
    try p.run()
    let deadline = Date().addingTimeInterval(timeout)
    while p.isRunning && Date() < deadline { usleep(2_000) }
    if p.isRunning { p.terminate() }
    p.waitUntilExit()
    return RunResult(status: p.terminationStatus,
                     stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                     stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
}

/// A fresh, empty temporary directory.
func temporaryDirectory(_ label: String = "mes") -> URL {
    let u = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
    return u
}

/// Runs the binary through /bin/sh (`$MES` names it) so that redirections (`>/dev/full`, `>&-`,
/// `</dev/zero`) apply.
func sh(_ command: String, env: [String: String]) throws -> (status: Int32, err: String, seconds: Double) {
    let dir = temporaryDirectory("sh")
    defer { try? FileManager.default.removeItem(at: dir) }
    let err = dir.appendingPathComponent("err")
    FileManager.default.createFile(atPath: err.path, contents: nil)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", command]
    var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MES_") }
    for (k, v) in env { environment[k] = v }
    environment["MES"] = mesBinary.path
    p.environment = environment
    p.standardError = try FileHandle(forWritingTo: err)
    let t = Date()
    try p.run()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: try Data(contentsOf: err), as: UTF8.self), Date().timeIntervalSince(t))
}
