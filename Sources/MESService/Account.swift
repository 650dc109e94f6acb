import MESCore
import MESCrypto
import MESRender
import MESStore
import MESSystem

/// A sign-in's first step: the access code went to a contact on file.
public struct AccessCodeSent: Sendable {
    /// "email" or "sms".
    public let channel: String
    public let masked: String
    /// The outbox message carrying the code.
    public let messageID: Int64
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
    /// When `sweep` deletes the content.
    public let deletionDate: Instant?
    /// The closure receipt (nil for a space closed before receipts were issued for closures).
    public let receipt: OppositionReceipt?
    /// Where its PDF was written.
    public let receiptPath: String?
    /// False when the space was already closed (reported, nothing recorded).
    public let recorded: Bool
}

/// What `sweep` created and deleted (or would).
public struct SweepResult: Sendable {
    /// Spaces created automatically.
    public var created = 0
    /// Closed spaces whose retention ended: their content was deleted.
    public var contentDeleted = 0
    /// The profiles concerned, when they were asked for (`list`); else empty.
    public var createdProfiles: [Person] = []
    public var contentDeletedProfiles: [Person] = []
    /// Pending, living profiles whose window has not started, never created by a sweep: no
    /// notification issued yet (`mes notify`), issued and not yet sent (an e-mail queued, a
    /// letter not printed or not posted), and unreachable (their notification failed for good
    /// and no postal address is on file).
    public var notNotified = 0
    public var awaitingSending = 0
    public var unreachable = 0
    public let windowDays: Int
    public let dryRun: Bool
    public let listed: Bool
}

extension Service {
    static let loginFailed = MESError(.identityNotFound, "Identifiant ou mot de passe incorrect.").helped(Messages.notYetActivated)
    /// The answer to an attempt on a locked account, saying for how long (`seconds` left), or
    /// that it is held until an adviser lifts it (`Int64.max`).
    static func accountLocked(_ seconds: Int64) -> MESError {
        guard seconds != .max else {
            return MESError(.locked, "Trop de tentatives infructueuses : votre compte est suspendu par sécurité. "
                            + "Appelez un conseiller au 3422 (service gratuit + prix d'un appel) : après vérification de votre identité, il le débloque.")
        }
        let minutes = max(1, (seconds + 59) / 60)
        return MESError(.locked, "Trop de tentatives infructueuses : votre compte est bloqué pendant encore \(Policy.french(seconds: minutes * 60)).")
    }
    /// A well-formed scrypt hash of nothing useful, checked for an unknown identifier so that it
    /// costs what a known one does: at the cost the policy hashes passwords with (a literal
    /// `ln=15` here kept the unknown path at 2^15 whatever the policy said).
    var dummyHash: String {
        "$scrypt$ln=\(policy.passwordHashCost),r=\(PasswordHasher.r),p=\(PasswordHasher.p)$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
    }

    /// Signing in, first step: identifier and password send a one-time access code by e-mail
    /// (default) or SMS. Failures count against the identifier, whether it exists or not, so
    /// that an unknown identifier and a locked one answer alike; a password is always hashed.
    public func login(username: String, password: String, via: String?) throws -> AccessCodeSent {
        let now = clock.now()
        let subject = AttemptSubject.username(username)
        let account = try store.account(username: username).flatMap { $0.closedAt == nil ? $0 : nil }
        let matches = PasswordHasher.verify(password, against: account?.passwordHash ?? dummyHash) && account != nil
        let outcome: Result<AccessCodeSent, MESError> = try store.transaction {
            if let left = try attempts.lockedFor(subject, now: now) { return .failure(Self.accountLocked(left)) }
            guard matches, let account, let p = try store.person(id: account.personID) else {
                return .failure(try loginFailure(subject, personID: account?.personID, now: now))
            }
            // A right password clears nothing: only a completed sign-in (or recovery) does, so
            // that the access code's failures add up across rounds.
            let channel = via ?? (p.email != nil ? "email" : "sms")
            guard let target = channel == "email" ? p.email : p.mobile else {
                throw MESError.contactMissing(channel == "email" ? "e-mail" : "mobile")
            }
            try throttleOneTimeCode(p.id, .login, now: now)
            let code = random.oneTimeCode()
            try store.recordOTP(code, personID: p.id, purpose: .login, target: nil, now: now, validity: policy.oneTimeCodeValidity)
            let m = composer.oneTimeCode(code, for: .login, on: channel == "email" ? .email : .sms, to: target, personID: p.id, at: now)
            let entry = try outbox.deliver(m, to: p.id, at: now, sync: true)
            try store.audit("login_code_sent", at: now, person: p.id, detail: channel)
            return .success(AccessCodeSent(channel: channel, masked: m.recipientMasked, messageID: entry.id))
        }
        return try outcome.get()
    }

    /// Signing in, second step: the access code opens a session and ends the account's older
    /// sign-in sessions. A wrong code counts against the identifier like a wrong password.
    /// `publish` delivers the session before the commit (see `identify`).
    public func login(username: String, accessCode: String, publish: (SignedIn) throws -> Void = { _ in }) throws -> SignedIn {
        let now = clock.now()
        let subject = AttemptSubject.username(username)
        let outcome: Result<SignedIn, MESError> = try store.transaction {
            if let left = try attempts.lockedFor(subject, now: now) { return .failure(Self.accountLocked(left)) }
            guard let account = try store.account(username: username), account.closedAt == nil,
                  let person = try store.person(id: account.personID),
                  try attempts.consumeOneTimeCode(accessCode, personID: person.id, purpose: .login, target: nil, now: now) else {
                let personID = try store.account(username: username)?.personID
                let e = try loginFailure(subject, personID: personID, now: now)
                return .failure(e.code == .locked ? e : MESError(.otpRejected, Messages.otpRejected, field: "otp"))
            }
            try attempts.clear(subject)
            try store.endSessions(personID: person.id, signInOnly: true, now: now)
            try store.audit("login", at: now, person: person.id, channel: .web, actor: .self)
            let signedIn = SignedIn(token: try store.openSession(for: person.id, codeID: nil, now: now, expiresAt: now.adding(seconds: policy.sessionValidity)),
                                    person: person, now: now)
            try publish(signedIn)
            return .success(signedIn)
        }
        return try outcome.get()
    }

    /// Counts a failed sign-in (inside a transaction that commits); at the bound the identifier
    /// is locked and a real account's access codes are spent.
    func loginFailure(_ subject: AttemptSubject, personID: Int64?, now: Instant) throws -> MESError {
        guard try attempts.noteFailure(subject, now: now) else {
            return Self.loginFailed
        }
        let left = try attempts.lockedFor(subject, now: now) ?? policy.lockSeconds
        if let personID {
            try store.spendLoginCodes(personID: personID, now: now)
            try store.audit(left == .max ? "account_held" : "account_locked", at: now, person: personID,
                            detail: left == .max ? nil : "\(left)s")
        } else {
            try store.decoyAuditLine(now: now)  // an unknown identifier locks with the same work
        }
        return Self.accountLocked(left)
    }

    /// Ends one session ("Se déconnecter").
    public func logout(session: String) throws {
        let now = clock.now()
        guard try store.transaction({ try store.endSession(session, now: now) }) else {
            throw MESError(.sessionUnknown, "Session inconnue ou déjà terminée.", field: "session")
        }
    }

    /// Closes the session's active space (art. R1111-36) in one transaction, schedules the
    /// deletion of its content (3 months with `delete`, else 10 years), then writes the signed
    /// closure receipt from the record (at `receiptPath`, else in the store's `receipts/`).
    /// Closing a closed space reports it and writes (or repairs) that closure's receipt.
    public func close(session: String, delete: Bool, receiptPath: String? = nil, force: Bool = false) throws -> Closure {
        let now = clock.now()
        let output = receiptOutput(path: receiptPath, force: force)
        try output.checkTarget(storeDirectory: store.directory)
        let closure = try store.transaction { () -> Closure in
            let p = try store.session(session, now: now).person
            var deadline: Instant?
            let filing = DecisionFiling(kind: .closure, person: p, transition: ProfileRules.transition(.closure, from: p.state, deceased: p.deceased),
                                        channel: .web, actor: .self)
            let filed = try fileDecision(filing, now: now) { receipt in
                try store.closeAccount(personID: p.id, now: now)
                try store.endSessions(personID: p.id, now: now)
                try store.audit("closure_content", at: now, person: p.id, detail: delete ? Self.deletionAsked : "archive_10_years")
                let deletion = policy.contentDeletion(closedAt: now, deletionAsked: delete)
                deadline = deletion
                try store.scheduleContentDeletion(personID: p.id, after: deletion)
                // The closure is confirmed by e-mail to the contact on file.
                let contact = try store.contact(for: p)
                if let email = contact.email {
                    let mail = composer.closed(to: email, about: p, receipt: receipt.id, deletionAsked: delete, deletedAt: deletion, at: now)
                    _ = try outbox.deliver(mail, to: p.id, at: now, sync: true)
                }
            }
            switch filed {
            case .already(_, let since, let receipt):
                try store.endSessions(personID: p.id, now: now)
                try refuseForeignFile(output, for: receipt)
                return Closure(person: p, delete: try store.closureRetention(personID: p.id) == Self.deletionAsked,
                               now: since, deletionDate: try store.contentDeletion(personID: p.id),
                               receipt: receipt, receiptPath: receipt.map(output.path(for:)), recorded: false)
            case .filed(let q, let receipt):
                return Closure(person: q, delete: delete, now: now, deletionDate: deadline, receipt: receipt,
                               receiptPath: output.path(for: receipt), recorded: true)
            }
        }
        // The record is committed: the receipt file is derived from it (and repaired when a
        // run was killed before writing it).
        if let receipt = closure.receipt {
            do {
                try produceReceipt(output.request(receipt, closure.recorded ? .write : .repair))
            } catch let e as MESError {
                // The closure stands (its sessions are ended): say so, and how to get the receipt.
                throw MESError(e.code, "Mon espace santé est clôturé, mais le justificatif de clôture n'a pas pu être écrit ("
                               + e.message + ").", field: e.field, remedy: .reissueReceipt(receipt.id))
            }
        }
        return closure
    }

    static let deletionAsked = "delete_within_3_months"

    /// Creates the spaces of living profiles still pending whose information was sent longer ago
    /// than the window (`notified_at`: an e-mail acknowledged, a letter posted; never a message
    /// only queued, failed or unreachable, counted apart), recorded as automatic creations by the system; then deletes the content of closed
    /// spaces whose retention ended (see `Store.deleteContent`). The register is walked by id in
    /// groups of `groupSize`, one transaction each: memory stays flat (unless `list` keeps the
    /// profiles concerned), and a killed sweep resumes where it stopped.
    public func sweep(windowDays: Int? = nil, dryRun: Bool, list: Bool = false, groupSize: Int = 20_000) throws -> SweepResult {
        let now = clock.now()
        let days = windowDays ?? policy.creationWindowDays
        let cutoff = now.adding(seconds: -Int64(days) * 86_400)
        var result = SweepResult(windowDays: days, dryRun: dryRun, listed: list)
        var after: Int64 = 0
        // Tuned like a batch (see `notify`) for the creations, made durable once at the end.
        if !dryRun { try store.tuneForBatch() }
        defer { if !dryRun { try? store.endBatchTuning() } }
        let progress = ProgressThrottle(onProgress)
        let lastID = progress.isActive ? Int(try store.lastPersonID()) : 0
        while true {
            let (range, count) = try store.transaction { () -> (ClosedRange<Int64>?, Int) in
                guard let range = try store.pendingNotifiedRange(before: cutoff, after: after, limit: groupSize) else { return (nil, 0) }
                if list { result.createdProfiles += try store.pendingNotified(before: cutoff, after: after, limit: groupSize).filter { !$0.deceased } }
                if dryRun { return (range, try store.pendingNotifiedCount(ids: range, before: cutoff)) }
                return (range, try store.recordAutomaticCreations(ids: range, notifiedBy: cutoff, now: now))
            }
            guard let range else { break }
            after = range.upperBound
            result.created += count
            progress.report(Progress(.profiles, done: min(Int(after), lastID), total: lastID))
        }
        progress.report(Progress(.profiles, done: lastID, total: lastID), force: true)
        (result.notNotified, result.awaitingSending, result.unreachable) = try store.read { try store.windowsNotStarted() }
        // The deletions below run with the store's usual settings.
        if !dryRun {
            try store.syncJournal()
            try store.endBatchTuning()
        }
        // Retention: few at a time (each deletes several tables' rows), oldest deadline first.
        if dryRun {
            result.contentDeleted = try store.read { try store.contentDueCount(at: now) }
            if list { result.contentDeletedProfiles = try store.read { try store.contentDue(at: now, limit: .max) } }
            return result
        }
        defer { if result.contentDeleted > 0 { store.truncateJournal() } }
        while true {
            let due = try store.transaction { () -> [Person] in
                let due = try store.contentDue(at: now, limit: 500)
                for p in due {
                    try store.deleteContent(of: p, reason: try store.closureRetention(personID: p.id) ?? "archive_10_years", now: now)
                }
                return due
            }
            if due.isEmpty { break }
            result.contentDeleted += due.count
            if list { result.contentDeletedProfiles += due }
        }
        try store.syncJournal()
        return result
    }
}
