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
    /// At least this long between two code requests for one person.
    public var minimumInterval: Int64 = 30
    /// Wrong attempts on a card before its pending codes are locked; a new code must be asked for.
    public var maxFailedAttempts = 5
    /// Sessions opened by identification last this long.
    public var sessionValidity: Int64 = 30 * 60
    /// One-time codes (contact changes, sign-in access codes): 15 minutes.
    public var oneTimeCodeValidity: Int64 = 15 * 60
    /// Failed sign-ins in a row (password or access code) before the account is locked.
    public var maxLoginFailures = 5
    /// How long a locked account stays locked.
    public var loginLockSeconds: Int64 = 15 * 60
    /// Wrong tries that spend a one-time code.
    public var maxOneTimeCodeFailures = 5
    /// The automatic-creation window (art. R1111-28: 6 weeks from the notification), in days.
    public var creationWindowDays = 42

    public init() {}

    public static let standard = Policy()
}
