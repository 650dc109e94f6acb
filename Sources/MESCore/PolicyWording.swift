/// The durations and counts of `Policy` as the service's French texts say them, so that a
/// message never states a figure the policy does not apply.
extension Policy {
    /// `seconds` in words: `6 semaines`, `3 jours`, `2 heures`, `15 minutes`, `30 secondes`
    /// (the largest unit that divides it).
    public static func french(seconds: Int64) -> String {
        func count(_ n: Int64, _ unit: String) -> String { n == 1 ? "1 \(unit)" : "\(n) \(unit)s" }
        let week: Int64 = 7 * 86_400
        if seconds > 0 && seconds % week == 0 { return count(seconds / week, "semaine") }
        if seconds > 0 && seconds % 86_400 == 0 { return count(seconds / 86_400, "jour") }
        if seconds > 0 && seconds % 3_600 == 0 { return count(seconds / 3_600, "heure") }
        if seconds > 0 && seconds % 60 == 0 { return count(seconds / 60, "minute") }
        return count(seconds, "seconde")
    }

    /// The automatic-creation window: `6 semaines`.
    public var creationWindowText: String { Self.french(seconds: Int64(creationWindowDays) * 86_400) }
    /// A notification code's validity: `6 semaines`.
    public var notificationValidityText: String { Self.french(seconds: notificationValidity) }
    /// An on-demand code's validity by e-mail or SMS: `15 minutes`.
    public var onDemandValidityText: String { Self.french(seconds: onDemandValidity) }
    /// A one-time code's validity: `15 minutes`.
    public var oneTimeCodeValidityText: String { Self.french(seconds: oneTimeCodeValidity) }
    /// The shortest wait between two code requests: `30 secondes`.
    public var minimumIntervalText: String { Self.french(seconds: minimumInterval) }
    /// How long a lock lasts: `15 minutes`.
    public var lockText: String { Self.french(seconds: lockSeconds) }
}
