import MESCore
import MESRender
import MESStore

/// `mes demo`: seed 001's opposition journey on the default store, step by step.
enum DemoCommand {
    static var spec: CommandSpec {
        CommandSpec(
            ["demo"], summary: "Run the guided opposition scenario on the store (the README's main command).",
            discussion: "Creates the store with the demo people when there is none, then follows the union's guide (seed 001) for Martine Julie Leguellec: generate a new provisional code, read it from the outbox, identify, confirm the opposition, get the PDF receipt and verify it, and list the attached Capanelli profiles. Run again, it reports the existing opposition, as the service does.",
            examples: ["mes demo", "mes --store /tmp/mes-demo demo"], run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let now = try ctx.now()
        let dir = ctx.storeDirectory
        let (store, created) = try Store.create(dir)
        let hasDemo = try !store.people(nir: DemoData.martineNIR).isEmpty
        if created || !hasDemo {
            guard try store.registerIsEmpty() else {
                throw MESError(.storeNotEmpty, "La base \(dir) ne contient pas les personnes de démonstration : lancez la démo sur une autre base (mes --store DIR demo).", field: "store")
            }
            try store.transaction { try DemoData.seed(store) }
        }
        var steps: [JSON] = []
        func say(_ step: String, _ text: String) {
            if !ctx.json { ctx.stdout.line("\(step)\n   \(text.replacingOccurrences(of: "\n", with: "\n   "))") }
            steps.append(.obj([("step", .string(step)), ("result", .string(text))]))
        }
        let e = Enrolment(store: store, now: now)
        if !ctx.json { ctx.stdout.line("Base : \(dir)\nParcours d'opposition de Martine Julie Leguellec (guide du SMG, seed 001)\n") }
        let martine = try e.profile(nir: DemoData.martineNIR, birthDate: CalendarDate(year: 1988, month: 6, day: 8)!,
                                    card: .plain, serial: "953701166", firstName: nil)
        if martine.state == .opposed {
            let last = try store.lastOpposition(of: martine.id)
            let receipt = try last.flatMap { try store.receipt(decisionID: $0.id) }
            say("Déjà fait", "Vous vous êtes déjà opposé à la création de Mon espace santé le \((last?.at ?? now).parisDate.french)."
                + (receipt.map { " Justificatif \($0.id) : \(store.receiptsDirectory)/\($0.id).pdf" } ?? "")
                + "\nPour rejouer le parcours : mes --store \"$(mktemp -d)\" demo")
            finish(ctx, steps, status: "already_opposed")
            return
        }
        // 4-8: generate a new provisional code, sent by e-mail.
        let delivery = try store.transaction { try e.requestCode(for: martine, via: .email) }
        say("4 – Générer un nouveau code provisoire", "Un nouveau code provisoire a été envoyé. Par e-mail : \(delivery.masked)")
        let message = String(decoding: try FileIO.read(delivery.entry.path), as: UTF8.self)
        guard let code = MessageTemplates.code(in: message) else {
            throw MESError(.internal, "code absent du message \(delivery.entry.path)")
        }
        say("8 – Lire le code reçu", "Message n° \(delivery.entry.id) dans la boîte d'envoi (mes outbox show \(delivery.entry.id))")
        let (person, codeID) = try e.identify(code: code, nir: DemoData.martineNIR, card: .plain, serial: "953701166")
        say("Je m'identifie", "Bonjour \(person.firstName) ! Profil : \(person.stateLabel)")
        // 9-10: confirm the opposition and download the receipt.
        let outcome = try store.transaction {
            try e.oppose(person, channel: .web, actor: .self, codeID: codeID, legalRepresentative: false,
                         receipt: Enrolment.ReceiptTarget())
        }
        guard case .opposed(let p, let receipt, let path) = outcome else { return }
        say("9 – Je valide l'opposition", "Ma décision a bien été prise en compte. Votre demande d'opposition à la création de Mon espace santé a bien été prise en compte le \(receipt.decidedOn.french).")
        say("10 – Télécharger le justificatif", "\(path)\nRéférence \(receipt.id), code de vérification \(receipt.verification)")
        let verdict = try ReceiptVerification.check(try FileIO.read(path), store: store)
        say("Vérifier le justificatif", "mes receipt verify \(path) : \(verdict.status.french)")
        let attached = try store.attached(to: p)
        say("Profils rattachés", attached.map { "\($0.displayName) — \($0.stateLabel)" }.joined(separator: "\n"))
        finish(ctx, steps, status: "opposed")
    }

    static func finish(_ ctx: Context, _ steps: [JSON], status: String) {
        if ctx.json {
            ctx.emit(SimpleReport(text: "", json: .obj([("schema_version", 1), ("status", .string(status)), ("steps", .array(steps))])))
        }
    }
}
