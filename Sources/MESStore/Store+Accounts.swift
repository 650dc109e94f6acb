import MESCore
import MESCrypto

/// A holder's sign-in account, created at activation.
public struct Account: Sendable {
    public let personID: Int64
    public let username: String
    public let passwordHash: String
    public let closedAt: Instant?
}

/// What a one-time code is for.
public enum OTPPurpose: String, Sendable {
    /// Confirming a new e-mail address or mobile number at activation.
    case email, mobile
    /// The access code of a login.
    case login
    /// Recovering a forgotten identifier ("Identifiant oublié ?").
    case recoverIdentifier = "recover_identifier"
    /// Choosing a new password ("Mot de passe oublié ?").
    case recoverPassword = "recover_password"
}

/// Accounts (identifier, scrypt hash) and one-time codes (6 digits, stored as keyed digests).
extension Store {
    public func account(username: String) throws -> Account? {
        try db.first("SELECT person_id, username, password_hash, closed_at FROM accounts WHERE username = ?",
                     .text(username)).map(account(from:))
    }

    private func account(from r: Row) -> Account {
        Account(personID: r.int(0)!, username: r.text(1)!, passwordHash: r.text(2)!, closedAt: r.int(3).map(Instant.init(seconds:)))
    }

    /// Whether `username` belongs to someone other than `personID` (a holder may take back
    /// their own identifier after a closure).
    public func usernameTaken(_ username: String, byOtherThan personID: Int64) throws -> Bool {
        guard let owner = try db.first("SELECT person_id FROM accounts WHERE username = ?", .text(username))?.int(0) else { return false }
        return owner != personID
    }

    public func usernameTaken(_ username: String) throws -> Bool {
        try db.first("SELECT 1 FROM accounts WHERE username = ?", .text(username)) != nil
    }

    /// Creates (or, after a closure, replaces) the person's account.
    public func saveAccount(personID: Int64, username: String, passwordHash: String, now: Instant) throws {
        try db.run("DELETE FROM accounts WHERE person_id = ?", .int(personID))
        try db.run("INSERT INTO accounts (person_id, username, password_hash, created_at) VALUES (?, ?, ?, ?)",
                   .int(personID), .text(username), .text(passwordHash), .int(now.seconds))
    }

    /// The person's account, open or closed.
    public func account(personID: Int64) throws -> Account? {
        try db.first("SELECT person_id, username, password_hash, closed_at FROM accounts WHERE person_id = ?",
                     .int(personID)).map(account(from:))
    }

    /// Replaces an account's password hash (a recovery).
    public func setPasswordHash(personID: Int64, _ hash: String) throws {
        try db.run("UPDATE accounts SET password_hash = ? WHERE person_id = ?", .text(hash), .int(personID))
    }

    public func closeAccount(personID: Int64, now: Instant) throws {
        try db.run("UPDATE accounts SET closed_at = ? WHERE person_id = ?", .int(now.seconds), .int(personID))
    }

    /// Spends the person's live sign-in access codes (the account was locked).
    public func spendLoginCodes(personID: Int64, now: Instant) throws {
        try db.run("UPDATE otps SET used_at = ? WHERE person_id = ? AND purpose = 'login' AND used_at IS NULL", .int(now.seconds), .int(personID))
    }

    /// Records a one-time code (its digest) and supersedes the person's earlier ones for the same purpose.
    public func recordOTP(_ code: String, personID: Int64, purpose: OTPPurpose, target: String?, now: Instant, validity: Int64) throws {
        try db.run("UPDATE otps SET used_at = ? WHERE person_id = ? AND purpose = ? AND used_at IS NULL",
                   .int(now.seconds), .int(personID), .text(purpose.rawValue))
        try db.run("INSERT INTO otps (person_id, purpose, target, digest, issued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                   .int(personID), .text(purpose.rawValue), target.map { .text($0) } ?? .null,
                   .blob(digest("otp", code)), .int(now.seconds), .int(now.seconds + validity))
    }

    /// When the person's last one-time code for `purpose` was issued (re-sends are throttled).
    public func lastOneTimeCode(personID: Int64, purpose: OTPPurpose) throws -> Instant? {
        try db.first("SELECT max(issued_at) FROM otps WHERE person_id = ? AND purpose = ?", .int(personID), .text(purpose.rawValue))?
            .int(0).map(Instant.init(seconds:))
    }

    /// Consumes the live one-time code for (person, purpose, target) when `code` matches it.
    /// A wrong code counts against it; at `maxFailures` it is spent.
    public func consumeOTP(_ code: String, personID: Int64, purpose: OTPPurpose, target: String?, now: Instant,
                           maxFailures: Int) throws -> Bool {
        guard let r = try db.first("""
            SELECT id, digest, target FROM otps WHERE person_id = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?
            ORDER BY id DESC LIMIT 1
            """, .int(personID), .text(purpose.rawValue), .int(now.seconds)) else { return false }
        let matches = Crypto.constantTimeEqual(r.blob(1) ?? [], digest("otp", code.trimmingSpaces)) && r.text(2) == target
        if matches {
            return try db.run("UPDATE otps SET used_at = ? WHERE id = ? AND used_at IS NULL", .int(now.seconds), .int(r.int(0)!)) == 1
        }
        try db.run("UPDATE otps SET failed_attempts = failed_attempts + 1 WHERE id = ?", .int(r.int(0)!))
        try db.run("UPDATE otps SET used_at = ? WHERE id = ? AND failed_attempts >= ?", .int(now.seconds), .int(r.int(0)!), .int(Int64(maxFailures)))
        return false
    }

    /// Changes a person's contact on file (after its one-time code was confirmed).
    public func setContact(personID: Int64, email: String?, mobile: String?) throws {
        if let email { try db.run("UPDATE people SET email = ? WHERE id = ?", .text(email), .int(personID)) }
        if let mobile { try db.run("UPDATE people SET mobile = ? WHERE id = ?", .text(mobile), .int(personID)) }
    }
}

extension Store {
    /// The writes of a recovery code — its one-time code, its message with a sealed body of
    /// `bodySize` bytes, its audit line — undone in the same transaction: what `recover
    /// password` does for an identifier that has no account (or no contact, or asked too soon),
    /// so that the store's work (pages written, commits, syncs) does not tell it from one that
    /// has. Leaves nothing behind. Nothing to do in a register with nobody.
    /// An audit line written and removed in the same transaction: what locking an unknown
    /// identifier does in place of a real account's `account_locked` line, so that the store's
    /// work does not tell them apart.
    public func decoyAuditLine(now: Instant) throws {
        try audit("account_locked", at: now, person: nil)
        try db.run("DELETE FROM audit WHERE id = ?", .int(db.lastInsertID))
    }

    public func decoyRecoveryWrites(now: Instant, bodySize: Int) throws {
        guard let pid = try db.first("SELECT id FROM people ORDER BY id DESC LIMIT 1")?.int(0) else { return }
        try db.run("INSERT INTO otps (person_id, purpose, target, digest, issued_at, expires_at) VALUES (?, 'recover_password', NULL, ?, ?, ?)",
                   .int(pid), .blob(Crypto.randomBytes(32)), .int(now.seconds), .int(now.seconds))
        let otp = db.lastInsertID
        try db.run(Self.insertMessage, .int(pid), .text("email"), .text("x"), .text("x"), .int(now.seconds), .text("queued"),
                   .text("x"), .text("x"), .null)
        let message = db.lastInsertID
        try db.run(Self.insertBody, .int(message), .blob(Crypto.randomBytes(bodySize)))
        try audit("recovery_code_sent", at: now, person: pid, detail: "recover_password via email")
        let line = db.lastInsertID
        try db.run("DELETE FROM audit WHERE id = ?", .int(line))
        try db.run("DELETE FROM outbox_bodies WHERE id = ?", .int(message))
        try db.run("DELETE FROM outbox WHERE id = ?", .int(message))
        try db.run("DELETE FROM otps WHERE id = ?", .int(otp))
    }
}
