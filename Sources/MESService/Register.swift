import Foundation
import MESCore
import MESRender
import MESStore

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

/// What a notification wave sent.
public struct NotificationWave: Sendable {
    public let notified: Int
    public let byEmail: Int
    public var byLetter: Int { notified - byEmail }
    /// Profiles left unnotified: a letter was needed and no postal address is on file.
    public let withoutAddress: Int
    /// Messages sent: one per contact, naming every profile it concerns.
    public let messages: Int
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
}

extension Service {
    /// Creates the store in `directory` (an existing one is opened as is); with `demo`, seeds the
    /// demo people into an empty register.
    public static func initialize(_ directory: String, demo: Bool, testClock: Bool = false) throws -> StoreCreation {
        let (store, created) = try Store.create(directory)
        _ = try store.signingIdentity(now: SystemClock().now())
        if demo || testClock {
            guard try created || store.allowsTestClock || store.isPristine() else {
                throw MESError(.storeNotEmpty, "La base \(directory) existe déjà et n'est pas une base de test : l'horloge fixe (--now) n'y sera pas acceptée.",
                               field: "test-clock")
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

    /// Loads a roster (all rows or none) from a source that hands over its bytes chunk by chunk.
    public func importRoster(_ source: @escaping ByteSource) throws -> Int {
        try RosterImport.run(source, into: store, today: clock.now().parisDate)
    }

    /// Sends notification codes (6 weeks) to the pending profiles never notified, in one
    /// transaction whose messages are synced at once.
    public func notify(forceLetter: Bool) throws -> NotificationWave {
        let now = clock.now()
        var skipped = 0, notified = 0, byEmail = 0, messages = 0
        try store.transaction {
            // One message per contact: a holder's notification names every profile it concerns.
            var groups: [Int64: (contact: Person, people: [Person])] = [:]
            var order: [Int64] = []
            for p in try store.unnotified() {
                let c = try store.contact(for: p)
                if groups[c.id] == nil { groups[c.id] = (c, []); order.append(c.id) }
                groups[c.id]!.people.append(p)
            }
            for id in order {
                let (contact, people) = groups[id]!
                guard let channel = try notify(people, contact: contact, forceLetter: forceLetter, now: now, sync: false) else {
                    skipped += people.count
                    continue
                }
                messages += 1
                notified += people.count
                if channel == .email { byEmail += people.count }
            }
            FileIO.syncFilesystem(store.outboxDirectory)
        }
        return NotificationWave(notified: notified, byEmail: byEmail, withoutAddress: skipped, messages: messages)
    }

    /// The outbox, oldest first; for one NIR's profiles when given.
    public func outbox(nir: NIR?) throws -> [OutboxEntry] {
        let entries = try store.outbox()
        guard let nir else { return entries }
        let ids = Set(try store.people(nir: nir).map(\.id))
        return entries.filter { $0.personID.map(ids.contains) ?? false }
    }

    /// One message by number, or the last one (`nil`).
    public func outboxMessage(id: Int64?) throws -> OutboxMessage {
        let entry = try id.map { try store.outboxEntry(id: $0) } ?? store.outbox().last
        guard let m = entry else {
            throw MESError(.messageNotFound, "Message introuvable : \(id.map(String.init) ?? "last")", field: "ID")
        }
        let raw = try FileIO.read(m.path, field: "ID")
        let body = String(decoding: raw, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        let codes = body.split(separator: "\n").filter { $0.contains("Code provisoire pour ") }.compactMap { MessageTemplates.code(in: String($0)) }
        return OutboxMessage(entry: m, body: body, code: MessageTemplates.code(in: body), codes: codes)
    }

    /// The audit trail, oldest first, as `filter` selects it: each line is handed to `body` as
    /// it is read (memory stays flat however long the trail).
    public func history(_ filter: Store.AuditFilter, _ body: (Store.AuditEntry) throws -> Void) throws {
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
        var written = 0
        for m in try store.outbox() where m.channel == "email" {
            let path = directory + "/new/\(m.id).mes:2,"
            guard !FileIO.exists(path) else { continue }
            try FileIO.writeAtomically(path, try FileIO.read(m.path, field: "outbox"), replace: false, field: "maildir",
                                       storeDirectory: store.directory)
            written += 1
        }
        return written
    }
}
