import MESCore
import MESStore

extension Service {
    /// Where a profile's six weeks stand (nil for a profile no longer pending: its window no
    /// longer matters). `noticeStatus`: its notification message's status, when known; read
    /// from the store otherwise.
    public func notificationWindow(of person: Person, noticeStatus: DeliveryStatus? = nil) throws -> NotificationWindow? {
        guard person.state == .pending, !person.deceased else { return nil }
        let status = try noticeStatus ?? store.noticeStatus(of: person)
        return NotificationWindow.of(person, noticeStatus: status, policy: policy)
    }

    /// The law's fallback (art. R1111-28: "en cas d'échec d'envoi du courrier électronique,
    /// l'information est adressée par voie postale"): the profiles still waiting for
    /// notification `id`, which failed for good, get a letter instead when a postal address is
    /// on file (new codes, superseding the e-mail's); the others stay waiting, unreachable, and
    /// their window never starts. An audit line each (`notification_failed`). Inside the caller's
    /// transaction. Returns how many go by letter and how many are unreachable.
    func fallBack(failedNotice id: Int64, now: Instant) throws -> (letters: Int, unreachable: Int) {
        let waiting = try store.awaitingNotice(id)
        guard !waiting.isEmpty else { return (0, 0) }
        let recorder = try NotificationRecorder(store)
        var letters = 0, unreachable = 0
        var families: [(nir: NIR, people: [Person])] = []
        for p in waiting {
            if let i = families.firstIndex(where: { $0.nir == p.nir }) { families[i].people.append(p) } else { families.append((p.nir, [p])) }
        }
        for (nir, people) in families {
            let family = try store.people(nir: nir)
            let (drafts, _) = try notificationDrafts(due: people, family: family, forceLetter: true, lookup: store)
            var byLetter = Set<Int64>()
            for draft in drafts {
                let n = prepareNotification(draft, now: now, digest: store.codeDigest)
                if try record(n, with: recorder, now: now, replacing: id) { byLetter.formUnion(draft.people.map(\.id)) }
            }
            for p in people {
                let reached = byLetter.contains(p.id)
                try store.audit("notification_failed", at: now, person: p.id, channel: .automatic, actor: .system,
                                detail: reached ? "e-mail refusé : courrier postal à imprimer" : "e-mail refusé, aucune adresse postale : injoignable")
                if reached { letters += 1 } else { unreachable += 1 }
            }
        }
        return (letters, unreachable)
    }
}
