import MESCore
import MESStore

/// A person identified with a provisional code, and the session opened for them.
public struct IdentifiedSession: Sendable {
    public let person: Person
    /// The session token (shown once; the store keeps its digest).
    public let token: String
    public let expiresAt: Instant
    /// The profiles the person manages next.
    public let attached: [Person]
    /// The time of the identification (ages and states are judged at it).
    public let now: Instant
    /// The decisions the person may take now ("Je prends ma décision"), in the service's order:
    /// activate (also a space created automatically that nobody has entered), oppose, close.
    public var decisions: [DecisionKind] = []
    /// For a pending profile: where its six weeks before automatic creation stand.
    public var window: NotificationWindow?
}

extension Service {
    /// Checks code + card in one transaction: success consumes the code and opens a session;
    /// a wrong code on a known card is recorded (lockout) although the call fails. `publish`
    /// delivers the session before the commit: when it throws (standard output closed or full),
    /// nothing is kept — the code is not consumed and no session opened.
    public func identify(code: String, card: CardIdentity, publish: (IdentifiedSession) throws -> Void = { _ in }) throws -> IdentifiedSession {
        let now = clock.now()
        let result: Result<IdentifiedSession, MESError> = try store.transaction {
            let (person, codeID): (Person, Int64)
            switch try identification.identify(code: code, card: card, now: now) {
            case .rejected(let e, _, _):
                // Seeds 000 and 002: someone who could not be identified is shown where the serial is.
                return .failure(e.code == .identityNotFound ? e.helped(Messages.serialHelp(card.card)) : e)
            case .identified(let p, let id): (person, codeID) = (p, id)
            }
            let token = try store.openSession(for: person.id, codeID: codeID, now: now, expiresAt: now.adding(seconds: policy.sessionValidity))
            var session = IdentifiedSession(person: person, token: token, expiresAt: now.adding(seconds: policy.sessionValidity),
                                            attached: try store.attached(to: person), now: now)
            session.decisions = try allowedDecisions(for: person)
            session.window = try notificationWindow(of: person)
            try publish(session)
            return .success(session)
        }
        return try result.get()
    }
}
