import Foundation
import MESCore
import MESRender
import MESStore

/// `mes init`, `mes import`, `mes notify`, `mes outbox …`, `mes history`.
enum StoreCommands {
    static var all: [CommandSpec] {
        [
            CommandSpec(
                ["init"], summary: "Create the store (SQLite database, key, outbox) in the data directory.",
                discussion: "Creates DIR/mes.db, DIR/secret.key (the per-store HMAC key), DIR/outbox/ and DIR/receipts/ with modes 0700/0600. Running it on an existing store changes nothing. --demo also seeds the people shown in the guides (Martine Julie Leguellec 1 16 30 44 038 016 18 and the Capanelli profiles) and a few hard cases: SMS-only contact, twins, Corsica by letter, a deceased person, an active space.",
                options: [.flag("demo", "Seed the demo people (the store must hold nobody yet).")],
                examples: ["mes init --demo", "mes --store /tmp/mes init"], run: initStore),
            CommandSpec(
                ["import"], summary: "Load the insurer's roster from a CSV file (all rows or none).",
                discussion: "Columns (header names; French aliases in parentheses): nir, birth_date (date_naissance), first_name (prenom), last_name (nom), card_type (type_carte: photo/plain or avec photo/sans photo), serial (numero_serie) are required; email (courriel), mobile (telephone), address (adresse), holder_birth_date (date_naissance_titulaire: the holder's birth date, for a profile attached to a holder with the same NIR and card), deceased (decede), state (etat: pending, opposed, active, closed), state_since, notified_at are optional. ',' or ';', UTF-8 with or without BOM. Every row is validated; any invalid row rejects the whole file with line numbers, and nothing is imported. Into an empty register the rows are written once, straight to the database file (a rollback journal instead of the WAL, when no other process has the store open), and the identity index is built at the end: other commands on that store wait until the import is done.",
                positionals: [PositionalSpec("FILE", "the roster CSV ('-' for standard input)", file: true)],
                examples: ["mes import roster.csv"], run: importRoster),
            CommandSpec(
                ["notify"], summary: "Send notification codes (valid 6 weeks) to pending profiles never notified.",
                discussion: "By e-mail to the contact on file (a child's goes to the holder), by postal letter when there is no e-mail or with --via letter. Starts the 6-week window after which 'mes sweep' creates the space.",
                options: [.value("via", "CHANNEL", "Force the channel.", choices: ["email", "letter"])],
                examples: ["mes notify"], run: notify),
            CommandSpec(
                ["outbox", "list"], summary: "List delivered e-mails, SMS and letters.",
                discussion: "Each message is a file in DIR/outbox/ (.eml for e-mail). Destinations are shown masked.",
                options: [.value("nir", "NIR", "Only messages for this NIR's profiles.")],
                examples: ["mes outbox list --json"], run: outboxList),
            CommandSpec(
                ["outbox", "show"], summary: "Print one delivered message (as a person reads it).",
                discussion: "With --json: id, channel, to, subject, created_at, file, body, and code (the provisional or one-time code the message carries, for scripts).",
                positionals: [PositionalSpec("ID", "message number from 'mes outbox list' (or 'last')")],
                examples: ["mes outbox show 1", "mes outbox show last --json"], run: outboxShow),
            CommandSpec(
                ["history"], summary: "Print the audit trail of decisions and identifications.",
                discussion: "Every decision with when, by which channel and by whom (self, legal_representative, association, adviser with its id, system), plus code issues, identifications, failed attempts and receipt re-issues. NIRs are masked unless --nir is given.",
                options: [.value("nir", "NIR", "Only this NIR's profiles.")],
                examples: ["mes history --nir '1 16 30 44 038 016 18'"], run: history),
        ]
    }

    static func initStore(_ inv: Invocation, _ ctx: Context) throws {
        let dir = ctx.storeDirectory
        let (store, created) = try Store.create(dir)
        var seeded = 0
        if inv.flag("demo") {
            if try !store.registerIsEmpty() {
                throw MESError(.storeNotEmpty, "La base \(dir) contient déjà des personnes : les personnes de démonstration n'ont pas été ajoutées.", field: "demo")
            }
            try store.transaction { try DemoData.seed(store) }
            seeded = try store.peopleCount()
        }
        ctx.emit(SimpleReport(
            text: (created ? "Base créée : \(dir)" : "La base existe déjà : \(dir)") + (seeded > 0 ? "\n\(seeded) personnes de démonstration ajoutées." : ""),
            json: .obj([("schema_version", 1), ("status", .string(created ? "created" : "exists")), ("store", .string(dir)),
                        ("schema", .int(store.schemaVersion)), ("demo_people", .int(seeded))])))
    }

    static func importRoster(_ inv: Invocation, _ ctx: Context) throws {
        let now = try ctx.now()
        let path = inv.positionals[0]
        let store = try Args.store(ctx)
        let count: Int
        if path == "-" {
            count = try RosterImport.run({ try ctx.stdin.forEachChunk($0) }, into: store, today: now.parisDate)
        } else {
            let chunks = try FileIO.Chunks(path: path, field: "FILE")
            count = try RosterImport.run({ try chunks.forEach($0) }, into: store, today: now.parisDate)
        }
        ctx.emit(SimpleReport(text: "\(count) personnes importées.",
                              json: .obj([("schema_version", 1), ("status", "imported"), ("people", .int(count))])))
    }

    static func notify(_ inv: Invocation, _ ctx: Context) throws {
        let now = try ctx.now()
        let store = try Args.store(ctx)
        let e = Enrolment(store: store, now: now)
        let deliveries = try store.transaction {
            let list = try store.unnotified().map { try e.notify($0, forceLetter: inv.value("via") == "letter", sync: false) }
            FileIO.syncFilesystem(store.outboxDirectory)
            return list
        }
        let emails = deliveries.filter { $0.channel == .email }.count
        ctx.emit(SimpleReport(
            text: "\(deliveries.count) notifications envoyées (\(emails) par e-mail, \(deliveries.count - emails) par courrier).",
            json: .obj([("schema_version", 1), ("status", "notified"), ("notified", .int(deliveries.count)), ("email", .int(emails)),
                        ("letter", .int(deliveries.count - emails))])))
    }

    static func entryJSON(_ m: OutboxEntry) -> JSON {
        .obj([("id", .int(Int(m.id))), ("channel", .string(m.channel)), ("to", .string(m.recipientMasked)),
              ("subject", .string(m.subject)), ("created_at", .string(m.createdAt.iso8601)), ("file", .string(m.path))])
    }

    static func outboxList(_ inv: Invocation, _ ctx: Context) throws {
        let store = try Args.store(ctx)
        var entries = try store.outbox()
        if inv.value("nir") != nil {
            let ids = Set(try store.people(nir: try Args.nir(inv)).map(\.id))
            entries = entries.filter { $0.personID.map(ids.contains) ?? false }
        }
        let text = entries.isEmpty ? "Aucun message." : entries.map {
            "\($0.id)\t\($0.createdAt.iso8601)\t\($0.channel)\t\($0.recipientMasked)\t\($0.subject)"
        }.joined(separator: "\n")
        ctx.emit(SimpleReport(text: text, json: .obj([("schema_version", 1), ("messages", .array(entries.map(entryJSON)))])))
    }

    static func outboxShow(_ inv: Invocation, _ ctx: Context) throws {
        let store = try Args.store(ctx)
        let arg = inv.positionals[0]
        let entry: OutboxEntry?
        if arg == "last" { entry = try store.outbox().last }
        else {
            guard let id = Int64(arg) else { throw MESError.usage("ID must be a message number or 'last', not '\(arg)'", field: "ID") }
            entry = try store.outboxEntry(id: id)
        }
        guard let m = entry else { throw MESError(.messageNotFound, "Message introuvable : \(arg)", field: "ID") }
        let raw = try FileIO.read(m.path, field: "ID")
        let body = String(decoding: raw, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        guard case .object(var pairs) = entryJSON(m) else { return }
        pairs.insert(("schema_version", 1), at: 0)
        pairs.append(("body", .string(body)))
        pairs.append(("code", JSON.str(MessageTemplates.code(in: body)) ?? .null))
        ctx.emit(SimpleReport(text: body, json: .object(pairs)))
    }

    static func history(_ inv: Invocation, _ ctx: Context) throws {
        let nir = inv.value("nir") != nil ? try Args.nir(inv) : nil
        let store = try Args.store(ctx)
        let entries = try store.history(nir: nir)
        func who(_ p: Person?) -> String {
            guard let p else { return "" }
            return "\(p.displayName) (\(nir != nil ? p.nir.formatted : Masking.nir(p.nir)))"
        }
        let text = entries.isEmpty ? "Aucun événement." : entries.map { e in
            [e.at.iso8601, e.event, who(e.person), e.channel ?? "", [e.actor, e.actorID].compactMap { $0 }.joined(separator: ":"), e.detail ?? ""]
                .joined(separator: "\t")
        }.joined(separator: "\n")
        let json: [JSON] = entries.map { e in
            .obj([("at", .string(e.at.iso8601)), ("event", .string(e.event)), ("profile", e.person.map { .int(Int($0.id)) }),
                  ("name", JSON.str(e.person?.displayName)),
                  ("nir", JSON.str(e.person.map { nir != nil ? $0.nir.compact : Masking.nir($0.nir) })),
                  ("channel", JSON.str(e.channel)), ("actor", JSON.str(e.actor)), ("actor_id", JSON.str(e.actorID)),
                  ("detail", JSON.str(e.detail))])
        }
        ctx.emit(SimpleReport(text: text, json: .obj([("schema_version", 1), ("events", .array(json))])))
    }
}
