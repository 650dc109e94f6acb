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

/// Runs `mes` on a pseudo-terminal (Python's pty module), types `input` once the prompt shows,
/// and returns the exit status, the screen and the seconds from typing to exit.
func onTerminal(_ args: [String], env: [String: String], prompt: String, input: String) throws -> (Int32, String, Double) {
    let script = """
    import os, pty, sys, time, json, select
    args = json.loads(sys.argv[1]); prompt = sys.argv[2].encode(); typed = sys.argv[3].encode()
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(args[0], args)
    out = b""; deadline = time.time() + 20; sent_at = None; closed = False
    while time.time() < deadline:
        r, _, _ = select.select([] if closed else [fd], [], [], 0.05)
        if r:
            try: chunk = os.read(fd, 4096)
            except OSError: chunk = b""
            if not chunk: closed = True
            out += chunk
        if sent_at is None and prompt in out:
            os.write(fd, typed); sent_at = time.time()
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            try:
                while not closed:
                    r, _, _ = select.select([fd], [], [], 0.05)
                    if not r: break
                    chunk = os.read(fd, 4096)
                    if not chunk: break
                    out += chunk
            except OSError: pass
            print(json.dumps({"status": os.waitstatus_to_exitcode(status), "out": out.decode("utf-8", "replace"),
                              "after": time.time() - (sent_at or time.time())}))
            sys.exit(0)
    os.kill(pid, 9)
    print(json.dumps({"status": -1, "out": out.decode("utf-8", "replace"), "after": 99}))
    """
    let argv = String(decoding: try JSONSerialization.data(withJSONObject: [mesBinary.path] + args), as: UTF8.self)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    p.arguments = ["-c", script, argv, prompt, input]
    var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MES_") }
    for (k, v) in env { environment[k] = v }
    p.environment = environment
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    let o = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    return (Int32(o["status"] as? Int ?? -2), o["out"] as? String ?? "", o["after"] as? Double ?? 99)
}

/// Runs mes on a pseudo-terminal as a conversation: for each step, waits (5 s at most) until
/// the screen shows `waitFor`, then types `type`. The exit status, the screen, and how many steps
/// saw what they waited for before their time ran out.
func onTerminal(_ args: [String], env: [String: String], steps: [(waitFor: String, type: String)]) throws -> (Int32, String, Int) {
    let script = """
    import os, pty, sys, time, json, select
    args = json.loads(sys.argv[1]); steps = json.loads(sys.argv[2])
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(args[0], args)
    out = b""; seen = 0
    def read_for(seconds, want=None):
        global out
        end = time.time() + seconds
        while time.time() < end:
            if want is not None and want.encode() in out: return True
            r, _, _ = select.select([fd], [], [], 0.05)
            if r:
                try: chunk = os.read(fd, 4096)
                except OSError: return False
                if not chunk: return False
                out += chunk
        return want is not None and want.encode() in out
    for want, typed in steps:
        if read_for(5, want): seen += 1
        os.write(fd, typed.encode())
    read_for(2)
    _, status = os.waitpid(pid, 0)
    print(json.dumps({"status": os.waitstatus_to_exitcode(status), "out": out.decode("utf-8", "replace"), "seen": seen}))
    """
    let argv = String(decoding: try JSONSerialization.data(withJSONObject: [mesBinary.path] + args), as: UTF8.self)
    let stepsJSON = String(decoding: try JSONSerialization.data(withJSONObject: steps.map { [$0.waitFor, $0.type] }), as: UTF8.self)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    p.arguments = ["-c", script, argv, stepsJSON]
    var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MES_") }
    for (k, v) in env { environment[k] = v }
    p.environment = environment
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    let o = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    return (Int32(o["status"] as? Int ?? -2), o["out"] as? String ?? "", o["seen"] as? Int ?? 0)
}

extension Scenario {
    /// Another process holds the store's write lock for `seconds` (SQLite's BEGIN IMMEDIATE from
    /// Python); returns once it holds it. Wait for the process before the scenario ends.
    func holdStoreLock(seconds: Double) throws -> Process {
        let marker = dir.appendingPathComponent("locked-\(UUID().uuidString)").path
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        holder.arguments = ["-c", """
            import sqlite3, sys, time
            c = sqlite3.connect(sys.argv[1], isolation_level=None); c.execute("BEGIN IMMEDIATE")
            open(sys.argv[2], "w").write("locked"); time.sleep(float(sys.argv[3])); c.execute("COMMIT")
            """, store + "/mes.db", marker, String(seconds)]
        try holder.run()
        while !FileManager.default.fileExists(atPath: marker) { usleep(5_000) }
        return holder
    }
}
