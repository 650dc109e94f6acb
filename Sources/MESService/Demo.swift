import MESCore
import MESRender
import MESStore
import MESSystem

/// The guided opposition journey of seed 001, step by step.
public struct DemoRun: Sendable {
    /// One step: its title (as the guide numbers it) and what the service answered.
    public struct Step: Sendable {
        public let title: String
        public let result: String
    }

    /// `opposed`, or `already_opposed` when run again.
    public let status: String
    public let steps: [Step]
    public let directory: String
}

extension Service {
    /// Opens (or creates, with the demo people) the store in `directory` for the demo.
    public static func openForDemo(_ directory: String, clock: any Clock) throws -> Service {
        let (store, created) = try Store.create(directory)
        let hasDemo = try !store.people(nir: DemoData.martineNIR).isEmpty
        if created || !hasDemo {
            guard try store.registerIsEmpty() else {
                throw MESError(.storeNotEmpty, "La base \(directory) ne contient pas les personnes de démonstration : lancez la démo sur une autre base (mes --store DIR demo).", field: "store")
            }
            try store.transaction {
                try DemoData.seed(store)
                try store.enableTestClock()
            }
        }
        try requireClockAllowed(clock, by: store)
        return try Service(store: store, clock: clock)
    }

    /// Follows the union's guide for Martine Julie Leguellec: a new provisional code, read from
    /// the outbox, identification, the opposition, its receipt verified, the attached profiles.
    public func demo() throws -> DemoRun {
        var steps: [DemoRun.Step] = []
        func say(_ title: String, _ text: String) { steps.append(.init(title: title, result: text)) }
        let card = CardIdentity(nir: DemoData.martineNIR, card: .plain, serial: "953701166")
        let martine = try profile(card, birthDate: DemoData.martineBirthDate, firstName: nil)
        if martine.state == .opposed {
            let onFile = try decisionOnFile(.opposition, of: martine.id)
            let receipt = onFile.receipt
            say("Déjà fait", "Vous vous êtes déjà opposé à la création de Mon espace santé le \((onFile.at ?? clock.now()).parisDate.french)."
                + (receipt.map { " Justificatif \($0.id) : \(store.receiptsDirectory)/\($0.id).pdf" } ?? "")
                + "\nPour rejouer le parcours : mes --store \"$(mktemp -d)\" demo")
            return DemoRun(status: "already_opposed", steps: steps, directory: store.directory)
        }
        // 4-8: generate a new provisional code, sent by e-mail.
        let delivery = try requestCode(CodeRequest(card: card, birthDate: DemoData.martineBirthDate, via: .email))
        say("4 – Générer un nouveau code provisoire", "Un nouveau code provisoire a été envoyé. Par e-mail : \(delivery.masked)")
        guard let code = try outboxMessage(id: delivery.entry.id).code else {
            throw MESError(.internal, "code absent du message \(delivery.entry.id)")
        }
        say("8 – Lire le code reçu", "Message n° \(delivery.entry.id) dans la boîte d'envoi (mes outbox show \(delivery.entry.id))")
        let session = try identify(code: code, card: card)
        say("Je m'identifie", "Bonjour \(session.person.firstName) ! Profil : \(session.person.stateLabel)")
        // 9-10: confirm the opposition and download the receipt.
        let result = try oppose(OppositionRequest(identity: .session(session.token)))
        guard case .opposed(let receipt, let path) = result.outcome else {
            throw MESError(.internal, "l'opposition de la démonstration n'a pas été enregistrée")
        }
        say("9 – Je valide l'opposition", "Ma décision a bien été prise en compte. Votre demande d'opposition à la création de Mon espace santé a bien été prise en compte le \(receipt.decidedOn.french).")
        say("10 – Télécharger le justificatif", "\(path)\nRéférence \(receipt.id), code de vérification \(receipt.verification)")
        let verdict = try verifyReceipt(try FileIO.read(path))
        say("Vérifier le justificatif", "mes receipt verify \(path) : \(verdict.status.french)")
        say("Profils rattachés", result.attached.map { "\($0.displayName) — \($0.stateLabel)" }.joined(separator: "\n"))
        return DemoRun(status: "opposed", steps: steps, directory: store.directory)
    }
}
