import MESCore
import MESCrypto
import MESRender
import MESStore

/// An activation ("J'active Mon espace santé"): the CGU, the contacts, then an identifier and a password.
public struct ActivationRequest: Sendable {
    public var session: String
    /// A new e-mail address or mobile number (confirmed by a one-time code).
    public var newEmail: String?
    public var newMobile: String?
    /// The one-time codes sent to the new contacts.
    public var emailCode: String?
    public var mobileCode: String?
    public var username: String?
    public var legalRepresentative: Bool

    public init(session: String, newEmail: String? = nil, newMobile: String? = nil, emailCode: String? = nil,
                mobileCode: String? = nil, username: String? = nil, legalRepresentative: Bool = false) {
        self.session = session
        self.newEmail = newEmail
        self.newMobile = newMobile
        self.emailCode = emailCode
        self.mobileCode = mobileCode
        self.username = username
        self.legalRepresentative = legalRepresentative
    }
}

/// What an activation step gave.
public enum ActivationResult: Sendable {
    /// One-time codes were sent to the new contacts (purpose, destination, outbox message); nothing else changed.
    case codesSent([(OTPPurpose, String)], messages: [Int64])
    /// "Je vérifie mes coordonnées de contact": the contacts on file, to confirm (or change with
    /// --email / --mobile) before choosing an identifier and a password.
    case contactsToCheck(ContactDetails)
    /// The space is active (and the confirmation e-mail queued, when there is an address).
    case activated(username: String, profile: Person, previouslyOpposedAt: Instant?, now: Instant, messages: [Int64])

    /// The outbox messages this step queued.
    public var messages: [Int64] {
        switch self {
        case .codesSent(_, let m), .activated(_, _, _, _, let m): return m
        case .contactsToCheck: return []
        }
    }
}

/// A password and its confirmation, read only when the step needs them.
public typealias PasswordReader = () throws -> (password: String, confirmation: String)

extension Service {
    /// Activates the session's space: sends the one-time codes of new contacts first (changing
    /// nothing else), else checks identifier and password and activates in one transaction.
    public func activate(_ r: ActivationRequest, password readPassword: PasswordReader) throws -> ActivationResult {
        let now = clock.now()
        if let e = r.newEmail, !Roster.plausibleEmail(e) { throw MESError.invalid(.emailInvalid, "Adresse e-mail invalide", field: "email") }
        if let m = r.newMobile, !Roster.plausibleMobile(m) { throw MESError.invalid(.mobileInvalid, "Numéro de mobile invalide", field: "mobile") }
        var (person, created) = try store.read { () -> (Person, Bool) in
            let p = try store.session(r.session, now: now).person
            return (p, try createdAutomatically(p))
        }
        _ = try ProfileRules.decide(.activation, for: person, by: .self, certified: r.legalRepresentative, today: now.parisDate,
                                    createdAutomatically: created)

        // A contact change given with its one-time code is confirmed at its own step (seed 002:
        // the code is checked when it is given, a wrong one refused there and counted), and the
        // contact screen then shows the new contact. One already on file needs no code again.
        let confirming = [(OTPPurpose.email, r.newEmail, r.emailCode, "email-otp", person.email),
                          (.mobile, r.newMobile, r.mobileCode, "mobile-otp", person.mobile)]
            .filter { $0.1 != nil && $0.2 != nil && $0.1 != $0.4 }
        if !confirming.isEmpty {
            let outcome: Result<Void, MESError> = try store.transaction {
                // A wrong one-time code is refused with its failure counted: the transaction
                // commits that count (nothing else was written yet); the code is spent at the bound.
                for (purpose, target, code, field, _) in confirming {
                    guard try attempts.consumeOneTimeCode(code!, personID: person.id, purpose: purpose, target: target!, now: now) else {
                        return .failure(MESError(.otpRejected, Messages.otpRejected, field: field))
                    }
                }
                let email = confirming.first { $0.0 == .email }?.1, mobile = confirming.first { $0.0 == .mobile }?.1
                try store.setContact(personID: person.id, email: email, mobile: mobile)
                try store.audit("contact_confirmed", at: now, person: person.id, channel: .web, actor: .self,
                                detail: confirming.map(\.0.rawValue).joined(separator: ","))
                return .success(())
            }
            try outcome.get()
            person = try store.read { try store.person(id: person.id) } ?? person
        }

        // Contact changes without their one-time code: send the codes, change nothing else.
        var pending: [(OTPPurpose, String)] = []
        if let e = r.newEmail, r.emailCode == nil, e != person.email { pending.append((.email, e)) }
        if let m = r.newMobile, r.mobileCode == nil, m != person.mobile { pending.append((.mobile, m)) }
        if !pending.isEmpty {
            var queued: [Int64] = []
            try store.transaction {
                for (purpose, target) in pending {
                    try throttleOneTimeCode(person.id, purpose, now: now)
                    let code = random.oneTimeCode()
                    try store.recordOTP(code, personID: person.id, purpose: purpose, target: target, now: now, validity: policy.oneTimeCodeValidity)
                    queued.append(try outbox.deliver(composer.oneTimeCode(code, for: purpose, on: purpose == .email ? .email : .sms, to: target,
                                                                          personID: person.id, at: now),
                                                     to: person.id, at: now, sync: true).id)
                    try store.audit("otp_sent", at: now, person: person.id, detail: purpose.rawValue)
                }
            }
            return .codesSent(pending, messages: queued)
        }

        guard let username = r.username?.trimmingSpaces else {
            // The contact step comes first, on its own.
            let c = try store.read { try store.contact(for: person) }
            return .contactsToCheck(ContactDetails(email: c.email, mobile: c.mobile, address: c.address, masked: false))
        }
        let problems = Credentials.identifierProblems(username, nir: person.nir)
        let (password, confirmation) = try readPassword()
        let passwordProblems = Credentials.passwordProblems(password, confirmation: confirmation, person: person)
        if !problems.isEmpty {
            throw MESError(.usernameInvalid, "Identifiant refusé : " + problems.map(\.message).joined(separator: " ; "), field: "username")
        }
        if try store.usernameTaken(username, byOtherThan: person.id) {
            let free = Credentials.suggestions(for: username, birthYear: person.birthDate.year) { (try? store.usernameTaken($0)) == false }
            throw MESError(.usernameTaken, Messages.usernameTaken + (free.isEmpty ? "" : " Identifiants disponibles : " + free.joined(separator: ", ")),
                           field: "username")
        }
        if !passwordProblems.isEmpty {
            let code = passwordProblems.count == 1 ? passwordProblems[0].code : .passwordInvalid
            throw MESError(code, "Mot de passe refusé : " + passwordProblems.map(\.message).joined(separator: " ; "), field: "password")
        }
        let hash = PasswordHasher.hash(password, logN: policy.passwordHashCost)
        let wasOpposedOn = person.state == .opposed ? person.stateSince : nil
        var queued: [Int64] = []
        let outcome: Result<Person, MESError> = try store.transaction {
            try store.saveAccount(personID: person.id, username: username, passwordHash: hash, now: now)
            let active = try recordActivation(person, legalRepresentative: r.legalRepresentative, now: now)
            if let email = person.email {
                queued.append(try outbox.deliver(composer.activated(to: email, about: person, at: now), to: person.id, at: now, sync: true).id)
            }
            return .success(active)
        }
        let updated = try outcome.get()
        return .activated(username: username, profile: updated, previouslyOpposedAt: wasOpposedOn, now: now, messages: queued)
    }

    /// Activates an attached profile of the session's holder (a child, a dependant).
    public func activateProfile(session: String, profileID: Int64, legalRepresentative: Bool) throws -> (Person, Instant) {
        let now = clock.now()
        let p = try store.transaction {
            try recordActivation(try attachedProfile(session: session, profileID: profileID, now: now),
                                 legalRepresentative: legalRepresentative, now: now)
        }
        return (p, now)
    }

    /// The activation decision (inside the caller's transaction): certification for a minor, the
    /// state machine, the decision recorded. Returns the profile as it is now.
    func recordActivation(_ person: Person, legalRepresentative: Bool, now: Instant) throws -> Person {
        let today = now.parisDate
        switch try ProfileRules.decide(.activation, for: person, by: .self, certified: legalRepresentative, today: today,
                                       createdAutomatically: try createdAutomatically(person)) {
        case .refused(let e): throw e
        case .already: return person
        case .apply(let state):
            try store.recordDecision(.activation, person: person, state: state, now: now, channel: .web,
                                     actor: ProfileRules.recordedActor(.self, for: person, today: today))
            var p = person
            p.state = state
            p.stateSince = now
            return p
        }
    }

    /// Re-sends of a one-time code are throttled like code requests (see `isTooSoon`).
    func throttleOneTimeCode(_ personID: Int64, _ purpose: OTPPurpose, now: Instant) throws {
        try refuseTooSoon(.oneTime(purpose), personID: personID, now: now)
    }
}
