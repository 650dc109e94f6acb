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
    static let consumeCode = """
        UPDATE codes SET used_at = ? WHERE id = ? AND used_at IS NULL AND superseded_at IS NULL
        AND locked_at IS NULL AND expires_at > ?
        """

    /// The state of a stored code that matched a typed one.
    struct StoredCode {
        let id: Int64
        let expiresAt: Int64
        let used, superseded, locked: Bool
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

    /// When the person may ask for a code again (nil: now).
    public func throttled(_ person: Person, now: Instant, policy: Policy) throws -> Bool {
        guard let last = try db.first("SELECT last_code_request FROM people WHERE id = ?", .int(person.id))?.int(0) else { return false }
        return now.seconds - last < policy.minimumInterval && now.seconds >= last
    }

    public func noteCodeRequest(_ person: Person, now: Instant) throws {
        try db.run("UPDATE people SET last_code_request = ? WHERE id = ?", .int(now.seconds), .int(person.id))
    }

    /// The result of checking a typed code against one card's profiles.
    public enum Identification {
        /// The code was live and is now consumed.
        case identified(Person, codeID: Int64)
        /// Rejected; `recorded` says whether a failed attempt was written (commit it); `codeID` is
        /// the stored code the typed one matched, if any (a used code: which decision used it).
        case rejected(MESError, recorded: Bool, codeID: Int64? = nil)
    }

    /// Checks `code` for the profiles of one Carte Vitale and consumes it when it is live.
    /// Must run inside `db.write`. The consuming update is conditional (unused, not superseded,
    /// not locked, unexpired), so two processes can never both use one code.
    /// `auditSuccess` false leaves the success to the decision's own audit line (batches).
    /// `accept` runs once the code matched a live code and before it is consumed: when it throws,
    /// nothing has been written (callers check what would refuse the decision there).
    public func identify(code: String, nir: NIR, card: CardType, serial: String, now: Instant,
                         policy: Policy, auditSuccess: Bool = true,
                         accept: (Person) throws -> Void = { _ in }) throws -> Identification {
        // The card's profiles with their codes, in one query (a profile with no code appears once).
        let card3: [SQLValue] = [.text(nir.compact), .text(serial), .text(card.rawValue)]
        let onCard = "(SELECT id FROM people WHERE nir = ? AND serial = ? AND card_type = ?)"
        // Read in place: only the profile whose code matches is materialised.
        let typed = digest("code", code)
        var firstID: Int64?
        var anyFailed = false
        var match: (person: Person, code: StoredCode)?
        try db.forEach(Self.cardProfilesWithCodes, card3) { r in
            if firstID == nil { firstID = r.int(0) }
            if (r.int(15) ?? 0) > 0 { anyFailed = true }
            guard let id = r.int(16), r.withBytes(18, { Crypto.constantTimeEqual($0, typed) }) else { return }
            match = (person(from: r), StoredCode(id: id, expiresAt: r.int(19)!, used: r.int(20) != nil,
                                                  superseded: r.int(21) != nil, locked: r.int(22) != nil))
        }
        let tuple = AttemptSubject.card(nir, card, serial)
        guard let firstID else {
            // An unknown card (or a wrong serial) is counted like a wrong code on a known one, with
            // the same writes and the same answers: `locked` says nothing about existence.
            if try isLocked(tuple, now: now) { return .rejected(.codeLocked, recorded: false) }
            let locked = try noteFailure(tuple, now: now, maxFailures: policy.maxFailures, lockSeconds: policy.lockSeconds)
            try audit("identification_failed", at: now, person: nil, detail: "unknown card")
            return .rejected(locked ? .codeLocked : .identityNotFound, recorded: true)
        }
        if let (matchedPerson, c) = match {
            let id = c.id
            if c.locked { return .rejected(.codeLocked, recorded: false, codeID: id) }
            if c.used { return .rejected(.codeUsed, recorded: false, codeID: id) }
            if c.superseded { return .rejected(.codeSuperseded, recorded: false, codeID: id) }
            if c.expiresAt <= now.seconds { return .rejected(.codeExpired, recorded: false, codeID: id) }
            try accept(matchedPerson)
            let changed = try db.run(Self.consumeCode, .int(now.seconds), .int(id), .int(now.seconds))
            guard changed == 1 else { return .rejected(.codeUsed, recorded: false, codeID: id) }
            if anyFailed {
                try db.run("UPDATE people SET failed_attempts = 0 WHERE id IN \(onCard)", card3)
                try clearAttempts(tuple)
            }
            if auditSuccess { try audit("identified", at: now, person: matchedPerson.id, channel: .web) }
            return .identified(matchedPerson, codeID: id)
        }
        // A wrong code for a known card: count it (the card's counter answers `locked` as for an
        // unknown card; `failed_attempts` marks the card for the success path); at the bound, lock
        // the card's live codes: the person must ask for a new one.
        if try isLocked(tuple, now: now) { return .rejected(.codeLocked, recorded: false) }
        try db.run("UPDATE people SET failed_attempts = failed_attempts + 1 WHERE id IN \(onCard)", card3)
        let locked = try noteFailure(tuple, now: now, maxFailures: policy.maxFailures, lockSeconds: policy.lockSeconds)
        try audit("identification_failed", at: now, person: firstID, detail: "unknown code")
        if locked {
            try db.run("UPDATE codes SET locked_at = ? WHERE person_id IN \(onCard) AND used_at IS NULL AND superseded_at IS NULL AND locked_at IS NULL",
                       [.int(now.seconds)] + card3)
            try db.run("UPDATE people SET failed_attempts = 0 WHERE id IN \(onCard)", card3)
            try audit("codes_locked", at: now, person: firstID)
            return .rejected(.codeLocked, recorded: true)
        }
        return .rejected(.identityNotFound, recorded: true)
    }

    // MARK: sessions

    /// Opens a session for a profile; returns the token (stored only as a digest).
    public func openSession(for personID: Int64, codeID: Int64?, now: Instant, policy: Policy) throws -> String {
        let token = SystemRandom().string(length: 32, alphabet: ProvisionalCode.alphabet)
        try db.run("INSERT INTO sessions (digest, person_id, created_at, expires_at, code_id) VALUES (?, ?, ?, ?, ?)",
                   .blob(digest("session", token)), .int(personID), .int(now.seconds), .int(now.seconds + policy.sessionValidity),
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

extension MESError {
    public static let codeSuperseded = MESError(.codeSuperseded,
                                                "Ce code provisoire a été remplacé par un code plus récent.")
}
