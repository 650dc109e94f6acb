import Foundation
@testable import MESCLI
import MESCore
@_exported import TestSupport

/// Runs `mes` in-process (fast; same code path as the binary but for the process boundary).
func mes(_ args: [String], stdin: String = "", env: [String: String] = [:]) -> RunResult {
    let ctx = Context(stdout: Output(), stderr: Output(), stdin: Input(stdin), environment: env)
    let status = MES.run(args, context: ctx)
    ctx.stdout.flush()
    ctx.stderr.flush()
    return RunResult(status: status.rawValue, stdout: ctx.stdout.text, stderr: ctx.stderr.text)
}

/// Runs the built binary as a user would (no `MES_` variable but `env`'s); output goes
/// through files (no pipe deadlock).
func runBinary(_ args: [String], stdin: Data = Data(), env: [String: String] = [:], timeout: TimeInterval = 120) throws -> RunResult {
    try runCaptured(mesBinary, args, stdin: stdin, environment: cleanEnvironment(env), timeout: timeout)
}

/// Runs the binary through /bin/sh (`$MES` names it) so that redirections (`>/dev/full`, `>&-`,
/// `</dev/zero`) apply.
func sh(_ command: String, env: [String: String]) throws -> (status: Int32, err: String, seconds: Double) {
    let dir = temporaryDirectory("sh")
    defer { try? FileManager.default.removeItem(at: dir) }
    let err = dir.appendingPathComponent("err")
    _ = FileManager.default.createFile(atPath: err.path, contents: nil)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", command]
    p.environment = cleanEnvironment(env.merging(["MES": mesBinary.path]) { $1 })
    p.standardError = try FileHandle(forWritingTo: err)
    let t = Date()
    try p.run()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: try Data(contentsOf: err), as: UTF8.self), Date().timeIntervalSince(t))
}
