import MESCore
import MESStore

/// A Carte Vitale as a person types it: the NIR it carries, its model and its serial.
public struct CardIdentity: Sendable, Equatable {
    public let nir: NIR
    public let card: CardType
    public let serial: String

    public init(nir: NIR, card: CardType, serial: String) {
        self.nir = nir
        self.card = card
        self.serial = serial
    }
}

extension Service {
    /// The profile a person means by NIR + birth date on one card (twins: `firstName` chooses).
    func profile(_ card: CardIdentity, birthDate: CalendarDate, firstName: String?) throws -> Person {
        let matches = try store.people(nir: card.nir, card: card.card, serial: card.serial).filter { $0.birthDate == birthDate }
        return try Self.one(of: matches, firstName: firstName)
    }

    /// The one profile among people sharing a NIR and a birth date: twins are told apart by
    /// first name (the rule of SPEC §5, written once).
    static func one(of matches: [Person], firstName: String?) throws -> Person {
        guard !matches.isEmpty else { throw MESError.identityNotFound }
        guard matches.count > 1 else { return matches[0] }
        guard let firstName else {
            let names = matches.map(\.firstName).joined(separator: ", ")
            throw MESError(.profileAmbiguous, Messages.twins + " Précisez le prénom de la personne : \(names).", field: "first-name")
        }
        let named = matches.filter { Names.same($0.firstName, firstName) }
        guard named.count == 1 else { throw MESError.identityNotFound }
        return named[0]
    }

    /// The profile attached to the session's holder with id `profileID`.
    func attachedProfile(session token: String, profileID: Int64, now: Instant) throws -> Person {
        let s = try store.session(token, now: now)
        guard let p = try store.attached(to: s.person).first(where: { $0.id == profileID }) else {
            throw MESError.invalid(.profileNotFound, "Ce profil n'est pas rattaché à votre carte Vitale : \(profileID)", field: "profile")
        }
        return p
    }
}
