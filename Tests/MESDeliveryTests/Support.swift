import Foundation
import Testing
import MESRender
@_exported import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// This test target's folder (Resources/ holds the Python servers).
let resources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources")

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// A Python server (Resources/NAME.py) started for one test on 127.0.0.1 and an ephemeral port
/// it chooses itself and writes to DIR/port. `stop()` kills it; it also exits by itself when the
/// test process goes away.
final class PythonServer {
    let process = Process()
    let dir: TempDir
    private(set) var port = 0

    init(_ script: String, _ arguments: [String] = [], label: String) throws {
        dir = try TempDir(label)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", resources.appendingPathComponent(script).path, "--dir", dir.path] + arguments
        let log = dir.file("server.log")
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Bounded wait: the port file appears once the server listens; then the port answers.
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: dir.file("port"), encoding: .utf8), let p = Int(text) { port = p; break }
            if !process.isRunning {
                let why = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                throw TestFailure("\(script) exited with \(process.terminationStatus): \(why.suffix(2000))")
            }
            usleep(10_000)
        }
        guard port > 0, waitForPort(port, until: deadline) else {
            stop()
            throw TestFailure("\(script) did not start listening within 30 s")
        }
    }

    /// SIGKILL: Foundation's Process starts children with the spawning thread's signal mask,
    /// and the test runner's threads block SIGTERM.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Every message an SMTP sink received is checked strictly (mail_check.py): a test that
    /// sent one that breaks the standards fails, whatever it was testing.
    deinit {
        stop()
        for p in mailProblems() { Issue.record("a message the SMTP server received breaks the standards: \(p)") }
        dir.remove()
    }

    /// What mail_check.py found wrong with each message the SMTP sink received (`FILE: problem`).
    func mailProblems() -> [String] {
        zip(files("json"), records()).flatMap { file, r in
            (r["problems"] as? [String] ?? []).map { "\((file as NSString).lastPathComponent): \($0)" }
        }
    }

    /// Files the server wrote with this extension, in order.
    func files(_ ext: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix("." + ext) }.sorted()
            .map { dir.file($0) }
    }

    func records() -> [[String: Any]] {
        files("json").compactMap { (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: $0)))) as? [String: Any] }
    }
}

/// Whether something accepts TCP connections on 127.0.0.1:port before the deadline.
func waitForPort(_ port: Int, until deadline: Date) -> Bool {
    while Date() < deadline {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        close(fd)
        if ok { return true }
        usleep(10_000)
    }
    return false
}

/// A TCP socket on 127.0.0.1 and an ephemeral port. `listening: false` closes it again, which
/// leaves a port where connections are refused; `listening: true` listens and never accepts
/// (connections complete in the backlog and then hear nothing).
final class LocalSocket {
    private var fd: Int32
    let port: Int

    init(listening: Bool) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        port = Int(UInt16(bigEndian: addr.sin_port))
        guard bound else { throw TestFailure("bind: \(String(cString: strerror(errno)))") }
        if listening { listen(fd, 16) } else { close(fd); self.fd = -1 }
    }

    deinit { if fd >= 0 { close(fd) } }
}

/// Runs `python3 -c SCRIPT ARGS…` and returns its standard output (through files: no pipe limits).
func python(_ script: String, _ arguments: [String] = []) throws -> String {
    let r = try runCaptured(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script] + arguments,
                            environment: ProcessInfo.processInfo.environment)
    guard r.status == 0 else { throw TestFailure("python3 exited with \(r.status): \(r.stderr)") }
    return r.stdout
}

func jsonObject(_ text: String) throws -> [String: Any] {
    guard let o = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { throw TestFailure("not a JSON object: \(text)") }
    return o
}

/// A self-signed certificate for 127.0.0.1 (EC P-256, made by the openssl command).
func selfSignedCertificate(in dir: TempDir) throws -> (cert: String, key: String) {
    let cert = dir.file("cert.pem"), key = dir.file("key.pem")
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                   "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { throw TestFailure("openssl req failed") }
    return (cert, key)
}

extension Email {
    /// What a transport is handed for this e-mail (the service's `Delivery` does the same):
    /// its body in quoted-printable, since no transport announces `BODY=8BITMIME`.
    func handedOver() -> [UInt8] { MIME.sevenBit(rendered()) }
}

extension MultipartEmail {
    /// What a transport is handed (already 7 bits: quoted-printable text, base64 attachments).
    func handedOver() -> [UInt8] { MIME.sevenBit(rendered()) }
}
