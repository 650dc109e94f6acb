import MESCore

/// What an association's batches remember between runs: the rows refused in a way that counts
/// against a card (so a re-run does not try them again), the receipts they mailed, and who
/// filed a decision on file.
extension Store {
    /// The key under which a batch row's identity and code are remembered: a keyed digest of
    /// the card, the birth date given and the code (the code itself is never stored), and the
    /// first name when one tells twins apart (a code request's).
    public func batchFailureKey(nir: NIR, card: CardType, serial: String, birthDate: CalendarDate?, code: String,
                                firstName: String? = nil) -> [UInt8] {
        digest("batch_failure", "\(nir.compact)\u{0}\(card.rawValue)\u{0}\(serial)\u{0}\(birthDate?.iso ?? "")\u{0}\(code)"
               + (firstName.map { "\u{0}" + $0 } ?? ""))
    }

    /// How a remembered row failed, and when.
    public func batchFailure(_ key: [UInt8]) throws -> (status: String, at: Instant, actorID: String?)? {
        try db.first("SELECT status, failed_at, actor_id FROM batch_failures WHERE key = ?", .blob(key)).map {
            ($0.text(0) ?? "", Instant(seconds: $0.int(1) ?? 0), $0.text(2))
        }
    }

    /// Remembers a row's failure (inside the caller's transaction); a later failure replaces it.
    public func noteBatchFailure(_ key: [UInt8], status: String, at now: Instant, actorID: String?) throws {
        try db.run("INSERT OR REPLACE INTO batch_failures (key, status, failed_at, actor_id) VALUES (?, ?, ?, ?)",
                   .blob(key), .text(status), .int(now.seconds), actorID.map { .text($0) } ?? .null)
    }

    /// Forgets a row's failure (it was tried again, and went through).
    public func forgetBatchFailure(_ key: [UInt8]) throws {
        try db.run("DELETE FROM batch_failures WHERE key = ?", .blob(key))
    }

    /// Names the outbox message that carries a receipt (a batch's `--mail-receipts`).
    public func noteReceiptMail(_ receiptID: String, outboxID: Int64) throws {
        try db.run("INSERT OR REPLACE INTO receipt_mails (receipt_id, outbox_id) VALUES (?, ?)", .text(receiptID), .int(outboxID))
    }

    /// The outbox message that carried a receipt by mail, if a batch sent one.
    public func receiptMail(_ receiptID: String) throws -> Int64? {
        try db.first("SELECT outbox_id FROM receipt_mails WHERE receipt_id = ?", .text(receiptID))?.int(0)
    }

    /// Who took a decision: when, through which channel, as whom and, for an association or
    /// an adviser, under which name.
    public func decisionOrigin(_ decisionID: Int64) throws -> DecisionOrigin? {
        try db.first("SELECT at, channel, actor, actor_id FROM decisions WHERE id = ?", .int(decisionID)).map {
            DecisionOrigin(at: Instant(seconds: $0.int(0) ?? 0), channel: $0.text(1).flatMap(Channel.init(rawValue:)),
                           actor: $0.text(2).flatMap(Actor.init(rawValue:)), actorID: $0.text(3))
        }
    }

    /// How many failures count against `subject` since its last lock (0: none).
    public func failuresSinceLock(_ subject: AttemptSubject) throws -> Int {
        Int(try db.first("SELECT failures FROM attempts WHERE key = ?", .blob(attemptKey(subject)))?.int(0) ?? 0)
    }

    /// A person's latest live code lasting more than `validity`: when it was issued, until when,
    /// and whether it is the notification's.
    public func liveCode(personID: Int64, lastingMoreThan validity: Int64, now: Instant) throws -> LiveCode? {
        try db.first("""
            SELECT issued_at, expires_at, kind FROM codes WHERE person_id = ? AND used_at IS NULL AND superseded_at IS NULL
            AND locked_at IS NULL AND expires_at > ? AND expires_at - issued_at > ? ORDER BY id DESC LIMIT 1
            """, .int(personID), .int(now.seconds), .int(validity)).map {
            LiveCode(issuedAt: Instant(seconds: $0.int(0) ?? 0), expiresAt: Instant(seconds: $0.int(1) ?? 0), kind: $0.text(2).flatMap(CodeKind.init(rawValue:)) ?? .onDemand)
        }
    }
}

/// Who took a decision on file.
public struct DecisionOrigin: Sendable, Equatable {
    public let at: Instant
    public let channel: Channel?
    public let actor: Actor?
    public let actorID: String?
}

/// A code a person holds and can still use.
public struct LiveCode: Sendable, Equatable {
    public let issuedAt: Instant
    public let expiresAt: Instant
    /// The notification's code, or one asked for since.
    public let kind: CodeKind
}
