import MESCore
import MESRender
import MESStore

/// `mes receipt` (re-issue) and `mes receipt verify`.
enum ReceiptCommands {
    static var all: [CommandSpec] {
        [
            CommandSpec(
                ["receipt"], summary: "Re-issue an opposition receipt (PDF, text or JSON), marked as a duplicate.",
                discussion: "From the session's profile (its latest opposition) or from a receipt id. The copy says 'Duplicata' with its number and date, and the re-issue is recorded in the audit trail. PDF goes to -o FILE (or standard output when it is not a terminal).",
                usages: ["mes receipt verify FILE"],
                options: [EnrolmentCommands.sessionOption, .value("id", "RECEIPT", "Receipt reference (JO-…)."),
                          .value("format", "FORMAT", "Output format (default pdf).", choices: ["pdf", "text", "json"]),
                          .value("output", short: "o", "FILE", "Write to FILE (atomically).", file: true),
                          EnrolmentCommands.forceOption],
                examples: ["mes receipt --session TOKEN -o justificatif.pdf", "mes receipt --id JO-7K2M9QXD4T --format text"],
                run: reissue),
            CommandSpec(
                ["receipt", "verify"], summary: "Check a receipt file: authentic, altered or unknown.",
                discussion: "Reads the fields the receipt shows (PDF written by mes, or its text or JSON form), and checks them and their verification code against this store. authentic: exit 0; altered (a field or the code does not match the record) or unknown (no such receipt in this store): exit 65.",
                positionals: [PositionalSpec("FILE", "the receipt file", file: true)],
                examples: ["mes receipt verify justificatif.pdf"], run: verify),
        ]
    }

    static func reissue(_ inv: Invocation, _ ctx: Context) throws {
        let now = try ctx.now()
        let format = inv.value("format") ?? "pdf"
        let output = inv.value("output")
        if output == nil && format == "pdf" && ctx.stdout.isTerminal {
            throw MESError.usage("a PDF is not printed on a terminal: use -o FILE (or --format text)", field: "output")
        }
        try FileIO.refuseExisting(output, force: inv.flag("force"), field: "output")
        let store = try Args.store(ctx)
        let receipt = try store.transaction { () -> OppositionReceipt in
            let (record, personID): (OppositionReceipt?, Int64)
            if let id = inv.value("id") {
                guard let r = try store.receipt(id: id.trimmingSpaces) else {
                    throw MESError(.receiptNotFound, "Justificatif inconnu : \(id)", field: "id")
                }
                let pid = try store.receiptHolder(id: r.id) ?? 0
                (record, personID) = (r, pid)
            } else if let token = inv.value("session") {
                let s = try store.session(token, now: now)
                (record, personID) = (try store.latestReceipt(personID: s.person.id), s.person.id)
            } else {
                throw MESError.usage("give --session TOKEN or --id RECEIPT", field: "session")
            }
            guard let r = record else {
                throw MESError(.receiptNotFound, status: .refused, "Aucune opposition enregistrée pour ce profil : pas de justificatif.", field: "session")
            }
            let copy = try store.reissue(r, now: now, actor: inv.value("session") != nil ? .self : .system, personID: personID)
            if let o = output {
                try FileIO.writeAtomically(o, bytes(copy, format: format), overwrite: inv.flag("force"), field: "output")
                store.noteCreated(o)
            }
            return copy
        }
        if let o = output {
            ctx.emit(SimpleReport(text: "Justificatif (duplicata n° \(receipt.copy)) écrit : \(o)",
                                  json: .obj([("schema_version", 1), ("status", "reissued"), ("receipt", .string(receipt.id)),
                                              ("copy", .int(receipt.copy)), ("file", .string(o)), ("format", .string(format))])))
        } else {
            ctx.stdout.write(bytes: bytes(receipt, format: format))
        }
    }

    static func bytes(_ r: OppositionReceipt, format: String) -> [UInt8] {
        switch format {
        case "text": return Array(ReceiptRenderer.text(r).utf8)
        case "json": return Array((ReceiptRenderer.json(r).serialized() + "\n").utf8)
        default: return ReceiptRenderer.pdf(r)
        }
    }

    static func verify(_ inv: Invocation, _ ctx: Context) throws {
        let bytes = try FileIO.read(inv.positionals[0], field: "FILE")
        let store = try Args.store(ctx)
        let verdict = try ReceiptVerification.check(bytes, store: store)
        let text: String
        switch verdict.status {
        case .authentic: text = "\(verdict.status.french) : justificatif \(verdict.id ?? "") émis par cette base, contenu intact."
        case .altered: text = "\(verdict.status.french) : le contenu du justificatif \(verdict.id ?? "") ne correspond pas à l'original (\(verdict.mismatch.joined(separator: ", ")))."
        case .unknown: text = "\(verdict.status.french) : " + (verdict.id.map { "aucun justificatif \($0) dans cette base." } ?? "ce fichier n'est pas un justificatif lisible.")
        }
        ctx.emit(SimpleReport(text: text, json: .obj([("schema_version", 1), ("status", .string(verdict.status.rawValue)),
                                                      ("receipt", JSON.str(verdict.id)),
                                                      ("mismatch", .array(verdict.mismatch.map { .string($0) }))])))
        if verdict.status != .authentic { throw ExitRequest(.invalidData) }
    }
}

/// Checks a receipt's visible fields against the store's record and key.
enum ReceiptVerification {
    enum Status: String {
        case authentic, altered, unknown

        /// How people read it.
        var french: String { self == .authentic ? "authentique" : self == .altered ? "altéré" : "inconnu" }
    }

    struct Verdict {
        let status: Status
        let id: String?
        let mismatch: [String]
    }

    static func check(_ bytes: [UInt8], store: Store) throws -> Verdict {
        guard let f = ReceiptReader.read(bytes) else { return Verdict(status: .unknown, id: nil, mismatch: []) }
        guard let r = try store.receipt(id: f.id) else { return Verdict(status: .unknown, id: f.id, mismatch: []) }
        var mismatch: [String] = []
        if f.nir != r.nir.compact { mismatch.append("nir") }
        if f.name != r.name { mismatch.append("name") }
        if f.greeting != r.greeting { mismatch.append("greeting") }
        if f.decidedOn != r.decidedOn.iso { mismatch.append("decided_on") }
        let expected = store.verificationCode(id: f.id, nir: f.nir, name: f.name, greeting: f.greeting, decidedOn: f.decidedOn)
        if f.verification != r.verification || expected != f.verification { mismatch.append("verification") }
        return Verdict(status: mismatch.isEmpty ? .authentic : .altered, id: f.id, mismatch: mismatch)
    }
}
