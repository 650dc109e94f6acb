/// The medium a message goes by: the one channel enum of the composer, the outbox and the
/// transports (a decision's `Channel` — web, phone, batch, automatic — says who filed it).
public enum MessageChannel: String, Sendable, Codable, CaseIterable {
    case email, sms, letter
}

/// An SMS as composed: the text the gateway receives, and the number it is shown addressed to
/// (as on file). Kept apart, so that the outbox shows `À : …` above the text while the
/// transport is handed the text alone: nothing is written to be parsed back.
public struct SMSFraming: Sendable, Equatable {
    /// The mobile number as on file (`06 12 34 56 78`).
    public var shownTo: String
    /// What the gateway receives (no line end at either end).
    public var text: String

    public init(shownTo: String, text: String) {
        self.shownTo = shownTo
        self.text = text
    }

    /// The SMS as a person reads it in the outbox.
    public var framed: String { "À : \(shownTo)\n\n\(text)\n" }

    /// The text of an SMS queued before the outbox kept its framing apart (schema 8 and
    /// earlier): its body is `framed`, so the text is what follows the first empty line.
    public static func legacyText(_ body: [UInt8]) -> String {
        let text = String(decoding: body, as: UTF8.self)
        guard let r = text.firstRange(of: "\n\n") else { return text }
        var rest = text[r.upperBound...]
        while rest.first?.isNewline == true { rest = rest.dropFirst() }
        while rest.last?.isNewline == true { rest = rest.dropLast() }
        return String(rest)
    }
}

/// A message ready for the outbox (already rendered by the composer).
public struct OutgoingMessage: Sendable {
    public typealias Channel = MessageChannel
    public let channel: MessageChannel
    /// Shown in listings: masked address or "courrier postal".
    public let recipientMasked: String
    public let subject: String
    /// The message's bytes: RFC 5322 for e-mail, the text for a letter, the text the gateway
    /// receives for an SMS (`shownTo` says whom it is shown addressed to).
    public let body: [UInt8]
    /// Where a transport sends it: the e-mail address or the mobile number (nil for a letter).
    public let recipient: String?
    /// The Message-ID (without angle brackets, `MessageID`): at most one delivery per Message-ID.
    public let messageID: String
    /// For an SMS: the number as on file, shown above its text (`SMSFraming`).
    public let shownTo: String?

    public init(channel: MessageChannel, recipientMasked: String, subject: String, body: [UInt8], recipient: String? = nil,
                messageID: String = "", shownTo: String? = nil) {
        self.channel = channel
        self.recipientMasked = recipientMasked
        self.subject = subject
        self.body = body
        self.recipient = recipient
        self.messageID = messageID
        self.shownTo = shownTo
    }

    /// The message without its bytes (what the outbox row keeps in clear).
    public var header: OutgoingMessage {
        OutgoingMessage(channel: channel, recipientMasked: recipientMasked, subject: subject, body: [], recipient: recipient,
                        messageID: messageID, shownTo: shownTo)
    }
}

/// Where a message stands in the queue.
public enum DeliveryStatus: String, Sendable, CaseIterable {
    /// Waiting for a transport (none configured, or a temporary failure to try again).
    case queued
    /// A transport's server acknowledged it; for a letter, its posting was recorded.
    case sent
    /// Given up: refused for good, or too many temporary failures.
    case failed
    /// A postal letter waiting to be printed (`mes outbox letters --pdf`); never handed to a
    /// transport.
    case letter
    /// A postal letter printed into a batch, waiting for its posting to be recorded
    /// (`mes outbox letters --posted`).
    case printed

    /// The status a message starts with on `channel`.
    public static func initial(_ channel: MessageChannel) -> DeliveryStatus { channel == .letter ? .letter : .queued }
}

/// One message of the outbox, as listed.
public struct OutboxEntry: Sendable {
    public let id: Int64
    public let personID: Int64?
    public let channel: MessageChannel
    public let recipientMasked: String
    public let subject: String
    /// Where its bytes are kept for messages queued before schema 8 (nil: in the store).
    public let file: String?
    public let createdAt: Instant
    public var status: DeliveryStatus
    public var attempts: Int
    public var lastError: String?
    public var sentAt: Instant?
    /// For an SMS queued since schema 9: the number as on file, shown above its text (nil: its
    /// bytes hold the framing, `SMSFraming.legacyText`).
    public var shownTo: String?

    public init(id: Int64, personID: Int64?, channel: MessageChannel, recipientMasked: String, subject: String, file: String?,
                createdAt: Instant, status: DeliveryStatus = .queued, attempts: Int = 0, lastError: String? = nil,
                sentAt: Instant? = nil, shownTo: String? = nil) {
        self.id = id
        self.personID = personID
        self.channel = channel
        self.recipientMasked = recipientMasked
        self.subject = subject
        self.file = file
        self.createdAt = createdAt
        self.status = status
        self.attempts = attempts
        self.lastError = lastError
        self.sentAt = sentAt
        self.shownTo = shownTo
    }
}

/// A queued message with what a transport needs (read for `outbox send`).
public struct QueuedMessage: Sendable {
    public let entry: OutboxEntry
    /// The real recipient (nil for messages queued before the queue kept it).
    public let recipient: String?
    public let messageID: String

    public init(entry: OutboxEntry, recipient: String?, messageID: String) {
        self.entry = entry
        self.recipient = recipient
        self.messageID = messageID
    }
}

/// The one scheme of Message-IDs (`<seconds>.<person>.<tag>@mes.invalid`; a receipt's mail:
/// `<receipt>@mes.invalid`): unique per message, the same for a message composed again (a
/// transport delivers a Message-ID at most once).
public enum MessageID {
    /// What a message is, for its Message-ID's tag.
    public enum Kind: Sendable, CaseIterable {
        case notification, onDemandCode, activated, closed, passwordChanged
        case loginCode, contactCode, recoverIdentifierCode, recoverPasswordCode
    }

    public static let domain = "mes.invalid"

    /// The tag of `kind` sent on `channel` (the tags of earlier builds, unchanged).
    public static func tag(_ kind: Kind, _ channel: MessageChannel) -> String {
        let sms = channel == .sms
        switch kind {
        case .notification: return "n"
        case .onDemandCode: return sms ? "s" : "d"
        case .activated: return "a"
        case .closed: return "c"
        case .passwordChanged: return "pw"
        case .loginCode: return sms ? "ls" : "l"
        case .contactCode: return sms ? "os" : "o"
        case .recoverIdentifierCode: return sms ? "ris" : "ri"
        case .recoverPasswordCode: return sms ? "rps" : "rp"
        }
    }

    /// The Message-ID of a `kind` message to `personID` composed at `at`.
    public static func make(_ kind: Kind, on channel: MessageChannel, to personID: Int64, at: Instant) -> String {
        "\(at.seconds).\(personID).\(tag(kind, channel))@\(domain)"
    }

    /// The Message-ID of the mail carrying receipt `receiptID`: the same however often a batch runs again.
    public static func receipt(_ receiptID: String) -> String { "\(receiptID)@\(domain)" }
}

/// Who asked for an on-demand code: what its message may say about why it comes.
public enum CodeRequester: Sendable, Equatable {
    /// The person (for a minor, their legal representative). `choseChannel`: they asked for
    /// this channel; otherwise it is the first the contact on file has (e-mail, SMS, then a
    /// letter when there is neither).
    case person(choseChannel: Bool)
    /// An association filing its member's opposition (`batch oppose --request-codes`), by name.
    case association(String)
}
