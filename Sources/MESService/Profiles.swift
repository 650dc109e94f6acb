import MESCore
import MESStore

/// A holder and the profiles attached to them.
public struct ProfileListing: Sendable {
    public let holder: Person
    public let attached: [Person]
    public let now: Instant
}

extension Service {
    /// The session's holder and their attached profiles, with their states.
    public func profiles(session: String) throws -> ProfileListing {
        let now = clock.now()
        return try store.read {
            let s = try store.session(session, now: now)
            return ProfileListing(holder: s.person, attached: try store.attached(to: s.person), now: now)
        }
    }
}
