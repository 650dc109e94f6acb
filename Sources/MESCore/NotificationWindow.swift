/// Where a pending profile stands in the six weeks before its space is created automatically
/// (art. R1111-28: "à l'issue d'un délai de six semaines à compter de l'envoi du courrier
/// d'information"): the window starts when the information is really sent — an e-mail
/// acknowledged by its server, a letter whose posting was recorded — never when it is queued.
public struct NotificationWindow: Sendable, Equatable {
    public enum Stage: String, Sendable, CaseIterable {
        /// No notification issued yet (`mes notify` has not reached the profile, or nothing can reach it).
        case notNotified = "not_notified"
        /// Issued, not yet sent: an e-mail in the queue, a letter not yet printed or posted.
        case awaitingSending = "awaiting_sending"
        /// Sent: the six weeks run.
        case started
        /// Its notification failed for good and no letter can replace it (no postal address on file).
        case unreachable
    }

    public let stage: Stage
    /// When the information was sent (`started` only).
    public let startedAt: Instant?
    /// When the six weeks end (`started` only): the space is created by the first sweep after it.
    public let endsAt: Instant?

    public init(stage: Stage, startedAt: Instant? = nil, endsAt: Instant? = nil) {
        self.stage = stage
        self.startedAt = startedAt
        self.endsAt = endsAt
    }

    /// The window of a pending profile: started when `person.notifiedAt` is set, else as its
    /// notification's message stands (`noticeStatus`: nil when none was issued).
    public static func of(_ person: Person, noticeStatus: DeliveryStatus?, policy: Policy) -> NotificationWindow {
        if let sent = person.notifiedAt {
            return NotificationWindow(stage: .started, startedAt: sent, endsAt: policy.creationWindowEnd(sentAt: sent))
        }
        switch noticeStatus {
        case nil: return NotificationWindow(stage: .notNotified)
        case .failed?: return NotificationWindow(stage: .unreachable)
        default: return NotificationWindow(stage: .awaitingSending)
        }
    }
}
