#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MESCore
import MESRender
import MESService

/// What a command runs with: streams, environment and the global options.
public final class Context {
    public let stdout: Output
    public let stderr: Output
    public let stdin: Input
    public let environment: [String: String]
    /// `--json` was given.
    public var json = false
    /// `--store` given on the command line, if any.
    public var storeOption: String?
    /// `--now` given on the command line, if any.
    public var nowOption: String?
    /// `-q`/`--quiet`: no progress, no notes or summary on standard error (errors still).
    public var quiet = false
    /// `-v`/`--verbose`: each step on standard error (progress as lines when it is no terminal).
    public var verbose = false
    /// `--wait SECONDS` given on the command line: how long a store kept busy by another process
    /// is waited for (`Service.defaultLockWait` otherwise).
    public var waitOption: String?
    /// The progress line on a terminal's standard error, wiped before anything else is printed.
    private(set) lazy var progressLine = ProgressLine(stderr)

    public init(stdout: Output, stderr: Output, stdin: Input, environment: [String: String]) {
        self.stdout = stdout
        self.stderr = stderr
        self.stdin = stdin
        self.environment = environment
    }

    /// The data directory: `--store`, else `$MES_HOME`, else `$XDG_DATA_HOME/mes`, else `~/.local/share/mes`.
    public var storeDirectory: String {
        if let s = storeOption, !s.isEmpty { return s }
        if let s = environment["MES_HOME"], !s.isEmpty { return s }
        if let s = environment["XDG_DATA_HOME"], !s.isEmpty { return s + "/mes" }
        return (environment["HOME"] ?? ".") + "/.local/share/mes"
    }

    /// The clock: `--now`, else `$MES_NOW`, else the system clock.
    public func clock() throws -> any Clock {
        guard let text = nowOption ?? environment["MES_NOW"], !text.isEmpty else { return SystemClock() }
        guard let i = Instant.parse(text) else {
            throw Usage.invalidValue("now", expected: "un instant tel que 2022-02-03T10:00:00Z", got: text)
        }
        return FixedClock(i)
    }

    /// Whether `--now` or `$MES_NOW` gives the clock (else it is the system's).
    public var clockIsGiven: Bool { !(nowOption ?? environment["MES_NOW"] ?? "").isEmpty }

    /// The time now, by `clock()`.
    public func now() throws -> Instant { try clock().now() }

    /// The use cases over the store in the data directory. On a terminal, a store kept busy by
    /// another process says that the command is waiting.
    public func service() throws -> Service {
        let wait = try lockWait()
        let service = try Service.open(storeDirectory, clock: clock(), delivery: deliverySettings(), lockWait: wait)
        for n in service.storeNotes { note(n) }
        if verbose { step("base \(storeDirectory) (schéma \(service.storeSchemaVersion)), horloge \(clockIsGiven ? "fixe" : "du système")") }
        // Said whether or not standard error is a terminal (a script's log shows why it is slow).
        if !quiet {
            service.onStoreWait = { [weak self] in
                self?.progressLine.clear()
                self?.stderr.line("mes: la base est occupée par un autre processus : attente (au plus \(Self.seconds(wait)) s, --wait)…")
                self?.stderr.flush()
            }
        }
        service.onProgress = progressObserver
        if verbose && !quiet { service.onStep = { [weak self] in self?.step($0) } }
        return service
    }

    /// How long to wait for a busy store: `--wait`, else `$MES_WAIT`, else the default.
    public func lockWait() throws -> Double {
        guard let text = waitOption ?? environment["MES_WAIT"], !text.isEmpty else { return Service.defaultLockWait }
        guard let seconds = Double(text), seconds >= 0, seconds <= 86_400, seconds.isFinite else {
            throw Usage.invalidValue("wait", expected: "un nombre de secondes entre 0 et 86400", got: text)
        }
        return seconds
    }

    static func seconds(_ s: Double) -> String {
        s == s.rounded() ? String(Int(s)) : String(s).replacing(".", with: ",")
    }

    /// What a long use case is told to report its progress to: the line on a terminal, lines
    /// under `--verbose` when standard error is no terminal, nothing for scripts or `--quiet`.
    public var progressObserver: ((Progress) -> Void)? {
        if quiet { return nil }
        if stderr.isTerminal { return { [weak self] p in self?.progressLine.show(p) } }
        if verbose { return { [weak self] p in self?.step(ProgressLine.text(p, elapsed: nil)) } }
        return nil
    }

    /// A step under `--verbose`, on standard error.
    public func step(_ s: String) {
        guard verbose && !quiet else { return }
        progressLine.clear()
        stderr.line("mes: " + s)
    }

    /// Prints a result: its text form, or its JSON document under `--json`.
    public func emit(_ report: Report) {
        progressLine.clear()
        if json {
            var out = [UInt8]()
            var doc = report.json
            if case .object(let pairs) = doc, !pairs.contains(where: { $0.0 == "schema_version" }) {
                doc = .object([("schema_version", .int(JSON.schemaVersion))] + pairs)
            }
            doc.write(into: &out)
            out.append(0x0A)
            stdout.write(bytes: out)
        } else {
            let t = report.text
            if !t.isEmpty { stdout.write(t.hasSuffix("\n") ? t : t + "\n") }
        }
    }

    /// Prints a list as it is produced, so that memory stays flat in its length: one text line
    /// per element (`empty` when there is none), or under `--json` the one document
    /// `{"schema_version": 2, key: [...]}` written element by element. `produce` calls its
    /// argument for each element; it stops (throwing 74) when standard output is gone.
    public func emitList<T>(key: String, empty: String, text: @escaping (T) -> String, json: @escaping (T) -> JSON,
                            _ produce: ((T) throws -> Void) throws -> Void) throws {
        var count = 0
        if self.json { stdout.write("{\"schema_version\":\(JSON.schemaVersion),\"\(key)\":[") }
        try produce { element in
            if self.json {
                stdout.append { out in
                    if count > 0 { out.append(0x2C) }
                    json(element).write(into: &out)
                }
            } else {
                stdout.line(text(element))
            }
            count += 1
            if count % 1_000 == 0 {
                stdout.flush()
                try stdout.check()
            }
        }
        if self.json { stdout.write("]}\n") } else if count == 0 && !empty.isEmpty { stdout.line(empty) }
    }

    /// `emit`, delivered at once: throws (74) when standard output cannot take it, so that a
    /// caller can keep a side effect from happening (a code spent, a session opened).
    public func emitNow(_ report: Report) throws {
        emit(report)
        try stdout.check()
    }

    /// A note for people on stderr (never under `--json`... unless it is a warning scripts may ignore).
    /// Nothing under `--quiet`.
    public func note(_ s: String) {
        guard !quiet else { return }
        progressLine.clear()
        stderr.line(s)
    }
}

/// A command's result, rendered as text for people or JSON for scripts from one value.
public protocol Report {
    var text: String { get }
    var json: JSON { get }
}

/// A report made of a text and a JSON value given directly.
public struct SimpleReport: Report {
    public let text: String
    public let json: JSON
    public init(text: String, json: JSON) {
        self.text = text
        self.json = json
    }
}
