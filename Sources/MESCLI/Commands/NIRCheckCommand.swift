import MESCore
import MESRender

/// `mes nir check`: validates NIRs, streaming standard input.
enum NIRCheckCommand {
    static let rulesOption = Option(
        "rules", "RULES", "Rule set: insee (default), stdnum, app or cnam; see RULE SETS in mes(1).",
        choices: NIRRules.allCases.map(\.rawValue))

    static let expect = Option("expect", "VERDICT", "Exit 0 only when every input is valid (or invalid); 65 otherwise: a verdict for CI.",
                               choices: ["valid", "invalid"])

    static func rules(_ inv: Invocation) -> NIRRules { inv[rulesOption].flatMap(NIRRules.init(rawValue:)) ?? .insee }

    static var spec: CommandSpec {
        CommandSpec(
            ["nir", "check"], summary: "Validate NIRs, with the reason for each invalid one.",
            discussion: "Reads the NIRs given as arguments, or standard input one per line when there is none or '-'. Spaces, dots and dashes are ignored. Exits 0 when all are valid, 65 when any is invalid; with --expect invalid, 0 when all are invalid and 65 when any is valid (fixtures of invalid NIRs in CI). Blank lines of standard input are skipped, and their count is said on standard error; an input with no NIR at all is an error (65, input_empty), so a broken pipeline never passes. With --json prints one JSON object per input, in order: input, valid, and nir/formatted when valid or reason/code/message when invalid.",
            options: [rulesOption, expect], positionals: [PositionalSpec("NIR", "NIR to check; '-' reads standard input", optional: true, repeating: true)],
            examples: ["mes nir check '1 16 30 44 038 016 18'", "mes nir check --json < nirs.txt"], run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let validator = NIRValidator(rules: rules(inv))
        var anyInvalid = false, anyValid = false, checked = 0, blank = 0
        let json = ctx.json
        let handle: (UnsafeBufferPointer<UInt8>) -> Void = { line in
            checked += 1
            let verdict = validator.validate(bytes: line)
            if case .invalid = verdict { anyInvalid = true } else { anyValid = true }
            ctx.stdout.append { out in
                if json { NIRCheckOutput.json(input: line, verdict: verdict, into: &out) }
                else { NIRCheckOutput.text(input: line, verdict: verdict, into: &out) }
            }
        }
        let args = inv.positionals
        if args.isEmpty || args == ["-"] {
            let interactive = ctx.stdin.isTerminal
            if interactive {
                ctx.stderr.line("Lecture des NIR sur l'entrée standard, un par ligne (Ctrl-D pour finir) :")
                ctx.stderr.flush()
            }
            // Lines over 4 KiB stop the run (65): memory stays flat on endless input; a reader
            // that went away (`| head`) ends it at once.
            try ctx.stdin.forEachLine(maxLineLength: InputLimits.nirLine, field: "stdin") { line in
                if ctx.stdout.hasFailed { try ctx.stdout.check() }
                // Tolerate CRLF files; skip (and count) blank lines.
                let body = line.last == 0x0D ? UnsafeBufferPointer(rebasing: line.dropLast()) : line
                if body.isEmpty || ((body.first == 0x20 || body.first == 0x09) && body.allSatisfy { $0 == 0x20 || $0 == 0x09 }) {
                    blank += 1
                    return
                }
                handle(body)
                // A person typing gets each verdict before typing the next line.
                if interactive { ctx.stdout.flush() }
            }
        } else {
            for a in args {
                var a = a
                a.withUTF8 { handle($0) }
            }
        }
        ctx.stdout.flush()
        guard checked > 0 else { throw MESError(.inputEmpty, "Aucune entrée : aucun NIR à vérifier.", field: "stdin") }
        if blank > 0 { ctx.stderr.line(blank == 1 ? "1 ligne vide ignorée." : "\(blank) lignes vides ignorées.") }
        switch inv[expect] {
        case "invalid"?: if anyValid { throw ExitRequest(.invalidData) }
        default: if anyInvalid { throw ExitRequest(.invalidData) }
        }
    }
}
