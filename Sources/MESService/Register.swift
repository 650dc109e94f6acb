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

    /// Sends notification codes (6 weeks) to the pending profiles never notified: one message
    /// per address naming every profile it concerns (a family shares its NIR). The register is
    /// walked by id in groups of `groupSize` profiles, one transaction each, so memory stays flat
    /// and a killed wave resumes where it stopped, notifying nobody twice.
    public func notify(forceLetter: Bool, groupSize: Int = 10_000) throws -> NotificationWave {
        let now = clock.now()
        var skipped = 0, notified = 0, byEmail = 0, messages = 0
        var after: Int64 = 0
        // A long run of groups, tuned like a batch (no fsync per group; every reference written
        // comes from a row just read), made durable once at the end.
        try store.tuneForBatch()
        defer { try? store.endBatchTuning() }
        while true {
            let more = try store.transaction { () -> Bool in
                let group = try store.unnotified(after: after, limit: groupSize)
                guard let last = group.last else { return false }
                after = last.id
                var families = Set<String>()
                for p in group where families.insert(p.nir.compact).inserted {
                    for (contact, people) in try notificationRecipients(familyOf: p, forceLetter: forceLetter) {
                        guard let channel = try notify(people, contact: contact, forceLetter: forceLetter, now: now, sync: false) else {
                            skipped += people.count
                            continue
                        }
                        messages += 1
                        notified += people.count
                        if channel == .email { byEmail += people.count }
                    }
                }
                return true
            }
            if !more { break }
        }
        try store.syncJournal()
        return NotificationWave(notified: notified, byEmail: byEmail, withoutAddress: skipped, messages: messages)
    }

    /// The unnotified profiles of `p`'s family (its NIR), one group per address their
    /// notification goes to (profiles sharing their holder's e-mail are named in the holder's
    /// message), in order of first profile. Empty when the family has an unnotified profile
    /// before `p`: it was handled there (and one left unnotified, without a postal address,
    /// counted then).
    func notificationRecipients(familyOf p: Person, forceLetter: Bool) throws -> [(contact: Person, people: [Person])] {
        let family = try store.people(nir: p.nir).filter { $0.notifiedAt == nil && $0.state == .pending && !$0.deceased }
        if family.contains(where: { $0.id < p.id }) { return [] }
        var groups: [(key: String, contact: Person, people: [Person])] = []
        for q in family {
            let c = try store.contact(for: q)
            let key = !forceLetter && c.email != nil ? "e " + c.email!.lowercased()
                : (c.address ?? "").trimmingSpaces.isEmpty ? "p \(c.id)" : "a \(c.displayName)\n\(c.address!)"
            if let i = groups.firstIndex(where: { $0.key == key }) {
                groups[i].people.append(q)
            } else {
                groups.append((key, c, [q]))
            }
        }
        return groups.map { ($0.contact, $0.people) }
    }

    /// The outbox, oldest first, page by page (memory stays flat in its size): for one NIR's
    /// profiles, from `since`, at most `limit` messages, as given.
    public func outbox(nir: NIR? = nil, since: Instant? = nil, limit: Int? = nil, _ each: (OutboxEntry) throws -> Void) throws {
        let people = try nir.map { nir in try store.read { try store.people(nir: nir).map(\.id) } }
        if let people, people.isEmpty { return }
        var after: Int64 = 0, left = limit ?? .max
        while left > 0 {
            let page = try store.read { try store.outboxPage(after: after, limit: min(left, 1_000), since: since, people: people) }
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
        var written = 0, after: Int64 = 0
        // Page by page: memory stays flat in the size of the outbox.
        while true {
            let page = try store.read { try store.outboxPage(after: after, limit: 1_000) }
            guard let last = page.last else { break }
            after = last.id
            for m in page where m.channel == "email" {
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
