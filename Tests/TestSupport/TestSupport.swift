import Foundation
import MESCore

// Helpers shared by the test targets (never linked into `mes`).

/// A program found in PATH, or nil.
public func findProgram(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// Runs a program to completion; its status and output (stdout and stderr interleaved).
@discardableResult
public func runProgram(_ exe: String, _ args: [String]) throws -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: exe)
    p.arguments = args
    let out = Pipe()
    p.standardOutput = out
    p.standardError = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// The error a call throws (nil when it does not throw an `MESError`).
public func thrownError(_ body: () throws -> Void) -> MESError? {
    do { try body(); return nil } catch let e as MESError { return e } catch { return nil }
}

/// How long a call takes, on the monotonic clock.
public func elapsed(_ body: () throws -> Void) rethrows -> Duration {
    let clock = ContinuousClock()
    let start = clock.now
    try body()
    return clock.now - start
}

/// How long a call takes, in seconds (wall clock).
public func elapsedSeconds(_ body: () throws -> Void) rethrows -> Double {
    let start = Date()
    try body()
    return Date().timeIntervalSince(start)
}
