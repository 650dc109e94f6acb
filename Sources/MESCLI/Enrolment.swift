import MESCore
import MESRender
import MESStore

/// The enrolment journeys (code, identification, opposition), composed from store operations,
/// each inside one transaction. Shared by the single-person commands and the batch.
struct Enrolment {
    let store: Store
    let now: Instant
    var policy = CodePolicy.standard

    // MARK: codes

    /// Where and how a code went.
    struct Delivery {
        let person: Person
        let entry: OutboxEntry
        let channel: OutgoingMessage.Channel
        let masked: String
        let expiresAt: Instant
    }

    /// The profile a person means by NIR + birth date on one card (twins: `firstName` chooses).
    func profile(nir: NIR, birthDate: CalendarDate, card: CardType, serial: String, firstName: String?) throws -> Person {
        var matches = try store.people(nir: nir, card: card, serial: serial).filter { $0.birthDate == birthDate }
        guard !matches.isEmpty else { throw MESError.identityNotFound }
        if matches.count > 1 {
            guard let firstName else {
                throw MESError(.profileAmbiguous,
                               Messages.twins + " Précisez le prénom de la personne (--first-name).", field: "first-name")
            }
            matches = matches.filter { Names.same($0.firstName, firstName) }
            guard matches.count == 1 else { throw MESError.identityNotFound }
        }
        return matches[0]
    }

    /// "Générer un nouveau code provisoire": an on-demand code to the contact on file.
    func requestCode(for person: Person, via wanted: OutgoingMessage.Channel?) throws -> Delivery {
        let contact = try store.contact(for: person)
        let channel: OutgoingMessage.Channel
        switch wanted {
        case .email?:
            guard contact.email != nil else { throw MESError.contactMissing("e-mail") }
            channel = .email
        case .sms?:
            guard contact.mobile != nil else { throw MESError.contactMissing("mobile") }
            channel = .sms
        case .letter?: channel = .letter
        case nil: channel = contact.email != nil ? .email : (contact.mobile != nil ? .sms : .letter)
        }
        if try store.throttled(person, now: now, policy: policy) { throw MESError.tooSoon }
        let code = Store.newCode()
        // A letter takes days: its code lasts as long as a notification code.
        let validity = channel == .letter ? policy.notificationValidity : policy.onDemandValidity
        try store.recordCode(code, for: person.id, kind: .onDemand, now: now, validity: validity)
        try store.noteCodeRequest(person, now: now)
        let message = Self.codeMessage(code: code, person: person, contact: contact, channel: channel, now: now,
                                       notification: false, validityDays: Int(validity / 86_400))
        let entry = try store.deliver(message, to: person.id, now: now)
        try store.audit("code_issued", at: now, person: person.id, channel: .web, detail: "on_demand via \(channel.rawValue)")
        return Delivery(person: person, entry: entry, channel: channel, masked: message.recipientMasked,
                        expiresAt: Instant(seconds: now.seconds + validity))
    }

    /// The notification code of a pending profile (6 weeks), by e-mail or by letter.
    func notify(_ person: Person, forceLetter: Bool, code: String = Store.newCode(), sync: Bool = true) throws -> Delivery {
        let contact = try store.contact(for: person)
        let channel: OutgoingMessage.Channel = (forceLetter || contact.email == nil) ? .letter : .email
        try store.recordCode(code, for: person.id, kind: .notification, now: now, validity: policy.notificationValidity)
        try store.markNotified(person.id, at: now)
        let message = Self.codeMessage(code: code, person: person, contact: contact, channel: channel, now: now,
                                       notification: true, validityDays: 42)
        let entry = try store.deliver(message, to: person.id, now: now, sync: sync)
        try store.audit("notified", at: now, person: person.id, channel: .automatic, detail: "via \(channel.rawValue)")
        return Delivery(person: person, entry: entry, channel: channel, masked: message.recipientMasked,
                        expiresAt: Instant(seconds: now.seconds + policy.notificationValidity))
    }

    static func codeMessage(code: String, person: Person, contact: Person, channel: OutgoingMessage.Channel, now: Instant,
                            notification: Bool, validityDays: Int) -> OutgoingMessage {
        switch channel {
        case .email:
            let address = contact.email!
            let subject = notification ? MessageTemplates.notificationSubject : MessageTemplates.onDemandSubject
            let body = notification
                ? MessageTemplates.notification(code: code, name: person.displayName, letter: false)
                : MessageTemplates.onDemandEmail(code: code)
            let mail = Email(to: address, subject: subject, date: now,
                             messageID: "\(now.seconds).\(person.id).\(notification ? "n" : "d")@mes.invalid", body: body)
            return OutgoingMessage(channel: .email, recipientMasked: Masking.email(address), subject: subject, body: mail.rendered())
        case .sms:
            return OutgoingMessage(channel: .sms, recipientMasked: Masking.mobile(contact.mobile!), subject: "SMS",
                                   body: Array(("À : \(contact.mobile!)\n\n" + MessageTemplates.onDemandSMS(code: code)).utf8))
        case .letter:
            let body = notification
                ? "\(contact.displayName)\n\(contact.address ?? "")\n\n" + MessageTemplates.notification(code: code, name: person.displayName, letter: true)
                : MessageTemplates.onDemandLetter(code: code, name: person.displayName, address: contact.address, validityDays: validityDays)
            return OutgoingMessage(channel: .letter, recipientMasked: "courrier postal",
                                   subject: notification ? MessageTemplates.notificationSubject : MessageTemplates.onDemandSubject,
                                   body: Array(body.utf8))
        }
    }

    // MARK: identification

    /// Checks a code and consumes it; a wrong code on a known card is recorded (lockout) even
    /// though the command fails.
    func identify(code: String, nir: NIR, card: CardType, serial: String) throws -> (Person, Int64) {
        let result = try store.transaction {
            try store.identify(code: code, nir: nir, card: card, serial: serial, now: now, policy: policy)
        }
        switch result {
        case .identified(let p, let codeID): return (p, codeID)
        case .rejected(let e, _, _): throw e
        }
    }

    // MARK: opposition

    enum OppositionOutcome {
        case opposed(Person, OppositionReceipt, path: String)
        case alreadyOpposed(Person, since: Instant, receipt: OppositionReceipt?)
    }

    /// Where a receipt goes and whether it may replace a file.
    struct ReceiptTarget {
        var path: String?
        var force = false
        /// fsync each file (false when the caller syncs a group of files itself).
        var sync = true
    }

    /// What recording an opposition gave, before any file is written.
    enum Recorded {
        case opposed(Person, OppositionReceipt)
        case alreadyOpposed(Person, since: Instant, receipt: OppositionReceipt?)
    }

    /// Throws what would refuse an opposition for `person` (minor without certification, state);
    /// otherwise returns the transition to apply (`.apply` or `.already`).
    @discardableResult
    func checkOpposition(_ person: Person, actor: Actor, legalRepresentative: Bool) throws -> Transition {
        try ProfileRules.requireCertification(birthDate: person.birthDate, on: now.parisDate,
                                              certified: legalRepresentative || actor == .adviser)
        let t = ProfileRules.transition(.opposition, from: person.state, deceased: person.deceased)
        if case .refused(let e) = t { throw e }
        return t
    }

    /// Records the opposition of `person` (inside the caller's transaction): the decision, the new
    /// state and the receipt record. Writes no file.
    func recordOpposition(_ person: Person, channel: Channel, actor: Actor, actorID: String? = nil, codeID: Int64? = nil,
                          legalRepresentative: Bool) throws -> Recorded {
        let minor = ProfileRules.isMinor(birthDate: person.birthDate, on: now.parisDate)
        switch try checkOpposition(person, actor: actor, legalRepresentative: legalRepresentative) {
        case .refused(let e): throw e  // checkOpposition throws it first
        case .already:
            let last = try store.lastOpposition(of: person.id)
            return .alreadyOpposed(person, since: last?.at ?? person.stateSince ?? now,
                                   receipt: try last.flatMap { try store.receipt(decisionID: $0.id) })
        case .apply(let state):
            let effectiveActor: Actor = (actor == .self && minor) ? .legalRepresentative : actor
            let decision = try store.recordDecision(.opposition, person: person, state: state, now: now, channel: channel,
                                                    actor: effectiveActor, actorID: actorID, codeID: codeID)
            let receipt = try store.createReceipt(decisionID: decision, person: person, codeID: codeID, decidedAt: now, now: now)
            var updated = person
            updated.state = state
            updated.stateSince = now
            return .opposed(updated, receipt)
        }
    }

    /// Files the opposition of `person` (inside the caller's transaction) and writes its PDF receipt.
    func oppose(_ person: Person, channel: Channel, actor: Actor, actorID: String? = nil, codeID: Int64? = nil,
                legalRepresentative: Bool, receipt target: ReceiptTarget) throws -> OppositionOutcome {
        switch try recordOpposition(person, channel: channel, actor: actor, actorID: actorID, codeID: codeID,
                                    legalRepresentative: legalRepresentative) {
        case .alreadyOpposed(let p, let since, let r): return .alreadyOpposed(p, since: since, receipt: r)
        case .opposed(let p, let receipt):
            let path = target.path ?? store.receiptsDirectory + "/\(receipt.id).pdf"
            try FileIO.writeAtomically(path, ReceiptRenderer.pdf(receipt), overwrite: target.force, sync: target.sync, field: "receipt")
            store.noteCreated(path)
            return .opposed(p, receipt, path: path)
        }
    }
}

