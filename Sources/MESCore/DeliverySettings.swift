/// The delivery configuration as the command line read it: the `MES_*` delivery keys of the
/// environment, and the store's `mes.conf` (its bytes, or why it could not be read). Only these
/// keys: the service never sees the process environment. MESDelivery's `TransportConfig`
/// checks the values and builds the transports; a problem is reported when a message is to
/// be sent, never when a command that sends nothing runs.
public struct DeliverySettings: Sendable, Equatable {
    /// The keys, in the environment or as `KEY=value` lines of `mes.conf` (the environment wins).
    public static let keys = help.map(\.0)
    /// Each key and what it sets (the man page's ENVIRONMENT, made from this list).
    public static let help: [(String, String)] = [
        ("MES_MAIL_URL", "Where e-mails go: smtp://HOST[:PORT][/EHLO-NAME][?PARAMS] (smtps:// for TLS at once; ?starttls=required), sendmail:/PATH (the program, given the message on standard input), or maildir:/DIR (delivered into a Maildir). Unset: messages stay queued (mes outbox send says so)."),
        ("MES_MAIL_FROM", "The sender of e-mails, address or Name <address> (default: a no-reply address of the store's host, shown as Mon espace santé)."),
        ("MES_MAIL_CREDENTIALS_FILE", "SMTP AUTH: a file holding user:password on one line, the user's own and readable by nobody else (else 78)."),
        ("MES_SMS_URL", "The SMS gateway's https:// URL (http:// only to 127.0.0.1, ::1 or localhost); each message is one POST."),
        ("MES_SMS_TOKEN_FILE", "A file holding the gateway's bearer token (required with MES_SMS_URL; the user's own, readable by nobody else)."),
        ("MES_MAIL_RATE", "At most this many e-mails per second (default: no limit)."),
        ("MES_SMS_RATE", "At most this many SMS per second (default: no limit)."),
    ]
    /// The configuration file's name in the store's directory.
    public static let fileName = "mes.conf"
    /// The largest configuration file read.
    public static let fileLimit = 65_536

    /// A configuration file: where it is, and its bytes or why they could not be read.
    public struct File: Sendable, Equatable {
        public var path: String
        /// At most `fileLimit + 1` bytes (more says it is too large).
        public var bytes: [UInt8]
        /// Why it could not be read (`Permission denied`), when it could not.
        public var readError: String?

        public init(path: String, bytes: [UInt8], readError: String? = nil) {
            self.path = path
            self.bytes = bytes
            self.readError = readError
        }
    }

    /// The keys the environment sets (even to the empty string), and only those.
    public var environment: [String: String]
    public var file: File?

    /// Keeps only the delivery keys of `environment`.
    public init(environment: [String: String] = [:], file: File? = nil) {
        self.environment = environment.filter { Self.keys.contains($0.key) }
        self.file = file
    }

    /// No transport configured: messages stay queued.
    public static let none = DeliverySettings()
}
