/// How often, and how long apart, a message that failed with a temporary error is tried again.
/// Plain data: the queue that applies it lives in the store.
public struct RetryPolicy: Sendable, Equatable, Hashable {
    /// Tries in all, the first one included (at least 1).
    public var attempts: Int
    /// Seconds to wait before the 2nd, 3rd… try; the last value repeats when there are fewer
    /// values than retries.
    public var backoff: [Int]

    public init(attempts: Int, backoff: [Int]) {
        self.attempts = max(1, attempts)
        self.backoff = backoff.map { max(0, $0) }
    }

    /// 6 tries over about 5 hours: after 1 min, 5 min, 15 min, 1 h, 4 h.
    public static let standard = RetryPolicy(attempts: 6, backoff: [60, 300, 900, 3_600, 14_400])

    /// Seconds to wait after the `attempt`-th try (1-based) failed with `error`; nil when the
    /// message should not be tried again (a permanent error, or no tries left). A configuration
    /// error keeps the message queued without using up its tries: it says nothing about the
    /// message, so this returns the first delay and the caller does not count the attempt.
    public func delay(afterAttempt attempt: Int, failedWith error: DeliveryError) -> Int? {
        switch error.kind {
        case .permanent: return nil
        case .configuration: return backoff.first ?? 0
        case .temporary:
            guard attempt < attempts else { return nil }
            guard !backoff.isEmpty else { return 0 }
            return backoff[min(attempt - 1, backoff.count - 1)]
        }
    }
}
