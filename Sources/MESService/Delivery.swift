import MESCore
import MESDelivery
import MESStore
import MESSystem

/// The transports messages are handed to (none configured: they stay queued).
public struct Transports {
    public var mail: (any MessageTransport)?
    public var sms: (any MessageTransport)?
    /// The envelope sender of e-mails.
    public var mailFrom: String
    public var retry: RetryPolicy
    /// Each channel's pace (`MES_MAIL_RATE`, `MES_SMS_RATE`), when one is set.
    public var mailPacer: RatePacer?
    public var smsPacer: RatePacer?

    public init(mail: (any MessageTransport)? = nil, sms: (any MessageTransport)? = nil,
                mailFrom: String = TransportConfig.defaultMailFrom, retry: RetryPolicy = .standard) {
        self.mail = mail
        self.sms = sms
        self.mailFrom = mailFrom
        self.retry = retry
    }

    /// The transports `config` describes.
    public init(_ config: TransportConfig) {
        self.init(mail: config.mailTransport(), sms: config.smsTransport(), mailFrom: config.mailFrom)
        mailPacer = config.mailRate.map(RatePacer.init(rate:))
        smsPacer = config.smsRate.map(RatePacer.init(rate:))
    }

    public var isEmpty: Bool { mail == nil && sms == nil }
}

/// What a sending wave did.
public struct SendReport: Sendable {
    public var sent = 0
    /// Tried, failed for now: tried again later.
    public var deferred = 0
    /// Given up for good.
    public var failed = 0
    /// Still waiting in the queue after the wave.
    public var queued = 0
    /// Why the wave stopped early (a configuration error: wrong password, no TLS…), if it did.
    public var stoppedBy: String?
}

extension Service {
    /// Hands the due messages of the queue (or the one message `only`) to their transport, each
    /// recorded as sent in its own transaction as soon as the server acknowledged it (a message
    /// acknowledged is never sent again). A temporary failure is tried again later with backoff,
    /// a permanent one gives up, a configuration error stops the wave with everything still
    /// queued. Messages whose channel has no transport stay queued.
    public func sendOutbox(_ transports: Transports, only: Int64? = nil, limit: Int = 100_000) throws -> SendReport {
        var report = SendReport()
        // One message (a code just issued): nothing to send without a transport, and no count of
        // the queue (a national wave's queue holds millions).
        if only != nil && transports.isEmpty { return report }
        // One sender at a time: another wave under way sends this one's messages too.
        let lock = transports.isEmpty ? nil : try store.trySendingLock()
        if !transports.isEmpty && lock == nil {
            report.stoppedBy = Self.anotherWave
            if only == nil { report.queued = try store.queuedCount() }
            return report
        }
        defer { withExtendedLifetime(lock) {} }
        var done = 0
        var cursor: Int64 = 0
        wave: while done < limit {
            let batch = try store.dueMessages(now: clock.now(), after: cursor, only: only, limit: min(500, limit - done))
            if batch.isEmpty { break }
            for m in batch {
                done += 1
                cursor = m.entry.id
                let channel = m.entry.channel
                guard let transport = channel == "email" ? transports.mail : channel == "sms" ? transports.sms : nil else {
                    if only != nil { break wave }
                    continue
                }
                guard let recipient = m.recipient, !m.messageID.isEmpty else {
                    try store.markFailed(m.entry.id, error: "no recipient on record (queued before the queue kept it)", retryAt: nil)
                    report.failed += 1
                    continue
                }
                let envelope: Envelope
                let bytes = try store.messageBody(m.entry, field: "outbox")
                if channel == "email" {
                    envelope = .email(from: transports.mailFrom, to: recipient, messageID: m.messageID, message: bytes)
                } else {
                    envelope = .sms(to: recipient, text: Self.smsText(bytes), messageID: m.messageID)
                }
                (channel == "email" ? transports.mailPacer : transports.smsPacer)?.wait()
                let now = clock.now()  // after the pace's wait: the time of the send
                do {
                    let receipt = try transport.send(envelope)
                    try store.markSent(m.entry.id, reply: receipt.reply, now: now)
                    report.sent += 1
                } catch let e as DeliveryError {
                    if e.kind == .configuration {
                        report.stoppedBy = e.description
                        break wave
                    }
                    let delay = transports.retry.delay(afterAttempt: m.entry.attempts + 1, failedWith: e)
                    try store.markFailed(m.entry.id, error: e.description, retryAt: delay.map { now.adding(seconds: Int64($0)) })
                    if delay == nil { report.failed += 1 } else { report.deferred += 1 }
                }
            }
            if only != nil || transports.isEmpty { break }
        }
        if only == nil { report.queued = try store.queuedCount() }
        return report
    }

    /// The text of an SMS file: what follows its "À : …" header line.
    static func smsText(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let r = text.range(of: "\n\n") else { return text }
        return String(text[r.upperBound...]).trimmingCharacters(in: .newlines)
    }
}

extension Service {
    /// The transports configured by the environment and by `mes.conf` in the data directory
    /// (the same keys; the environment wins). None configured: messages stay queued.
    public func transports(environment: [String: String]) throws -> Transports {
        let file = store.directory + "/mes.conf"
        do {
            return Transports(try TransportConfig.load(environment: environment, file: FileIO.exists(file) ? file : nil))
        } catch {
            throw MESError(.deliveryConfigInvalid, "Configuration d'envoi invalide : \(error)", field: error.key)
        }
    }

    static let anotherWave = "une autre vague d'envoi est en cours dans cette base : ses messages en attente partent avec elle"

    /// Tries to send one message just queued (after its transaction committed): its status then.
    /// Delivery never undoes what caused the message; failures leave it queued or failed.
    public func sendNow(_ id: Int64, environment: [String: String]) -> (status: DeliveryStatus, problem: String?) {
        do {
            let transports = try self.transports(environment: environment)
            let report = try sendOutbox(transports, only: id)
            let entry = try store.outboxEntry(id: id)
            return (entry?.status ?? .queued, report.stoppedBy ?? entry?.lastError)
        } catch let e as MESError {
            return (.queued, e.message)
        } catch {
            return (.queued, "\(error)")
        }
    }
}
