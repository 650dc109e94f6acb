import MESCore
import MESStore

/// What a person asks to be sent: a provisional code, or a one-time code for a purpose.
enum RequestedCode {
    case provisional
    case oneTime(OTPPurpose)
}

extension Service {
    /// The one code-request throttle: whether a code asked for at `now` for `personID` comes too
    /// soon after the last one of its kind (`Policy.isTooSoon`). Callers refuse (`tooSoon`) or,
    /// where the answer must not tell, send nothing.
    func isTooSoon(_ requested: RequestedCode, personID: Int64, now: Instant) throws -> Bool {
        let last: Instant?
        switch requested {
        case .provisional: last = try store.lastCodeRequest(personID: personID)
        case .oneTime(let purpose): last = try store.lastOneTimeCode(personID: personID, purpose: purpose)
        }
        return policy.isTooSoon(after: last, now: now)
    }

    /// Refuses (75, `too_soon`) a code asked for too soon (see `isTooSoon`).
    func refuseTooSoon(_ requested: RequestedCode, personID: Int64, now: Instant) throws {
        if try isTooSoon(requested, personID: personID, now: now) { throw MESError.tooSoon }
    }
}
