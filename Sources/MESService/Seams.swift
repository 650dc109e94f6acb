import MESCore
import MESRender
import MESStore

/// Where the service's messages are recorded, inside the transaction that caused them: the
/// store's outbox (a queue: `Service.sendOutbox` hands its messages to the configured transports
/// after the commit).
public protocol MessageOutbox {
    /// Hands over one message for `personID` (inside the caller's transaction). `sync: false`
    /// lets a caller that sends many sync them all at once.
    func deliver(_ message: OutgoingMessage, to personID: Int64?, at now: Instant, sync: Bool) throws -> OutboxEntry
    /// The message made ready to hand over (sealed, for the store's outbox): work a wave does
    /// ahead, on another thread; one thread at a time.
    func prepare(_ message: OutgoingMessage) -> PreparedMessage
    /// Hands over a message `prepare` made ready (inside the caller's transaction).
    func deliver(_ message: PreparedMessage, to personID: Int64?, at now: Instant) throws -> OutboxEntry
}

/// A message made ready by `MessageOutbox.prepare`.
public enum PreparedMessage: Sendable {
    /// As written (an outbox that does its work when the message is handed over).
    case plain(OutgoingMessage)
    /// Packed and sealed for the store's outbox.
    case sealed(SealedMessage)
}

extension MessageOutbox {
    public func prepare(_ message: OutgoingMessage) -> PreparedMessage { .plain(message) }

    public func deliver(_ message: PreparedMessage, to personID: Int64?, at now: Instant) throws -> OutboxEntry {
        guard case .plain(let m) = message else { preconditionFailure("a sealed message handed to an outbox that does not seal") }
        return try deliver(m, to: personID, at: now, sync: false)
    }
}

/// The outbox: each message is a row of the store's queue, its bytes packed and sealed.
public struct OutboxFiles: MessageOutbox {
    let store: Store
    public init(store: Store) { self.store = store }

    public func deliver(_ message: OutgoingMessage, to personID: Int64?, at now: Instant, sync: Bool) throws -> OutboxEntry {
        try store.deliver(message, to: personID, now: now, sync: sync)
    }

    public func prepare(_ message: OutgoingMessage) -> PreparedMessage { .sealed(store.seal(message)) }

    public func deliver(_ message: PreparedMessage, to personID: Int64?, at now: Instant) throws -> OutboxEntry {
        switch message {
        case .plain(let m): return try store.deliver(m, to: personID, now: now)
        case .sealed(let s): return try store.deliver(s, to: personID, now: now)
        }
    }
}

/// Turns an opposition receipt into the document a person keeps, and judges a document
/// presented as one. Called from the batch's signing threads too, several at once:
/// implementations are thread-safe.
public protocol ReceiptIssuer: Sendable {
    /// The document's bytes (deterministic for the same receipt).
    func document(_ receipt: OppositionReceipt) throws -> [UInt8]
    /// Whether `bytes` is a receipt this store issued, unchanged.
    func verify(_ bytes: [UInt8], store: Store) throws -> ReceiptVerdict
    /// Whether `bytes` is a whole, unaltered document of `receipt` (repairs rewrite it otherwise).
    func isIntact(_ bytes: [UInt8], of receipt: OppositionReceipt) -> Bool
}

/// A verdict on a receipt file.
public struct ReceiptVerdict: Sendable, Equatable {
    public enum Status: String, Sendable {
        case authentic, altered, unknown, unsigned
    }

    public let status: Status
    /// The reference the file shows, when it shows one.
    public let id: String?
    /// The fields that differ from the record (`nir`, `name`, `greeting`, `decided_on`, `for_minor`,
    /// `association`, `verification`).
    public let mismatch: [String]
    /// Why it is altered or unknown: `signature`, `byte_range`, `update_appended`, `truncated`,
    /// `multiple_signatures`, `malformed`, `record_mismatch`, `unknown_signer`.
    public var reason: ErrorCode?
    /// Who signed it (authentic files).
    public var signer: String?
    /// For an unsigned file: what the old check (its keyed verification code) says.
    public var legacy: Status?

    public init(status: Status, id: String?, mismatch: [String], reason: ErrorCode? = nil, signer: String? = nil, legacy: Status? = nil) {
        self.status = status
        self.id = id
        self.mismatch = mismatch
        self.reason = reason
        self.signer = signer
        self.legacy = legacy
    }
}

/// Receipts as one-page PDFs whose visible fields carry a keyed verification code.
public struct PDFReceipts: ReceiptIssuer {
    public init() {}

    public func document(_ receipt: OppositionReceipt) throws -> [UInt8] { ReceiptRenderer.pdf(receipt) }

    /// The same receipt renders to the same bytes.
    public func isIntact(_ bytes: [UInt8], of receipt: OppositionReceipt) -> Bool { bytes == ReceiptRenderer.pdf(receipt) }

    public func verify(_ bytes: [UInt8], store: Store) throws -> ReceiptVerdict { try Self.check(ReceiptReader.read(bytes), store: store) }

    /// The fields a file shows against the store's record and key (the check of unsigned receipts,
    /// and the record check of signed ones).
    static func check(_ fields: ReceiptFields?, store: Store) throws -> ReceiptVerdict {
        guard let f = fields else { return ReceiptVerdict(status: .unknown, id: nil, mismatch: []) }
        guard let r = try store.receipt(id: f.id) else { return ReceiptVerdict(status: .unknown, id: f.id, mismatch: []) }
        var mismatch: [String] = []
        if f.nir != r.nir.compact { mismatch.append("nir") }
        if f.name != r.name { mismatch.append("name") }
        if f.greeting != r.greeting { mismatch.append("greeting") }
        if f.decidedOn != r.decidedOn.iso { mismatch.append("decided_on") }
        if f.forMinor != r.forMinor { mismatch.append("for_minor") }
        if f.association != r.association { mismatch.append("association") }
        let expected = store.verificationCode(id: f.id, nir: f.nir, name: f.name, greeting: f.greeting, decidedOn: f.decidedOn,
                                              forMinor: f.forMinor, association: f.association)
        if f.verification != r.verification || expected != f.verification { mismatch.append("verification") }
        return ReceiptVerdict(status: mismatch.isEmpty ? .authentic : .altered, id: f.id, mismatch: mismatch)
    }
}
