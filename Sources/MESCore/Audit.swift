/// One line of the audit trail.
public struct AuditEntry: Sendable {
    public let at: Instant
    public let event: String
    public let person: Person?
    public let channel: String?
    public let actor: String?
    public let actorID: String?
    public let detail: String?

    public init(at: Instant, event: String, person: Person?, channel: String?, actor: String?, actorID: String?, detail: String?) {
        (self.at, self.event, self.person, self.channel, self.actor, self.actorID, self.detail) = (at, event, person, channel, actor, actorID, detail)
    }
}

/// Which lines of the audit trail to read.
public struct AuditFilter: Sendable {
    /// One NIR's profiles.
    public var nir: NIR?
    /// From this instant (inclusive).
    public var since: Instant?
    /// Up to this instant (inclusive).
    public var until: Instant?
    public var channel: Channel?
    /// An actor kind (`association`, `adviser`…), with an id when given (`ActorName.filter`:
    /// `adviser:A042` matches that adviser only, never an association of that name).
    public var actor: (kind: Actor, id: String?)?
    /// At most this many lines.
    public var limit: Int?

    public init(nir: NIR? = nil, since: Instant? = nil, until: Instant? = nil, channel: Channel? = nil, actor: (kind: Actor, id: String?)? = nil,
                limit: Int? = nil) {
        (self.nir, self.since, self.until, self.channel, self.actor, self.limit) = (nir, since, until, channel, actor, limit)
    }
}
