/// The state of one person's Mon espace santé.
public enum ProfileState: String, CaseIterable, Sendable, Codable {
    /// Notified or not, no decision yet: "En attente de décision".
    case pending
    /// Refused: "Profil opposé le JJ/MM/AAAA".
    case opposed
    /// Activated by the person, or created automatically after the window: "Profil actif".
    case active
    /// Closed by its holder: "Profil clôturé".
    case closed

    /// The label the service shows on the profiles screen.
    public func label(since: CalendarDate?) -> String {
        switch self {
        case .pending: return "En attente de décision"
        case .opposed: return "Profil opposé" + (since.map { " le \($0.french)" } ?? "")
        case .active: return "Profil actif"
        case .closed: return "Profil clôturé" + (since.map { " le \($0.french)" } ?? "")
        }
    }
}

/// Who filed a decision, by which channel.
public enum Channel: String, Sendable, Codable, CaseIterable {
    /// The command line with a provisional code (the web journey).
    case web
    /// The phone service 3422, an adviser after identity questions.
    case phone
    /// An association's batch.
    case batch
    /// The automatic creation at the end of the window.
    case automatic
}

public enum Actor: String, Sendable, Codable, CaseIterable {
    case `self` = "self"
    case legalRepresentative = "legal_representative"
    case association
    case adviser
    case system
}

/// A decision that changes a profile's state.
public enum DecisionKind: String, Sendable, Codable, CaseIterable {
    case opposition, activation, closure, automaticCreation = "automatic_creation"
}

/// The outcome of asking for a transition.
public enum Transition: Equatable, Sendable {
    /// Do it: the new state.
    case apply(ProfileState)
    /// Already in the wanted state: report it, change nothing.
    case already
    /// Refused by the current state (exit 69), with the error to show.
    case refused(MESError)
}

/// The rules of the state machine (SPEC §3, §5), with no I/O.
public enum ProfileRules {
    /// Whether `kind` may happen now to a profile in `state`. `createdAutomatically`: the space is
    /// active because its six weeks ended, and nobody has activated it since (seed 004: its
    /// first sign-in is an activation — a code, then the CGU, the contacts, an identifier and a
    /// password).
    public static func transition(_ kind: DecisionKind, from state: ProfileState, deceased: Bool,
                                  createdAutomatically: Bool = false) -> Transition {
        switch (kind, state) {
        case (.opposition, .pending): return .apply(.opposed)
        case (.opposition, .opposed): return .already
        case (.opposition, .active):
            return .refused(MESError(.alreadyActive,
                                     Messages.alreadyActive + " Pour le fermer : mes close --session JETON --yes"))
        case (.opposition, .closed):
            return .refused(MESError(.alreadyClosed, "Ce profil a été clôturé."))
        case (.activation, _) where deceased:
            return .refused(MESError(.notActivable, Messages.notActivable))
        case (.activation, .pending), (.activation, .opposed), (.activation, .closed): return .apply(.active)
        case (.activation, .active) where createdAutomatically: return .apply(.active)
        case (.activation, .active):
            return .refused(MESError(.alreadyActive, Messages.alreadyActive))
        case (.closure, .active): return .apply(.closed)
        case (.closure, .closed): return .already
        case (.closure, _):
            return .refused(MESError(.notActive, "Mon espace santé n'est pas actif pour ce profil."))
        case (.automaticCreation, .pending): return deceased ? .already : .apply(.active)
        case (.automaticCreation, _): return .already
        }
    }

    /// Acting for a person under 18 needs the legal representative's certification.
    public static func isMinor(birthDate: CalendarDate, on today: CalendarDate) -> Bool {
        birthDate.age(on: today) < 18
    }

    /// Refuses (69) acting for a minor without the legal representative's certification.
    public static func requireCertification(birthDate: CalendarDate, on today: CalendarDate, certified: Bool) throws {
        if isMinor(birthDate: birthDate, on: today) && !certified { throw MESError.legalRepresentativeRequired }
    }

    /// Whether `actor` may decide `kind` for `person` today: a minor's profile needs the legal
    /// representative's certification (an adviser of the phone service checks it on the line),
    /// then the state machine. Throws the refusal; returns `.apply` or `.already`.
    public static func decide(_ kind: DecisionKind, for person: Person, by actor: Actor, certified: Bool,
                              today: CalendarDate, createdAutomatically: Bool = false) throws -> Transition {
        try requireCertification(birthDate: person.birthDate, on: today, certified: certified || actor == .adviser)
        let t = transition(kind, from: person.state, deceased: person.deceased, createdAutomatically: createdAutomatically)
        if case .refused(let e) = t { throw e }
        return t
    }

    /// The decisions a person may take now on a profile, in the order the service offers them
    /// ("Je prends ma décision"): activate or oppose while pending; activate once opposed or
    /// closed; close an active space; and activate a space created automatically that nobody
    /// has entered yet. A deceased person's profile is never activated.
    public static func allowedDecisions(for person: Person, createdAutomatically: Bool = false) -> [DecisionKind] {
        [DecisionKind.activation, .opposition, .closure].filter {
            if case .apply = transition($0, from: person.state, deceased: person.deceased, createdAutomatically: createdAutomatically) { return true }
            return false
        }
    }

    /// Whether a message about `person` dated `at` speaks to their legal representative (a minor
    /// that day, Paris time: 18 from the morning of the 18th birthday) rather than to them.
    public static func speaksToLegalRepresentative(about person: Person, at: Instant) -> Bool {
        isMinor(birthDate: person.birthDate, on: at.parisDate)
    }

    /// Who the audit trail records: a person acting on a minor's profile acts as its legal representative.
    public static func recordedActor(_ actor: Actor, for person: Person, today: CalendarDate) -> Actor {
        actor == .self && isMinor(birthDate: person.birthDate, on: today) ? .legalRepresentative : actor
    }
}
