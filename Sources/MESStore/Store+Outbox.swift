import MESCore

/// A message ready for delivery (already rendered).
public struct OutgoingMessage: Sendable {
    public enum Channel: String, Sendable, CaseIterable { case email, sms, letter }
    public let channel: Channel
    /// Shown in listings: masked address or "courrier".
    public let recipientMasked: String
    public let subject: String
    /// The file's bytes (.eml for e-mail, text for SMS and letters).
    public let body: [UInt8]

    public init(channel: Channel, recipientMasked: String, subject: String, body: [UInt8]) {
        self.channel = channel
        self.recipientMasked = recipientMasked
        self.subject = subject
        self.body = body
    }

    var fileExtension: String { channel == .email ? "eml" : "txt" }
}

/// One delivered message, as listed.
public struct OutboxEntry: Sendable {
    public let id: Int64
    public let personID: Int64?
    public let channel: String
    public let recipientMasked: String
    public let subject: String
    public let path: String
    public let createdAt: Instant
}

/// The outbox: each delivered message is a file under `outbox/`, listed in the database.
extension Store {
    /// Writes the message file and its row. Run inside `transaction`, which removes the file if
    /// the transaction does not commit.
    @discardableResult
    public func deliver(_ m: OutgoingMessage, to personID: Int64?, now: Instant, sync: Bool = true) throws -> OutboxEntry {
        try db.run("INSERT INTO outbox (person_id, channel, recipient_masked, subject, file, created_at) VALUES (?, ?, ?, ?, '', ?)",
                   personID.map { .int($0) } ?? .null, .text(m.channel.rawValue), .text(m.recipientMasked), .text(m.subject),
                   .int(now.seconds))
        let id = db.lastInsertID
        let name = String(repeating: "0", count: max(0, 6 - String(id).count)) + "\(id)-\(m.channel.rawValue).\(m.fileExtension)"
        try db.run("UPDATE outbox SET file = ? WHERE id = ?", .text(name), .int(id))
        let path = outboxDirectory + "/" + name
        try FileIO.writeAtomically(path, m.body, overwrite: false, sync: sync, field: "outbox")
        createdFiles.append(path)
        return OutboxEntry(id: id, personID: personID, channel: m.channel.rawValue, recipientMasked: m.recipientMasked,
                           subject: m.subject, path: path, createdAt: now)
    }

    public func outbox(personID: Int64? = nil) throws -> [OutboxEntry] {
        let sql = "SELECT id, person_id, channel, recipient_masked, subject, file, created_at FROM outbox"
        let rows = try personID.map { try db.query(sql + " WHERE person_id = ? ORDER BY id", .int($0)) } ?? db.query(sql + " ORDER BY id")
        return rows.map(entry(from:))
    }

    public func outboxEntry(id: Int64) throws -> OutboxEntry? {
        try db.first("SELECT id, person_id, channel, recipient_masked, subject, file, created_at FROM outbox WHERE id = ?", .int(id))
            .map(entry(from:))
    }

    private func entry(from r: Row) -> OutboxEntry {
        OutboxEntry(id: r.int(0)!, personID: r.int(1), channel: r.text(2)!, recipientMasked: r.text(3)!, subject: r.text(4)!,
                    path: outboxDirectory + "/" + r.text(5)!, createdAt: Instant(seconds: r.int(6)!))
    }
}
