import MESCore
import MESStore

/// Failed attempts and locks, over the store's counters (`AttemptSubject`): the one place that
/// counts a failure, asks `Policy.lockDuration` whether a lock falls, and says whether a subject
/// is locked. Locks that grow, or a hold, change `noteFailure` and `Policy` only.
struct Attempts {
    let store: Store
    let policy: Policy

    /// Whether `subject` is locked at `now` (held counts as locked).
    func isLocked(_ subject: AttemptSubject, now: Instant) throws -> Bool {
        try lockedFor(subject, now: now) != nil
    }

    /// How much longer `subject` stays locked at `now` (nil: not locked; `Int64.max`: held).
    func lockedFor(_ subject: AttemptSubject, now: Instant) throws -> Int64? {
        if case .username = subject, try store.isHeld(subject) { return .max }
        guard let until = try store.lockedUntil(subject), until.seconds > now.seconds else { return nil }
        return until.seconds - now.seconds
    }

    /// Counts a failure against `subject` (inside the caller's transaction, which must commit);
    /// locks it when the policy says so, for longer each time; holds an account that failed too
    /// often within the policy's window. Returns whether it is locked now.
    @discardableResult
    func noteFailure(_ subject: AttemptSubject, now: Instant) throws -> Bool {
        let count = try store.countFailure(subject, now: now, window: policy.holdWindow)
        if case .username = subject, policy.holds(failuresInWindow: count.inWindow) {
            try store.hold(subject)
            return true
        }
        guard let seconds = policy.lockDuration(afterFailures: count.sinceLock, previousLocks: count.locks) else { return false }
        try store.lock(subject, until: now.adding(seconds: seconds))
        return true
    }

    /// Forgets the failures and lock of `subject` (a success, or a fresh code for a card).
    func clear(_ subject: AttemptSubject) throws {
        try store.clearAttempts(subject)
    }

    /// Consumes the latest live one-time code for `purpose` when `code` is it; a wrong one counts
    /// against that code, which is spent at the policy's bound.
    func consumeOneTimeCode(_ code: String, personID: Int64, purpose: OTPPurpose, target: String?, now: Instant) throws -> Bool {
        try store.consumeOTP(code, personID: personID, purpose: purpose, target: target, now: now, maxFailures: policy.maxFailures)
    }
}

extension Service {
    /// Failed attempts and locks under this service's policy.
    var attempts: Attempts { Attempts(store: store, policy: policy) }
}
