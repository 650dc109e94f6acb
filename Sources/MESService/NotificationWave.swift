import Dispatch
import MESCore
import MESRender
import MESStore

/// What a notification wave sent.
public struct NotificationWave: Sendable {
    public internal(set) var notified = 0
    public internal(set) var byEmail = 0
    public var byLetter: Int { notified - byEmail }
    /// Profiles left unnotified: a letter was needed and no postal address is on file.
    public internal(set) var withoutAddress = 0
    /// Messages sent: one per contact, naming every profile it concerns.
    public internal(set) var messages = 0
    /// Of those messages, the e-mails (the rest are letters).
    public internal(set) var emailMessages = 0
    public var letterMessages: Int { messages - emailMessages }

    mutating func add(_ n: PreparedNotification) {
        messages += 1
        notified += n.draft.people.count
        if n.draft.channel == .email {
            byEmail += n.draft.people.count
            emailMessages += 1
        }
    }
}

/// One notification to send: the profiles it names (pending, living, never notified), who it
/// goes to and how.
struct NotificationDraft: Sendable {
    let people: [Person]
    let contact: Person
    let channel: MessageChannel

    /// The profile the message is filed under: the contact when it is one of the profiles named.
    var filedUnder: Int64 { people.contains { $0.id == contact.id } ? contact.id : people[0].id }
}

/// A notification made ready off the writing thread: each profile's code digest, and the message.
struct PreparedNotification: Sendable {
    let draft: NotificationDraft
    let codeDigests: [[UInt8]]
    let message: PreparedMessage
}

extension Service {
    /// Sends notification codes (6 weeks) to the pending profiles never notified: one message
    /// per address naming every profile it concerns (a family shares its NIR). The register is
    /// walked by id in groups of `groupSize` profiles, one transaction each, so memory stays flat
    /// and a killed wave resumes where it stopped, notifying nobody twice.
    ///
    /// A second thread reads each group ahead on a connection of its own and makes its
    /// notifications ready (`NotificationPipeline`) while this one records the group before.
    /// What it read may be stale by then (another process decided, or notified, meanwhile):
    /// each profile is marked only if it is still due, and a family with a profile that no
    /// longer is gets read again, in the recording transaction, and notified as it stands.
    public func notify(forceLetter: Bool, groupSize: Int = 10_000) throws -> NotificationWave {
        let now = clock.now()
        var wave = NotificationWave()
        // A long run of groups, tuned like a batch (no fsync per group; every reference written
        // comes from a row just read), made durable once at the end.
        try store.tuneForAppending()
        defer { try? store.endBatchTuning() }
        let pipeline = try NotificationPipeline(self, now: now, forceLetter: forceLetter, groupSize: groupSize)
        defer { pipeline.drain() }
        let recorder = try NotificationRecorder(store)
        // Two groups asked ahead: the second thread always has one to go on with.
        pipeline.request()
        pipeline.request()
        let progress = ProgressThrottle(onProgress)
        let lastID = progress.isActive ? Int(try store.lastPersonID()) : 0
        while let group = try pipeline.next() {
            pipeline.request()
            try store.transaction {
                recorder.begin()
                try record(group, from: pipeline, with: recorder, into: &wave)
            }
            progress.report(Progress(.profiles, done: min(Int(group.last), lastID), total: lastID))
        }
        progress.report(Progress(.profiles, done: lastID, total: lastID), force: true)
        try store.syncJournal()
        return wave
    }

    /// Records a group made ready (inside the caller's transaction). The second thread read it
    /// earlier, so it may be stale: a family with a profile no longer due, or with a profile of
    /// the group's ids still due once the group is recorded (imported after its family was read,
    /// so left out of it), is read again and notified as it stands. The profiles of the group's
    /// ids still due after that are those no notification can reach.
    func record(_ group: NotificationPipeline.Group, from pipeline: NotificationPipeline, with recorder: NotificationRecorder,
                into wave: inout NotificationWave) throws {
        var again: [NIR] = [], seen = Set<String>()
        for n in group.notifications {
            if try record(n, with: recorder, now: pipeline.now) {
                wave.add(n)
            } else if seen.insert(n.draft.people[0].nir.compact).inserted {
                again.append(n.draft.people[0].nir)
            }
        }
        let ids = (group.after + 1)...group.last
        let stillDue = try store.dueFamilies(ids: ids)
        for nir in stillDue where seen.insert(nir.compact).inserted { again.append(nir) }
        for nir in again {
            let family = try store.people(nir: nir)
            let drafts = try notificationDrafts(due: family.filter(\.isDueNotification), family: family,
                                                forceLetter: pipeline.forceLetter, lookup: store).drafts
            guard !drafts.isEmpty else { continue }  // out of reach: no need to wait for the second thread
            for n in try pipeline.prepare(drafts) where try record(n, with: recorder, now: pipeline.now) { wave.add(n) }
        }
        // Nothing of the group's ids was still due: none can be now (counted without a query).
        if !stillDue.isEmpty { wave.withoutAddress += try store.dueCount(ids: ids) }
    }

    /// The notifications of a group, in order of each family's first profile due: for each family
    /// whose first profile due comes after `after` (the others were handled with an earlier
    /// group), one per address (see `notificationRecipients`). Holders outside a family are read
    /// from `lookup`.
    func notificationDrafts(_ group: Store.NotificationGroup, after: Int64, forceLetter: Bool, lookup: Store) throws -> [NotificationDraft] {
        var families: [(first: Int64, due: [Person], family: [Person])] = []
        for family in group.families {
            let due = family.filter(\.isDueNotification)
            guard let first = due.first, first.id > after else { continue }
            families.append((first.id, due, family))
        }
        families.sort { $0.first < $1.first }
        var drafts: [NotificationDraft] = []
        for (_, due, family) in families {
            drafts += try notificationDrafts(due: due, family: family, forceLetter: forceLetter, lookup: lookup).drafts
        }
        return drafts
    }

    /// One family's notifications: one per address its profiles `due` share, except those a
    /// letter cannot reach (no postal address), counted apart.
    func notificationDrafts(due: [Person], family: [Person], forceLetter: Bool, lookup: Store) throws
        -> (drafts: [NotificationDraft], withoutAddress: Int) {
        var drafts: [NotificationDraft] = [], withoutAddress = 0
        for (contact, people) in try notificationRecipients(due, family: family, forceLetter: forceLetter, lookup: lookup) {
            guard let channel = Self.notificationChannel(to: contact, forceLetter: forceLetter) else {
                withoutAddress += people.count
                continue
            }
            drafts.append(NotificationDraft(people: people, contact: contact, channel: channel))
        }
        return (drafts, withoutAddress)
    }

    /// The profiles `due` of one family (its NIR: `family`), one group per address their
    /// notification goes to (profiles sharing their holder's e-mail are named in the holder's
    /// message), in order of first profile.
    func notificationRecipients(_ due: [Person], family: [Person], forceLetter: Bool, lookup: Store) throws
        -> [(contact: Person, people: [Person])] {
        var groups: [(key: String, contact: Person, people: [Person])] = []
        for q in due {
            let holder = q.contactNeedsHolder ? try q.holderID.flatMap { id in try family.first { $0.id == id } ?? lookup.person(id: id) } : nil
            let c = q.contact(holder: holder)
            let key = !forceLetter && Self.mailable(c) != nil ? "e " + c.email!.lowercased()
                : (c.address ?? "").trimmingSpaces.isEmpty ? "p \(c.id)" : "a \(c.displayName)\n\(c.address!)"
            if let i = groups.firstIndex(where: { $0.key == key }) {
                groups[i].people.append(q)
            } else {
                groups.append((key, c, [q]))
            }
        }
        return groups.map { ($0.contact, $0.people) }
    }

    /// How a notification reaches `contact`: by e-mail when it has an address mail can go to
    /// (unless letters are forced), else by letter; nil when a letter is needed and no postal
    /// address is on file.
    static func notificationChannel(to contact: Person, forceLetter: Bool) -> MessageChannel? {
        let channel: MessageChannel = (forceLetter || mailable(contact) == nil) ? .letter : .email
        return channel == .letter && (contact.address ?? "").trimmingSpaces.isEmpty ? nil : channel
    }

    /// The contact's e-mail address when mail can be sent to it: an RFC 5321 mailbox
    /// (`EmailAddress`; a store may hold an older, looser one: its notification goes by letter).
    static func mailable(_ contact: Person) -> String? {
        contact.email.flatMap { EmailAddress.isValid($0) ? $0 : nil }
    }

    /// The notification naming each profile of `draft` with its code, in one e-mail or letter.
    func notificationMessage(_ draft: NotificationDraft, codes: [String], now: Instant) -> OutgoingMessage {
        composer.notification(to: draft.contact, codes: zip(draft.people, codes).map { (person: $0, code: $1) },
                              on: draft.channel, at: now)
    }

    /// Records a notification made ready (inside the caller's transaction): each profile marked
    /// with its message, its code (superseding its earlier ones) and an audit line, then the
    /// message. False, with nothing recorded, when one of its profiles is no longer due. With
    /// `replacing`: the profiles must still be waiting for that notification instead (a letter
    /// replacing a failed e-mail). The six weeks start when the message is sent (`sendOutbox`,
    /// a letter's posting), not here.
    func record(_ n: PreparedNotification, with recorder: NotificationRecorder, now: Instant, replacing: Int64? = nil) throws -> Bool {
        let people = n.draft.people, ids = people.map(\.id)
        let notice = try recorder.nextMessageID()
        guard try recorder.markIfDue(ids, notice: notice, replacing: replacing) else { return false }
        let detail = "via \(n.draft.channel.rawValue)"
        for (person, digest) in zip(people, n.codeDigests) {
            try recorder.record(person.id, codeDigest: digest, validity: policy.notificationValidity, detail: detail, now: now)
        }
        let entry = try outbox.deliver(n.message, to: n.draft.filedUnder, at: now)
        if entry.id != notice { try recorder.renumber(ids, notice: entry.id) }
        recorder.queued(entry.id)
        return true
    }

    /// A notification made ready on the calling thread: its codes drawn, their digests, its
    /// message rendered and sealed (the wave's second thread does the same, `NotificationPipeline`).
    func prepareNotification(_ draft: NotificationDraft, now: Instant, digest: (String) -> [UInt8]) -> PreparedNotification {
        let codes = draft.people.map { _ in random.provisionalCode() }
        return PreparedNotification(draft: draft, codeDigests: codes.map(digest),
                                    message: outbox.prepare(notificationMessage(draft, codes: codes, now: now)))
    }
}

/// The notification wave's second thread: reads the register a group ahead on a connection of
/// its own, drafts each group's notifications and makes them ready (codes drawn, their digests,
/// messages rendered and sealed) while the calling thread records the groups before. Only this
/// thread uses the outbox's sealing while the wave runs, and the codes are drawn in the order
/// of the drafts, as one thread would draw them. At most two groups wait ahead (memory stays
/// flat).
final class NotificationPipeline: @unchecked Sendable {
    /// A group made ready: the ids it covers, after `after` up to `last`.
    struct Group: Sendable {
        let after: Int64
        let last: Int64
        let notifications: [PreparedNotification]
    }

    private let service: Service
    private let reader: Store
    let now: Instant
    let forceLetter: Bool
    private let groupSize: Int
    private let queue = DispatchQueue(label: "mes.notify.read")
    /// Where the next group starts (the thread's).
    private var cursor: Int64 = 0
    /// The groups asked for, oldest first (the caller's).
    private var asked: [Slot] = []

    init(_ service: Service, now: Instant, forceLetter: Bool, groupSize: Int) throws {
        self.service = service
        reader = try service.store.readingConnection()
        self.now = now
        self.forceLetter = forceLetter
        self.groupSize = groupSize
    }

    /// Asks the thread for the next group.
    func request() {
        let slot = Slot()
        asked.append(slot)
        queue.async { [self] in slot.fill(Result { try readGroup() }) }
    }

    /// The oldest group asked for, once ready; nil when the register has no more.
    func next() throws -> Group? {
        guard !asked.isEmpty else { return nil }
        return try asked.removeFirst().wait().get()
    }

    /// Makes `drafts` ready on the thread (after the groups asked before them).
    func prepare(_ drafts: [NotificationDraft]) throws -> [PreparedNotification] {
        queue.sync { drafts.map(prepared) }
    }

    /// Waits until the thread is idle (before the wave returns or throws).
    func drain() { queue.sync {} }

    private func readGroup() throws -> Group? {
        let after = cursor
        let read = try reader.read { () -> (Int64, [NotificationDraft])? in
            guard let group = try reader.unnotifiedGroup(after: after, limit: groupSize) else { return nil }
            return (group.last, try service.notificationDrafts(group, after: after, forceLetter: forceLetter, lookup: reader))
        }
        guard let (last, drafts) = read else { return nil }
        cursor = last
        return Group(after: after, last: last, notifications: drafts.map(prepared))
    }

    private func prepared(_ draft: NotificationDraft) -> PreparedNotification {
        service.prepareNotification(draft, now: now, digest: reader.codeDigest)
    }

    /// A group, filled by the thread and taken by the caller.
    private final class Slot: @unchecked Sendable {
        private let ready = DispatchSemaphore(value: 0)
        private var value: Result<Group?, Error> = .success(nil)

        func fill(_ v: Result<Group?, Error>) {
            value = v
            ready.signal()
        }

        func wait() -> Result<Group?, Error> {
            ready.wait()
            return value
        }
    }
}
