import MESCore

/// One option of a command: `--name VALUE` or a flag.
public struct OptionSpec: Sendable {
    /// Long name without dashes.
    public let name: String
    public let short: Character?
    /// Placeholder for the value (`NIR`, `FILE`); nil for a flag.
    public let value: String?
    /// The accepted values, when they are a fixed set (checked and completed).
    public let choices: [String]
    /// Completion hint: a file or directory path.
    public let completesFile: Bool
    public let help: String
    public let required: Bool
    /// Completion hint: a directory (the shells offer directories only).
    public var completesDirectory: Bool = false

    public static func flag(_ name: String, short: Character? = nil, _ help: String) -> OptionSpec {
        OptionSpec(name: name, short: short, value: nil, choices: [], completesFile: false, help: help, required: false)
    }

    /// An option with a value. `file: true` completes file names, `directory: true` directories only.
    public static func value(_ name: String, short: Character? = nil, _ placeholder: String, _ help: String,
                             choices: [String] = [], file: Bool = false, directory: Bool = false,
                             required: Bool = false) -> OptionSpec {
        var o = OptionSpec(name: name, short: short, value: placeholder, choices: choices, completesFile: file || directory,
                           help: help, required: required)
        o.completesDirectory = directory
        return o
    }

    /// The same option, completed as a directory (`--receipts DIR`).
    public func asDirectory() -> OptionSpec {
        var o = self
        o.completesDirectory = true
        return o
    }
}

/// An option declared once, as a constant beside its command's spec: the spec (parsing, help,
/// man page, completions) is made from it and the command reads its value through it, so an
/// option cannot be read under a name the command does not declare.
public protocol DeclaredOption: Sendable {
    var spec: OptionSpec { get }
}

/// A spec as it is (a command table built from another's options); commands declare `Flag`s
/// and `Option`s, the only kinds `Invocation` reads.
extension OptionSpec: DeclaredOption {
    public var spec: OptionSpec { self }
}

/// A flag (`--yes`), read as `inv[flag]`.
public struct Flag: DeclaredOption {
    public let spec: OptionSpec
    public init(_ name: String, short: Character? = nil, _ help: String) { spec = .flag(name, short: short, help) }
    public var name: String { spec.name }
}

/// An option with a value (`--nir NIR`), read as `inv[option]` (nil when not given).
public struct Option: DeclaredOption {
    public let spec: OptionSpec
    /// `file: true` completes file names, `directory: true` directories only.
    public init(_ name: String, short: Character? = nil, _ placeholder: String, _ help: String, choices: [String] = [],
                file: Bool = false, directory: Bool = false, required: Bool = false) {
        spec = .value(name, short: short, placeholder, help, choices: choices, file: file, directory: directory, required: required)
    }

    private init(spec: OptionSpec) { self.spec = spec }
    public var name: String { spec.name }

    /// The same option, marked required.
    public func asRequired() -> Option {
        Option(spec: .value(spec.name, short: spec.short, spec.value ?? "", spec.help, choices: spec.choices, file: spec.completesFile,
                            directory: spec.completesDirectory, required: true))
    }
}

/// A positional argument.
public struct PositionalSpec: Sendable {
    public let name: String
    public let help: String
    public let optional: Bool
    public let repeating: Bool
    public let completesFile: Bool
    public let choices: [String]
    /// Completion hint: a directory.
    public let completesDirectory: Bool

    public init(_ name: String, _ help: String, optional: Bool = false, repeating: Bool = false,
                file: Bool = false, directory: Bool = false, choices: [String] = []) {
        self.name = name
        self.help = help
        self.optional = optional
        self.repeating = repeating
        self.completesFile = file || directory
        self.completesDirectory = directory
        self.choices = choices
    }
}

/// One `mes` command: the single description that parsing, `--help`, the man page
/// and the completion scripts are all made from.
public struct CommandSpec: Sendable {
    public typealias Run = @Sendable (Invocation, Context) throws -> Void

    /// Words after `mes`, e.g. `["nir", "check"]`.
    public let path: [String]
    public let summary: String
    /// Longer English explanation for `--help` and the man page.
    public let discussion: String
    /// Extra usage lines when the command has several forms.
    public let usages: [String]
    public let options: [OptionSpec]
    public let positionals: [PositionalSpec]
    public let examples: [String]
    public let run: Run

    public init(_ path: [String], summary: String, discussion: String = "", usages: [String] = [],
                options: [any DeclaredOption] = [], positionals: [PositionalSpec] = [], examples: [String] = [],
                run: @escaping Run) {
        self.path = path
        self.summary = summary
        self.discussion = discussion
        self.usages = usages
        self.options = options.map(\.spec)
        self.positionals = positionals
        self.examples = examples
        self.run = run
    }

    public var name: String { path.joined(separator: " ") }

    /// `mes nir check [--rules R] [NIR...]`
    public var usage: String {
        var parts = ["mes"] + path
        for o in options {
            let body = o.value.map { "--\(o.name) \($0)" } ?? "--\(o.name)"
            parts.append(o.required ? body : "[\(body)]")
        }
        for p in positionals {
            var s = p.name + (p.repeating ? "..." : "")
            if p.optional { s = "[\(s)]" }
            parts.append(s)
        }
        return parts.joined(separator: " ")
    }
}

/// Options every command takes.
public enum GlobalOptions {
    public static let all: [OptionSpec] = [
        .flag("json", "Print JSON for scripts (JSON Lines for streamed inputs) instead of text."),
        .value("store", "DIR", "Data directory (else $MES_HOME, $XDG_DATA_HOME/mes, ~/.local/share/mes).", directory: true),
        .value("now", "TIME", "Fixed clock, e.g. 2022-02-03T10:00:00Z (else $MES_NOW, else the system clock); only test stores honour it."),
        .value("wait", "SECONDS", "How long to wait for a store kept busy by another process before exit 75 (else $MES_WAIT, else 30); 0 gives up at once."),
        .flag("quiet", short: "q", "No progress, notes or summary on standard error (errors still)."),
        .flag("verbose", short: "v", "Each step on standard error (progress as lines when it is no terminal)."),
        .flag("help", short: "h", "Show help for the command."),
    ]
}

/// The parsed command line of one command. Options are read through their declarations
/// (`inv[SharedOptions.nir]`), never by name; reading one the command does not declare is a
/// programming error (caught in debug builds, and by `CommandLineTests`).
public struct Invocation: Sendable {
    public let command: CommandSpec
    var values: [String: [String]] = [:]
    var flags: Set<String> = []
    public var positionals: [String] = []

    public init(command: CommandSpec) { self.command = command }

    /// Whether the command declares `o` (lookups of undeclared options would quietly be empty).
    public func declares(_ o: any DeclaredOption) -> Bool {
        command.options.contains { $0.name == o.spec.name && ($0.value == nil) == (o.spec.value == nil) }
    }

    public subscript(_ f: Flag) -> Bool {
        assert(declares(f), "mes \(command.name) reads --\(f.name), which it does not declare")
        return flags.contains(f.name)
    }

    public subscript(_ o: Option) -> String? {
        assert(declares(o), "mes \(command.name) reads --\(o.name), which it does not declare")
        return values[o.name]?.last
    }

    /// Every value of an option given several times (`--keep-column A --keep-column B`), in order.
    public func all(_ o: Option) -> [String] {
        assert(declares(o), "mes \(command.name) reads --\(o.name), which it does not declare")
        return values[o.name] ?? []
    }

    /// The value of an option the command cannot do without (usage error 64 when absent).
    public func required(_ o: Option) throws -> String {
        guard let v = self[o] else { throw Usage.missingOption(o.name) }
        return v
    }

    /// An integer option value within a range.
    public func integer(_ o: Option, default def: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = self[o] else { return def }
        guard let v = Int(text), range.contains(v) else {
            throw Usage.invalidValue(o.name, expected: "un nombre entier de \(range.lowerBound) à \(range.upperBound)", got: text)
        }
        return v
    }
}
