import MESCore
import CCurl
import FoundationEssentials
import MESSystem
import MESCore

/// An HTTP SMS gateway (parsed from `MES_SMS_URL` and `MES_SMS_TOKEN_FILE`).
public struct HTTPSMSSettings: Sendable, Equatable {
    /// `https://…`, or `http://` to 127.0.0.1, ::1 or localhost only (tests, a local relay).
    public var url: String
    public var token: Secret
    /// PEM bundle of the CAs to trust instead of the system's.
    public var caFile: String?
    public var connectTimeout: Double
    public var timeout: Double

    public init(url: String, token: Secret, caFile: String? = nil, connectTimeout: Double = 10, timeout: Double = 30) {
        self.url = url
        self.token = token
        self.caFile = caFile
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }
}

/// Sends SMS by POSTing `{"to": "+33…", "text": "…", "message_id": "…"}` (UTF-8 JSON) with
/// `Authorization: Bearer <token>` to the gateway's URL. 2xx means sent; the answer's JSON `id`
/// or `message_id`, when there is one, becomes the receipt's `remoteID`. Redirects are not
/// followed. One handle for all messages (HTTP keep-alive).
public final class HTTPSMSTransport: MessageTransport, @unchecked Sendable {
    public let settings: HTTPSMSSettings
    private let lock = Lock()
    private var curl: CurlEasy?
    private var headers: UnsafeMutablePointer<curl_slist>?
    private var opened = 0

    public init(_ settings: HTTPSMSSettings) {
        self.settings = settings
    }

    deinit {
        curl = nil
        CurlEasy.freeList(headers)
    }

    public var connectionsOpened: Int { lock.withLock { opened } }

    public func send(_ envelope: Envelope) throws(DeliveryError) -> TransportReceipt {
        guard envelope.channel == .sms else {
            throw DeliveryError(.permanent, .invalidEnvelope, "an e-mail cannot go through an SMS transport")
        }
        guard Self.isE164(envelope.recipient) else {
            throw DeliveryError(.permanent, .invalidRecipient, "recipient is not an E.164 mobile number (\(Masking.recipient(envelope.recipient)))")
        }
        guard let text = String(validating: envelope.payload, as: UTF8.self), !text.isEmpty else {
            throw DeliveryError(.permanent, .invalidEnvelope, "the SMS text is empty or not UTF-8")
        }
        let body = Array(Self.json(["to": envelope.recipient, "text": text, "message_id": envelope.messageID]).utf8)

        lock.lock()
        defer { lock.unlock() }
        let c: CurlEasy
        if let existing = curl { c = existing } else { c = try makeHandle(); curl = c }
        let result = body.withUnsafeBytes { raw -> CURLcode in
            c.set(CURLOPT_POSTFIELDSIZE_LARGE, size: raw.count)
            c.set(CURLOPT_POSTFIELDS, pointer: UnsafeMutableRawPointer(mutating: raw.baseAddress))
            defer { c.set(CURLOPT_POSTFIELDS, pointer: nil) }
            return c.perform(upload: [])
        }
        let connects = c.info(CURLINFO_NUM_CONNECTS)
        opened += connects
        let status = c.info(CURLINFO_RESPONSE_CODE)
        let secrets = [settings.token.value]
        guard result == CURLE_OK else {
            let text = Redaction.clean(c.describe(result), secrets: secrets, recipient: envelope.recipient)
            switch result {
            case CURLE_OPERATION_TIMEDOUT: throw DeliveryError(.temporary, .timeout, text)
            case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM:
                throw DeliveryError(.configuration, .tlsFailed, text)
            case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT:
                throw DeliveryError(.configuration, .transportFailed, text)
            case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING:
                throw DeliveryError(.temporary, .connectionFailed, text)
            default: throw DeliveryError(.temporary, .transportFailed, "\(text) (curl \(result.rawValue))")
            }
        }
        // The answer's body is never quoted in errors: a gateway may echo the text (the code).
        switch status {
        case 200..<300:
            return TransportReceipt(messageID: envelope.messageID, status: status, reply: "HTTP \(status)",
                                    remoteID: Self.remoteID(in: c.exchange.body), reusedConnection: connects == 0)
        case 401, 403:
            throw DeliveryError(.configuration, .authFailed, "HTTP \(status): the gateway refused the token", status: status)
        case 408, 429, 500..<600:
            throw DeliveryError(.temporary, .httpStatus, "HTTP \(status)", status: status)
        case 300..<400:
            throw DeliveryError(.configuration, .httpStatus, "HTTP \(status): redirects are not followed; check MES_SMS_URL", status: status)
        default:
            throw DeliveryError(.permanent, .httpStatus, "HTTP \(status)", status: status)
        }
    }

    private func makeHandle() throws(DeliveryError) -> CurlEasy {
        let s = settings
        do throws(TransportConfigError) {
            try TransportConfig.checkSMSURL(s.url) { TransportConfigError(key: "MES_SMS_URL", reason: $0) }
        } catch {
            throw DeliveryError(.configuration, .transportFailed, error.description)
        }
        let c = try CurlEasy()
        c.set(CURLOPT_URL, s.url)
        c.set(CURLOPT_PROTOCOLS_STR, "http,https")
        c.set(CURLOPT_FOLLOWLOCATION, 0)
        c.set(CURLOPT_POST, 1)
        c.set(CURLOPT_CONNECTTIMEOUT_MS, Int(s.connectTimeout * 1000))
        c.set(CURLOPT_TIMEOUT_MS, Int(s.timeout * 1000))
        c.set(CURLOPT_USERAGENT, "mes")
        if let ca = s.caFile { c.set(CURLOPT_CAINFO, ca) }
        if headers == nil {
            headers = c.list(["Content-Type: application/json; charset=utf-8", "Accept: application/json", "Expect:",
                                     "Authorization: Bearer " + s.token.value])
        }
        c.set(CURLOPT_HTTPHEADER, list: headers)
        return c
    }

    /// `+` then 8 to 15 digits, the first not 0.
    static func isE164(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count >= 9, u.count <= 16, u[0] == UInt8(ascii: "+"), u[1] != UInt8(ascii: "0") else { return false }
        return u.dropFirst().allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// A flat JSON object of strings, keys in the given order.
    static func json(_ pairs: KeyValuePairs<String, String>) -> String {
        "{" + pairs.map { "\(jsonString($0.key)): \(jsonString($0.value))" }.joined(separator: ", ") + "}"
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20 || u.value == 0x2028 || u.value == 0x2029:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    /// The gateway's identifier for the message, if its answer is a JSON object with one.
    static func remoteID(in body: [UInt8]) -> String? {
        guard !body.isEmpty, let answer = try? JSONDecoder().decode(GatewayAnswer.self, from: Data(body)) else { return nil }
        return answer.id
    }

    /// A gateway's JSON answer: its first string or integer under `id`, `message_id` or
    /// `messageId` (other fields, and other types under those names, are ignored).
    private struct GatewayAnswer: Decodable {
        let id: String?

        private struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: Key.self)
            var found: String?
            for name in ["id", "message_id", "messageId"] where found == nil {
                let key = Key(stringValue: name)
                if let s = try? c.decode(String.self, forKey: key) { found = String(s.prefix(200)) }
                else if let n = try? c.decode(Int.self, forKey: key) { found = String(n) }
            }
            id = found
        }
    }
}
