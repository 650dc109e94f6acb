/// What a birth date must be, wherever one is typed or read (command line, roster, members
/// file): a real calendar date (JJ/MM/AAAA or AAAA-MM-JJ), not in the future, and not before
/// 1870. Written once here.
public enum BirthDateRule {
    /// No one alive was born before this year.
    public static let earliestYear = 1870

    /// Why a birth date is refused.
    public enum Failure: Error, Sendable, Equatable {
        case unreadable, future, tooOld

        public var code: ErrorCode { self == .future ? .birthDateFuture : .birthDateInvalid }

        /// The service's message with the reason.
        public var message: String {
            switch self {
            case .unreadable: return Messages.birthDateInvalid + " : date inexistante ou mal écrite (JJ/MM/AAAA ou AAAA-MM-JJ)"
            case .future: return Messages.birthDateInvalid + " : la date est dans le futur"
            case .tooOld: return Messages.birthDateInvalid + " : année trop ancienne"
            }
        }

        /// The error for the field `field`.
        public func error(field: String) -> MESError { .invalid(code, message, field: field) }
    }

    /// Checks a parsed date (nil: it did not parse) against today.
    @inline(__always)
    public static func check(_ date: CalendarDate?, today: CalendarDate) -> Result<CalendarDate, Failure> {
        guard let d = date else { return .failure(.unreadable) }
        guard d <= today else { return .failure(.future) }
        guard d.year >= earliestYear else { return .failure(.tooOld) }
        return .success(d)
    }

    /// Parses and checks typed text.
    public static func validate(_ text: String, today: CalendarDate) -> Result<CalendarDate, Failure> {
        check(CalendarDate.parse(text), today: today)
    }

    /// Parses and checks text read as bytes (roster files).
    @inline(__always)
    public static func validate(bytes: UnsafeBufferPointer<UInt8>, today: CalendarDate) -> Result<CalendarDate, Failure> {
        check(CalendarDate.parse(bytes: bytes), today: today)
    }
}
