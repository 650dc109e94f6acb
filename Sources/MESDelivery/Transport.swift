import MESCore

/// Hands one rendered message to a real transport (an SMTP server, a local sendmail, an HTTP
/// SMS gateway) and says what the other side acknowledged.
///
/// A transport is used by one wave of messages after another; implementations serialize
/// `send` internally, so sharing one between threads is safe but gains nothing.
public protocol MessageTransport: AnyObject, Sendable {
    /// Sends one message. Returns what the server acknowledged, or throws a `DeliveryError`
    /// saying whether trying again later can help.
    func send(_ envelope: Envelope) throws(DeliveryError) -> TransportReceipt
}

/// What a transport needs to send one message.
public struct Envelope: Sendable, Equatable, CustomStringConvertible {
    /// E-mail or SMS (a transport for letters would take `.letter`).
    public typealias Channel = MessageChannel

    public var channel: Channel
    /// An addr-spec (`marie@example.fr`, no display name, no angle brackets) for e-mail; an
    /// E.164 mobile number (`+33612345678`) for SMS.
    public var recipient: String
    /// The envelope sender: an addr-spec for e-mail (SMTP `MAIL FROM`, sendmail `-f`); for SMS,
    /// informational only (the gateway's account decides the sender shown).
    public var sender: String
    /// The Message-ID without angle brackets; for SMS, the `message_id` the gateway receives.
    public var messageID: String
    /// The full RFC 5322 message (CRLF line ends) for e-mail; the UTF-8 text for SMS.
    public var payload: [UInt8]

    public init(channel: Channel, recipient: String, sender: String, messageID: String, payload: [UInt8]) {
        self.channel = channel
        self.recipient = recipient
        self.sender = sender
        self.messageID = messageID
        self.payload = payload
    }

    public static func email(from sender: String, to recipient: String, messageID: String, message: [UInt8]) -> Envelope {
        Envelope(channel: .email, recipient: recipient, sender: sender, messageID: messageID, payload: message)
    }

    public static func sms(to recipient: String, text: String, messageID: String, sender: String = "") -> Envelope {
        Envelope(channel: .sms, recipient: recipient, sender: sender, messageID: messageID, payload: Array(text.utf8))
    }

    /// Never the payload (it carries codes) nor the full recipient.
    public var description: String {
        "Envelope(\(channel.rawValue), to: \(Masking.recipient(recipient)), id: \(messageID), \(payload.count) bytes)"
    }
}

/// What the other side acknowledged for one message.
public struct TransportReceipt: Sendable, Equatable {
    public var messageID: String
    /// SMTP: the final reply code (250); HTTP: the status (200, 201, 202…); sendmail: the exit status (0).
    public var status: Int
    /// SMTP: the final reply line (`250 2.0.0 Ok: queued as 4Xk…`); HTTP: `HTTP 202`; sendmail: `exit 0`.
    /// Control characters removed, at most 200 characters, the recipient masked.
    public var reply: String
    /// The server's own identifier when it gives one: SMTP `queued as X`, the JSON `id` or
    /// `message_id` of an HTTP gateway's answer.
    public var remoteID: String?
    /// Whether the message went over a connection opened for an earlier one (SMTP, HTTP).
    public var reusedConnection: Bool

    public init(messageID: String, status: Int, reply: String, remoteID: String? = nil, reusedConnection: Bool = false) {
        self.messageID = messageID
        self.status = status
        self.reply = reply
        self.remoteID = remoteID
        self.reusedConnection = reusedConnection
    }
}

/// Why a message was not handed over, and whether trying again can help.
///
/// The reason is short, in English (operator diagnostics), and never holds the message body,
/// a password or token, or the full recipient (masked).
public struct DeliveryError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        /// Try this message again later: connection refused or reset, timeout, SMTP 4xx, HTTP 5xx/429/408,
        /// sendmail EX_TEMPFAIL or killed.
        case temporary
        /// This message will never go through as it is: SMTP 5xx (recipient or sender rejected, message
        /// refused), HTTP 4xx, an invalid recipient, sendmail EX_NOUSER/EX_DATAERR….
        case permanent
        /// The transport cannot work as configured, whatever the message: authentication refused
        /// (SMTP 530/534/535/538, HTTP 401/403), TLS certificate not trusted, STARTTLS required but not
        /// offered, sendmail program missing. Not the message's fault: stop the wave and keep the
        /// messages queued until the configuration is fixed.
        case configuration
    }

    public var kind: Kind
    /// Its catalogue code: `connection_failed`, `timeout`, `smtp_rejected`, `recipient_rejected`,
    /// `sender_rejected`, `auth_failed`, `tls_failed`, `http_status`, `invalid_recipient`,
    /// `invalid_envelope`, `sendmail_failed`, `transport_failed`.
    public var code: ErrorCode
    public var reason: String
    /// The SMTP reply code, HTTP status or sendmail exit status, when there is one.
    public var status: Int?

    public init(_ kind: Kind, _ code: ErrorCode, _ reason: String, status: Int? = nil) {
        self.kind = kind
        self.code = code
        self.reason = reason
        self.status = status
    }

    public var isTemporary: Bool { kind == .temporary }
    public var isPermanent: Bool { kind == .permanent }

    /// In French, as people read it in summaries and `last_error` ("échec d'envoi définitif
    /// (recipient_rejected) : 550 …"); the code and the transport's own words as they are.
    public var description: String {
        let nature = switch kind {
        case .temporary: "temporaire"
        case .permanent: "définitif"
        case .configuration: "de configuration"
        }
        return "échec d'envoi \(nature) (\(code.rawValue)) : \(reason)"
    }
}

/// A secret read from a file (SMTP password, gateway token): never printed, never mirrored.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let value: String
    public init(_ value: String) { self.value = value }
    public var description: String { "***" }
    public var debugDescription: String { "***" }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}

/// Keeps server texts short and free of what must not leak into logs.
enum Redaction {
    /// One line of at most `limit` characters, control characters replaced by spaces, each secret
    /// replaced by `***` and the recipient masked.
    static func clean(_ text: String, secrets: [String] = [], recipient: String? = nil, limit: Int = 200) -> String {
        var t = String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
        for s in secrets where s.count >= 3 { t = t.replacingAll(s, with: "***") }
        if let r = recipient, !r.isEmpty { t = t.replacingAll(r, with: Masking.recipient(r)) }
        t = String(t.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " "))
        return t.count > limit ? String(t.prefix(limit - 1)) + "…" : t
    }
}

extension String {
    /// Case-sensitive replacement without Foundation.
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = self[...]
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}
