import MESCore
import MESDelivery
import MESRender
import MESStore
import MESSystem

/// The transport of each channel (none: that channel's messages stay queued), with its pace,
/// the envelope sender of e-mails and the retry policy. Injected into the service
/// (`Service.init(delivery:)`), built from what the command line read (`DeliverySettings`) or
/// given as such (a test's capturing transport).
public struct Transports {
    /// A channel's transport and its pace (`MES_MAIL_RATE`, `MES_SMS_RATE`), when one is set.
    public struct Route {
        public var transport: any MessageTransport
        public var pacer: RatePacer?

        public init(_ transport: any MessageTransport, pacer: RatePacer? = nil) {
            self.transport = transport
            self.pacer = pacer
        }
    }

    public var routes: [MessageChannel: Route]
    /// The envelope sender of e-mails.
    public var mailFrom: String
    /// The `From:` of the e-mails composed (nil: `Email.defaultFrom`).
    public var fromHeader: String?
    public var retry: RetryPolicy

    public init(_ routes: [MessageChannel: Route] = [:], mailFrom: String = TransportConfig.defaultMailFrom, retry: RetryPolicy = .standard) {
        self.routes = routes
        self.mailFrom = mailFrom
        self.retry = retry
    }

    /// The same, each channel's transport unpaced.
    public init(_ transports: [MessageChannel: any MessageTransport], mailFrom: String = TransportConfig.defaultMailFrom,
                retry: RetryPolicy = .standard) {
        self.init(transports.mapValues { Route($0) }, mailFrom: mailFrom, retry: retry)
    }

    /// The transports `config` describes.
    public init(_ config: TransportConfig) {
        var routes: [MessageChannel: Route] = [:]
        if let t = config.mailTransport() { routes[.email] = Route(t, pacer: config.mailRate.map(RatePacer.init(rate:))) }
        if let t = config.smsTransport() { routes[.sms] = Route(t, pacer: config.smsRate.map(RatePacer.init(rate:))) }
        self.init(routes, mailFrom: config.mailFrom)
        fromHeader = config.fromHeader
    }

    /// No transport: every message stays queued.
    public static var none: Transports { Transports([MessageChannel: Route]()) }

    public var isEmpty: Bool { routes.isEmpty }

    /// The transport of `channel`, if one is configured.
    public subscript(channel: MessageChannel) -> (any MessageTransport)? { routes[channel]?.transport }

    /// What a transport is handed for `message` (its bytes as queued) on `channel`.
    func envelope(_ channel: MessageChannel, to recipient: String, messageID: String, bytes: [UInt8], shownTo: String?) -> Envelope {
        switch channel {
        case .email: return .email(from: mailFrom, to: recipient, messageID: messageID, message: MIME.sevenBit(bytes))
        // Since schema 9 an SMS's bytes are its text; before, they held its framing.
        case .sms:
            return .sms(to: recipient, text: shownTo == nil ? SMSFraming.legacyText(bytes) : String(decoding: bytes, as: UTF8.self),
                        messageID: messageID)
        case .letter: return Envelope(channel: .letter, recipient: recipient, sender: "", messageID: messageID, payload: bytes)
        }
    }
}

/// Where the service's transports come from.
public enum DeliverySource {
    /// Built when a message is to be sent, from what the command line read (a configuration
    /// error is reported then, exit 64 `delivery_config_invalid`).
    case settings(DeliverySettings)
    /// These (a test's capturing transport, or none).
    case transports(Transports)

    /// The `From:` of the e-mails composed: `MES_MAIL_FROM`, else `Email.defaultFrom`.
    var fromHeader: String {
        switch self {
        case .settings(let s): return TransportConfig.fromHeader(s) ?? Email.defaultFrom
        case .transports(let t): return t.fromHeader ?? Email.defaultFrom
        }
    }
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
    /// Profiles whose notification failed for good and now go by letter (a letter queued for printing).
    public var fallbackLetters = 0
    /// Profiles whose notification failed for good with no postal address on file: unreachable,
    /// their window never starts.
    public var unreachable = 0
    /// Why the wave stopped early (a configuration error: wrong password, no TLS…), if it did.
    public var stoppedBy: String?
}

extension Service {
    /// Hands the due messages of the queue (or the one message `only`) to their transport, each
    /// recorded as sent in its own transaction as soon as the server acknowledged it (a message
    /// acknowledged is never sent again). A temporary failure is tried again later with backoff,
    /// a permanent one gives up, a configuration error stops the wave with everything still
    /// queued. Messages whose channel has no transport stay queued. `retryNow`: deferred messages
    /// are tried at once, each once, without waiting out their back-off.
    ///
    /// A notification acknowledged starts its profiles' six weeks (`Store.markSent`); one given up
    /// for good goes by letter instead, in the same transaction (`fallBack`).
    ///
    /// `stop` is asked before each message: true ends the wave there, the rest left queued (an
    /// association's batch interrupted by Ctrl-C or SIGTERM).
    public func sendOutbox(_ transports: Transports, only: Int64? = nil, limit: Int = 100_000, retryNow: Bool = false,
                           stop: () -> Bool = { false }) throws -> SendReport {
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
        // A wave (not one message just queued) says how far it has got.
        let progress = ProgressThrottle(only == nil && !transports.isEmpty ? onProgress : nil)
        let total = progress.isActive ? min(try store.queuedCount(), limit) : nil
        defer { progress.report(Progress(.messages, done: done, total: max(done, total ?? done)), force: true) }
        wave: while done < limit {
            let batch = try store.dueMessages(now: clock.now(), after: cursor, only: only, limit: min(500, limit - done), ignoringBackoff: retryNow)
            if batch.isEmpty { break }
            for m in batch {
                if stop() {
                    report.stoppedBy = Self.interrupted
                    break wave
                }
                done += 1
                cursor = m.entry.id
                let channel = m.entry.channel
                guard let route = transports.routes[channel] else {
                    if only != nil { break wave }
                    continue
                }
                guard let recipient = m.recipient, !m.messageID.isEmpty else {
                    try giveUp(m.entry.id, error: "no recipient on record (queued before the queue kept it)", into: &report)
                    continue
                }
                // A body that does not open against its row (moved, or its recipient changed) is
                // never sent: the message fails, saying why.
                let bytes: [UInt8]
                do {
                    bytes = try store.messageBody(m.entry, field: "outbox")
                } catch let e as MESError where e.code == .messageTampered {
                    try giveUp(m.entry.id, error: "message_tampered: sealed body does not match its row (moved or recipient changed); not sent",
                               into: &report)
                    continue
                }
                let envelope = transports.envelope(channel, to: recipient, messageID: m.messageID, bytes: bytes, shownTo: m.entry.shownTo)
                route.pacer?.wait()
                let now = clock.now()  // after the pace's wait: the time of the send
                do {
                    let receipt = try route.transport.send(envelope)
                    try store.markSent(m.entry.id, reply: receipt.reply, now: now, window: windowStart(via: channel, at: now))
                    report.sent += 1
                    onStep?("message \(m.entry.id) (\(channel.rawValue)) : envoyé")
                } catch let e as DeliveryError {
                    if e.kind == .configuration {
                        report.stoppedBy = e.description
                        break wave
                    }
                    if let delay = transports.retry.delay(afterAttempt: m.entry.attempts + 1, failedWith: e) {
                        try store.markFailed(m.entry.id, error: e.description, retryAt: now.adding(seconds: Int64(delay)))
                        report.deferred += 1
                        onStep?("message \(m.entry.id) (\(channel.rawValue)) : nouvel essai dans \(Int(delay)) s")
                    } else {
                        try giveUp(m.entry.id, error: e.description, into: &report)
                        onStep?("message \(m.entry.id) (\(channel.rawValue)) : abandonné")
                    }
                }
                progress.report(Progress(.messages, done: done, total: total.map { max($0, done) }, estimate: true))
            }
            if only != nil || transports.isEmpty { break }
        }
        if only == nil { report.queued = try store.queuedCount() }
        return report
    }
}

extension Service {
    /// Gives message `id` up for good, and in the same transaction replaces it by letters for
    /// the profiles it was the notification of (`fallBack`).
    func giveUp(_ id: Int64, error: String, into report: inout SendReport) throws {
        let now = clock.now()
        let (letters, unreachable) = try store.transaction { () -> (Int, Int) in
            try store.recordFailure(id, error: error, retryAt: nil)
            return try fallBack(failedNotice: id, now: now)
        }
        report.failed += 1
        report.fallbackLetters += letters
        report.unreachable += unreachable
    }

    /// What starting the six weeks records for a message sent on `channel` at `at`: the code's
    /// validity from then, and the audit line saying when the window ends.
    func windowStart(via channel: MessageChannel, at: Instant) -> Store.WindowStart {
        Store.WindowStart(codeValidity: policy.notificationValidity,
                          detail: "via \(channel.rawValue) ; fin du délai le \(policy.creationWindowEnd(sentAt: at).parisDate.iso)")
    }
}

extension Service {
    /// The transports messages are handed to: those injected, or those the settings the command
    /// line read describe (the environment's keys over `mes.conf`). None configured: messages
    /// stay queued.
    public func transports() throws -> Transports {
        switch delivery {
        case .transports(let t): return t
        case .settings(let settings):
            do {
                return Transports(try TransportConfig.load(settings))
            } catch {
                if error.exposed { throw MESError(.secretFileExposed, "Fichier secret refusé : \(error)", field: error.key) }
                throw MESError(.deliveryConfigInvalid, "Configuration d'envoi invalide : \(error)", field: error.key)
            }
        }
    }

    /// Hands the due messages of the queue to the service's transports (`transports()`).
    public func sendOutbox(limit: Int = 100_000, retryNow: Bool = false) throws -> SendReport {
        try sendOutbox(try transports(), limit: limit, retryNow: retryNow)
    }

    static let interrupted = "Ctrl-C ou SIGTERM ; les messages restants attendent (mes outbox send)"
    static let anotherWave = "une autre vague d'envoi est en cours dans cette base : ses messages en attente partent avec elle"

    /// Tries to send one message just queued (after its transaction committed): its status then.
    /// Delivery never undoes what caused the message; failures leave it queued or failed.
    public func sendNow(_ id: Int64) -> (status: DeliveryStatus, problem: String?) {
        do {
            let transports = try self.transports()
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
