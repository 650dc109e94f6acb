/// The rules of typed secrets, written once: in what order a stored provisional code's state
/// refuses it, when a failure count locks its subject and for how long, and when a code may be
/// asked for again. Pure decisions over values: the service applies them to what the store reads.

/// The state of a stored provisional code that matched a typed one.
public struct StoredCodeState: Sendable, Equatable {
    /// The code's row.
    public let id: Int64
    public let expiresAt: Instant
    public let used, superseded, locked: Bool

    public init(id: Int64, expiresAt: Instant, used: Bool, superseded: Bool, locked: Bool) {
        (self.id, self.expiresAt, self.used, self.superseded, self.locked) = (id, expiresAt, used, superseded, locked)
    }
}

extension Policy {
    /// Why a stored code that matched cannot be used at `now`, in the order a person is told:
    /// locked, used, superseded, expired. Nil: the code is live.
    public func refusal(of code: StoredCodeState, now: Instant) -> MESError? {
        if code.locked { return .codeLocked }
        if code.used { return .codeUsed }
        if code.superseded { return .codeSuperseded }
        if code.expiresAt.seconds <= now.seconds { return .codeExpired }
        return nil
    }

    /// How long a subject is locked once it has failed `failures` times in a row since its last
    /// lock (then the count starts again), when it was locked `previousLocks` times before since
    /// its last success; nil: not locked yet. The one place that says when a lock falls and how
    /// long it lasts: 15 minutes, then twice as long each time, up to 24 hours.
    public func lockDuration(afterFailures failures: Int, previousLocks: Int = 0) -> Int64? {
        guard failures >= maxFailures else { return nil }
        var seconds = lockSeconds
        for _ in 0..<min(previousLocks, 32) where seconds < maxLockSeconds { seconds *= 2 }
        return min(seconds, maxLockSeconds)
    }

    /// Whether an account that failed `failures` times within `holdWindow` is held until an
    /// adviser lifts it.
    public func holds(failuresInWindow failures: Int) -> Bool { failures >= holdAfterFailures }

    /// When a new letter may be posted to a person whose last letter was queued at `last`,
    /// having had `inWindow` letters (with the oldest of them queued at `oldestInWindow`) within
    /// `letterWindow`: nil when it may go now.
    public func nextLetter(last: Instant?, inWindow: Int, oldestInWindow: Instant?, now: Instant) -> Instant? {
        var at: Int64 = now.seconds
        if let last { at = max(at, last.seconds + letterInterval) }
        if inWindow >= lettersPerWindow, let oldest = oldestInWindow { at = max(at, oldest.seconds + letterWindow) }
        return at > now.seconds ? Instant(seconds: at) : nil
    }

    /// Whether a code (provisional or one-time) asked for at `now` comes too soon after the
    /// previous one, asked for at `last` (nil: never). A `last` after `now` (a clock set back)
    /// does not hold a request back.
    public func isTooSoon(after last: Instant?, now: Instant) -> Bool {
        guard let last else { return false }
        return now.seconds >= last.seconds && now.seconds - last.seconds < minimumInterval
    }
}

extension MESError {
    public static let codeSuperseded = MESError(.codeSuperseded,
                                                "Ce code provisoire a été remplacé par un code plus récent.")
}
