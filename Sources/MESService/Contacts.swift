import MESCore
import MESStore

/// The contact details on file for a profile ("Je vérifie mes coordonnées de contact"): its
/// own, or its holder's for a child.
public struct ContactDetails: Sendable {
    public let email: String?
    public let mobile: String?
    public let address: String?
    /// Shown masked: the person has not identified yet (only the card and birth date are known).
    public let masked: Bool
    /// The space was created automatically and nobody has entered it yet: its first sign-in is
    /// an activation (seed 004).
    public var toActivate = false
}

extension Service {
    /// The contacts of the session's profile, in full (the person is identified).
    public func contacts(session: String) throws -> ContactDetails {
        let now = clock.now()
        return try store.read {
            let c = try store.contact(for: try store.session(session, now: now).person)
            return ContactDetails(email: c.email, mobile: c.mobile, address: c.address, masked: false)
        }
    }

    /// The contacts a code would go to, masked, before any code is asked for (NIR, birth date
    /// and card). The identity questions count against the NIR like a code request's.
    public func contacts(card: CardIdentity, birthDate: CalendarDate, firstName: String?) throws -> ContactDetails {
        let now = clock.now()
        let result: Result<ContactDetails, MESError> = try store.transaction {
            let person: Person
            switch try answerIdentityQuestions(card, birthDate: birthDate, firstName: firstName, failure: "contacts_request_failed", now: now) {
            case .success(let p): person = p
            case .failure(let e): return .failure(e)
            }
            return .success(try maskedContacts(of: person))
        }
        return try result.get()
    }

    /// The contacts on file for `person`, masked, as shown before the person has identified
    /// (inside the caller's transaction).
    func maskedContacts(of person: Person) throws -> ContactDetails {
        let c = try store.contact(for: person)
        var details = ContactDetails(email: c.email.map(Masking.email), mobile: c.mobile.map(Masking.mobile),
                                     address: c.address.map { _ in "enregistrée" }, masked: true)
        details.toActivate = try createdAutomatically(person)
        return details
    }

    /// The self-service identity questions (card, birth date, first name for twins), inside the
    /// caller's transaction. A failure counts against the NIR (5 lock it 15 minutes), is
    /// audited as `failure`, and is returned rather than thrown so that the count commits.
    func answerIdentityQuestions(_ card: CardIdentity, birthDate: CalendarDate, firstName: String?, failure: String,
                                 now: Instant, origin: AuditOrigin = AuditOrigin(channel: .web)) throws -> Result<Person, MESError> {
        let questions = AttemptSubject.assistedNIR(card.nir)
        if try attempts.isLocked(questions, now: now) { return .failure(MESError.identityQuestionsLocked) }
        do {
            return .success(try profile(card, birthDate: birthDate, firstName: firstName))
        } catch let e as MESError where e.code == .identityNotFound {
            let locked = try attempts.noteFailure(questions, now: now)
            try store.audit(failure, at: now, person: nil, channel: origin.channel, actor: origin.actor, actorID: origin.actorID,
                            detail: locked ? "locked" : nil)
            return .failure(locked ? MESError.identityQuestionsLocked : e)
        }
    }
}
