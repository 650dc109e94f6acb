import MESCore
import MESCrypto
import MESRender
import MESStore

/// A recovery's first step ("Identifiant oublié ?", "Mot de passe oublié ?"): a one-time code
/// went to a contact on file.
public struct RecoveryCodeSent: Sendable {
    public enum Kind: String, Sendable { case identifier, password }
    public let kind: Kind
    /// "email" or "sms"; nil for a password recovery, whose answer is the same whether the
    /// identifier exists or not.
    public let channel: String?
    public let masked: String?
    /// The outbox message carrying the code (nil when nothing was sent). For a password
    /// recovery, for the command to deliver it, never to show.
    public let messageID: Int64?
}

/// A forgotten identifier, recovered.
public struct RecoveredIdentifier: Sendable {
    public let username: String
    public let person: Person
}

/// A new password, set through a recovery.
public struct PasswordReset: Sendable {
    public let username: String
    public let now: Instant
}

extension Service {
    static let noAccount = MESError(.noAccount, "Aucun compte Mon espace santé pour ce profil. " + Messages.notYetActivated)
    static let recoveryFailed = MESError(.otpRejected, Messages.otpRejected, field: "otp")

    /// "Identifiant oublié ?", first step: the identity questions (NIR, birth date, card; they
    /// count toward the same lockout as a code request), then a 6-digit code valid 15 minutes to
    /// the e-mail address (default) or mobile on file.
    public func requestIdentifierRecovery(card: CardIdentity, birthDate: CalendarDate, firstName: String?, via: String?) throws -> RecoveryCodeSent {
        let now = clock.now()
        let outcome: Result<RecoveryCodeSent, MESError> = try store.transaction {
            let p: Person
            switch try answerIdentityQuestions(card, birthDate: birthDate, firstName: firstName, failure: "recovery_request_failed", now: now) {
            case .success(let found): p = found
            case .failure(let e): return .failure(e)
            }
            guard let account = try store.account(personID: p.id), account.closedAt == nil else { throw Self.noAccount }
            let contact = try store.contact(for: p)
            let channel = via ?? (contact.email != nil ? "email" : "sms")
            guard let target = channel == "email" ? contact.email : contact.mobile else {
                throw MESError.contactMissing(channel == "email" ? "e-mail" : "mobile")
            }
            try throttleOneTimeCode(p.id, .recoverIdentifier, now: now)
            let entry = try sendRecoveryCode(.recoverIdentifier, to: target, channel: channel, personID: p.id, now: now)
            return .success(RecoveryCodeSent(kind: .identifier, channel: channel, masked: entry.masked, messageID: entry.id))
        }
        return try outcome.get()
    }

    /// "Identifiant oublié ?", second step: the same identity and the code give the identifier.
    /// A wrong code counts against the NIR like a wrong identity, and against the code (5 spend it).
    /// `publish` delivers the identifier before the commit (see `identify`).
    public func recoverIdentifier(card: CardIdentity, birthDate: CalendarDate, firstName: String?, code: String,
                                  publish: (RecoveredIdentifier) throws -> Void = { _ in }) throws -> RecoveredIdentifier {
        let now = clock.now()
        let outcome: Result<RecoveredIdentifier, MESError> = try store.transaction {
            let p: Person
            switch try answerIdentityQuestions(card, birthDate: birthDate, firstName: firstName, failure: "recovery_failed", now: now) {
            case .success(let found): p = found
            case .failure(let e): return .failure(e)
            }
            let account = try store.account(personID: p.id).flatMap { $0.closedAt == nil ? $0 : nil }
            // The account's one failure count covers its recovery codes too: a held or locked
            // account is recovered through an adviser, or once its lock has passed.
            if let account, let left = try attempts.lockedFor(.username(account.username), now: now) {
                return .failure(Self.accountLocked(left))
            }
            guard try attempts.consumeOneTimeCode(code, personID: p.id, purpose: .recoverIdentifier, target: nil, now: now) else {
                var locked = try attempts.noteFailure(.assistedNIR(card.nir), now: now)
                if let account { locked = try attempts.noteFailure(.username(account.username), now: now) || locked }
                try store.audit("recovery_failed", at: now, person: p.id, channel: .web, detail: "identifier")
                return .failure(locked ? MESError.identityQuestionsLocked : Self.recoveryFailed)
            }
            guard let account else { throw Self.noAccount }
            try attempts.clear(.assistedNIR(card.nir))
            try attempts.clear(.username(account.username))
            try store.audit("identifier_recovered", at: now, person: p.id, channel: .web, actor: .self)
            let recovered = RecoveredIdentifier(username: account.username, person: p)
            try publish(recovered)
            return .success(recovered)
        }
        return try outcome.get()
    }

    /// "Mot de passe oublié ?", first step: a 6-digit code valid 15 minutes to the contact on file
    /// (e-mail by default, else the other one). The answer is the same whether the identifier
    /// exists or not, has a contact or not, or asked again too soon (then nothing is sent).
    public func requestPasswordRecovery(username: String, via: String?) throws -> RecoveryCodeSent {
        let now = clock.now()
        let subject = AttemptSubject.username(username)
        let answer = RecoveryCodeSent(kind: .password, channel: nil, masked: nil, messageID: nil)
        // Every answer but a lock does the store work of a code sent (`decoyRecoveryWrites`
        // otherwise): what the identifier is cannot be told from the time, the commits or the syncs.
        let outcome: Result<RecoveryCodeSent, MESError> = try store.transaction {
            if let left = try attempts.lockedFor(subject, now: now) { return .failure(Self.accountLocked(left)) }
            guard let account = try store.account(username: username), account.closedAt == nil,
                  let p = try store.person(id: account.personID) else {
                try store.decoyRecoveryWrites(now: now, bodySize: Self.recoveryBodySize)
                return .success(answer)
            }
            let contact = try store.contact(for: p)
            let preferred = via ?? "email"
            let choices = preferred == "email" ? [("email", contact.email), ("sms", contact.mobile)] : [("sms", contact.mobile), ("email", contact.email)]
            guard let (channel, target) = choices.first(where: { $0.1 != nil }).map({ ($0.0, $0.1!) }) else {
                try store.audit("recovery_no_contact", at: now, person: p.id, detail: "password")
                try store.decoyRecoveryWrites(now: now, bodySize: Self.recoveryBodySize)
                return .success(answer)
            }
            if try isTooSoon(.oneTime(.recoverPassword), personID: p.id, now: now) {
                try store.decoyRecoveryWrites(now: now, bodySize: Self.recoveryBodySize)
                return .success(answer)
            }
            let entry = try sendRecoveryCode(.recoverPassword, to: target, channel: channel, personID: p.id, now: now)
            return .success(RecoveryCodeSent(kind: .password, channel: nil, masked: nil, messageID: entry.id))
        }
        return try outcome.get()
    }

    /// "Mot de passe oublié ?", second step: the code and a new password (the activation's rules).
    /// A wrong code counts against the identifier like a wrong password at sign-in (5 lock it).
    /// The new password ends every session and sign-in code of the account, and is confirmed by
    /// e-mail. A refused password spends nothing: the code still works.
    public func resetPassword(username: String, code: String, password readPassword: PasswordReader) throws -> PasswordReset {
        let now = clock.now()
        let subject = AttemptSubject.username(username)
        let (password, confirmation) = try readPassword()
        // Hashed before the transaction (it is slow), whatever the code's fate.
        let hash = PasswordHasher.hash(password, logN: policy.passwordHashCost)
        let outcome: Result<PasswordReset, MESError> = try store.transaction {
            if let left = try attempts.lockedFor(subject, now: now) { return .failure(Self.accountLocked(left)) }
            guard let account = try store.account(username: username), account.closedAt == nil,
                  let p = try store.person(id: account.personID),
                  try attempts.consumeOneTimeCode(code, personID: p.id, purpose: .recoverPassword, target: nil, now: now) else {
                let personID = try store.account(username: username)?.personID
                let e = try loginFailure(subject, personID: personID, now: now)
                return .failure(e.code == .locked ? e : Self.recoveryFailed)
            }
            let problems = Credentials.passwordProblems(password, confirmation: confirmation, person: p)
            if !problems.isEmpty {
                // Thrown: the transaction rolls back and the code stays usable.
                let code = problems.count == 1 ? problems[0].code : .passwordInvalid
                throw MESError(code, "Mot de passe refusé : " + problems.map(\.message).joined(separator: " ; "), field: "password")
            }
            try store.setPasswordHash(personID: p.id, hash)
            try attempts.clear(subject)
            try store.endSessions(personID: p.id, now: now)
            try store.spendLoginCodes(personID: p.id, now: now)
            try store.audit("password_reset", at: now, person: p.id, channel: .web, actor: .self)
            if let email = try store.contact(for: p).email {
                _ = try outbox.deliver(composer.passwordChanged(to: email, personID: p.id, at: now), to: p.id, at: now, sync: true)
            }
            return .success(PasswordReset(username: account.username, now: now))
        }
        return try outcome.get()
    }

    /// About the size of a sealed recovery e-mail (the decoy's body).
    static let recoveryBodySize = 700

    /// Records a recovery code and queues its message (inside the caller's transaction).
    private func sendRecoveryCode(_ purpose: OTPPurpose, to target: String, channel: String, personID: Int64,
                                  now: Instant) throws -> (id: Int64, masked: String) {
        let code = random.oneTimeCode()
        try store.recordOTP(code, personID: personID, purpose: purpose, target: nil, now: now, validity: policy.oneTimeCodeValidity)
        let m = composer.oneTimeCode(code, for: purpose, on: channel == "email" ? .email : .sms, to: target, personID: personID, at: now)
        let entry = try outbox.deliver(m, to: personID, at: now, sync: true)
        try store.audit("recovery_code_sent", at: now, person: personID, detail: "\(purpose.rawValue) via \(channel)")
        return (entry.id, m.recipientMasked)
    }
}

/// What an adviser's release of a held or locked account gave.
public struct AccountRelease: Sendable, Equatable {
    public let person: Person
    public let username: String
    public let now: Instant
}

extension Service {
    /// An adviser of the phone service (3422) lifts the hold (or the lock) of a person's account
    /// after checking the person's identity on the line, with the same questions, locks and
    /// audit as `oppose --assisted`. The account's failures are forgotten; the person then
    /// signs in, or recovers a forgotten password, as usual.
    public func releaseAccount(adviser: String, nir: NIR, birthDate: CalendarDate, lastName: String, firstName: String?) throws -> AccountRelease {
        let now = clock.now()
        let outcome: Result<AccountRelease, MESError> = try store.transaction {
            let p: Person
            switch try assistedIdentity(adviser: adviser, nir: nir, birthDate: birthDate, lastName: lastName, firstName: firstName, now: now) {
            case .success(let found): p = found
            case .failure(let e): return .failure(e)
            }
            guard let account = try store.account(personID: p.id), account.closedAt == nil else { throw Self.noAccount }
            try attempts.clear(.username(account.username))
            try store.audit("account_released", at: now, person: p.id, channel: .phone, actor: .adviser, actorID: adviser)
            return .success(AccountRelease(person: p, username: account.username, now: now))
        }
        return try outcome.get()
    }
}
