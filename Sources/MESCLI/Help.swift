#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MESCore

/// `--help` text, made from the command table, wrapped to the terminal's width.
enum Help {
    /// The column option and command descriptions start at (when the width allows it).
    static let descriptionColumn = 28

    /// The width help wraps to: `$COLUMNS` when set, else the terminal's width when standard
    /// output is a terminal, else 80.
    static func width(_ ctx: Context) -> Int {
        if let text = ctx.environment["COLUMNS"], let c = Int(text.split(separator: " ").first ?? ""), c > 0 { return c }
        if ctx.stdout.isTerminal {
            var size = winsize()
            if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        }
        return 80
    }

    static func text(for path: [String], parser: Parser, width: Int = 80) throws -> String {
        if path == ["help"], parser.command(path) == nil { return helpCommand(width: width) }
        if let spec = parser.command(path) { return command(spec, width: width) }
        let children = parser.children(of: path)
        guard !children.isEmpty else {
            let known = parser.children(of: Array(path.dropLast())) + (path.count == 1 ? ["help"] : [])
            throw Usage.unknownCommand(path.joined(separator: " "), known: known)
        }
        if path.isEmpty { return top(parser: parser, width: width, full: true) }
        var out = usage(["mes"] + path + ["SUBCOMMAND", "..."], width: width) + "\nSUBCOMMANDS:\n"
        out += commandRows(parser.commands.filter { Array($0.path.prefix(path.count)) == path }, width: width)
        out += "\nGLOBAL OPTIONS:\n" + optionLines(GlobalOptions.all, width: width)
        return out
    }

    /// `mes` alone: the usage line and the commands.
    static func brief(parser: Parser, width: Int = 80) -> String {
        top(parser: parser, width: width, full: false)
    }

    private static func top(parser: Parser, width: Int, full: Bool) -> String {
        var out = wrap("mes \(MES.version) — Mon espace santé enrolment service on the command line.", width: width) + "\n\n"
        out += usage(["mes", "[--store DIR]", "[--now TIME]", "[--json]", "COMMAND", "..."], width: width)
        out += "\nCOMMANDS:\n" + commandRows(parser.commands, width: width, extra: [("help [COMMAND]", Completions.helpSummary)])
        if full {
            out += "\nGLOBAL OPTIONS:\n" + optionLines(GlobalOptions.all, width: width)
            out += row("--version", "Print the version.", width: width)
            out += "\nEXIT STATUS:\n"
            for e in ExitStatus.allCases { out += row(String(e.rawValue), e.summary, width: width, column: 7) }
            out += "\n" + wrap("See 'mes help COMMAND' and mes(1).", width: width) + "\n"
        } else {
            out += "\n" + wrap("See 'mes help COMMAND' for a command's options, 'mes --help' for the global options "
                               + "and exit statuses, and mes(1).", width: width) + "\n"
        }
        return out
    }

    /// `mes help help`.
    static func helpCommand(width: Int) -> String {
        var out = usage(["mes", "help", "[COMMAND...]"], width: width)
        out += "\n" + wrap(Completions.helpSummary, width: width) + "\n"
        out += "\n" + wrap("Prints the help of a command (the same as 'mes COMMAND --help'), of a group of commands "
                           + "such as 'nir', or of mes itself when no command is given.", width: width) + "\n"
        out += "\nEXAMPLES:\n"
        for e in ["mes help oppose", "mes help receipt verify", "mes help nir"] { out += example(e, width: width) }
        return out
    }

    static func command(_ s: CommandSpec, width: Int = 80) -> String {
        var out = usage(usageTokens(s), width: width)
        for u in s.usages { out += usage(tokens(u), width: width, prefix: "       ") }
        out += "\n" + wrap(s.summary, width: width) + "\n"
        if !s.discussion.isEmpty { out += "\n" + wrap(s.discussion, width: width) + "\n" }
        if !s.positionals.isEmpty {
            out += "\nARGUMENTS:\n"
            for p in s.positionals { out += row(p.name + (p.repeating ? "..." : ""), p.help, width: width) }
        }
        if !s.options.isEmpty { out += "\nOPTIONS:\n" + optionLines(s.options, width: width) }
        out += "\nGLOBAL OPTIONS:\n" + optionLines(GlobalOptions.all, width: width)
        if !s.examples.isEmpty {
            out += "\nEXAMPLES:\n"
            for e in s.examples { out += example(e, width: width) }
        }
        return out
    }

    static func optionLines(_ options: [OptionSpec], width: Int = 80) -> String {
        var out = ""
        for o in options {
            var head = (o.short.map { "-\($0), " } ?? "") + "--\(o.name)"
            if let v = o.value { head += " \(v)" }
            var help = o.help
            if !o.choices.isEmpty { help += " One of: \(o.choices.joined(separator: ", "))." }
            if o.required { help += " [required]" }
            out += row(head, help, width: width)
        }
        return out
    }

    /// Command names and summaries, the summaries aligned just after the longest name.
    private static func commandRows(_ specs: [CommandSpec], width: Int, extra: [(String, String)] = []) -> String {
        let rows = specs.map { ($0.name, $0.summary) } + extra
        let column = min(descriptionColumn, (rows.map(\.0.count).max() ?? 0) + 4)
        return rows.map { row($0.0, $0.1, width: width, column: column) }.joined()
    }

    /// `  head    description` with the description wrapped under itself; the description goes
    /// under the head when the head is too long, or under a small indent when the width is narrow.
    static func row(_ head: String, _ body: String, width: Int, column: Int = descriptionColumn) -> String {
        let narrow = width - column < 30
        let column = narrow ? 8 : column
        let first = "  " + head
        if first.count + 2 <= column {
            let lines = wrapLines(body, width: width - column)
            let pad = String(repeating: " ", count: column)
            return ([first + String(repeating: " ", count: column - first.count) + (lines.first ?? "")]
                    + lines.dropFirst().map { pad + $0 }).joined(separator: "\n") + "\n"
        }
        return first + "\n" + wrapLines(body, width: width - column).map { String(repeating: " ", count: column) + $0 }
            .joined(separator: "\n") + "\n"
    }

    /// A usage line, wrapped with a hanging indent under the first option.
    static func usage(_ tokens: [String], width: Int, prefix: String = "USAGE: ") -> String {
        // The command words stay together: continuation lines align after them.
        let words = tokens.prefix { !$0.hasPrefix("-") && !$0.hasPrefix("[") && $0 == $0.lowercased() }
        let lead = prefix + words.joined(separator: " ")
        // The deepest indent under which the longest word still fits.
        let longest = tokens.dropFirst(words.count).map(\.count).max() ?? 0
        let indent = [lead.count + 1, prefix.count + 4, 4, 2].first { $0 + longest <= width } ?? 2
        var lines: [String] = []
        var line = lead
        for t in tokens.dropFirst(words.count) {
            let fits = line.count + 1 + t.count <= width
            if fits || line.count <= indent {
                line += " " + t
            } else {
                lines.append(line)
                line = String(repeating: " ", count: indent) + t
            }
        }
        lines.append(line)
        return lines.joined(separator: "\n") + "\n"
    }

    /// The words of a command's usage line, each option with its value kept together.
    static func usageTokens(_ s: CommandSpec) -> [String] {
        var parts = ["mes"] + s.path
        for o in s.options {
            let body = o.value.map { "--\(o.name) \($0)" } ?? "--\(o.name)"
            parts.append(o.required ? body : "[\(body)]")
        }
        for p in s.positionals {
            var t = p.name + (p.repeating ? "..." : "")
            if p.optional { t = "[\(t)]" }
            parts.append(t)
        }
        return parts
    }

    /// Splits a usage line into words, keeping brackets together and an option with its
    /// upper-case value (`--nir NIR`).
    static func tokens(_ line: String) -> [String] {
        var raw: [String] = []
        var current = ""
        var depth = 0
        for ch in line {
            if ch == "[" || ch == "(" { depth += 1 }
            if ch == "]" || ch == ")" { depth = max(0, depth - 1) }
            if ch == " " && depth == 0 {
                if !current.isEmpty { raw.append(current) }
                current = ""
            } else {
                current.append(ch)
            }
        }
        if !current.isEmpty { raw.append(current) }
        var out: [String] = []
        for t in raw {
            if let last = out.last, last.hasPrefix("-"), !last.contains(" "), t == t.uppercased(), t.first?.isLetter == true {
                out[out.count - 1] = last + " " + t
            } else {
                out.append(t)
            }
        }
        return out
    }

    /// An example command, indented; a long one is continued on the next lines with a
    /// backslash (still pasteable), never broken inside quotes.
    static func example(_ command: String, width: Int, indent: Int = 2) -> String {
        exampleLines(command, width: width - indent).map { String(repeating: " ", count: indent) + $0 }.joined(separator: "\n") + "\n"
    }

    /// The lines of an example at most `width` wide (but for a word longer than that), continued with " \".
    static func exampleLines(_ command: String, width: Int, continuation: String = "    ") -> [String] {
        // An option stays with its value, a redirection with its file.
        let operators: Set<String> = ["|", "&&", "||", ";", "&"]
        let redirections: Set<String> = [">", ">>", "<", "2>", "2>>", "&>"]
        var words: [String] = []
        for w in shellWords(command) {
            if let last = words.last, !last.contains(" "), !operators.contains(w), !redirections.contains(w),
               redirections.contains(last) || (last.hasPrefix("-") && last.count > 1 && !last.contains("=") && !w.hasPrefix("-")) {
                words[words.count - 1] = last + " " + w
            } else {
                words.append(w)
            }
        }
        var lines: [String] = []
        var line = ""
        for w in words {
            if line.isEmpty { line = w; continue }
            // Room for " word" plus the " \" that would end this line if another followed.
            if line.count + 1 + w.count + 2 <= width {
                line += " " + w
            } else {
                lines.append(line + " \\")
                line = continuation + w
            }
        }
        lines.append(line)
        return lines
    }

    /// Splits a shell command at the spaces outside quotes, `$( )` and backquotes.
    static func shellWords(_ command: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quote: Character?
        var depth = 0
        var escaped = false
        for ch in command {
            if escaped { current.append(ch); escaped = false; continue }
            if ch == "\\" && quote != "'" { escaped = true; current.append(ch); continue }
            if let q = quote {
                if ch == q { quote = nil }
                current.append(ch)
                continue
            }
            switch ch {
            case "'", "\"", "`": quote = ch
            case "(": depth += 1
            case ")": depth = max(0, depth - 1)
            default: break
            }
            if ch == " " && depth == 0 {
                if !current.isEmpty { words.append(current) }
                current = ""
            } else {
                current.append(ch)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// Paragraphs wrapped to `width`.
    static func wrap(_ text: String, width: Int = 80, indent: String = "") -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { wrapLines(String($0), width: width - indent.count).map { indent + $0 }.joined(separator: "\n") }
            .joined(separator: "\n")
    }

    /// One paragraph's lines, at most `width` wide but for a word longer than that.
    static func wrapLines(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if line.isEmpty {
                line = String(word)
            } else if line.count + 1 + word.count <= width {
                line += " " + word
            } else {
                lines.append(line)
                line = String(word)
            }
        }
        lines.append(line)
        return lines
    }
}

/// "Did you mean" for a mistyped command, option or value.
enum Suggestions {
    /// The candidates `word` most likely stands for: the only one it begins, else the nearest
    /// within 2 edits (insertions, deletions, substitutions, swaps of neighbours).
    static func closest(_ word: String, among candidates: [String]) -> [String] {
        let w = word.lowercased()
        guard !w.isEmpty else { return [] }
        let unique = Array(Set(candidates)).sorted { candidates.firstIndex(of: $0)! < candidates.firstIndex(of: $1)! }
        let prefixed = unique.filter { $0.lowercased().hasPrefix(w) }
        if prefixed.count == 1 { return prefixed }
        let limit = min(2, max(1, w.count / 2))
        let scored = unique.filter { abs($0.count - w.count) <= limit }.map { ($0, distance(w, $0.lowercased())) }.filter { $0.1 <= limit }
        guard let best = scored.map(\.1).min() else { return [] }
        return scored.filter { $0.1 == best }.map(\.0)
    }

    /// `"; did you mean 'oppose'?"`, or nothing.
    static func didYouMean(_ word: String, among candidates: [String], prefix: String = "") -> String {
        let found = closest(word, among: candidates).prefix(3).map { "« \(prefix)\($0) »" }
        guard !found.isEmpty else { return "" }
        return " ; vouliez-vous dire " + (found.count == 1 ? found[0] : found.dropLast().joined(separator: ", ") + " ou " + found.last!) + " ?"
    }

    /// Optimal string alignment distance (Damerau–Levenshtein with adjacent swaps).
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var d = Array(repeating: Array(repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { d[i][0] = i }
        for j in 0...y.count { d[0][j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[x.count][y.count]
    }
}
