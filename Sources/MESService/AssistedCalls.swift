import MESCore
import MESStore

/// Someone on the line with an adviser of the phone service (3422), who answers the identity
/// questions: NIR, birth date, last name (a first name for twins).
public struct AssistedCaller: Sendable {
    public var adviser: String
    public var nir: NIR
    public var birthDate: CalendarDate
    public var lastName: String
    public var firstName: String?

    public init(adviser: String, nir: NIR, birthDate: CalendarDate, lastName: String, firstName: String? = nil) {
        self.adviser = adviser
        self.nir = nir
        self.birthDate = birthDate
        self.lastName = lastName
        self.firstName = firstName
    }
}

/// Seed 004: "Au cours des différentes étapes… vous pouvez contacter un conseiller au 34 22".
/// At each step an adviser can help with, the same hours, identity questions, locks and audit
/// as `oppose --assisted` (`assistedIdentity`).
extension Service {
    /// The adviser sends the caller a new provisional code to the contact on file (e-mail, else
    /// SMS, else a letter), as `code generate` would; audited with the adviser.
    public func requestCode(_ caller: AssistedCaller, via: MessageChannel?) throws -> CodeDelivery {
        try assisted(caller) { person, now in
            do {
                return .success(try requestCode(for: person, via: via, now: now, channel: .phone, actor: .adviser, actorID: caller.adviser))
            } catch let e as MESError where e.code == .letterLimit {
                return .failure(e)  // its audit line commits
            }
        }
    }

    /// The adviser reads the caller's contacts on file, masked as before identification (the
    /// caller says whether they are right; changes go through the caisse, or activation).
    public func contacts(_ caller: AssistedCaller) throws -> ContactDetails {
        try assisted(caller) { person, _ in .success(try maskedContacts(of: person)) }
    }

    /// The adviser starts the caller's activation (seed 004, "au cours des différentes étapes"):
    /// once the identity questions pass and the state machine allows an activation (never for a
    /// deceased person, nor a space already entered), a new provisional code goes to the contact
    /// on file, as `requestCode` sends it; the caller goes on alone with it (`identify`, which
    /// offers the activation first, then `activate` with an identifier and a password of their
    /// own: an adviser never chooses them). Audited `activation_started`, with the adviser.
    public func startActivation(_ caller: AssistedCaller, via: MessageChannel?) throws -> CodeDelivery {
        try assisted(caller) { person, now in
            let rule = ProfileRules.transition(.activation, from: person.state, deceased: person.deceased,
                                               createdAutomatically: try createdAutomatically(person))
            if case .refused(let e) = rule { return .failure(e) }
            let delivery: CodeDelivery
            do {
                delivery = try requestCode(for: person, via: via, now: now, channel: .phone, actor: .adviser, actorID: caller.adviser)
            } catch let e as MESError where e.code == .letterLimit {
                return .failure(e)  // its audit line commits
            }
            try store.audit("activation_started", at: now, person: person.id, channel: .phone, actor: .adviser, actorID: caller.adviser,
                            detail: "code via \(delivery.channel.rawValue)")
            return .success(delivery)
        }
    }

    /// Runs `step` for the caller once the adviser's identity questions pass, in one
    /// transaction that commits a failed answer's count (`assistedIdentity`).
    private func assisted<T>(_ caller: AssistedCaller, _ step: (Person, Instant) throws -> Result<T, MESError>) throws -> T {
        let now = clock.now()
        let result: Result<T, MESError> = try store.transaction {
            switch try assistedIdentity(adviser: caller.adviser, nir: caller.nir, birthDate: caller.birthDate, lastName: caller.lastName,
                                        firstName: caller.firstName, now: now) {
            case .success(let person): return try step(person, now)
            case .failure(let e): return .failure(e)
            }
        }
        return try result.get()
    }
}
