/// The status of one row of an association's batch (`mes batch oppose`): what was done, or, for
/// a row that failed, the kind of failure its error's code makes it. The raw value is the
/// JSON Lines' `status`.
public enum BatchStatus: String, CaseIterable, Sendable {
    case opposed, alreadyOpposed = "already_opposed", codeRequested = "code_requested", invalid
    case identityMismatch = "identity_mismatch", codeExpired = "code_expired", codeUsed = "code_used"
    case codeSuperseded = "code_superseded", locked, tooSoon = "too_soon", refused
    /// A code by letter the letters' ceiling holds back (one per 7 days, 3 per 6 weeks).
    case letterLimit = "letter_limit"
    /// `--request-codes` sent nothing: the member holds a live code that lasts long enough (the
    /// notification's, or a letter sent earlier), and the row has none to file with.
    case codeStillValid = "code_still_valid"
    /// The row failed before with the same identity and code (a wrong code or serial counted
    /// against the card): not tried again, so that re-runs never lock a member (`--retry-failed`).
    case notRetried = "not_retried"
    /// `--check`: the row is well formed and would be filed (nothing was filed, no code read).
    case ready

    /// The status of a row that failed with `code`.
    public init(failure code: ErrorCode) {
        switch code {
        case .identityNotFound: self = .identityMismatch
        case .codeExpired: self = .codeExpired
        case .codeUsed: self = .codeUsed
        case .codeSuperseded: self = .codeSuperseded
        case .locked: self = .locked
        case .tooSoon: self = .tooSoon
        case .letterLimit: self = .letterLimit
        default: self = code.status == .refused ? .refused : .invalid
        }
    }

    /// The exit status rows of this status give a run (nil: a row done). When rows differ, the
    /// most serious decides: invalid 65, refused 69, an identification that failed 77, too_soon 75
    /// (`BatchStatus.exitStatus(of:)`).
    public var exitStatus: ExitStatus? {
        switch self {
        case .opposed, .alreadyOpposed, .codeRequested, .codeStillValid, .ready: return nil
        case .invalid: return .invalidData
        case .refused: return .refused
        case .identityMismatch, .codeExpired, .codeUsed, .codeSuperseded, .locked, .notRetried: return .identificationFailed
        case .tooSoon, .letterLimit: return .temporary
        }
    }

    /// The exit status of a run whose rows ended with these statuses: nil (0) when every row is
    /// done; otherwise the most serious kind of row decides.
    public static func exitStatus(of statuses: some Sequence<BatchStatus>) -> ExitStatus? {
        let found = Set(statuses.compactMap(\.exitStatus))
        return [ExitStatus.invalidData, .refused, .identificationFailed, .temporary].first(where: found.contains)
    }
}
