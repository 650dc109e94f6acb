import MESCore

/// What a failed attempt is counted against. Counters exist for what does not exist too (an
/// unknown card, an unknown identifier), so that `locked` says nothing about existence.
public enum AttemptSubject: Sendable {
    /// The card tuple typed with a provisional code (NIR, model, serial).
    case card(NIR, CardType, String)
    /// A sign-in identifier.
    case username(String)
    /// Identity questions asked about a NIR: the assisted (3422) path and code requests
    /// (birth date and card).
    case assistedNIR(NIR)
    /// An adviser of the phone service.
    case adviser(String)

    var label: String {
        switch self {
        case .card(let n, let c, let s): return "card\u{0}\(n.compact)\u{0}\(c.rawValue)\u{0}\(s)"
        case .username(let u): return "username\u{0}\(u)"
        case .assistedNIR(let n): return "assisted\u{0}\(n.compact)"
        case .adviser(let a): return "adviser\u{0}\(a)"
        }
    }
}

extension Store {
    func attemptKey(_ s: AttemptSubject) -> [UInt8] { digest("attempt", s.label) }

    /// Until when `subject` was last locked (nil: never, or its failures were forgotten).
    public func lockedUntil(_ subject: AttemptSubject) throws -> Instant? {
        try db.first("SELECT locked_until FROM attempts WHERE key = ?", .blob(attemptKey(subject)))?.int(0).map(Instant.init(seconds:))
    }

    /// A subject's counters after a failure.
    public struct FailureCount: Sendable, Equatable {
        /// Failures since its last lock.
        public let sinceLock: Int
        /// Locks since its last success.
        public let locks: Int
        /// Failures within the current window (which began at its first failure, `window` ago at most).
        public let inWindow: Int
    }

    /// Counts one more failure against `subject` (inside the caller's transaction): since its
    /// last lock, and within a window of `window` seconds that starts again once it has passed.
    public func countFailure(_ subject: AttemptSubject, now: Instant, window: Int64) throws -> FailureCount {
        let key = attemptKey(subject)
        try db.run("""
            INSERT INTO attempts (key, failures, updated_at, window_start, window_failures) VALUES (?, 1, ?, ?, 1)
            ON CONFLICT (key) DO UPDATE SET failures = failures + 1, updated_at = excluded.updated_at,
                window_failures = CASE WHEN window_start IS NULL OR window_start + ? <= excluded.updated_at THEN 1 ELSE window_failures + 1 END,
                window_start = CASE WHEN window_start IS NULL OR window_start + ? <= excluded.updated_at THEN excluded.updated_at ELSE window_start END
            """, .blob(key), .int(now.seconds), .int(now.seconds), .int(window), .int(window))
        let r = try db.first("SELECT failures, locks, window_failures FROM attempts WHERE key = ?", .blob(key))
        return FailureCount(sinceLock: Int(r?.int(0) ?? 0), locks: Int(r?.int(1) ?? 0), inWindow: Int(r?.int(2) ?? 0))
    }

    /// Locks `subject` until `until`; its failure count starts again, its lock count grows.
    public func lock(_ subject: AttemptSubject, until: Instant) throws {
        try db.run("UPDATE attempts SET failures = 0, locks = locks + 1, locked_until = ? WHERE key = ?",
                   .int(until.seconds), .blob(attemptKey(subject)))
    }

    /// Holds `subject` until an adviser lifts it (`clearAttempts`).
    public func hold(_ subject: AttemptSubject) throws {
        try db.run("UPDATE attempts SET held = 1 WHERE key = ?", .blob(attemptKey(subject)))
    }

    /// Whether `subject` is held.
    public func isHeld(_ subject: AttemptSubject) throws -> Bool {
        try db.first("SELECT held FROM attempts WHERE key = ?", .blob(attemptKey(subject)))?.int(0) == 1
    }

    /// Forgets the failures and lock of `subject` (a success, or a fresh code for a card).
    public func clearAttempts(_ subject: AttemptSubject) throws {
        try db.run("DELETE FROM attempts WHERE key = ?", .blob(attemptKey(subject)))
    }

    // MARK: advisers

    /// Registers an adviser of the phone service (3422); false when already registered.
    @discardableResult
    public func addAdviser(_ id: String, now: Instant) throws -> Bool {
        try db.run("INSERT OR IGNORE INTO advisers (id, added_at) VALUES (?, ?)", .text(id), .int(now.seconds)) == 1
    }

    public func adviserExists(_ id: String) throws -> Bool {
        try db.first("SELECT 1 FROM advisers WHERE id = ?", .text(id)) != nil
    }

    /// The registered advisers, by id.
    public func advisers() throws -> [(id: String, addedAt: Instant)] {
        try db.query("SELECT id, added_at FROM advisers ORDER BY id").map { ($0.text(0)!, Instant(seconds: $0.int(1)!)) }
    }

    // MARK: settings

    /// Whether this store was made for tests: only then is a fixed clock (`--now`) honoured.
    public var allowsTestClock: Bool {
        (try? db.first("SELECT value FROM settings WHERE key = 'test_clock'")?.text(0)) == "1"
    }

    /// Whether nothing has happened in this store yet (nobody, no audit line, no message, no
    /// imported key): only such a store may still become a test store.
    public func isPristine() throws -> Bool {
        try db.first("""
            SELECT NOT EXISTS (SELECT 1 FROM people) AND NOT EXISTS (SELECT 1 FROM audit) AND NOT EXISTS (SELECT 1 FROM outbox)
                AND (SELECT count(*) FROM signing_certificates) <= 1 AND NOT EXISTS (SELECT 1 FROM advisers)
            """)?.int(0) == 1
    }

    /// Marks the store as made for tests (a fixed clock is honoured).
    public func enableTestClock() throws {
        try db.run("INSERT OR REPLACE INTO settings (key, value) VALUES ('test_clock', '1')")
    }
}
