import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The package root (for Fixtures/, man/, completions/, schemas/).
public let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The `mes` the end-to-end tests run: `$MES_TEST_BINARY` when set (the whole suite run by
/// `scripts/test` sets it to the release binary it has just built from this tree: the artefact
/// users run, and a third of the debug build's CPU time), else `debugBinary`.
public let mesBinary: URL = {
    if let given = ProcessInfo.processInfo.environment["MES_TEST_BINARY"], !given.isEmpty { return URL(fileURLWithPath: given) }
    return debugBinary
}()

/// The debug build of `mes`: the first `mes` file found walking up from the test bundle
/// (`.build/<triple>/debug/mes`), else `.build/debug/mes` under the package root.
public let debugBinary: URL = {
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

/// What one run of a program gave.
public struct RunResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String

    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }

    /// stdout parsed as one JSON object.
    public var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any] ?? [:] }
    /// stderr parsed as one JSON object (errors under --json).
    public var errorJSON: [String: Any] {
        let o = (try? JSONSerialization.jsonObject(with: Data(stderr.utf8))) as? [String: Any] ?? [:]
        return o["error"] as? [String: Any] ?? [:]
    }
    /// stdout parsed as JSON Lines.
    public var jsonLines: [[String: Any]] {
        stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }
}

/// Runs a program to completion with exactly `environment`, its standard streams through files
/// (no pipe deadlock): standard input from `stdin` (nil: /dev/null), output and errors captured.
/// Killed with SIGKILL after `timeout` seconds.
public func runCaptured(_ exe: URL, _ args: [String], stdin: Data? = nil, environment: [String: String],
                        cwd: URL? = nil, timeout: TimeInterval = 120) throws -> RunResult {
    let tmp = temporaryDirectory("mes-run")
    defer { try? FileManager.default.removeItem(at: tmp) }
    let inURL = tmp.appendingPathComponent("in"), outURL = tmp.appendingPathComponent("out"), errURL = tmp.appendingPathComponent("err")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let p = Process()
    p.executableURL = exe
    p.arguments = args
    p.environment = environment
    if let cwd { p.currentDirectoryURL = cwd }
    if let stdin {
        try stdin.write(to: inURL)
        p.standardInput = try FileHandle(forReadingFrom: inURL)
    } else {
        p.standardInput = FileHandle.nullDevice
    }
    p.standardOutput = try FileHandle(forWritingTo: outURL)
    p.standardError = try FileHandle(forWritingTo: errURL)
    try p.run()
    let deadline = Date().addingTimeInterval(timeout)
    while p.isRunning && Date() < deadline { usleep(2_000) }
    if p.isRunning { kill(p.processIdentifier, SIGKILL) }
    p.waitUntilExit()
    return RunResult(status: p.terminationStatus,
                     stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                     stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
}

/// This process's environment without any `MES_` variable (a developer's settings never leak
/// into a test), then `extra` on top.
public func cleanEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
    ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MES_") }.merging(extra) { $1 }
}

/// Starts the built binary without waiting (concurrency and crash tests); output to files or nowhere.
public func startBinary(_ args: [String], env: [String: String], stdout: URL? = nil, stderr: URL? = nil) throws -> Process {
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

/// Starts the built binary, sleeps `microseconds`, kills it with SIGKILL and reaps it.
public func killBinary(_ args: [String], env: [String: String], after microseconds: UInt32) throws {
    let p = try startBinary(args, env: env)
    usleep(microseconds)
    kill(p.processIdentifier, SIGKILL)
    p.waitUntilExit()
}
