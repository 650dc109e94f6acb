import MESCore

/// `--help` text, made from the command table.
enum Help {
    static func text(for path: [String], parser: Parser) throws -> String {
        if let spec = parser.command(path) { return command(spec) }
        let children = parser.children(of: path)
        guard !children.isEmpty else {
            throw MESError.usage("unknown command '\(path.joined(separator: " "))'", field: "command")
        }
        var out = path.isEmpty
            ? "mes \(MES.version) — Mon espace santé enrolment service on the command line.\n\nUSAGE: mes [--store DIR] [--now TIME] [--json] COMMAND ...\n\nCOMMANDS:\n"
            : "USAGE: mes \(path.joined(separator: " ")) SUBCOMMAND ...\n\nSUBCOMMANDS:\n"
        let specs = parser.commands.filter { Array($0.path.prefix(path.count)) == path }
        let width = min(36, (specs.map { $0.name.count }.max() ?? 0) + 2)
        for s in specs {
            out += "  " + pad(s.name, width) + s.summary + "\n"
        }
        out += "\nGLOBAL OPTIONS:\n" + optionLines(GlobalOptions.all)
        if path.isEmpty {
            out += "  --version                 Print the version.\n"
            out += "\nEXIT STATUS:\n"
            for e in ExitStatus.allCases { out += "  " + pad(String(e.rawValue), 5) + e.summary + "\n" }
            out += "\nSee 'mes help COMMAND' and mes(1).\n"
        }
        return out
    }

    static func command(_ s: CommandSpec) -> String {
        var out = "USAGE: \(s.usage)\n"
        for u in s.usages { out += "       \(u)\n" }
        out += "\n\(s.summary)\n"
        if !s.discussion.isEmpty { out += "\n" + wrap(s.discussion, indent: "") + "\n" }
        if !s.positionals.isEmpty {
            out += "\nARGUMENTS:\n"
            for p in s.positionals { out += "  " + pad(p.name + (p.repeating ? "..." : ""), 24) + p.help + "\n" }
        }
        if !s.options.isEmpty { out += "\nOPTIONS:\n" + optionLines(s.options) }
        out += "\nGLOBAL OPTIONS:\n" + optionLines(GlobalOptions.all)
        if !s.examples.isEmpty {
            out += "\nEXAMPLES:\n"
            for e in s.examples { out += "  \(e)\n" }
        }
        return out
    }

    static func optionLines(_ options: [OptionSpec]) -> String {
        var out = ""
        for o in options {
            var head = (o.short.map { "-\($0), " } ?? "") + "--\(o.name)"
            if let v = o.value { head += " \(v)" }
            var help = o.help
            if !o.choices.isEmpty { help += " (\(o.choices.joined(separator: "|")))" }
            if o.required { help += " [required]" }
            out += "  " + pad(head, 26) + help + "\n"
        }
        return out
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width - 1 ? s + "  " : s + String(repeating: " ", count: width - s.count)
    }

    static func wrap(_ text: String, indent: String, width: Int = 78) -> String {
        var lines: [String] = []
        for para in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = indent
            for word in para.split(separator: " ") {
                if line.count + word.count + 1 > width, line.count > indent.count {
                    lines.append(line)
                    line = indent
                }
                line += (line.count > indent.count ? " " : "") + word
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
