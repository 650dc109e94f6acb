import MESCore
import MESRender
import MESStore
import MESSystem

/// The guided opposition journey of seed 001: what each step of the union's guide gave (the
/// command line words the steps).
public struct DemoRun: Sendable {
    /// The journey followed on a store where Martine had not opposed yet.
    public struct Journey: Sendable {
        /// 4-8: the new provisional code, sent by e-mail (its message in the outbox).
        public let delivery: CodeDelivery
        /// The identification with that code.
        public let session: IdentifiedSession
        /// 9-10: the opposition's receipt and its file.
        public let receipt: OppositionReceipt
        public let receiptPath: String
        /// The receipt file verified.
        public let verdict: ReceiptVerdict.Status
        /// The profiles attached to Martine's card.
        public let attached: [Person]
    }

    public enum Outcome: Sendable {
        case opposed(Journey)
        /// Run again: Martine's opposition (since when, its receipt and where the store keeps its file).
        case alreadyOpposed(since: Instant, receipt: OppositionReceipt?, receiptsDirectory: String)
    }

    public let outcome: Outcome
    public let directory: String

    /// `opposed`, or `already_opposed` when run again.
    public var status: String {
        if case .opposed = outcome { return "opposed" } else { return "already_opposed" }
    }
}

extension Service {
    /// Opens (or creates, with the demo people) the store in `directory` for the demo.
    public static func openForDemo(_ directory: String, clock: any Clock) throws -> Service {
        let (store, created) = try Store.create(directory)
        let hasDemo = try !store.people(nir: DemoData.martineNIR).isEmpty
        if created || !hasDemo {
            guard try store.registerIsEmpty() else {
                throw MESError(.storeNotEmpty, "La base \(directory) ne contient pas les personnes de démonstration : lancez la démo sur une autre base.",
                               field: "store", remedy: .demoOnAnotherStore)
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
        let card = CardIdentity(nir: DemoData.martineNIR, card: .plain, serial: "953701166")
        let martine = try profile(card, birthDate: DemoData.martineBirthDate, firstName: nil)
        if martine.state == .opposed {
            let onFile = try decisionOnFile(.opposition, of: martine.id)
            return DemoRun(outcome: .alreadyOpposed(since: onFile.at ?? clock.now(), receipt: onFile.receipt, receiptsDirectory: store.receiptsDirectory),
                           directory: store.directory)
        }
        // 4-8: generate a new provisional code, sent by e-mail.
        let delivery = try requestCode(CodeRequest(card: card, birthDate: DemoData.martineBirthDate, via: .email))
        guard let code = try outboxMessage(id: delivery.entry.id).code else {
            throw MESError(.internal, "code absent du message \(delivery.entry.id)")
        }
        let session = try identify(code: code, card: card)
        // 9-10: confirm the opposition and download the receipt.
        let result = try oppose(OppositionRequest(identity: .session(session.token)))
        guard case .opposed(let receipt, let path) = result.outcome else {
            throw MESError(.internal, "l'opposition de la démonstration n'a pas été enregistrée")
        }
        let verdict = try verifyReceipt(try FileIO.read(path))
        return DemoRun(outcome: .opposed(.init(delivery: delivery, session: session, receipt: receipt, receiptPath: path,
                                               verdict: verdict.status, attached: result.attached)),
                       directory: store.directory)
    }
}
