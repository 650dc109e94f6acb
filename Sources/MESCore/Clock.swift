/// Where the time of a decision comes from: the system clock, or a fixed time for
/// reproducible runs. Injected into the service so tests control it.
public protocol Clock: Sendable {
    func now() -> Instant
}

/// A clock that always says the same time.
public struct FixedClock: Clock {
    public let instant: Instant
    public init(_ instant: Instant) { self.instant = instant }
    public func now() -> Instant { instant }
}
