import Glibc

/// Keeps a transport under its rate (messages per second): before each send, waits until the
/// send is due, on the monotonic clock (never the service's clock, which may be fixed). A wave
/// of millions then goes at the transport's pace rather than as fast as the store can read.
public final class RatePacer: @unchecked Sendable {
    /// Messages per second.
    public let rate: Double
    private var next: Double = 0

    /// `rate`: from 0.01 to 1,000,000 (`TransportConfig` checks it).
    public init(rate: Double) {
        precondition(rate >= 0.01 && rate <= 1_000_000)
        self.rate = rate
    }

    static func monotonic() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// Returns once the next message may be sent.
    public func wait() {
        let now = Self.monotonic()
        if next > now {
            let wait = next - now
            var t = timespec(tv_sec: Int(wait), tv_nsec: Int((wait - Double(Int(wait))) * 1e9))
            var left = timespec()
            while nanosleep(&t, &left) == -1 && errno == EINTR { t = left }
        }
        next = max(now, next) + 1 / rate
    }
}
