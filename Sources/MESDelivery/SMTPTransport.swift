import MESCore
import CCurl
import MESSystem
import MESCore

/// Where and how to reach an SMTP server (parsed from `MES_MAIL_URL`, see `TransportConfig`).
public struct SMTPSettings: Sendable, Equatable {
    public enum Security: String, Sendable {
        /// `smtp://`: plain text (only allowed without credentials, or to a loopback address).
        case none
        /// `smtp://…?starttls=required`: STARTTLS or fail (`tls_failed`, a configuration error).
        case starttls
        /// `smtps://`: TLS from the first byte (port 465).
        case tls
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var credentials: SMTPCredentials?
    /// PEM bundle of the CAs to trust instead of the system's (`?cafile=/path`).
    public var caFile: String?
    /// The name sent with EHLO (the URL's path, `smtp://host/name`); libcurl's default otherwise.
    public var heloName: String?
    /// Seconds to get a connection (TCP and TLS), then for one message's whole exchange.
    public var connectTimeout: Double
    public var timeout: Double

    public init(host: String, port: Int, security: Security = .none, credentials: SMTPCredentials? = nil, caFile: String? = nil,
                heloName: String? = nil, connectTimeout: Double = 10, timeout: Double = 30) {
        self.host = host
        self.port = port
        self.security = security
        self.credentials = credentials
        self.caFile = caFile
        self.heloName = heloName
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }

    /// The URL handed to libcurl: never with credentials nor our own query parameters.
    var curlURL: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return (security == .tls ? "smtps" : "smtp") + "://\(h):\(port)" + (heloName.map { "/" + $0 } ?? "")
    }
}

/// SMTP AUTH user and password (read from `MES_MAIL_CREDENTIALS_FILE`).
public struct SMTPCredentials: Sendable, Equatable {
    public var user: String
    public var password: Secret
    public init(user: String, password: Secret) {
        self.user = user
        self.password = password
    }
}

/// Sends e-mail through an SMTP server with libcurl. One easy handle serves every message, so a
/// wave goes over one connection (libcurl keeps it open between messages and reopens it when
/// the server closed it); `close()` or deinit sends QUIT.
public final class SMTPTransport: MessageTransport, @unchecked Sendable {
    public let settings: SMTPSettings
    private let lock = Lock()
    private var curl: CurlEasy?
    private var opened = 0

    public init(_ settings: SMTPSettings) {
        self.settings = settings
    }

    deinit { curl = nil }

    /// Connections opened so far (1 for a whole wave when the server keeps the connection).
    public var connectionsOpened: Int { lock.withLock { opened } }

    /// Ends the current connection (QUIT); the next message opens a new one.
    public func close() { lock.withLock { curl = nil } }

    public func send(_ envelope: Envelope) throws(DeliveryError) -> TransportReceipt {
        try Self.validate(envelope)
        lock.lock()
        defer { lock.unlock() }
        let c: CurlEasy
        if let existing = curl { c = existing } else { c = try makeHandle(); curl = c }

        let rcpt = c.list(["<\(envelope.recipient)>"])
        defer {
            c.set(CURLOPT_MAIL_RCPT, list: nil)
            CurlEasy.freeList(rcpt)
        }
        c.set(CURLOPT_MAIL_FROM, "<\(envelope.sender)>")
        c.set(CURLOPT_MAIL_RCPT, list: rcpt)
        c.set(CURLOPT_INFILESIZE_LARGE, size: envelope.payload.count)

        var result = c.perform(upload: envelope.payload)
        var connects = c.info(CURLINFO_NUM_CONNECTS)
        opened += connects
        // A kept connection the server dropped while idle fails before any reply: once, on a
        // fresh connection (nothing was accepted, so nothing can be sent twice).
        if result != CURLE_OK, connects == 0, c.info(CURLINFO_RESPONSE_CODE) == 0,
           [CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING].contains(result) {
            c.set(CURLOPT_FRESH_CONNECT, 1)
            result = c.perform(upload: envelope.payload)
            c.set(CURLOPT_FRESH_CONNECT, 0)
            connects = c.info(CURLINFO_NUM_CONNECTS)
            opened += connects
        }
        let status = c.info(CURLINFO_RESPONSE_CODE)
        let reply = c.exchange.lastReply(code: status).map { clean($0, envelope) } ?? ""
        guard result == CURLE_OK else {
            throw classify(result, status: status, curlText: c.describe(result), reply: reply, envelope)
        }
        return TransportReceipt(messageID: envelope.messageID, status: status, reply: reply, remoteID: Self.queueID(in: reply),
                                reusedConnection: connects == 0)
    }

    private func makeHandle() throws(DeliveryError) -> CurlEasy {
        let s = settings
        if s.credentials != nil, s.security == .none, !TransportConfig.isLoopback(s.host) {
            throw DeliveryError(.configuration, .tlsFailed, "the password would cross the network in clear: use smtps:// or ?starttls=required")
        }
        let c = try CurlEasy()
        c.set(CURLOPT_URL, s.curlURL)
        c.set(CURLOPT_PROTOCOLS_STR, "smtp,smtps")
        c.set(CURLOPT_UPLOAD, 1)
        c.set(CURLOPT_CONNECTTIMEOUT_MS, Int(s.connectTimeout * 1000))
        c.set(CURLOPT_TIMEOUT_MS, Int(s.timeout * 1000))
        c.set(CURLOPT_USE_SSL, Int((s.security == .starttls ? CURLUSESSL_ALL : CURLUSESSL_NONE).rawValue))
        if let ca = s.caFile { c.set(CURLOPT_CAINFO, ca) }
        if let cred = s.credentials {
            c.set(CURLOPT_USERNAME, cred.user)
            c.set(CURLOPT_PASSWORD, cred.password.value)
        }
        return c
    }

    /// Recipient and sender go into SMTP commands: no line breaks, brackets or spaces.
    static func validate(_ e: Envelope) throws(DeliveryError) {
        guard e.channel == .email else {
            throw DeliveryError(.permanent, .invalidEnvelope, "an SMS cannot go through an e-mail transport")
        }
        guard isAddrSpec(e.recipient) else {
            throw DeliveryError(.permanent, .invalidRecipient, "recipient is not a bare e-mail address (\(Masking.recipient(e.recipient)))")
        }
        guard e.sender.isEmpty || isAddrSpec(e.sender) else {
            throw DeliveryError(.configuration, .invalidEnvelope, "sender is not a bare e-mail address")
        }
        guard !e.payload.isEmpty else { throw DeliveryError(.permanent, .invalidEnvelope, "empty message") }
    }

    static func isAddrSpec(_ s: String) -> Bool {
        guard let at = s.lastIndex(of: "@"), at != s.startIndex, s.index(after: at) != s.endIndex, s.utf8.count <= 254 else { return false }
        return s.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7F && !"<>()[]\\,;:\"".unicodeScalars.contains($0) }
    }

    /// `250 2.0.0 Ok: queued as 4XkQ` → `4XkQ`.
    static func queueID(in reply: String) -> String? {
        // Case-blind on ASCII only, so that byte offsets stay those of `reply`.
        let lower = String(decoding: reply.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
        guard let r = lower.firstRange(of: "queued as ") else { return nil }
        let end = reply.utf8.index(reply.startIndex, offsetBy: lower.utf8.distance(from: lower.startIndex, to: r.upperBound))
        let id = reply[end...].prefix { !$0.isWhitespace && $0 != ")" && $0 != ">" }
        return id.isEmpty ? nil : String(id)
    }

    private func clean(_ text: String, _ e: Envelope) -> String {
        Redaction.clean(text, secrets: [settings.credentials?.password.value].compactMap { $0 }, recipient: e.recipient)
    }

    private func classify(_ result: CURLcode, status: Int, curlText: String, reply: String, _ e: Envelope) -> DeliveryError {
        let said = reply.isEmpty ? "" : "; server said: " + reply
        let text = clean(curlText, e) + said
        let stage: ErrorCode = curlText.hasPrefix("RCPT") ? .recipientRejected : curlText.hasPrefix("MAIL") ? .senderRejected : .smtpRejected
        switch (status, result) {
        case (530, _), (534, _), (535, _), (538, _), (_, CURLE_LOGIN_DENIED):
            return DeliveryError(.configuration, .authFailed, text, status: status == 0 ? nil : status)
        case (400..<500, _):
            return DeliveryError(.temporary, stage, text, status: status)
        case (500..<600, _):
            return DeliveryError(stage == .senderRejected ? .configuration : .permanent, stage, text, status: status)
        case (_, CURLE_OPERATION_TIMEDOUT):
            return DeliveryError(.temporary, .timeout, text)
        case (_, CURLE_COULDNT_CONNECT), (_, CURLE_COULDNT_RESOLVE_HOST), (_, CURLE_SEND_ERROR), (_, CURLE_RECV_ERROR),
             (_, CURLE_GOT_NOTHING):
            return DeliveryError(.temporary, .connectionFailed, text)
        case (_, CURLE_USE_SSL_FAILED), (_, CURLE_SSL_CONNECT_ERROR), (_, CURLE_PEER_FAILED_VERIFICATION),
             (_, CURLE_SSL_CACERT_BADFILE), (_, CURLE_SSL_CERTPROBLEM):
            return DeliveryError(.configuration, .tlsFailed, text)
        case (_, CURLE_UNSUPPORTED_PROTOCOL), (_, CURLE_URL_MALFORMAT), (_, CURLE_NOT_BUILT_IN):
            return DeliveryError(.configuration, .transportFailed, text)
        default:
            return DeliveryError(.temporary, .transportFailed, "\(text) (curl \(result.rawValue))", status: status == 0 ? nil : status)
        }
    }
}
