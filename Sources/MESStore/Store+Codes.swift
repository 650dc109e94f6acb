import MESCore
import MESCrypto

/// Where a code comes from: the notification (6 weeks) or an on-demand request (15 minutes).
public enum CodeKind: String, Sendable {
    case notification
    case onDemand = "on_demand"
}

/// Provisional codes and identification. Codes are stored only as keyed digests.
extension Store {
    /// A card's profiles with their codes (built once: the statement cache is keyed by the text).
    static let cardProfilesWithCodes = """
        SELECT \(personColumnsQualified), c.id, c.person_id, c.digest, c.expires_at, c.used_at, c.superseded_at, c.locked_at
        FROM people p LEFT JOIN codes c ON c.person_id = p.id
        WHERE p.nir = ? AND p.serial = ? AND p.card_type = ?
        """

    /// Consumes a code if it is still live (the condition makes two consumers impossible).
    static let consumeLiveCode = """
        UPDATE codes SET used_at = ? WHERE id = ? AND used_at IS NULL AND superseded_at IS NULL
        AND locked_at IS NULL AND expires_at > ?
        """

    /// The profiles of one Carte Vitale (NIR, model, serial) as a typed code finds them.
    public struct CardCodes: Sendable {
        /// The card's first profile; nil when no profile has this card (unknown, or a wrong serial).
        public var firstProfileID: Int64?
        /// Whether a wrong code was counted on one of the card's profiles since its last success.
        public var anyFailed = false
        /// The profile whose stored code is the typed one, and that code's state.
        public var match: (person: Person, code: StoredCodeState)?
    }

    /// A card's profiles and the stored code the typed `code` is, if any (compared in constant
    /// time against the keyed digests; only the matching profile is materialised).
    public func cardCodes(nir: NIR, card: CardType, serial: String, code: String) throws -> CardCodes {
        let typed = digest("code", code)
        var found = CardCodes()
        try db.forEach(Self.cardProfilesWithCodes, Self.card3(nir, card, serial)) { r in
            if found.firstProfileID == nil { found.firstProfileID = r.int(0) }
            if (r.int(Self.failedAttemptsColumn) ?? 0) > 0 { found.anyFailed = true }
            let c = Self.personColumnCount
            guard let id = r.int(c), r.withBytes(c + 2, { Crypto.constantTimeEqual($0, typed) }) else { return }
            found.match = (person(from: r), StoredCodeState(id: id, expiresAt: Instant(seconds: r.int(c + 3)!), used: r.int(c + 4) != nil,
                                                            superseded: r.int(c + 5) != nil, locked: r.int(c + 6) != nil))
        }
        return found
    }

    /// The person columns come first in `cardProfilesWithCodes`; `failed_attempts` is among them.
    static let failedAttemptsColumn = 15

    /// The bindings of a card (NIR, serial, model) in the statements below.
    static func card3(_ nir: NIR, _ card: CardType, _ serial: String) -> [SQLValue] {
        [.text(nir.compact), .text(serial), .text(card.rawValue)]
    }
    static let onCard = "(SELECT id FROM people WHERE nir = ? AND serial = ? AND card_type = ?)"

    /// Consumes code `id` if it is still live at `now` (unused, not superseded, not locked,
    /// unexpired): false when another process used it first.
    public func consumeCode(_ id: Int64, now: Instant) throws -> Bool {
        try db.run(Self.consumeLiveCode, .int(now.seconds), .int(id), .int(now.seconds)) == 1
    }

    /// Marks a card's profiles as having seen a wrong code (their `failed_attempts`).
    public func noteWrongCode(nir: NIR, card: CardType, serial: String) throws {
        try db.run("UPDATE people SET failed_attempts = failed_attempts + 1 WHERE id IN \(Self.onCard)", Self.card3(nir, card, serial))
    }

    /// Forgets the wrong codes seen on a card's profiles.
    public func clearWrongCodes(nir: NIR, card: CardType, serial: String) throws {
        try db.run("UPDATE people SET failed_attempts = 0 WHERE id IN \(Self.onCard)", Self.card3(nir, card, serial))
    }

    /// Locks the live codes of a card's profiles: the person must ask for a new one.
    public func lockLiveCodes(nir: NIR, card: CardType, serial: String, now: Instant) throws {
        try db.run("UPDATE codes SET locked_at = ? WHERE person_id IN \(Self.onCard) AND used_at IS NULL AND superseded_at IS NULL AND locked_at IS NULL",
                   [.int(now.seconds)] + Self.card3(nir, card, serial))
    }

    /// The profile a stored code was issued to.
    public func codeHolder(_ codeID: Int64) throws -> Person? {
        guard let id = try db.first("SELECT person_id FROM codes WHERE id = ?", .int(codeID))?.int(0) else { return nil }
        return try person(id: id)
    }

    /// Records a new code for a person (its digest only) and supersedes the person's earlier live
    /// codes. Returns the code's row id. The caller delivers the plaintext and forgets it.
    @discardableResult
    public func recordCode(_ code: String, for personID: Int64, kind: CodeKind, now: Instant, validity: Int64) throws -> Int64 {
        try recordCode(digest: codeDigest(code), for: personID, kind: kind, now: now, validity: validity)
    }

    /// A code's keyed digest, as `recordCode` stores it (for a caller that computes it ahead,
    /// e.g. on another thread: this connection's key must not be used by two threads at once).
    public func codeDigest(_ code: String) -> [UInt8] { digest("code", code) }

    /// `recordCode` with the code's digest computed ahead (`codeDigest`).
    @discardableResult
    public func recordCode(digest: [UInt8], for personID: Int64, kind: CodeKind, now: Instant, validity: Int64) throws -> Int64 {
        try db.run(Self.supersedeCodes, .int(now.seconds), .int(personID))
        try db.run(Self.insertCode, .int(personID), .text(kind.rawValue), .blob(digest), .int(now.seconds), .int(now.seconds + validity))
        return db.lastInsertID
    }

    /// Supersedes a person's live codes (1: when, 2: the person).
    static let supersedeCodes = "UPDATE codes SET superseded_at = ? WHERE person_id = ? AND used_at IS NULL AND superseded_at IS NULL AND locked_at IS NULL"
    /// A new code (1: person, 2: kind, 3: digest, 4: issued, 5: expires).
    static let insertCode = "INSERT INTO codes (person_id, kind, digest, issued_at, expires_at) VALUES (?, ?, ?, ?, ?)"

    /// When the person's live code expires, for the latest live code issued to last longer than
    /// `validity` seconds (a notification's or a letter's, not a 15-minute one); nil when none.
    public func liveCodeExpiry(personID: Int64, lastingMoreThan validity: Int64, now: Instant) throws -> Instant? {
        try db.first("""
            SELECT expires_at FROM codes WHERE person_id = ? AND used_at IS NULL AND superseded_at IS NULL AND locked_at IS NULL
            AND expires_at > ? AND expires_at - issued_at > ? ORDER BY id DESC LIMIT 1
            """, .int(personID), .int(now.seconds), .int(validity))?.int(0).map(Instant.init(seconds:))
    }

    /// When the person last asked for a provisional code (nil: never).
    public func lastCodeRequest(personID: Int64) throws -> Instant? {
        try db.first("SELECT last_code_request FROM people WHERE id = ?", .int(personID))?.int(0).map(Instant.init(seconds:))
    }

    public func noteCodeRequest(_ person: Person, now: Instant) throws {
        try db.run("UPDATE people SET last_code_request = ? WHERE id = ?", .int(now.seconds), .int(person.id))
    }

    // MARK: sessions

    /// Opens a session for a profile, valid until `expiresAt`; returns the token (stored only as a digest).
    public func openSession(for personID: Int64, codeID: Int64?, now: Instant, expiresAt: Instant) throws -> String {
        let token = SystemRandom().string(length: 32, alphabet: ProvisionalCode.alphabet)
        try db.run("INSERT INTO sessions (digest, person_id, created_at, expires_at, code_id) VALUES (?, ?, ?, ?, ?)",
                   .blob(digest("session", token)), .int(personID), .int(now.seconds), .int(expiresAt.seconds),
                   codeID.map { .int($0) } ?? .null)
        return token
    }

    /// Ends every session of a profile (a closure), or only those opened by signing in (a new sign-in).
    public func endSessions(personID: Int64, signInOnly: Bool = false, now: Instant) throws {
        try db.run("UPDATE sessions SET expires_at = ? WHERE person_id = ? AND expires_at > ?" + (signInOnly ? " AND code_id IS NULL" : ""),
                   .int(now.seconds), .int(personID), .int(now.seconds))
    }

    /// Ends one session; false when the token names no live session.
    @discardableResult
    public func endSession(_ token: String, now: Instant) throws -> Bool {
        try db.run("UPDATE sessions SET expires_at = ? WHERE digest = ? AND expires_at > ?",
                   .int(now.seconds), .blob(digest("session", token.trimmingSpaces)), .int(now.seconds)) == 1
    }

    /// The session behind a token: its profile and the code that opened it (77 when unknown or expired).
    public func session(_ token: String, now: Instant) throws -> (person: Person, codeID: Int64?) {
        let t = token.trimmingSpaces
        guard let r = try db.first("SELECT person_id, expires_at, code_id FROM sessions WHERE digest = ?", .blob(digest("session", t))) else {
            throw MESError(.sessionUnknown, "Session inconnue : identifiez-vous à nouveau (mes identify).", field: "session")
        }
        guard r.int(1)! > now.seconds else { throw MESError.sessionExpired }
        guard let p = try person(id: r.int(0)!) else { throw MESError.sessionExpired }
        return (p, r.int(2))
    }
}
