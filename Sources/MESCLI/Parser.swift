import MESCore

/// What the command line asks for.
public enum ParsedCommandLine {
    case run(Invocation)
    /// Help for a command path (possibly a group such as `nir`, or `[]` for the top level).
    case help([String])
    case version
    /// `mes` alone: the short usage and the command list.
    case usage
}

/// Turns argv into an `Invocation` using the command table; every mistake is a usage error (64)
/// that names the word at fault.
public struct Parser {
    /// The commands by path; a spec is built only when asked for (`command`, `commands`).
    public let entries: [CommandEntry]

    public init(entries: [CommandEntry]) { self.entries = entries }

    public init(commands: [CommandSpec]) { self.entries = commands.map { spec in CommandEntry(spec.path) { spec } } }

    /// Every command's spec, built now (help, completions, the man page).
    public var commands: [CommandSpec] { entries.map(\.spec) }

    /// The command words that can follow `prefix` (`["nir"]` -> check, format, key, generate).
    public func children(of prefix: [String]) -> [String] {
        var seen: [String] = []
        for c in entries where c.path.count > prefix.count && Array(c.path.prefix(prefix.count)) == prefix {
            let w = c.path[prefix.count]
            if !seen.contains(w) { seen.append(w) }
        }
        return seen
    }

    /// The spec of the command at `path`, built now; nil for none.
    public func command(_ path: [String]) -> CommandSpec? { entries.first { $0.path == path }?.spec }

    /// Whether a command has this path (no spec built).
    func has(_ path: [String]) -> Bool { entries.contains { $0.path == path } }

    public func parse(_ args: [String], context: Context) throws -> ParsedCommandLine {
        if args.isEmpty { return .usage }
        var i = 0
        var path: [String] = []
        var wantsHelp = false

        // Leading words select the command; global options may come first.
        while i < args.count {
            let a = args[i]
            if a == "--version" && path.isEmpty { return .version }
            if a == "--help" || a == "-h" { wantsHelp = true; i += 1; continue }
            if a.hasPrefix("-") && a != "-" {
                if let (k, v) = try globalOption(args, &i) { apply(k, v, context); continue }
                break
            }
            if path.isEmpty && a == "help" {
                return .help(Array(args[(i + 1)...]).filter { !$0.hasPrefix("-") })
            }
            let next = path + [a]
            if has(next) || !children(of: next).isEmpty {
                path = next
                i += 1
                continue
            }
            break
        }
        if wantsHelp { return .help(path) }
        guard let spec = command(path) else {
            if i < args.count, !args[i].hasPrefix("-") {
                let known = children(of: path) + (path.isEmpty ? ["help"] : [])
                throw Usage.unknownCommand(args[i], known: known)
            }
            if i < args.count {
                throw Usage.unknownOption(args[i], command: nil, hint: optionHint(args[i], nil, topLevel: path.isEmpty))
            }
            let known = children(of: path)
            throw Usage.missingCommand(after: path, known: known)
        }

        var inv = Invocation(command: spec)
        var onlyPositionals = false
        while i < args.count {
            let a = args[i]
            if onlyPositionals || a == "-" || !a.hasPrefix("-") || isNegativeNumber(a) {
                inv.positionals.append(a)
                i += 1
                continue
            }
            if a == "--" { onlyPositionals = true; i += 1; continue }
            if a == "--help" || a == "-h" { return .help(path) }
            if let (k, v) = try globalOption(args, &i) { apply(k, v, context); continue }
            var name: String
            var inline: String?
            if a.hasPrefix("--") {
                name = String(a.dropFirst(2))
                if let eq = name.firstIndex(of: "=") {
                    inline = String(name[name.index(after: eq)...])
                    name = String(name[..<eq])
                }
            } else {
                guard a.count == 2, let o = spec.options.first(where: { $0.short == a.last }) else {
                    throw Usage.unknownOption(a, command: spec.name, hint: optionHint(a, spec, topLevel: false))
                }
                name = o.name
            }
            guard let opt = spec.options.first(where: { $0.name == name }) else {
                throw Usage.unknownOption("--" + name, command: spec.name, hint: optionHint("--" + name, spec, topLevel: false))
            }
            i += 1
            if opt.value == nil {
                if inline != nil { throw Usage.flagWithValue(name) }
                inv.flags.insert(name)
                continue
            }
            let value: String
            if let inline { value = inline } else {
                guard i < args.count, !looksLikeOption(args[i], spec) else {
                    throw Usage.missingValue(name, placeholder: opt.value!)
                }
                value = args[i]
                i += 1
            }
            if !opt.choices.isEmpty && !opt.choices.contains(value) {
                throw Usage.invalidValue(name, expected: "une valeur parmi " + opt.choices.joined(separator: ", "), got: value,
                                         hint: Suggestions.didYouMean(value, among: opt.choices))
            }
            inv.values[name, default: []].append(value)
        }
        for o in spec.options where o.required && inv.values[o.name] == nil {
            throw Usage.missingOption(o.name, placeholder: o.value)
        }
        let required = spec.positionals.filter { !$0.optional }.count
        if inv.positionals.count < required {
            let missing = spec.positionals.filter { !$0.optional }[inv.positionals.count]
            throw Usage.missingArgument(missing.name, command: spec.name)
        }
        if !(spec.positionals.last?.repeating ?? false), inv.positionals.count > spec.positionals.count {
            let extra = inv.positionals[spec.positionals.count]
            // A mistyped subcommand of a command that is also a group (`mes receipt verfy`).
            let hint = spec.positionals.isEmpty ? Suggestions.didYouMean(extra, among: children(of: path)) : ""
            throw Usage.unexpectedArgument(extra, command: spec.name, hint: hint)
        }
        for (p, v) in zip(spec.positionals, inv.positionals) where !p.choices.isEmpty && !p.choices.contains(v) {
            throw Usage.invalidValue(p.name, "\(p.name) : une valeur parmi \(p.choices.joined(separator: ", ")), pas « \(TextEscaping.terminalSafe(v)) »"
                                     + Suggestions.didYouMean(v, among: p.choices))
        }
        return .run(inv)
    }

    /// "; did you mean '--yes'?" for an unknown option: the command's options and the global ones.
    private func optionHint(_ word: String, _ spec: CommandSpec?, topLevel: Bool) -> String {
        let options = (spec?.options ?? []) + GlobalOptions.all
        if !word.hasPrefix("--") {
            guard word.count == 2 else { return "" }
            // A short option that is a long one's initial: "-y" for "--yes" is known, "-f" may mean "--force".
            return Suggestions.didYouMean(String(word.dropFirst()), among: options.filter { $0.short == nil }.map(\.name),
                                          prefix: "--")
        }
        let name = String(word.dropFirst(2).prefix { $0 != "=" })
        return Suggestions.didYouMean(name, among: options.map(\.name) + (topLevel ? ["version"] : []), prefix: "--")
    }

    /// `--flag` naming a known option: then it is not the value of the option before it.
    private func looksLikeOption(_ a: String, _ spec: CommandSpec) -> Bool {
        guard a.hasPrefix("--") else { return false }
        let name = String(a.dropFirst(2).prefix { $0 != "=" })
        return spec.options.contains { $0.name == name } || GlobalOptions.all.contains { $0.name == name }
    }

    private func isNegativeNumber(_ a: String) -> Bool { a.count > 1 && a.hasPrefix("-") && Int(a) != nil }

    /// Consumes a global option at `i` when there is one.
    private func globalOption(_ args: [String], _ i: inout Int) throws -> (String, String?)? {
        let a = args[i]
        // A short global flag (-q, -v); -h is help.
        if a.count == 2, a.hasPrefix("-"), a != "-h", let g = GlobalOptions.all.first(where: { $0.short == a.last && $0.value == nil }) {
            i += 1
            return (g.name, nil)
        }
        var name = a.hasPrefix("--") ? String(a.dropFirst(2)) : ""
        var inline: String?
        if let eq = name.firstIndex(of: "=") {
            inline = String(name[name.index(after: eq)...])
            name = String(name[..<eq])
        }
        guard let g = GlobalOptions.all.first(where: { $0.name == name }), g.name != "help" else { return nil }
        i += 1
        if g.value == nil { return (name, nil) }
        if let inline { return (name, inline) }
        guard i < args.count else { throw Usage.missingValue(name, placeholder: g.value!) }
        i += 1
        return (name, args[i - 1])
    }

    private func apply(_ name: String, _ value: String?, _ context: Context) {
        switch name {
        case "json": context.json = true
        case "store": context.storeOption = value
        case "now": context.nowOption = value
        case "wait": context.waitOption = value
        case "quiet": context.quiet = true
        case "verbose": context.verbose = true
        default: break
        }
    }
}
