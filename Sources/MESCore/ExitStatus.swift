/// The documented exit statuses (sysexits.h), the contract scripts rely on.
public enum ExitStatus: Int32, Sendable, CaseIterable {
    case success = 0
    /// The person answered no at a confirmation prompt: nothing was done (not a usage error).
    case declined = 1
    case usage = 64
    case invalidData = 65
    case noInput = 66
    case refused = 69
    case `internal` = 70
    case cannotCreate = 73
    case ioError = 74
    case temporary = 75
    case identificationFailed = 77
    case configuration = 78
    /// 128 + SIGINT, as shells report a command stopped by Ctrl-C.
    case interrupted = 130

    /// One line for the man page and `--help`.
    public var summary: String {
        switch self {
        case .success: return "success"
        case .declined: return "declined: the answer at a terminal's confirmation prompt was no; nothing was done"
        case .usage: return "usage error: unknown command or flag, missing or malformed option value, conflicting options, a confirmation (--yes) missing without a terminal"
        case .invalidData: return "invalid data: some input was rejected (field and reason given)"
        case .noInput: return "input file missing or unreadable, or no store (mes init makes one)"
        case .refused: return "refused by the profile's state (e.g. opposing an active space)"
        case .internal: return "internal error"
        case .cannotCreate: return "cannot create output (file exists without --force, unwritable directory, full disk, a device, a link or one of the store's own files as output)"
        case .ioError: return "output failed: standard output could not be written (closed, full, broken pipe); identify and login then spend no code and open no session; a decision already recorded stays recorded"
        case .temporary: return "temporary failure: the store stayed busy longer than --wait (30 s by default), or a code was asked again within 30 seconds; try again"
        case .identificationFailed: return "identification failed: wrong, expired or used code, identity mismatch, lockout"
        case .interrupted: return "interrupted (Ctrl-C or SIGTERM) during a batch: the rows done are kept, printed and reported; run the same command again for the rest"
        case .configuration: return "configuration refused: a secret file (MES_MAIL_CREDENTIALS_FILE, MES_SMS_TOKEN_FILE) readable by others or owned by someone else"
        }
    }
}

/// One problem of several: where (line, field) and what (a catalogue code and the French message).
public struct ErrorDetail: Equatable, Sendable {
    public var line: Int?
    public var field: String
    public var code: ErrorCode
    public var message: String

    public init(line: Int?, field: String, code: ErrorCode, message: String) {
        self.line = line
        self.field = field
        self.code = code
        self.message = message
    }
}

/// An error of a lower layer (the store's database, say) that knows which `MESError` it is:
/// the command line's funnel shows every error through it without knowing the layer.
public protocol MESErrorConvertible: Error {
    var mesError: MESError { get }
}

/// What a person can do about an error, when the way to do it is a command: the command line
/// words it with its own commands and flags (`ErrorHints`); the service's messages name none.
public enum Remedy: Equatable, Sendable {
    /// Reissue the receipt with this reference (it was recorded, but its file could not be written).
    case reissueReceipt(String)
    /// Run the demo on another, new store.
    case demoOnAnotherStore
    /// Certify a minor's row: its `legal_representative` column, or the batch's flag for every row.
    case certifyRow
    /// A fixed clock is for stores made for tests.
    case fixedClockForTestStores
}

/// Every error `mes` reports: a stable snake_case code, the exit status, the French
/// message for people, and the field it concerns when there is one.
public struct MESError: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String
    public var field: String?
    /// The problems behind an error that has several (an import refused with row errors).
    public var details: [ErrorDetail] = []
    /// What the person can do about it, for the command line to word (nil: nothing to add).
    public var remedy: Remedy?
    /// Help for someone stuck, in the service's words (where to find the serial, whom to call):
    /// shown under the message, and as `help` in JSON.
    public var help: String?

    /// An error; its exit status is its code's (`ErrorCode.status`).
    public init(_ code: ErrorCode, _ message: String, field: String? = nil, remedy: Remedy? = nil) {
        self.code = code
        self.message = message
        self.field = field
        self.remedy = remedy
    }

    /// The exit status this error ends a command with: its code's, always.
    public var status: ExitStatus { code.status }

    public var description: String { field.map { "\($0): \(message)" } ?? message }

    /// The same error with `help` under its message.
    public func helped(_ text: String) -> MESError {
        var e = self
        e.help = text
        return e
    }

    /// The same error with another message.
    public func with(message: String) -> MESError {
        var e = self
        e.message = message
        return e
    }

    /// A usage error (64) in English, as for `--help` (it concerns the command line, not the service).
    public static func usage(_ message: String, field: String? = nil) -> MESError {
        MESError(.usage, message, field: field)
    }

    /// Invalid data for one named field (`code` is one whose status is 65).
    public static func invalid(_ code: ErrorCode, _ message: String, field: String) -> MESError {
        MESError(code, message, field: field)
    }

    public static let identityNotFound = MESError(.identityNotFound, Messages.identityNotFound)
    public static let codeExpired = MESError(.codeExpired, Messages.codeExpired)
    public static let codeUsed = MESError(.codeUsed, Messages.codeUsed)
    public static let codeLocked = MESError(.locked, Messages.codeLocked)
    /// Too many failed identity checks against one NIR (or adviser): code requests and the
    /// phone service's identification wait 15 minutes.
    public static let identityQuestionsLocked = MESError(.locked, Messages.assistedLocked)
    public static let sessionExpired = MESError(.sessionExpired, Messages.sessionExpired, field: "session")
    public static let tooSoon = MESError(.tooSoon, Messages.tooSoon)
    public static let legalRepresentativeRequired = MESError(
        .legalRepresentativeRequired,
        "Ce profil est celui d'une personne mineure : certifiez être son représentant légal.",
        field: "legal-representative")
    public static let cguRequired = MESError(
        .cguRequired,
        Messages.cguRequired + " : J'accepte les Conditions Générales d'Utilisation et la Politique de protection des données personnelles.",
        field: "accept-cgu")

    /// No e-mail address or mobile number on file for the channel asked for.
    public static func contactMissing(_ what: String) -> MESError {
        MESError(.contactMissing, "Aucun \(what) n'est enregistré pour ce profil. " + Messages.contactsWrong, field: "via")
    }

    /// An output file that exists and may not be replaced (without --force).
    public static func fileExists(_ path: String, field: String) -> MESError {
        MESError(.fileExists, "Le fichier existe déjà : \(path)", field: field)
    }
}
