#if canImport(Glibc)
import Glibc
#endif
import MESCore
import MESCrypto
import MESStore

/// The use cases of `mes`: one method per step of a journey, each run in one transaction over
/// the store, taking plain values and returning a result value that the command line renders.
/// Its seams — the clock, the random source, the message transport and the receipt issuer —
/// are injected, so tests (and later a real mail transport or a signing issuer) plug in here.
public final class Service {
    public let store: Store
    public let clock: any Clock
    public let random: any RandomSource
    public let transport: any MessageTransport
    public let receipts: any ReceiptIssuer
    public let policy: Policy

    public init(store: Store, clock: any Clock = SystemClock(), random: any RandomSource = SystemRandom(),
                transport: (any MessageTransport)? = nil, receipts: (any ReceiptIssuer)? = nil, policy: Policy = .standard) {
        self.store = store
        self.clock = clock
        self.random = random
        self.transport = transport ?? OutboxFiles(store: store)
        self.receipts = receipts ?? PDFReceipts()
        self.policy = policy
    }

    /// Opens the store in `directory` with the default seams but `clock`.
    public static func open(_ directory: String, clock: any Clock) throws -> Service {
        Service(store: try Store.open(directory), clock: clock)
    }
}

/// The system's real-time clock.
public struct SystemClock: Clock {
    public init() {}
    public func now() -> Instant { Instant(seconds: Int64(time(nil))) }
}
