import MESCore
import MESRender
import MESService

extension StoreCreation: Report {
    public var text: String {
        (created ? "Base créée : \(directory)" : "La base existe déjà : \(directory)")
            + (demoPeople > 0 ? "\n" + plural(demoPeople, "personne de démonstration ajoutée.", "personnes de démonstration ajoutées.") : "")
    }

    public var json: JSON {
        .obj([("status", .string(created ? "created" : "exists")), ("store", .string(directory)),
              ("schema", .int(schemaVersion)), ("demo_people", .int(demoPeople))])
    }
}

extension NotificationWave: Report {
    public var text: String {
        "\(plural(notified, "profil notifié", "profils notifiés")) en \(plural(messages, "message", "messages")) "
            + "(\(plural(emailMessages, "e-mail", "e-mails")), \(plural(letterMessages, "courrier", "courriers")))."
            + (withoutAddress > 0 ? " \(plural(withoutAddress, "profil", "profils")) sans adresse postale : à mettre à jour par leur caisse, rien n'a été envoyé." : "")
    }
    public var json: JSON {
        .obj([("status", "notified"), ("notified", .int(notified)), ("email", .int(byEmail)), ("letter", .int(byLetter)),
              ("without_address", .int(withoutAddress)), ("messages", .int(messages)),
              ("email_messages", .int(emailMessages)), ("letter_messages", .int(letterMessages))])
    }
}

/// The outbox as listed, one message at a time (`Context.emitList`).
enum OutboxListing {
    static func json(_ m: OutboxEntry) -> [(String, JSON)] {
        [("id", .int(Int(m.id))), ("channel", .string(m.channel.rawValue)), ("to", .string(m.recipientMasked)),
         ("subject", .string(m.subject)), ("created_at", .string(m.createdAt.iso8601)), ("file", m.file.map { .string($0) } ?? .null),
         ("status", .string(m.status.rawValue)), ("attempts", .int(m.attempts)), ("last_error", m.lastError.map { .string($0) } ?? .null),
         ("sent_at", m.sentAt.map { .string($0.iso8601) } ?? .null)]
    }

    /// One message as a line of the text listing: tab-separated cells that a spreadsheet opens
    /// as text (`=1+*****@example.fr` gains a quote), terminal controls escaped, as `history`'s;
    /// the last cell says why the last try failed, when it did.
    static func line(_ m: OutboxEntry) -> String {
        ["\(m.id)", m.createdAt.iso8601, m.channel.rawValue, m.recipientMasked, m.status.french, m.subject, m.lastError ?? ""]
            .map { TextEscaping.terminalSafe(TextEscaping.spreadsheetCell($0)) }.joined(separator: "\t")
    }
}

extension OutboxMessage: Report {
    public var text: String {
        let shown = body.split(separator: "\n", omittingEmptySubsequences: false).map { TextEscaping.terminalSafe(String($0)) }.joined(separator: "\n")
        let lines = windows.map { w in "  [\(w.profile)] " + (w.window.map(WindowView.text) ?? "plus en attente : une décision a été prise") }
        return lines.isEmpty ? shown : shown + (shown.hasSuffix("\n") ? "" : "\n") + "---\nDélai de six semaines :\n" + lines.joined(separator: "\n")
    }
    public var json: JSON {
        // provisional_code(s): the secret the message carries. code(s), its name before 0.4.0,
        // stays for schema_version 2 readers and goes with schema_version 3.
        .object(OutboxListing.json(entry) + [("body", .string(body)), ("provisional_code", JSON.str(code) ?? .null),
                                                   ("provisional_codes", .array(codes.map { .string($0) })),
                                                   ("code", JSON.str(code) ?? .null),
                                                   ("codes", .array(codes.map { .string($0) })),
                                                   ("windows", .array(windows.map { .obj([("profile", .int(Int($0.profile))), ("window", WindowView.json($0.window))]) }))])
    }
}

/// The audit trail's lines and JSON events (written as they are read, `Context.emitList`); NIRs in
/// full only when the user typed one; cells that could be formulas or terminal controls neutralised.
struct HistoryListing {
    let nirGiven: Bool

    func who(_ p: Person?) -> String {
        guard let p else { return "" }
        return "\(p.displayName) (\(nirGiven ? p.nir.formatted : Masking.nir(p.nir)))"
    }

    /// One event as a line of the text listing.
    func line(_ e: AuditEntry) -> String {
        [e.at.iso8601, e.event, who(e.person), e.channel ?? "", [e.actor, e.actorID].compactMap { $0 }.joined(separator: ":"), e.detail ?? ""]
            .map { TextEscaping.terminalSafe(TextEscaping.spreadsheetCell($0)) }.joined(separator: "\t")
    }

    func json(_ e: AuditEntry) -> JSON {
        .obj([("at", .string(e.at.iso8601)), ("event", .string(e.event)),
              ("profile", e.person.map { p in .obj([("id", .int(Int(p.id))), ("name", .string(p.displayName)),
                                                    ("nir", .string(nirGiven ? p.nir.compact : Masking.nir(p.nir)))]) }),
              ("channel", JSON.str(e.channel)), ("actor", JSON.str(e.actor)), ("actor_id", JSON.str(e.actorID)),
              ("detail", JSON.str(e.detail))])
    }
}

extension FixturesResult: Report {
    public var text: String {
        "\(profiles) profils écrits dans \(rosterPath)" + (membersPath.map { "\n\(codes) membres avec leur code dans \($0)" } ?? "")
            + (expected.isEmpty ? "" : "\nstatuts attendus : " + expected.map { "\($0.status) \($0.rows)" }.joined(separator: ", "))
            + (membersPath == nil ? "" : "\ndate des fixtures : \(now.iso8601) (mes batch oppose --now \(now.iso8601) donne les statuts attendus)")
            + (population == .reused ? "\nla base tenait déjà cette population, inchangée : reprise telle quelle" : "")
            + (population == .replaced ? "\nla population que la base tenait de cette graine a été remplacée" : "")
    }

    public var json: JSON {
        .obj([("status", "written"), ("profiles", .int(profiles)), ("roster", .string(rosterPath)),
              ("members", JSON.str(membersPath)), ("codes", .int(codes)), ("now", .string(now.iso8601)), ("population", population.map { .string($0.rawValue) }),
              ("expected", expected.isEmpty ? nil : .object(expected.map { ($0.status, .int($0.rows)) }))])
    }
}

extension ReceiptVerdict: Report {
    /// Why a receipt is altered, in French.
    static let reasons: [ErrorCode: String] = [
        .signature: "la signature ne correspond plus au contenu",
        .byteRange: "la signature ne couvre pas tout le document",
        .updateAppended: "une mise à jour a été ajoutée au document après sa signature",
        .truncated: "le document a été tronqué ou réécrit depuis sa signature",
        .multipleSignatures: "une autre signature a été ajoutée",
        .malformed: "la signature est illisible",
        .recordMismatch: "le contenu ne correspond pas à l'enregistrement",
    ]

    public var text: String {
        let ref = id.map { "justificatif \($0)" } ?? "document"
        switch status {
        case .authentic:
            return "\(status.french) : \(ref) signé par \(signer ?? "cette base"), contenu intact."
        case .altered:
            var why = reason.flatMap { Self.reasons[$0] } ?? "le contenu a été modifié"
            if !mismatch.isEmpty { why += " (\(mismatch.joined(separator: ", ")))" }
            return "\(status.french) : \(ref) : \(why)."
        case .unknown:
            if reason == .unknownSigner { return "\(status.french) : \(ref) signé par un autre émetteur que celui attendu (cette base, ou le certificat donné)." }
            return "\(status.french) : " + (id.map { "aucun justificatif \($0) dans cette base." } ?? "ce fichier n'est pas un justificatif lisible.")
        case .unsigned:
            let old: String
            switch legacy {
            case .authentic?: old = " Ancien justificatif : son code de vérification correspond à l'enregistrement de cette base."
            case .altered?: old = " Son contenu ne correspond pas à l'enregistrement de cette base (\(mismatch.joined(separator: ", ")))."
            default: old = ""
            }
            return "\(status.french) : \(ref) sans signature électronique.\(old)"
        }
    }

    public var json: JSON {
        .obj([("status", .string(status.rawValue)), ("receipt", JSON.str(id)),
              ("reason", JSON.str(reason?.rawValue)), ("signer", JSON.str(signer)), ("legacy_status", JSON.str(legacy?.rawValue)),
              ("mismatch", .array(mismatch.map { .string($0) }))])
    }
}

extension ReissuedReceipt: Report {
    public var text: String { "Justificatif (duplicata n° \(receipt.copy)) écrit : \(path ?? "")" }
    public var json: JSON {
        .obj([("status", "reissued"), ("receipt", .string(receipt.id)), ("copy", .int(receipt.copy)),
              ("receipt_file", JSON.str(path)), ("format", .string(format.rawValue))])
    }
}

extension DemoRun: Report {
    /// Each step of the union's guide: its title, and what the service answered.
    var steps: [(title: String, result: String)] {
        switch outcome {
        case .alreadyOpposed(let since, let receipt, let receiptsDirectory):
            return [("Déjà fait", "Vous vous êtes déjà opposé à la création de Mon espace santé le \(since.parisDate.french)."
                     + (receipt.map { " Justificatif \($0.id) : \(receiptsDirectory)/\($0.id).pdf" } ?? "")
                     + "\nPour rejouer le parcours : mes --store \"$(mktemp -d)\" demo")]
        case .opposed(let j):
            let id = j.delivery.entry.id
            return [
                ("4 – Générer un nouveau code provisoire", "Un nouveau code provisoire a été envoyé. Par e-mail : \(j.delivery.masked)"),
                ("8 – Lire le code reçu", "Message n° \(id) dans la boîte d'envoi (mes outbox show \(id))"),
                ("Je m'identifie", "Bonjour \(j.session.person.firstName) ! Profil : \(j.session.person.stateLabel)"),
                ("9 – Je valide l'opposition", "Ma décision a bien été prise en compte. Votre demande d'opposition à la création de Mon espace santé a bien été prise en compte le \(j.receipt.decidedOn.french)."),
                ("10 – Télécharger le justificatif", "\(j.receiptPath)\nRéférence \(j.receipt.id), code de vérification \(j.receipt.verification)"),
                ("Vérifier le justificatif", "mes receipt verify \(j.receiptPath) : \(j.verdict.french)"),
                ("Profils rattachés", j.attached.map { "\($0.displayName) — \($0.stateLabel)" }.joined(separator: "\n")),
            ]
        }
    }

    public var text: String {
        "Base : \(directory)\nParcours d'opposition de Martine Julie Leguellec, pas à pas du guide « Comment refuser Mon espace santé ? »\n"
            + Messages.whatToHave + "\n\n"
            + steps.map { "\($0.title)\n   \($0.result.replacing("\n", with: "\n   "))" }.joined(separator: "\n")
    }

    public var json: JSON {
        .obj([("status", .string(status)),
              ("steps", .array(steps.map { .obj([("step", .string($0.title)), ("result", .string($0.result))]) }))])
    }
}
