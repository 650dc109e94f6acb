import MESCore

/// The man page `man/mes.1`, made from the command table plus the prose sections below
/// (`mes manpage`). A test keeps the committed file equal to this output.
enum ManPage {
    static let date = "2026-11-23"

    static func render(commands: [CommandSpec]) -> String {
        var s = """
        .TH MES 1 \(date) "mes \(MES.version)" "User Commands"
        .SH NAME
        mes \\- Mon espace sant\\[u00E9] enrolment service on the command line
        .SH SYNOPSIS
        .B mes
        .RI [ global-options ]
        .I command
        .RI [ options ]
        .RI [ arguments ]
        .SH DESCRIPTION

        """
        s += para(Prose.description, afterHeading: true)
        s += ".SH GLOBAL OPTIONS\n"
        for o in GlobalOptions.all { s += option(o) }
        s += ".TP\n.B \\-\\-version\nPrint the version and exit.\n"
        s += ".SH COMMANDS\n"
        for c in commands {
            s += ".SS \(esc(c.name))\n"
            s += ".nf\n\(esc(c.usage))\n"
            for u in c.usages { s += "\(esc(u))\n" }
            s += ".fi\n"
            s += para(c.summary)
            if !c.discussion.isEmpty { s += para(c.discussion) }
            for p in c.positionals {
                s += ".TP\n.I \(esc(p.name + (p.repeating ? "..." : "")))\n\(esc(p.help))\n"
            }
            for o in c.options { s += option(o) }
            if !c.examples.isEmpty {
                s += ".PP\nExample:\n.RS\n.nf\n"
                for e in c.examples { s += esc(e) + "\n" }
                s += ".fi\n.RE\n"
            }
        }
        for (title, body) in Prose.sections {
            s += ".SH \(title)\n"
            s += para(body, afterHeading: true)
        }
        s += ".SH EXIT STATUS\n"
        for e in ExitStatus.allCases { s += ".TP\n.B \(e.rawValue)\n\(esc(e.summary))\n" }
        s += ".SH ENVIRONMENT\n"
        for (k, v) in Prose.environment { s += ".TP\n.B \(k)\n\(esc(v))\n" }
        s += ".SH SEE ALSO\n.BR sqlite3 (1),\n.BR pdftotext (1)\n"
        return s
    }

    static func option(_ o: OptionSpec) -> String {
        var line = ".TP\n"
        if let v = o.value { line += ".BI \"\\-\\-\(o.name) \" \(esc(v))\n" }
        else if let sh = o.short { line += ".BR \\-\(sh) \", \" \\-\\-\(o.name)\n" }
        else { line += ".B \\-\\-\(o.name)\n" }
        var help = o.help
        if !o.choices.isEmpty { help += " One of: \(o.choices.joined(separator: ", "))." }
        if o.required { help += " Required." }
        return line + esc(help) + "\n"
    }

    /// Paragraphs (blank-line separated); `afterHeading` drops the first `.PP`, which mandoc flags.
    static func para(_ text: String, afterHeading: Bool = false) -> String {
        text.split(separator: "\n\n").enumerated().map { i, p in
            (i == 0 && afterHeading ? "" : ".PP\n") + esc(String(p)) + "\n"
        }.joined()
    }

    /// Escapes text for roff (backslashes, dashes, leading dots or quotes) and wraps it under 80 columns.
    static func esc(_ t: String) -> String {
        var lines: [String] = []
        for source in t.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            for word in source.split(separator: " ", omittingEmptySubsequences: false) {
                var w = ""
                for ch in word {
                    switch ch {
                    case "\\": w += "\\e"
                    case "-": w += "\\-"
                    default:
                        if ch.isASCII { w.append(ch) } else {
                            for u in ch.unicodeScalars {
                                let hex = String(u.value, radix: 16, uppercase: true)
                                w += "\\[u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + "]"
                            }
                        }
                    }
                }
                if !line.isEmpty, line.utf8.count + w.utf8.count + 1 > 78 {
                    lines.append(line)
                    line = w
                } else {
                    line += (line.isEmpty ? "" : " ") + w
                }
            }
            lines.append(line)
        }
        return lines.map { $0.hasPrefix(".") || $0.hasPrefix("'") ? "\\&" + $0 : $0 }.joined(separator: "\n")
    }
}
