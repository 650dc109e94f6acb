import MESCore
import MESCrypto
import MESStore

/// A sign-in's first step: the access code went to a contact on file.
public struct AccessCodeSent: Sendable {
    /// "email" or "sms".
    public let channel: String
    public let masked: String
}

/// A session opened by signing in.
public struct SignedIn: Sendable {
    public let token: String
    public let person: Person
    public let now: Instant
}

/// A closure ("Je clôture Mon espace santé").
public struct Closure: Sendable {
    public let person: Person
    /// Whether the holder asked for the content to be deleted (within 3 months) rather than archived 10 years.
    public let delete: Bool
    public let now: Instant
}

/// What `sweep` created (or would create).
public struct SweepResult: Sendable {
    public let created: [Person]
    public let windowDays: Int
    public let dryRun: Bool
}

extension Service {
    static let loginFailed = MESError(.identityNotFound, "Identifiant ou mot de passe incorrect.")
    static let accountLocked = MESError(.locked, "Trop de tentatives infructueuses : votre compte est bloqué pendant 15 minutes.")
    /// A real scrypt hash of nothing useful, to spend the same time on unknown identifiers.
    static let dummyHash = "$scrypt$ln=15,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

    /// Signing in, first step: identifier and password send a one-time access code by e-mail
    /// (default) or SMS. Failures count toward the account's lockout.
    public func login(username: String, password: String, via: String?) throws -> AccessCodeSent {
        let now = clock.now()
        guard let account = try store.account(username: username), account.closedAt == nil else {
            _ = PasswordHasher.verify(password, against: Self.dummyHash)  // same time as a real check
            throw Self.loginFailed
        }
        if let until = account.lockedUntil, until > now { throw Self.accountLocked }
        guard PasswordHasher.verify(password, against: account.passwordHash) else {
            let locked = try store.transaction {
                try store.noteLoginFailure(personID: account.personID, now: now, maxFailures: policy.maxLoginFailures,
                                           lockSeconds: policy.loginLockSeconds)
            }
            throw locked ? Self.accountLocked : Self.loginFailed
        }
        return try store.transaction {
            guard let p = try store.person(id: account.personID) else { throw Self.loginFailed }
            let channel = via ?? (p.email != nil ? "email" : "sms")
            guard let target = channel == "email" ? p.email : p.mobile else {
                throw MESError.contactMissing(channel == "email" ? "e-mail" : "mobile")
            }
            let code = random.oneTimeCode()
            try store.recordOTP(code, personID: p.id, purpose: .login, target: nil, now: now, validity: policy.oneTimeCodeValidity)
            let m = Self.oneTimeCodeMessage(code: code, channel: channel == "email" ? .email : .sms, to: target, now: now,
                                            personID: p.id, login: true)
            _ = try transport.deliver(m, to: p.id, at: now, sync: true)
            try store.audit("login_code_sent", at: now, person: p.id, detail: channel)
            return AccessCodeSent(channel: channel, masked: m.recipientMasked)
        }
    }

    /// Signing in, second step: the access code opens a session.
    public func login(username: String, accessCode: String) throws -> SignedIn {
        let now = clock.now()
        let outcome: Result<SignedIn, MESError> = try store.transaction {
            guard let account = try store.account(username: username), account.closedAt == nil,
                  let person = try store.person(id: account.personID) else { return .failure(Self.loginFailed) }
            if let until = account.lockedUntil, until > now { return .failure(Self.accountLocked) }
            guard try store.consumeOTP(accessCode, personID: person.id, purpose: .login, target: nil, now: now,
                                       maxFailures: policy.maxLoginFailures) else {
                let locked = try store.noteLoginFailure(personID: person.id, now: now, maxFailures: policy.maxLoginFailures,
                                                        lockSeconds: policy.loginLockSeconds)
                return .failure(locked ? Self.accountLocked : MESError(.otpRejected, Messages.otpRejected, field: "otp"))
            }
            try store.resetLoginFailures(personID: person.id)
            try store.audit("login", at: now, person: person.id, channel: .web, actor: .self)
            return .success(SignedIn(token: try store.openSession(for: person.id, codeID: nil, now: now, policy: policy),
                                     person: person, now: now))
        }
        return try outcome.get()
    }

    /// Closes the session's active space (art. R1111-36); closing a closed one reports it.
    public func close(session: String, delete: Bool) throws -> Closure {
        let now = clock.now()
        let person = try store.transaction { () -> Person in
            let p = try store.session(session, now: now).person
            switch ProfileRules.transition(.closure, from: p.state, deceased: p.deceased) {
            case .refused(let e): throw e
            case .already: return p
            case .apply(let state):
                try store.recordDecision(.closure, person: p, state: state, now: now, channel: .web, actor: .self)
                try store.closeAccount(personID: p.id, now: now)
                try store.audit("closure_content", at: now, person: p.id, detail: delete ? "delete_within_3_months" : "archive_10_years")
                var q = p
                q.state = state
                q.stateSince = now
                return q
            }
        }
        return Closure(person: person, delete: delete, now: now)
    }

    /// Creates the spaces of living profiles notified longer ago than the window and still
    /// pending, recorded as automatic creations by the system.
    public func sweep(windowDays: Int? = nil, dryRun: Bool) throws -> SweepResult {
        let now = clock.now()
        let days = windowDays ?? policy.creationWindowDays
        let cutoff = now.adding(seconds: -Int64(days) * 86_400)
        let created = try store.transaction { () -> [Person] in
            let due = try store.pendingNotified(before: cutoff).filter { !$0.deceased }
            if !dryRun {
                for p in due {
                    try store.recordDecision(.automaticCreation, person: p, state: .active, now: now, channel: .automatic, actor: .system)
                }
            }
            return due
        }
        return SweepResult(created: created, windowDays: days, dryRun: dryRun)
    }
}
