import MESCore
import MESRender

/// `mes nir …` and `mes vitale check`.
enum IdentifierCommands {
    static let rulesOption = OptionSpec.value(
        "rules", "RULES", "Rule set: insee (default), stdnum or app; see RULE SETS in mes(1).",
        choices: NIRRules.allCases.map(\.rawValue))

    static var all: [CommandSpec] {
        [
            CommandSpec(
                ["nir", "check"], summary: "Validate NIRs, with the reason for each invalid one.",
                discussion: "Reads the NIRs given as arguments, or standard input one per line when there is none or '-'. Spaces, dots and dashes are ignored. Exits 0 when all are valid, 65 when any is invalid. With --json prints one JSON object per input, in order: input, valid, and nir/formatted when valid or reason/code/message when invalid.",
                options: [rulesOption], positionals: [PositionalSpec("NIR", "NIR to check; '-' reads standard input", optional: true, repeating: true)],
                examples: ["mes nir check '1 16 30 44 038 016 18'", "mes nir check --json < nirs.txt"], run: check),
            CommandSpec(
                ["nir", "format"], summary: "Print a NIR in its grouped form and its decoded fields.",
                discussion: "With --json also gives sex, birth_year, birth_month, department, commune, order and key.",
                options: [rulesOption], positionals: [PositionalSpec("NIR", "the NIR")],
                examples: ["mes nir format 116304403801618"], run: format),
            CommandSpec(
                ["nir", "key"], summary: "Compute the 2-digit key of the first 13 characters of a NIR.",
                positionals: [PositionalSpec("NIR13", "13 characters (2A/2B allowed at the department)")],
                examples: ["mes nir key 1163044038016"], run: key),
            CommandSpec(
                ["nir", "generate"], summary: "Generate valid (or labelled invalid) NIRs, reproducibly with a seed.",
                discussion: "Valid NIRs follow the insee rules (births in France, Corsica, overseas and abroad). With --invalid each NIR breaks exactly one rule and is labelled with the reason (text: NIR, a tab, the reason).",
                options: [.value("count", "N", "How many (1 to 10000000).", required: true),
                          .value("seed", "S", "Seed for reproducible output (a number or any text)."),
                          .flag("invalid", "Generate invalid NIRs, each labelled with its reason."),
                          .value("reason", "REASON", "With --invalid: only this reason.",
                                 choices: NIRReason.allCases.filter { $0 != .empty }.map(\.rawValue))],
                examples: ["mes nir generate --count 5 --seed 42", "mes nir generate --count 100 --invalid --json"],
                run: generate),
            CommandSpec(
                ["vitale", "check"], summary: "Validate a Carte Vitale serial number.",
                discussion: "photo: the 11 digits typed after the printed prefix 8025000002; plain: 8 to 13 digits printed on the back. Spaces are ignored; there is no check digit.",
                options: [.value("card", "TYPE", "Card model.", choices: CardType.allCases.map(\.rawValue), required: true)],
                positionals: [PositionalSpec("SERIAL", "the serial number")],
                examples: ["mes vitale check --card photo '0102457612 4'"], run: vitaleCheck),
        ]
    }

    static func rules(_ inv: Invocation) -> NIRRules { inv.value("rules").flatMap(NIRRules.init(rawValue:)) ?? .insee }

    static func check(_ inv: Invocation, _ ctx: Context) throws {
        let validator = NIRValidator(rules: rules(inv))
        var anyInvalid = false
        let json = ctx.json
        let handle: (UnsafeBufferPointer<UInt8>) -> Void = { line in
            let verdict = validator.validate(bytes: line)
            if case .invalid = verdict { anyInvalid = true }
            ctx.stdout.append { out in
                if json { NIRCheckOutput.json(input: line, verdict: verdict, into: &out) }
                else { NIRCheckOutput.text(input: line, verdict: verdict, into: &out) }
            }
        }
        let args = inv.positionals
        if args.isEmpty || args == ["-"] {
            try ctx.stdin.forEachLine { line in
                // Tolerate CRLF files.
                if let last = line.last, last == 0x0D { handle(UnsafeBufferPointer(rebasing: line.dropLast())) }
                else { handle(line) }
            }
        } else {
            for a in args {
                var a = a
                a.withUTF8 { handle($0) }
            }
        }
        ctx.stdout.flush()
        if anyInvalid { throw ExitRequest(.invalidData) }
    }

    /// Validates one NIR argument or throws the invalid-data error naming the field.
    static func parseNIR(_ text: String, rules: NIRRules = .insee, field: String = "nir") throws -> NIR {
        switch NIRValidator(rules: rules).validate(text) {
        case .valid(let n): return n
        case .invalid(let r): throw MESError.invalid(r.code, r.message, field: field)
        }
    }

    static func format(_ inv: Invocation, _ ctx: Context) throws {
        let n = try parseNIR(inv.positionals[0], rules: rules(inv))
        let sexName: String
        switch n.sexDigit {
        case 1: sexName = "homme"
        case 2: sexName = "femme"
        default: sexName = "temporaire"
        }
        ctx.emit(SimpleReport(
            text: n.formatted,
            json: .obj([("schema_version", 1), ("nir", .string(n.compact)), ("formatted", .string(n.formatted)),
                        ("sex", .int(n.sexDigit)), ("sex_label", .string(sexName)), ("birth_year", .string(n.birthYear)),
                        ("birth_month", .string(n.birthMonth)), ("department", .string(n.department)),
                        ("commune", .string(n.commune)), ("order", .string(n.order)), ("key", .string(n.key))])))
    }

    static func key(_ inv: Invocation, _ ctx: Context) throws {
        let text = inv.positionals[0]
        var body = [UInt8]()
        for c in text.utf8 where c != 32 && c != 0x2E && c != 0x2D { body.append((c >= 0x61 && c <= 0x7A) ? c - 32 : c) }
        guard body.count == 13 else {
            throw MESError.invalid(.nirLength, "Le début du numéro doit contenir 13 caractères", field: "NIR13")
        }
        guard let k = NIR.key(forBody: body) else {
            throw MESError.invalid(.nirCharacter, Messages.codeCharacter, field: "NIR13")
        }
        let key = k < 10 ? "0\(k)" : "\(k)"
        let full = String(decoding: body, as: UTF8.self) + key
        ctx.emit(SimpleReport(text: key, json: .obj([("schema_version", 1), ("key", .string(key)), ("nir", .string(full))])))
    }

    static func generate(_ inv: Invocation, _ ctx: Context) throws {
        let count = try inv.integer("count", default: 1, range: 1...10_000_000)
        let seed = inv.value("seed").map(seedValue) ?? UInt64.random(in: .min ... .max)
        var gen = NIRGenerator(seed: seed)
        let reason = inv.value("reason").flatMap(NIRReason.init(rawValue:))
        if reason != nil && !inv.flag("invalid") { throw MESError.usage("--reason goes with --invalid", field: "reason") }
        for _ in 0..<count {
            if inv.flag("invalid") {
                let g = gen.invalid(reason)
                let r = g.reason!.rawValue
                if ctx.json {
                    ctx.stdout.line(JSON.obj([("nir", .string(g.text)), ("valid", false), ("reason", .string(r))]).serialized())
                } else {
                    ctx.stdout.line(g.text + "\t" + r)
                }
            } else {
                let v = gen.valid()
                ctx.stdout.line(ctx.json ? JSON.obj([("nir", .string(v)), ("valid", true)]).serialized() : v)
            }
        }
    }

    static func vitaleCheck(_ inv: Invocation, _ ctx: Context) throws {
        let card = CardType(rawValue: try inv.required("card"))!
        let serial = try VitaleSerial.parse(inv.positionals[0], card: card).get()
        ctx.emit(SimpleReport(
            text: "valide : \(card.label), numéro de série \(serial.printed)",
            json: .obj([("schema_version", 1), ("valid", true), ("card", .string(card.rawValue)),
                        ("serial", .string(serial.digits)), ("printed", .string(serial.printed))])))
    }
}

/// The per-line output of `nir check`, written straight into the output buffer.
enum NIRCheckOutput {
    static func json(input: UnsafeBufferPointer<UInt8>, verdict: NIRVerdict, into out: inout [UInt8]) {
        out.append(contentsOf: #"{"input":"#.utf8)
        writeInput(input, into: &out)
        switch verdict {
        case .valid(let nir):
            out.append(contentsOf: #","valid":true,"nir":""#.utf8)
            var c = nir.compact
            c.withUTF8 { b in
                out.append(contentsOf: b)
                out.append(contentsOf: #"","formatted":""#.utf8)
                grouped(b, into: &out)
            }
            out.append(contentsOf: "\"}\n".utf8)
        case .invalid(let reason):
            out.append(contentsOf: #","valid":false,"reason":""#.utf8)
            out.append(contentsOf: reason.rawValue.utf8)
            out.append(contentsOf: #"","code":""#.utf8)
            out.append(contentsOf: reason.code.rawValue.utf8)
            out.append(contentsOf: #"","message":"#.utf8)
            JSON.writeString(reason.message, into: &out)
            out.append(contentsOf: "}\n".utf8)
        }
    }

    static func text(input: UnsafeBufferPointer<UInt8>, verdict: NIRVerdict, into out: inout [UInt8]) {
        switch verdict {
        case .valid(let nir):
            var c = nir.compact
            c.withUTF8 { grouped($0, into: &out) }
            out.append(contentsOf: "\tvalide\n".utf8)
        case .invalid(let reason):
            out.append(contentsOf: String(decoding: input, as: UTF8.self).utf8)
            out.append(contentsOf: "\tinvalide (\(reason.rawValue)) : \(reason.message)\n".utf8)
        }
    }

    static func grouped(_ b: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        guard b.count == 15 else { out.append(contentsOf: b); return }
        var g: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &g) { raw in
            var j = 0
            for i in 0..<15 {
                if i == 1 || i == 3 || i == 5 || i == 7 || i == 10 || i == 13 { raw[j] = 32; j += 1 }
                raw[j] = b[i]
                j += 1
            }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[0..<21]))
        }
    }

    static func writeInput(_ input: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        if input.allSatisfy({ $0 < 0x80 }) {
            JSON.writeString(utf8: input, into: &out)
        } else {
            JSON.writeString(String(decoding: input, as: UTF8.self), into: &out)
        }
    }
}
