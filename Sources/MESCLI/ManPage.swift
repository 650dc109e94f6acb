import MESCore

/// The man page `man/mes.1`, made from the command table plus the prose sections below
/// (`mes manpage`). A test keeps the committed file equal to this output.
enum ManPage {
    static let date = "2026-12-07"

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
        s += ".TP\n.B \\-\\-version\nPrint the version and exit.\nWith \\-\\-json: version, commit (the git commit scripts/release\nbuilt from, or unknown), fixtures_version, json_schema_version\nand each generator's version.\n"
        s += ".SH COMMANDS\n"
        for c in commands {
            s += ".SS \(esc(c.name))\n"
            s += ".nf\n"
            s += lines(Help.usage(Help.usageTokens(c), width: usageWidth, prefix: ""))
            for u in c.usages { s += lines(Help.usage(Help.tokens(u), width: usageWidth, prefix: "")) }
            s += ".fi\n"
            s += para(c.summary)
            if !c.discussion.isEmpty { s += para(c.discussion) }
            for p in c.positionals {
                s += ".TP\n.I \(esc(p.name + (p.repeating ? "..." : "")))\n\(esc(p.help))\n"
            }
            for o in c.options { s += option(o) }
            if !c.examples.isEmpty {
                s += ".PP\n\(c.examples.count == 1 ? "Example" : "Examples"):\n" + exampleBlock(c.examples, width: commandExampleWidth)
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
        s += ".SH FILES\n"
        for (k, v) in Prose.dataDirectories { s += ".TP\n.I \(esc(k))\n\(esc(v))\n" }
        s += ".PP\n\(esc(Prose.filesIntro))\n"
        for (k, v) in Prose.files { s += ".TP\n.I \(esc(k))\n\(esc(v))\n" }
        s += ".SH EXAMPLES\n"
        for (i, (title, commands)) in Prose.examples.enumerated() {
            s += (i == 0 ? "" : ".PP\n") + esc(title) + "\n" + exampleBlock(commands, width: sectionExampleWidth)
        }
        s += ".PP\n\(esc(Prose.examplesNote))\n"
        s += ".SH SEE ALSO\n.BR sqlite3 (1),\n.BR pdftotext (1)\n"
        return s
    }

    /// Widths of no-fill lines, so that they fit 80 columns where they are indented:
    /// a command's usage (7 columns in), its examples (14 in), the EXAMPLES section's (11 in).
    static let usageWidth = 72
    static let commandExampleWidth = 64
    static let sectionExampleWidth = 68

    /// Examples in a no-fill block: one command per line, a long one continued with a backslash
    /// (still pasteable), never broken inside a word or quotes.
    static func exampleBlock(_ commands: [String], width: Int) -> String {
        var s = ".RS 4\n.nf\n"
        for e in commands {
            for line in Help.exampleLines(e, width: width) { s += esc(line, wrap: false) + "\n" }
        }
        return s + ".fi\n.RE\n"
    }

    /// Text lines for a no-fill block, escaped but not re-wrapped.
    static func lines(_ text: String) -> String {
        text.split(separator: "\n").map { esc(String($0), wrap: false) + "\n" }.joined()
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
    static func esc(_ t: String, wrap: Bool = true) -> String {
        var lines: [String] = []
        for source in t.split(separator: "\n", omittingEmptySubsequences: false) {
            // Leading spaces stay (no-fill blocks indent continuation lines with them).
            let lead = String(repeating: " ", count: source.prefix { $0 == " " }.count)
            var line = ""
            for word in source.dropFirst(lead.count).split(separator: " ", omittingEmptySubsequences: false) {
                var w = ""
                for ch in word {
                    switch ch {
                    case "\\": w += "\\e"
                    case "-": w += "\\-"
                    case "~": w += "\\(ti"
                    case "^": w += "\\(ha"
                    default:
                        if ch.isASCII { w.append(ch) } else {
                            for u in ch.unicodeScalars {
                                let hex = String(u.value, radix: 16, uppercase: true)
                                w += "\\[u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + "]"
                            }
                        }
                    }
                }
                if wrap, !line.isEmpty, line.utf8.count + w.utf8.count + 1 > 78 {
                    lines.append(line)
                    line = w
                } else {
                    line += (line.isEmpty ? "" : " ") + w
                }
            }
            lines.append(lead + line)
        }
        return lines.map { $0.hasPrefix(".") || $0.hasPrefix("'") ? "\\&" + $0 : $0 }.joined(separator: "\n")
    }
}
