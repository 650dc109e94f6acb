import MESSystem

/// How far a long use case has got, for a person watching a terminal (never for scripts: the
/// command line shows it only when standard error is a terminal and `--quiet` is not given).
public struct Progress: Sendable, Equatable {
    /// What is counted.
    public enum Unit: String, Sendable {
        /// Rows of an input file (import, batch).
        case rows
        /// Profiles of the register walked in id order (notify, sweep): `total` is the last id.
        case profiles
        /// People imported by the fixtures.
        case people
        /// Members written by the fixtures.
        case members
        /// Messages handed to a transport (outbox send).
        case messages
        /// Letters laid out for printing (outbox letters).
        case letters
    }

    public let unit: Unit
    public let done: Int
    /// The whole, when known; `totalIsEstimate` when it may still grow or shrink (a file read as it goes).
    public let total: Int?
    public let totalIsEstimate: Bool

    public init(_ unit: Unit, done: Int, total: Int?, estimate: Bool = false) {
        self.unit = unit
        self.done = done
        self.total = total
        self.totalIsEstimate = estimate
    }
}

/// Calls an observer at most every `interval` seconds (monotonic), and always for the last step,
/// so that a loop may report each item for nothing.
final class ProgressThrottle {
    private let observer: ((Progress) -> Void)?
    private let interval: Double
    private var last = -Double.infinity

    init(_ observer: ((Progress) -> Void)?, interval: Double = 0.1) {
        self.observer = observer
        self.interval = interval
    }

    var isActive: Bool { observer != nil }

    /// Reports `p` when the interval has passed since the last report, or when `force`.
    func report(_ p: @autoclosure () -> Progress, force: Bool = false) {
        guard let observer else { return }
        let now = Monotonic.seconds()
        guard force || now - last >= interval else { return }
        last = now
        observer(p())
    }
}
