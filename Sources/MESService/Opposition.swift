import MESCore
import MESRender
import MESStore
import MESSystem

/// How the person filing an opposition is identified.
public enum OppositionIdentity: Sendable {
    /// A session opened by `identify` or `login`.
    case session(String)
    /// Inline: a provisional code and the card (the code is consumed only if the opposition is filed).
    case code(String, CardIdentity)
    /// The phone service (3422): an adviser checks NIR, birth date and last name; no code.
    case assisted(adviser: String, nir: NIR, birthDate: CalendarDate, lastName: String, firstName: String?)
    /// An attached profile (a child, a dependant) of the session's holder.
    case attachedProfile(session: String, profileID: Int64)
}

/// An opposition to file.
public struct OppositionRequest: Sendable {
    public var identity: OppositionIdentity
    /// The filer certifies being the legal representative (profiles of minors).
    public var legalRepresentative: Bool
    /// Where to write the PDF receipt (default: the store's `receipts/ID.pdf`).
    public var receiptPath: String?
    /// Replace an existing file at `receiptPath`.
    public var force: Bool

    public init(identity: OppositionIdentity, legalRepresentative: Bool = false, receiptPath: String? = nil, force: Bool = false) {
        self.identity = identity
        self.legalRepresentative = legalRepresentative
        self.receiptPath = receiptPath
        self.force = force
    }
}

/// What filing an opposition gave.
public struct OppositionResult: Sendable {
    public enum Outcome: Sendable {
        case opposed(OppositionReceipt, path: String)
        case alreadyOpposed(since: Instant, receipt: OppositionReceipt?)
    }

    public let person: Person
    public let outcome: Outcome
    /// The profiles the holder can manage next.
    public let attached: [Person]
    public let now: Instant
}

extension Service {
    /// Files an opposition in one transaction, then writes its PDF receipt from the committed
    /// record. With a code, the code is consumed only if the opposition is filed, and a wrong code
    /// is recorded for the lockout. Crash-safe: a run killed after the commit leaves the decision
    /// recorded and no file, or a whole one; running it again reports the opposition and writes
    /// (or repairs) its receipt. An existing file at `receiptPath` is refused before anything is
    /// recorded, unless it is this very receipt, intact.
    public func oppose(_ r: OppositionRequest) throws -> OppositionResult {
        let now = clock.now()
        let output = receiptOutput(path: r.receiptPath, force: r.force)
        let result: Result<OppositionResult, MESError> = try store.transaction {
            let person: Person, channel: Channel, actor: Actor, actorID: String?, codeID: Int64?
            switch r.identity {
            case .session(let token):
                let s = try store.session(token, now: now)
                (person, channel, actor, actorID, codeID) = (s.person, .web, .self, nil, s.codeID)
            case .attachedProfile(let token, let id):
                (person, channel, actor, actorID, codeID) = (try attachedProfile(session: token, profileID: id, now: now), .web, .self, nil, nil)
            case .code(let code, let card):
                switch try identification.identify(code: code, card: card, now: now) {
                case .rejected(let e, _, let usedID):
                    // The code was spent by this very opposition (a run killed after its commit, or
                    // run again), or on a profile opposed already: report the opposition, and its
                    // receipt is written below if it is missing.
                    guard e.code == .codeUsed, let usedID, let (p, receipt) = try spentOnOpposition(usedID) else { return .failure(e) }
                    let since = try decisionOnFile(.opposition, of: p.id).since(p, now: now)
                    try refuseForeignFile(output, for: receipt)
                    return .success(OppositionResult(person: p, outcome: .alreadyOpposed(since: since, receipt: receipt),
                                                     attached: try store.attached(to: p), now: now))
                case .identified(let p, let id): (person, channel, actor, actorID, codeID) = (p, .web, .self, nil, id)
                }
            case .assisted(let adviser, let nir, let birthDate, let lastName, let firstName):
                switch try assistedIdentity(adviser: adviser, nir: nir, birthDate: birthDate, lastName: lastName, firstName: firstName, now: now) {
                case .failure(let e): return .failure(e)
                case .success(let p): (person, channel, actor, actorID, codeID) = (p, .phone, .adviser, adviser, nil)
                }
            }
            let filed = try recordOpposition(person, channel: channel, actor: actor, actorID: actorID, codeID: codeID,
                                             legalRepresentative: r.legalRepresentative, now: now)
            let outcome: OppositionResult.Outcome
            switch filed {
            case .already(_, let since, let receipt):
                outcome = .alreadyOpposed(since: since, receipt: receipt)
                try refuseForeignFile(output, for: receipt)
            case .filed(_, let receipt):
                try output.checkTarget(storeDirectory: store.directory)
                outcome = .opposed(receipt, path: output.path(for: receipt))
            }
            return .success(OppositionResult(person: filed.person, outcome: outcome, attached: try store.attached(to: filed.person), now: now))
        }
        let done = try result.get()
        // The record is committed: the receipt file is derived from it (and repaired when a
        // killed run left it missing).
        switch done.outcome {
        case .opposed(let receipt, _): try produceReceipt(output.request(receipt, .write))
        case .alreadyOpposed(_, let receipt?): try produceReceipt(output.request(receipt, .repair))
        case .alreadyOpposed(_, nil): break
        }
        return done
    }

    /// For a used code typed again: the opposed profile it was issued to and the receipt of its
    /// opposition — the one that consumed this code, else (the profile was opposed already when
    /// the code was used, and the use recorded nothing) its latest. Nil when the profile is not
    /// opposed: then the code was spent on something else and is reported as used.
    func spentOnOpposition(_ codeID: Int64) throws -> (Person, OppositionReceipt?)? {
        if let decision = try store.decision(consumingCode: codeID), let receipt = try store.receipt(decisionID: decision),
           let holderID = try store.receiptHolder(id: receipt.id), let p = try store.person(id: holderID), p.state == .opposed {
            return (p, receipt)
        }
        guard let p = try store.codeHolder(codeID), p.state == .opposed else { return nil }
        return (p, try store.latestReceipt(personID: p.id))
    }

    /// The phone service's identity check (inside the caller's transaction): a registered
    /// adviser, then NIR, birth date and last name. Every attempt is audited with the adviser; a
    /// failure counts against the NIR and against the adviser (the one bound of `Policy`), and
    /// is returned rather than thrown so that the count commits.
    func assistedIdentity(adviser: String, nir: NIR, birthDate: CalendarDate, lastName: String, firstName: String?,
                          now: Instant) throws -> Result<Person, MESError> {
        guard policy.phoneServiceOpen(at: now) else { throw MESError(.phoneClosed, Messages.phoneClosed, field: "assisted") }
        guard try store.adviserExists(adviser) else {
            throw MESError(.adviserUnknown, "Conseiller inconnu : enregistrez-le d'abord (mes advisers add).", field: "adviser")
        }
        let subjects: [AttemptSubject] = [.assistedNIR(nir), .adviser(adviser)]
        for s in subjects where try attempts.isLocked(s, now: now) {
            try store.audit("assisted_identification_refused", at: now, person: nil, channel: .phone, actor: .adviser, actorID: adviser,
                            detail: "locked")
            return .failure(MESError.identityQuestionsLocked)
        }
        let matches = try store.people(nir: nir).filter { $0.birthDate == birthDate && Names.same($0.lastName, lastName) }
        do {
            let p = try Self.one(of: matches, firstName: firstName)
            try attempts.clear(.assistedNIR(nir))
            try store.audit("assisted_identified", at: now, person: p.id, channel: .phone, actor: .adviser, actorID: adviser)
            return .success(p)
        } catch let e as MESError where e.code == .identityNotFound {
            var locked = false
            for s in subjects {
                locked = try attempts.noteFailure(s, now: now) || locked
            }
            try store.audit("assisted_identification_failed", at: now, person: nil, channel: .phone, actor: .adviser, actorID: adviser,
                            detail: locked ? "locked" : nil)
            return .failure(locked ? MESError.identityQuestionsLocked : e)
        }
    }

    /// Records the opposition of `person` (inside the caller's transaction, see `fileDecision`):
    /// the decision, the new state and the receipt record, with `detail` in the audit line.
    /// Writes no file.
    func recordOpposition(_ person: Person, channel: Channel, actor: Actor, actorID: String? = nil, codeID: Int64? = nil,
                          legalRepresentative: Bool, now: Instant, detail: String? = nil) throws -> FiledDecision {
        let today = now.parisDate
        let transition = try ProfileRules.decide(.opposition, for: person, by: actor, certified: legalRepresentative, today: today)
        return try fileDecision(DecisionFiling(kind: .opposition, person: person, transition: transition, channel: channel,
                                               actor: ProfileRules.recordedActor(actor, for: person, today: today),
                                               actorID: actorID, codeID: codeID, detail: detail), now: now)
    }
}
