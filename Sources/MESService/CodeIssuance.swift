import MESCore
import MESRender
import MESStore

/// Asking for a provisional code ("Générer un nouveau code provisoire").
public struct CodeRequest: Sendable {
    public var card: CardIdentity
    /// The birth date of the person concerned (a child's own for a child).
    public var birthDate: CalendarDate
    /// Twins: which one.
    public var firstName: String?
    /// The channel asked for; nil: e-mail, else SMS, else letter.
    public var via: MessageChannel?

    public init(card: CardIdentity, birthDate: CalendarDate, firstName: String? = nil, via: MessageChannel? = nil) {
        self.card = card
        self.birthDate = birthDate
        self.firstName = firstName
        self.via = via
    }
}

/// Where and how a code went.
public struct CodeDelivery: Sendable {
    public let person: Person
    public let entry: OutboxEntry
    public let channel: MessageChannel
    /// The destination as shown to people (masked).
    public let masked: String
    public let expiresAt: Instant
}

extension Service {
    /// Sends a new on-demand code to the contact on file of the profile the request names. The
    /// identity questions (birth date, card) count against the NIR like the assisted path's: 5
    /// failures lock code requests for that NIR 15 minutes. A code sent lifts the card's lock.
    public func requestCode(_ r: CodeRequest) throws -> CodeDelivery {
        let now = clock.now()
        let result: Result<CodeDelivery, MESError> = try store.transaction {
            let person: Person
            switch try answerIdentityQuestions(r.card, birthDate: r.birthDate, firstName: r.firstName, failure: "code_request_failed", now: now) {
            case .success(let p): person = p
            case .failure(let e): return .failure(e)
            }
            let d: CodeDelivery
            do {
                d = try requestCode(for: person, via: r.via, now: now)
            } catch let e as MESError where e.code == .letterLimit {
                return .failure(e)  // its audit line commits
            }
            try attempts.clear(.card(r.card.nir, r.card.card, r.card.serial))
            return .success(d)
        }
        return try result.get()
    }

    /// An on-demand code for `person` (inside the caller's transaction): 15 minutes, or 6 weeks
    /// by letter; supersedes earlier codes; at most one request per `policy.minimumInterval`.
    /// The audit trail records who asked (`channel`, `actor`, `actorID`: an association's batch).
    func requestCode(for person: Person, via wanted: MessageChannel?, now: Instant, channel auditChannel: Channel = .web,
                     actor: Actor? = nil, actorID: String? = nil) throws -> CodeDelivery {
        let contact = try store.contact(for: person)
        let channel: MessageChannel
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
        // A letter needs a postal address: without one nothing is "sent".
        if channel == .letter && (contact.address ?? "").trimmingSpaces.isEmpty { throw Self.noPostalAddress }
        try refuseTooSoon(.provisional, personID: person.id, now: now)
        if channel == .letter { try refuseLetterCeiling(person, now: now) }
        let code = random.provisionalCode()
        // A letter takes days: its code lasts as long as a notification code.
        let validity = channel == .letter ? policy.notificationValidity : policy.onDemandValidity
        try store.recordCode(code, for: person.id, kind: .onDemand, now: now, validity: validity)
        try store.noteCodeRequest(person, now: now)
        // What the message may say of why it comes: who asked, and whether a letter is for want of
        // an e-mail and a mobile (the channel was not chosen) or by choice.
        var requester = CodeRequester.person(choseChannel: wanted != nil)
        if actor == .association, let name = actorID { requester = .association(name) }
        let message = composer.onDemandCode(code, for: person, contact: contact, on: channel, at: now, requester: requester)
        let entry = try outbox.deliver(message, to: person.id, at: now, sync: true)
        try store.audit("code_issued", at: now, person: person.id, channel: auditChannel, actor: actor, actorID: actorID,
                        detail: "on_demand via \(channel.rawValue)")
        return CodeDelivery(person: person, entry: entry, channel: channel, masked: message.recipientMasked,
                            expiresAt: Instant(seconds: now.seconds + validity))
    }

    /// Refuses a letter the ceiling holds back (`Policy.nextLetter`), saying when one may go.
    func refuseLetterCeiling(_ person: Person, now: Instant) throws {
        let sent = try store.letters(personID: person.id, since: now.adding(seconds: -policy.letterWindow))
        guard let next = policy.nextLetter(last: sent.last, inWindow: sent.count, oldestInWindow: sent.oldest, now: now) else { return }
        try store.audit("letter_refused", at: now, person: person.id, detail: "ceiling until \(next.iso8601)")
        throw MESError(.letterLimit, "Un courrier a déjà été envoyé le \(sent.last?.parisDate.french ?? now.parisDate.french) : "
                       + "le prochain ne peut partir qu'à partir du \(next.parisDate.french).", field: "via")
    }

    /// No e-mail, no mobile and no postal address on file.
    static let noPostalAddress = MESError(.contactMissing, "Aucune adresse postale n'est enregistrée pour ce profil : rien n'a été envoyé. "
                                          + "Contactez votre caisse d'Assurance Maladie pour mettre à jour vos coordonnées.", field: "via")
}
