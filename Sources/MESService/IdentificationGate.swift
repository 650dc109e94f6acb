import MESCore
import MESStore

/// What checking a typed provisional code against one card's profiles gave.
enum CodeIdentification {
    /// The code was live and is now consumed.
    case identified(Person, codeID: Int64)
    /// Refused; `recorded` says whether a failed attempt was written (commit it); `codeID` is
    /// the stored code the typed one matched, if any (a used code: which decision used it).
    case rejected(MESError, recorded: Bool, codeID: Int64? = nil)
}

/// Identification with a provisional code and a Carte Vitale, over plain store reads and writes:
/// it owns the order in which a code's state refuses it (`Policy.refusal`), the counting of
/// wrong codes and unknown cards (`Attempts`), the locking of a card's live codes at the bound,
/// and the audit lines of all of it. Runs inside the caller's transaction.
struct IdentificationGate {
    let store: Store
    let policy: Policy
    var attempts: Attempts { Attempts(store: store, policy: policy) }

    /// Checks `code` for the profiles of `card` and consumes it when it is live. The consuming
    /// update is conditional (unused, not superseded, not locked, unexpired), so two processes
    /// can never both use one code. An unknown card is counted like a wrong code on a known one,
    /// with the same answers: `locked` says nothing about existence.
    /// `auditSuccess` false leaves the success to the decision's own audit line (batches).
    /// `origin` says who tries, for the failures' audit lines (an association's batch; nobody
    /// known on the web). `accept` runs once the code matched a live code and before it is consumed: when it throws,
    /// nothing has been written (callers check there what would refuse their decision).
    func identify(code: String, card: CardIdentity, now: Instant, auditSuccess: Bool = true, origin: AuditOrigin = .unknown,
                  accept: (Person) throws -> Void = { _ in }) throws -> CodeIdentification {
        let subject = AttemptSubject.card(card.nir, card.card, card.serial)
        let found = try store.cardCodes(nir: card.nir, card: card.card, serial: card.serial, code: code)
        guard let firstID = found.firstProfileID else {
            if try attempts.isLocked(subject, now: now) { return .rejected(.codeLocked, recorded: false) }
            let locked = try attempts.noteFailure(subject, now: now)
            try audit("identification_failed", person: nil, at: now, origin: origin, detail: "unknown card")
            return .rejected(locked ? .codeLocked : .identityNotFound, recorded: true)
        }
        if let (person, stored) = found.match {
            if let refusal = policy.refusal(of: stored, now: now) { return .rejected(refusal, recorded: false, codeID: stored.id) }
            try accept(person)
            guard try store.consumeCode(stored.id, now: now) else { return .rejected(.codeUsed, recorded: false, codeID: stored.id) }
            if found.anyFailed {
                try store.clearWrongCodes(nir: card.nir, card: card.card, serial: card.serial)
                try attempts.clear(subject)
            }
            if auditSuccess { try audit("identified", person: person.id, at: now, origin: AuditOrigin(channel: .web)) }
            return .identified(person, codeID: stored.id)
        }
        // A wrong code for a known card: counted on the card's subject (which answers `locked` as
        // for an unknown card; `failed_attempts` marks the card for the success path). At the
        // bound the card's live codes are locked: the person must ask for a new one.
        if try attempts.isLocked(subject, now: now) { return .rejected(.codeLocked, recorded: false) }
        try store.noteWrongCode(nir: card.nir, card: card.card, serial: card.serial)
        let locked = try attempts.noteFailure(subject, now: now)
        try audit("identification_failed", person: firstID, at: now, origin: origin, detail: "unknown code")
        guard locked else { return .rejected(.identityNotFound, recorded: true) }
        try store.lockLiveCodes(nir: card.nir, card: card.card, serial: card.serial, now: now)
        try store.clearWrongCodes(nir: card.nir, card: card.card, serial: card.serial)
        try audit("codes_locked", person: firstID, at: now, origin: origin)
        return .rejected(.codeLocked, recorded: true)
    }

    /// One audit line of an identification, attributed to `origin`.
    private func audit(_ event: String, person: Int64?, at now: Instant, origin: AuditOrigin, detail: String? = nil) throws {
        try store.audit(event, at: now, person: person, channel: origin.channel, actor: origin.actor, actorID: origin.actorID, detail: detail)
    }
}

/// Who an audit line is attributed to: the channel, the actor and its name (an association's,
/// an adviser's); all nil when nobody is known (a code typed on the web).
struct AuditOrigin: Sendable {
    var channel: Channel?
    var actor: Actor?
    var actorID: String?
    /// Nobody known.
    static let unknown = AuditOrigin()
}

extension Service {
    /// Identification with a provisional code under this service's policy.
    var identification: IdentificationGate { IdentificationGate(store: store, policy: policy) }
}
