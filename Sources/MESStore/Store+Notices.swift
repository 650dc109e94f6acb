import MESCore

/// Notifications from issue to sending: each profile's notification names its message
/// (`people.notice_id`); the six weeks start when that message is really sent (art. R1111-28):
/// `markSent` for an e-mail the server acknowledged, `recordPosting` for printed letters.
extension Store {
    /// What starting a window records, as the service words and sizes it.
    public struct WindowStart: Sendable {
        /// The notification code's validity from the sending (`Policy.notificationValidity`).
        public var codeValidity: Int64
        /// The audit line's detail (`via email ; fin du délai le 2022-03-17`).
        public var detail: String

        public init(codeValidity: Int64, detail: String) {
            self.codeValidity = codeValidity
            self.detail = detail
        }
    }

    /// Starts the six weeks, at `at`, of the pending profiles whose notification is one of the
    /// messages `notices` selects (an SQL condition on `people.notice_id`, its parameters from
    /// ?3 on): their `notified_at`, their live notification codes valid `codeValidity` from then,
    /// an audit line each (`notification_sent`). Inside the caller's transaction. Returns how
    /// many windows started.
    @discardableResult
    func startWindows(_ notices: String, _ args: [SQLValue], at: Instant, _ start: WindowStart) throws -> Int {
        let waiting = "FROM people WHERE \(notices) AND notified_at IS NULL AND state = 'pending'"
        let head: [SQLValue] = [.int(at.seconds), .int(start.codeValidity)]
        try db.run("""
            UPDATE codes SET expires_at = ?1 + ?2 WHERE kind = 'notification' AND used_at IS NULL AND superseded_at IS NULL
            AND person_id IN (SELECT id \(waiting))
            """, head + args)
        try db.run("INSERT INTO audit (at, event, person_id, channel, actor, detail) SELECT ?1, 'notification_sent', id, 'automatic', 'system', ?2 "
                   + waiting + " ORDER BY id", [.int(at.seconds), .text(start.detail)] + args)
        return try db.run("UPDATE people SET notified_at = ?1 WHERE \(notices) AND notified_at IS NULL AND state = 'pending'",
                          [.int(at.seconds), .null] + args)
    }

    /// Records the server's acknowledgement of message `id` (its own transaction: committed at
    /// once, so that a message acknowledged is never sent again) and, when it is a notification,
    /// starts its profiles' windows.
    public func markSent(_ id: Int64, reply: String, now: Instant, window: WindowStart) throws {
        try transaction {
            _ = try db.run("UPDATE outbox SET status = 'sent', sent_at = ?, reply = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?",
                           .int(now.seconds), .text(reply), .int(id))
            try startWindows(Self.profilesOfNotices("o.id = ?3"), [.int(id)], at: now, window)
        }
    }

    /// The pending, living profiles still waiting for notification `id` to be sent (its
    /// message failed: they need a letter, or stay unreachable).
    public func awaitingNotice(_ id: Int64) throws -> [Person] {
        try db.query("SELECT \(Self.personColumns) FROM people WHERE \(Self.profilesOfNotices("o.id = ?1")) AND notified_at IS NULL AND state = 'pending' AND deceased = 0 ORDER BY id",
                     .int(id)).map(person(from:))
    }

    /// The profiles notification `id` names (whatever became of them), by id.
    public func noticeProfiles(_ id: Int64) throws -> [Person] {
        try db.query("SELECT \(Self.personColumns) FROM people WHERE \(Self.profilesOfNotices("o.id = ?1")) ORDER BY id", .int(id)).map(person(from:))
    }

    /// The profiles named by the notification messages `outbox` selects (an SQL condition on the
    /// outbox row `o`), as a condition on `people.id`. A notification names profiles of one
    /// family, under the NIR of the profile it is filed under: they are found through the
    /// identity index rather than an index on `notice_id`, which would cost the notification
    /// wave an index entry per profile (7% of its time on 1,000,000 people).
    static func profilesOfNotices(_ outbox: String) -> String {
        """
        id IN (SELECT p.id FROM outbox o JOIN people h ON h.id = o.person_id JOIN people p ON p.nir = h.nir AND p.notice_id = o.id
               WHERE \(outbox))
        """
    }

    /// The status of a profile's notification message (nil when none was issued).
    public func noticeStatus(of person: Person) throws -> DeliveryStatus? {
        guard let id = person.noticeID else { return nil }
        return try db.first("SELECT status FROM outbox WHERE id = ?", .int(id))?.text(0).flatMap(DeliveryStatus.init(rawValue:))
    }

    /// The pending, living profiles whose window has not started: none issued, issued and not
    /// yet sent, and those whose notification failed for good (unreachable).
    public func windowsNotStarted() throws -> (notNotified: Int, awaitingSending: Int, unreachable: Int) {
        let r = try db.first("""
            SELECT coalesce(sum(p.notice_id IS NULL), 0), coalesce(sum(p.notice_id IS NOT NULL AND coalesce(o.status, '') <> 'failed'), 0),
                   coalesce(sum(o.status = 'failed'), 0)
            FROM people p LEFT JOIN outbox o ON o.id = p.notice_id
            WHERE p.state = 'pending' AND p.deceased = 0 AND p.notified_at IS NULL
            """)
        return (Int(r?.int(0) ?? 0), Int(r?.int(1) ?? 0), Int(r?.int(2) ?? 0))
    }
}

/// Letters: printed in batches (`mes outbox letters --pdf`), then posted (`--posted`).
extension Store {
    /// A letter waiting to be printed, opened.
    public struct LetterToPrint: Sendable {
        public let entry: OutboxEntry
        /// The letter as composed: the addressee's name and address, an empty line, the text.
        public let body: String
    }

    /// A batch of printed letters.
    public struct PrintBatch: Sendable, Equatable {
        public let id: Int64
        public let printedAt: Instant
        public let letters: Int
        public let postedAt: Instant?
    }

    /// The letters waiting to be printed after message `after`, at most `limit`, oldest first,
    /// each opened against its row (a body that does not open throws `message_tampered`).
    public func lettersToPrint(after: Int64, limit: Int) throws -> [LetterToPrint] {
        // The queue's index (status, next_attempt_at) keeps a status's rows in id order when
        // next_attempt_at is NULL, as for every letter: pages follow each other along it with no
        // sort. Without both terms SQLite sorted every letter waiting for each page (quadratic:
        // a million letters did not print in 10 minutes).
        try db.query(Self.entryColumns + " INDEXED BY outbox_queue WHERE status = 'letter' AND next_attempt_at IS NULL AND channel = 'letter' AND id > ? ORDER BY id LIMIT ?",
                     .int(after), .int(Int64(limit))).map { r in
            let e = self.entry(from: r)
            return LetterToPrint(entry: e, body: String(decoding: try messageBody(e, field: "outbox"), as: UTF8.self))
        }
    }

    /// How many letters wait to be printed (for progress), along the same index.
    public func lettersToPrintCount() throws -> Int {
        Int(try db.first("SELECT count(*) FROM outbox INDEXED BY outbox_queue WHERE status = 'letter' AND next_attempt_at IS NULL AND channel = 'letter'")?.int(0) ?? 0)
    }

    /// Records that the letters waiting to be printed, up to message `last`, were printed at
    /// `at` into the file whose SHA-256 is `digest` (one transaction). Returns the batch.
    public func recordPrintBatch(through last: Int64, count: Int, digest: [UInt8], at: Instant,
                                 beforeCommit: () throws -> Void = {}) throws -> PrintBatch {
        try transaction {
            try db.run("INSERT INTO print_batches (printed_at, digest, letters) VALUES (?, ?, ?)", .int(at.seconds), .blob(digest), .int(Int64(count)))
            let id = db.lastInsertID
            let n = try db.run("""
                UPDATE outbox INDEXED BY outbox_queue SET status = 'printed', print_batch = ?
                WHERE status = 'letter' AND next_attempt_at IS NULL AND channel = 'letter' AND id <= ?
                """,
                               .int(id), .int(last))
            // Another printing took some of these letters meanwhile: this file must not be posted.
            guard n == count else { throw PrintRace(recorded: n, printed: count) }
            try beforeCommit()
            return PrintBatch(id: id, printedAt: at, letters: n, postedAt: nil)
        }
    }

    /// Letters printed into a file that another printing recorded first.
    public struct PrintRace: Error {
        public let recorded: Int, printed: Int
    }

    /// The batch printed into the file whose SHA-256 is `digest`, if any.
    public func printBatch(digest: [UInt8]) throws -> PrintBatch? {
        try db.first("SELECT id, printed_at, letters, posted_at FROM print_batches WHERE digest = ? ORDER BY id DESC LIMIT 1", .blob(digest))
            .map { PrintBatch(id: $0.int(0)!, printedAt: Instant(seconds: $0.int(1)!), letters: Int($0.int(2)!), postedAt: $0.int(3).map(Instant.init(seconds:))) }
    }

    /// Records the posting of batch `batch` at `at` (one transaction): its letters sent, and the
    /// windows of the notifications among them started. False when it was already recorded.
    public func recordPosting(batch: Int64, at: Instant, window: WindowStart) throws -> (letters: Int, windows: Int)? {
        try transaction {
            guard try db.run("UPDATE print_batches SET posted_at = ? WHERE id = ? AND posted_at IS NULL", .int(at.seconds), .int(batch)) == 1 else {
                return nil
            }
            let windows = try startWindows(Self.profilesOfNotices("o.print_batch = ?3 AND o.status = 'printed'"), [.int(batch)],
                                           at: at, window)
            let letters = try db.run("""
                UPDATE outbox SET status = 'sent', sent_at = ?, reply = 'posté', attempts = attempts + 1 WHERE print_batch = ? AND status = 'printed'
                """, .int(at.seconds), .int(batch))
            return (letters, windows)
        }
    }
}
