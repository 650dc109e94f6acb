import MESCore
import MESRender
import MESStore
import MESSystem

/// A store created (or found) by `init`.
public struct StoreCreation: Sendable {
    public let directory: String
    public let created: Bool
    public let schemaVersion: Int
    /// How many demo people were seeded.
    public let demoPeople: Int
    /// What was fixed on the way (modes of an existing directory or key), in French.
    public let notes: [String]
}

/// One outbox message with its text.
public struct OutboxMessage: Sendable {
    public let entry: OutboxEntry
    /// The message as a person reads it (LF line ends).
    public let body: String
    /// The provisional or one-time code it carries (for scripts).
    public let code: String?
    /// Every code it carries (a holder's notification has one per profile).
    public let codes: [String]
    /// For a notification: each profile it names (by id) and where its six weeks stand (nil: no
    /// longer pending).
    public var windows: [(profile: Int64, window: NotificationWindow?)] = []
}

extension Service {
    /// Creates the store in `directory` (an existing one is opened as is); with `demo`, seeds the
    /// demo people into an empty register.
    public static func initialize(_ directory: String, demo: Bool, testClock: Bool = false) throws -> StoreCreation {
        let (store, created) = try Store.create(directory)
        _ = try store.signingIdentity(now: SystemClock().now())
        if demo || testClock {
            guard try created || store.allowsTestClock || store.isPristine() else {
                throw MESError(.storeNotEmpty, "La base \(directory) existe déjà et n'est pas une base de test : l'horloge fixe n'y sera pas acceptée.",
                               field: "test-clock", remedy: .fixedClockForTestStores)
            }
            try store.enableTestClock()
        }
        var seeded = 0
        if demo {
            if try !store.registerIsEmpty() {
                throw MESError(.storeNotEmpty, "La base \(directory) contient déjà des personnes : les personnes de démonstration n'ont pas été ajoutées.", field: "demo")
            }
            try store.transaction { try DemoData.seed(store) }
            seeded = try store.peopleCount()
        }
        return StoreCreation(directory: directory, created: created, schemaVersion: store.schemaVersion, demoPeople: seeded,
                             notes: store.notes)
    }

    /// Loads a roster (all rows or none) from a source that hands over its bytes chunk by chunk;
    /// `totalBytes` (its size, 0 when unknown) lets `onProgress` estimate the rows in all.
    public func importRoster(_ source: @escaping ByteSource, totalBytes: Int = 0) throws -> Int {
        let progress = ProgressThrottle(onProgress)
        let count = try RosterImport.run(source, into: store, today: clock.now().parisDate, progress: progress.isActive ? { rows, read in
            progress.report(Progress(.rows, done: rows, total: RosterImport.estimatedRows(rows, read: read, of: totalBytes), estimate: true))
        } : nil)
        progress.report(Progress(.rows, done: count, total: count), force: true)
        return count
    }

    /// The outbox, oldest first, page by page (memory stays flat in its size): for one NIR's
    /// profiles, from `since`, in one `status`, at most `limit` messages, as given.
    public func outbox(nir: NIR? = nil, since: Instant? = nil, status: DeliveryStatus? = nil, limit: Int? = nil,
                       _ each: (OutboxEntry) throws -> Void) throws {
        let people = try nir.map { nir in try store.read { try store.people(nir: nir).map(\.id) } }
        if let people, people.isEmpty { return }
        var after: Int64 = 0, left = limit ?? .max
        while left > 0 {
            let page = try store.read { try store.outboxPage(after: after, limit: min(left, 1_000), since: since, people: people, status: status) }
            guard let last = page.last else { return }
            after = last.id
            left -= page.count
            for m in page { try each(m) }
        }
    }

    /// One message by number, or the last one (`nil`).
    public func outboxMessage(id: Int64?) throws -> OutboxMessage {
        let entry = try id.map { try store.outboxEntry(id: $0) } ?? store.lastOutboxEntry()
        guard let m = entry else {
            throw MESError(.messageNotFound, "Message introuvable : \(id.map(String.init) ?? "last")", field: "ID")
        }
        let raw = try store.messageBody(m)
        // An SMS is shown framed, above its text, as it was composed (`SMSFraming`).
        let text = m.shownTo.map { SMSFraming(shownTo: $0, text: String(decoding: raw, as: UTF8.self)).framed } ?? String(decoding: raw, as: UTF8.self)
        let body = text.replacing("\r\n", with: "\n")
        let codes = body.split(separator: "\n").filter { $0.contains("Code provisoire pour ") }.compactMap { MessageTemplates.code(in: String($0)) }
        var message = OutboxMessage(entry: m, body: body, code: MessageTemplates.code(in: body), codes: codes)
        message.windows = try store.read { try store.noticeProfiles(m.id) }.map { ($0.id, try notificationWindow(of: $0, noticeStatus: m.status)) }
        return message
    }

    /// The audit trail, oldest first, as `filter` selects it: each line is handed to `body` as
    /// it is read (memory stays flat however long the trail).
    public func history(_ filter: AuditFilter, _ body: (AuditEntry) throws -> Void) throws {
        try store.history(filter, body)
    }
}

extension Service {
    /// Writes the outbox's e-mails into the Maildir `directory` (new/ cur/ tmp/); a message
    /// already there is left alone. Returns how many were written.
    public func exportMaildir(_ directory: String) throws -> Int {
        let folders = ["", "/new", "/cur", "/tmp"].map { directory + $0 }
        for f in folders { try FileIO.refuseStoreFolder(f, storeDirectory: store.directory, field: "maildir") }
        for f in folders { _ = try FileIO.makeDirectory(f, field: "maildir") }
        var written = 0, after: Int64 = 0
        // Page by page: memory stays flat in the size of the outbox.
        while true {
            let page = try store.read { try store.outboxPage(after: after, limit: 1_000) }
            guard let last = page.last else { break }
            after = last.id
            for m in page where m.channel == .email {
                let path = directory + "/new/\(m.id).mes:2,"
                guard !FileIO.exists(path) else { continue }
                try FileIO.writeAtomically(path, try store.messageBody(m, field: "outbox"), replace: false, field: "maildir",
                                           storeDirectory: store.directory)
                written += 1
            }
        }
        return written
    }
}
