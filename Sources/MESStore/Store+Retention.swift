import MESCore
import MESSystem

/// Retention after a closure: when a closed space's content is deleted, and the deletion itself.
extension Store {
    /// Schedules the deletion of a closed space's content (cleared by any later change of state).
    public func scheduleContentDeletion(personID: Int64, after deadline: Instant) throws {
        try db.run("UPDATE people SET delete_content_after = ? WHERE id = ? AND state = 'closed'", .int(deadline.seconds), .int(personID))
    }

    /// When a closed space's content is to be deleted, if it is.
    public func contentDeletion(personID: Int64) throws -> Instant? {
        try db.first("SELECT delete_content_after FROM people WHERE id = ?", .int(personID))?.int(0).map(Instant.init(seconds:))
    }

    /// Closed profiles whose content is due for deletion at `now`, oldest deadline first, at most `limit`.
    public func contentDue(at now: Instant, limit: Int) throws -> [Person] {
        try db.query("""
            SELECT \(Self.personColumns) FROM people WHERE delete_content_after IS NOT NULL AND delete_content_after <= ?
            AND state = 'closed' ORDER BY delete_content_after, id LIMIT ?
            """, .int(now.seconds), .int(Int64(limit))).map(person(from:))
    }

    /// How many closed profiles are due for deletion at `now`.
    public func contentDueCount(at now: Instant) throws -> Int {
        Int(try db.first("""
            SELECT count(*) FROM people WHERE delete_content_after IS NOT NULL AND delete_content_after <= ? AND state = 'closed'
            """, .int(now.seconds))?.int(0) ?? 0)
    }

    /// Deletes what a closed space held about its holder: the account (identifier and password
    /// hash), sessions, one-time codes, provisional codes, the messages sent to them (rows and
    /// files) and the contacts on file (e-mail, mobile). The register's identity (NIR, names,
    /// birth date, card, postal address) stays, as do decisions, receipts and the audit trail,
    /// which gets a `content_deleted` line. Run inside `transaction`; the message files are
    /// removed before the commit (a run that does not commit leaves rows whose files are gone,
    /// and deletes them again next time).
    public func deleteContent(of person: Person, reason: String, now: Instant) throws {
        // Deleted and overwritten content is zeroed in the file, not left in free space.
        try db.exec("PRAGMA secure_delete=ON")
        let id = SQLValue.int(person.id)
        try db.run("DELETE FROM sessions WHERE person_id = ?", id)
        try db.run("DELETE FROM otps WHERE person_id = ?", id)
        try db.run("DELETE FROM accounts WHERE person_id = ?", id)
        // Codes that no decision or session refers to (the rest is the decisions' trace).
        try db.run("DELETE FROM codes WHERE person_id = ? AND id NOT IN (SELECT code_id FROM decisions WHERE code_id IS NOT NULL)", id)
        let files = try db.query("SELECT file FROM outbox WHERE person_id = ?", id).compactMap { $0.text(0) }
        try db.run("DELETE FROM outbox_bodies WHERE id IN (SELECT id FROM outbox WHERE person_id = ?)", id)
        try db.run("DELETE FROM outbox WHERE person_id = ?", id)
        for name in files where !name.isEmpty && !name.contains("/") { FileIO.remove(outboxDirectory + "/" + name) }
        try db.run("UPDATE people SET email = NULL, mobile = NULL, delete_content_after = NULL WHERE id = ?", id)
        try audit("content_deleted", at: now, person: person.id, actor: .system, detail: reason)
    }

    /// Copies the journal into the database and empties it, so that the old versions of deleted
    /// rows it holds go too (best effort: a reader holding an old snapshot leaves it for later).
    public func truncateJournal() {
        _ = try? db.first("PRAGMA wal_checkpoint(TRUNCATE)")
    }

    /// The retention chosen at a person's latest closure (`delete_within_3_months` or `archive_10_years`).
    public func closureRetention(personID: Int64) throws -> String? {
        try db.first("SELECT detail FROM audit WHERE person_id = ? AND event = 'closure_content' ORDER BY id DESC LIMIT 1",
                     .int(personID))?.text(0)
    }
}
