/// The 12-character provisional code (`HuqZF3KXCz8k`): checks what a person types.
public enum ProvisionalCode {
    public static let length = 12
    /// `A–Z a–z 0–9`.
    public static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)

    /// The code without surrounding spaces, or the error naming the field `code`.
    public static func parse(_ text: String, field: String = "code") -> Result<String, MESError> {
        let t = text.trimmingSpaces
        if t.isEmpty { return .failure(.invalid(.codeRequired, Messages.fieldRequired, field: field)) }
        if !t.utf8.allSatisfy({ alphabet.contains($0) }) {
            return .failure(.invalid(.codeCharacter, Messages.codeCharacter, field: field))
        }
        if t.utf8.count != length { return .failure(.invalid(.codeLength, Messages.codeLength, field: field)) }
        return .success(t)
    }
}

/// How codes are issued and how many wrong guesses they tolerate (see SECURITY in mes(1)).
/// Every duration, attempt limit and throttle of the service, in one place.
public struct Policy: Sendable {
    /// Notification codes (e-mail or letter): 6 weeks from sending.
    public var notificationValidity: Int64 = 42 * 86_400
    /// On-demand codes ("Générer un nouveau code provisoire"): 15 minutes.
    public var onDemandValidity: Int64 = 15 * 60
    /// At least this long between two code requests (provisional or one-time) for one person.
    public var minimumInterval: Int64 = 30
    /// The one bound on every secret a person types (provisional codes on a card, one-time codes,
    /// passwords, the assisted path's identity questions per NIR and per adviser): after this many
    /// failures in a row the subject is locked for `lockSeconds`. A card's live codes are locked
    /// too: the person must ask for a new code (which lifts the card's lock).
    public var maxFailures = 5
    /// How long a subject stays locked after its first `maxFailures`; each lock after that lasts
    /// twice the one before (15 min, 30 min, 1 h, 2 h…), up to `maxLockSeconds`, until a success
    /// forgets them (NIST SP 800-63B §5.2.2: rate limiting that grows).
    public var lockSeconds: Int64 = 15 * 60
    /// The longest lock: 24 hours.
    public var maxLockSeconds: Int64 = 24 * 3_600
    /// An account that fails this many times within `holdWindow` is held: no sign-in and no
    /// recovery until an adviser of the phone service checks the person's identity and lifts it.
    public var holdAfterFailures = 100
    /// 30 days.
    public var holdWindow: Int64 = 30 * 86_400
    /// Letters that cannot harass: at most one letter per person within `letterInterval`, and at
    /// most `lettersPerWindow` within `letterWindow`, whatever asks for them (a code by letter,
    /// an association's `--request-codes`); notification letters count too.
    public var letterInterval: Int64 = 7 * 86_400
    public var lettersPerWindow = 3
    public var letterWindow: Int64 = 42 * 86_400
    /// Sessions opened by identification last this long.
    public var sessionValidity: Int64 = 30 * 60
    /// One-time codes (contact changes, sign-in access codes): 15 minutes.
    public var oneTimeCodeValidity: Int64 = 15 * 60
    /// The automatic-creation window (art. R1111-28: 6 weeks from the sending of the
    /// information), in days.
    public var creationWindowDays = 42

    /// When the window of information sent at `sentAt` ends: from then on `sweep` creates the
    /// space (the one place this sum is made).
    public func creationWindowEnd(sentAt: Instant) -> Instant { sentAt.adding(seconds: Int64(creationWindowDays) * 86_400) }

    /// After a closure, the space's content is kept 3 months when its holder asked for its
    /// deletion, 10 years otherwise (art. R1111-36); then `sweep` deletes it.
    public var retentionMonthsWhenDeletionAsked = 3
    public var retentionMonthsArchived = 120

    /// When the content of a space closed at `closedAt` is deleted.
    public func contentDeletion(closedAt: Instant, deletionAsked: Bool) -> Instant {
        closedAt.adding(months: deletionAsked ? retentionMonthsWhenDeletionAsked : retentionMonthsArchived)
    }

    /// The phone service (3422): Monday to Friday, from 8:30 to 17:30, Paris time (minutes
    /// since midnight).
    public var phoneOpens = 8 * 60 + 30
    public var phoneCloses = 17 * 60 + 30

    /// Whether the phone service is open at `instant`.
    public func phoneServiceOpen(at instant: Instant) -> Bool {
        let local = instant.seconds + instant.parisOffset
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let weekday = Int((days + 3) % 7)  // 1970-01-01 was a Thursday: 0 is Monday
        let minutes = Int((local - days * 86_400) / 60)
        return weekday < 5 && minutes >= phoneOpens && minutes < phoneCloses
    }

    /// scrypt's cost for a new password's hash, as log2 N: 15 (N = 2^15, r = 8, p = 1: 32 MiB
    /// per hash). A stored hash keeps the cost it was made with. Lowered only by tests that sign
    /// in dozens of times; the hashing's own tests keep this one.
    public var passwordHashCost: UInt64 = 15

    public init() {}

    public static let standard = Policy()
}
