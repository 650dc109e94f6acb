#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MESCore
import MESRender

/// The `mes` program: parse, run, and funnel every error to one renderer and one exit status.
public enum MES {
    public static let version = Versions.mes

    /// Entry point of the executable.
    public static func main() -> Never {
        signal(SIGPIPE, SIG_IGN)
        let env = Environment.current()
        let ctx = Context(stdout: Output(fd: 1), stderr: Output(fd: 2), stdin: Input(fd: 0), environment: env)
        let status = run(Array(CommandLine.arguments.dropFirst()), context: ctx)
        ctx.stdout.flush()
        ctx.stderr.flush()
        exit(status.rawValue)
    }

    /// Runs one command line in-process and returns its exit status (tests call this).
    @discardableResult
    public static func run(_ args: [String], context ctx: Context) -> ExitStatus {
        let parser = Parser(entries: CommandTable.entries)
        // --json anywhere (before "--") also shapes the errors met while parsing.
        if args.prefix(while: { $0 != "--" }).contains("--json") { ctx.json = true }
        do {
            switch try parser.parse(args, context: ctx) {
            case .version:
                ctx.emit(SimpleReport(text: "mes \(version)",
                                      json: .obj([("version", .string(version)), ("commit", .string(BuildInfo.commit)),
                                                  ("fixtures_version", .int(Versions.fixtures)),
                                                  ("json_schema_version", .int(Versions.json)),
                                                  ("generators", .obj(Versions.generators.map { ($0.0, .int($0.1)) }))])))
            case .help(let path):
                ctx.stdout.write(try Help.text(for: path, parser: parser, width: Help.width(ctx)))
            case .usage:
                ctx.stdout.write(Help.brief(parser: parser, width: Help.width(ctx)))
            case .run(let inv):
                if ctx.quiet && ctx.verbose { throw Usage.conflicting("quiet", "--quiet et --verbose s'excluent") }
                try inv.command.run(inv, ctx)
            }
            try ctx.stdout.check()
            return .success
        } catch let e as MESError {
            report(e, ctx)
            return e.status
        } catch let e as MESErrorConvertible {
            report(e.mesError, ctx)
            return e.mesError.status
        } catch let e as ExitRequest {
            ctx.stdout.flush()
            if let failure = ctx.stdout.failure {
                report(failure.error, ctx)
                return failure.error.status
            }
            return e.status
        } catch {
            report(MESError(.internal, "erreur interne : \(error)"), ctx)
            return .internal
        }
    }

    /// An error's field as scripts read it: the snake_case name of the flag or column
    /// (`birth-date` → `birth_date`, `FILE` → `file`, `ligne 3, nir` → `nir`).
    static func jsonField(_ field: String) -> String {
        let name = field.split(separator: ",").last.map { $0.trimmingSpaces() } ?? field
        return name.lowercased().replacing("-", with: "_")
    }

    /// The one place errors are shown: `mes: field: message` on stderr, or a JSON document on stderr under `--json`.
    static func report(_ error: MESError, _ ctx: Context) {
        let e = ErrorHints.decorate(error)
        ctx.progressLine.clear()
        ctx.stdout.flush()
        // A reader that went away (`| head -1`) needs no message; the status says it.
        if e.code == .outputFailed, ctx.stdout.failure?.isBrokenPipe == true { return }
        if ctx.json {
            let errors: JSON? = e.details.isEmpty ? nil : .array(e.details.map { d in
                .obj([("line", d.line.map { .int($0) }), ("field", .string(jsonField(d.field))), ("code", .string(d.code.rawValue)),
                      ("message", .string(d.message))])
            })
            let doc = JSON.obj([("schema_version", .int(JSON.schemaVersion)),
                                ("error", .obj([("code", .string(e.code.rawValue)), ("message", .string(e.message)),
                                                ("field", e.field.map { .string(jsonField($0)) }), ("exit", .int(Int(e.status.rawValue))),
                                                ("help", e.help.map { .string($0) }), ("errors", errors)]))])
            ctx.stderr.line(doc.serialized())
        } else {
            // Data quoted in a message (a CSV header, a file name) cannot drive the terminal.
            // Line by line: a message of several lines (an import's row errors) keeps its lines.
            ctx.stderr.line("mes: " + e.description.split(separator: "\n", omittingEmptySubsequences: false)
                .map { TextEscaping.terminalSafe(String($0)) }.joined(separator: "\n"))
            if let help = e.help { ctx.stderr.line(help) }
            if e.status == .usage { ctx.stderr.line("Aide : « mes --help » ou « mes help COMMANDE »") }
        }
        ctx.stderr.flush()
    }
}

/// Thrown by a command that already printed its results but must end with a non-zero status
/// (e.g. `nir check` with some invalid inputs).
public struct ExitRequest: Error {
    public let status: ExitStatus
    public init(_ status: ExitStatus) { self.status = status }
}

enum Environment {
    static func current() -> [String: String] {
        var env: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") { env[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
            p += 1
        }
        return env
    }
}
