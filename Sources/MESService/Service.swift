#if canImport(Glibc)
import Glibc
#endif
import MESCore
import MESCrypto
import MESStore

/// The use cases of `mes`: one method per step of a journey, each run in one transaction over
/// the store, taking plain values and returning a result value that the command line renders.
/// Its seams — the clock, the random source, the outbox messages are recorded in and the receipt issuer —
/// are injected, so tests (and later a real mail transport or a signing issuer) plug in here.
public final class Service {
    let store: Store
    public let clock: any Clock
    public let random: any RandomSource
    public let outbox: any MessageOutbox
    public let receipts: any ReceiptIssuer
    public let policy: Policy
    /// Builds every message the service sends, its texts worded from `policy`.
    public let composer: MessageComposer
    /// The transport of each channel (`transports()`).
    public let delivery: DeliverySource

    /// The default receipt issuer signs with the store's identity (made now if the store has none).
    /// `delivery`: the transports, or the settings they are built from when a message is to be
    /// sent (none by default: messages stay queued).
    public init(store: Store, clock: any Clock = SystemClock(), random: any RandomSource = SystemRandom(),
                outbox: (any MessageOutbox)? = nil, receipts: (any ReceiptIssuer)? = nil, policy: Policy = .standard,
                delivery: DeliverySource = .transports(.none)) throws {
        self.store = store
        self.clock = clock
        self.random = random
        self.outbox = outbox ?? OutboxFiles(store: store)
        if let receipts {
            self.receipts = receipts
        } else if try store.hasSigningIdentity() {
            self.receipts = DeferredSignedReceipts(store: store)  // opened when a receipt needs it
        } else {
            // A store without one makes it now, outside any command's transaction.
            self.receipts = SignedPDFReceipts(identity: try store.signingIdentity(now: SystemClock().now()))
        }
        self.policy = policy
        self.composer = MessageComposer(policy: policy, from: delivery.fromHeader)
        self.delivery = delivery
    }

    /// The store's schema version (`PRAGMA user_version`).
    public var storeSchemaVersion: Int { store.schemaVersion }

    /// What opening the store noticed and the person should hear (files or folders readable by others).
    public var storeNotes: [String] { store.notes }

    /// Told how far a long use case (import, notify, sweep, outbox send and letters, fixtures,
    /// batch) has got, a few times a second at most; nil (the default) for scripts.
    public var onProgress: ((Progress) -> Void)?

    /// Told each step worth saying under `--verbose` (in French, with no personal data: ids,
    /// channels, counts and paths only).
    public var onStep: ((String) -> Void)?

    /// Called once when a command has waited a while for a store kept busy by another process.
    public var onStoreWait: (() -> Void)? {
        get { store.onWait }
        set { store.onWait = newValue }
    }

    /// Opens the store in `directory` with the default seams but `clock`. A fixed clock is
    /// honoured only by a store made for tests (`init --test-clock`, `init --demo`, `demo`):
    /// on any other store decisions, receipts and the audit trail carry the system time.
    /// `delivery`: the configuration the command line read (`DeliverySettings`).
    /// How long (seconds) a command waits, by default, for a store kept busy by another process.
    public static let defaultLockWait = Store.defaultLockWait

    /// `lockWait`: how long an operation waits for a store kept busy by another process.
    public static func open(_ directory: String, clock: any Clock, delivery: DeliverySettings = .none,
                            lockWait: Double = Store.defaultLockWait) throws -> Service {
        let store = try Store.open(directory, lockWait: lockWait)
        try requireClockAllowed(clock, by: store)
        return try Service(store: store, clock: clock, delivery: .settings(delivery))
    }

    /// Refuses a fixed clock on a store not made for tests (exit 64, field `now`).
    static func requireClockAllowed(_ clock: any Clock, by store: Store) throws {
        guard clock is FixedClock, !store.allowsTestClock else { return }
        throw MESError(.nowRefused, "Cette base garde l'heure du système : une horloge fixe n'est acceptée que par une base de test.",
                       field: "now")
    }
}

/// The system's real-time clock.
public struct SystemClock: Clock {
    public init() {}
    public func now() -> Instant { Instant(seconds: Int64(time(nil))) }
}
