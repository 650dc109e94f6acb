/// One insured person in the insurer's register, with the state of their Mon espace santé.
/// Attached profiles (children, dependants) share the holder's NIR and card and differ by birth date.
public struct Person: Sendable, Equatable {
    public var id: Int64
    public var nir: NIR
    public var birthDate: CalendarDate
    public var firstName: String
    public var lastName: String
    public var card: CardType
    public var serial: String
    public var email: String?
    public var mobile: String?
    public var address: String?
    /// The holder's id for an attached profile; nil for a holder.
    public var holderID: Int64?
    public var deceased: Bool
    public var state: ProfileState
    public var stateSince: Instant?
    /// When the information was really sent (an e-mail acknowledged by its server, a letter
    /// posted, or a date imported): the start of the six weeks (art. R1111-28). Nil until then.
    public var notifiedAt: Instant?
    /// The outbox message of the notification issued for this profile (queued, printed, sent or
    /// failed); nil when none was issued.
    public var noticeID: Int64?
    /// Wrong codes typed in a row on this person's card (lockout counter).
    public var failedAttempts = 0

    public init(id: Int64 = 0, nir: NIR, birthDate: CalendarDate, firstName: String, lastName: String, card: CardType,
                serial: String, email: String? = nil, mobile: String? = nil, address: String? = nil, holderID: Int64? = nil,
                deceased: Bool = false, state: ProfileState = .pending, stateSince: Instant? = nil, notifiedAt: Instant? = nil) {
        self.id = id
        self.nir = nir
        self.birthDate = birthDate
        self.firstName = firstName
        self.lastName = lastName
        self.card = card
        self.serial = serial
        self.email = email
        self.mobile = mobile
        self.address = address
        self.holderID = holderID
        self.deceased = deceased
        self.state = state
        self.stateSince = stateSince
        self.notifiedAt = notifiedAt
    }

    /// "Martine Julie Leguellec": how the service greets the person.
    public var displayName: String { "\(firstName) \(lastName)" }
    /// "LEGUELLEC Martine Julie": how the receipt names the insured person.
    public var registerName: String { "\(lastName.uppercased()) \(firstName)" }
    /// The profile's state as shown on the profiles screen.
    public var stateLabel: String { state.label(since: stateSince?.parisDate) }

    /// Whether the notification wave is due to this profile: pending, living, never notified,
    /// no notification issued.
    public var isDueNotification: Bool { notifiedAt == nil && noticeID == nil && state == .pending && !deceased }

    /// Whether reaching this profile needs its holder's details (`contact(holder:)`): it has no
    /// e-mail or mobile of its own, or it is an attached profile without a postal address.
    public var contactNeedsHolder: Bool {
        let ownAddress = !(address ?? "").trimmingSpaces.isEmpty
        return !((email != nil || mobile != nil) && (ownAddress || holderID == nil))
    }

    /// Who a message about this profile goes to: itself when it has an e-mail or mobile, else
    /// its `holder`; with its own e-mail or mobile but no postal address, its holder's address
    /// for letters (the household of the card).
    public func contact(holder: Person?) -> Person {
        guard contactNeedsHolder else { return self }
        guard email != nil || mobile != nil else { return holder ?? self }
        var c = self
        c.address = holder?.address
        return c
    }
}
