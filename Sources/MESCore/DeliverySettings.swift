/// The delivery configuration as the command line read it: the `MES_*` delivery keys of the
/// environment, and the store's `mes.conf` (its bytes, or why it could not be read). Only these
/// keys: the service never sees the process environment. MESDelivery's `TransportConfig`
/// checks the values and builds the transports; a problem is reported when a message is to
/// be sent, never when a command that sends nothing runs.
public struct DeliverySettings: Sendable, Equatable {
    /// The keys, in the environment or as `KEY=value` lines of `mes.conf` (the environment wins).
    public static let keys = ["MES_MAIL_URL", "MES_MAIL_FROM", "MES_MAIL_CREDENTIALS_FILE", "MES_SMS_URL", "MES_SMS_TOKEN_FILE",
                              "MES_MAIL_RATE", "MES_SMS_RATE"]
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
