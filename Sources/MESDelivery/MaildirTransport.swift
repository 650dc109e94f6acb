#if canImport(Glibc)
import Glibc
#endif
import MESCore
import MESSystem

/// A local Maildir (parsed from `MES_MAIL_URL=maildir:/ABSOLUTE/DIR`): the folder holds `tmp/`,
/// `new/` and `cur/` (made, mode 0700, when missing).
public struct MaildirSettings: Sendable, Equatable {
    /// Absolute path of the Maildir.
    public var path: String

    public init(path: String) { self.path = path }
}

/// Delivers e-mail into a local Maildir, as a mail server's local delivery agent does: the
/// message appears in `new/` whole, synced, under a name no other delivery uses
/// (`SECONDS.M<µs>P<pid>Q<n>.mes`), and `new/` is synced. What is in `new/` was
/// delivered: it counts as the server's acknowledgement (status 250), so a store with no mail
/// server (a demo, a test, a machine whose mail is read locally) still starts its windows.
///
/// A folder that cannot be made or written (missing parent, permissions) is a configuration
/// error; a full disk is temporary. Never a permanent failure: a Maildir has no recipients to
/// refuse.
public final class MaildirTransport: MessageTransport, @unchecked Sendable {
    public let settings: MaildirSettings
    private var counter = 0
    /// Whether `tmp/`, `new/` and `cur/` were made (once, on the first message).
    private var prepared = false
    private let lock = Lock()

    public init(_ settings: MaildirSettings) {
        self.settings = settings
    }

    public func send(_ envelope: Envelope) throws(DeliveryError) -> TransportReceipt {
        try SMTPTransport.validate(envelope)
        lock.lock()
        defer { lock.unlock() }
        if !prepared {
            for sub in ["", "/tmp", "/new", "/cur"] where mkdir(settings.path + sub, 0o700) != 0 && errno != EEXIST {
                throw DeliveryError(.configuration, .transportFailed,
                                    "maildir: cannot make \(sub.isEmpty ? "the folder" : String(sub.dropFirst())): \(FileIO.errnoText())")
            }
            prepared = true
        }
        counter += 1
        var tv = timeval()
        gettimeofday(&tv, nil)
        let name = "\(tv.tv_sec).M\(tv.tv_usec)P\(getpid())Q\(counter).mes"
        // The CRLF message as a local mailbox keeps it: Unix line ends.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(envelope.payload.count)
        let p = envelope.payload
        for (i, b) in p.enumerated() where !(b == 0x0D && i + 1 < p.count && p[i + 1] == 0x0A) { bytes.append(b) }
        do {
            // `writeAtomically` writes an unnamed (or hidden) file, syncs it, gives it its name in
            // new/ and syncs new/: the message appears there whole, as a delivery agent's
            // tmp/-then-new/ move does, with one rename instead of two.
            try FileIO.writeAtomically(settings.path + "/new/" + name, bytes, replace: false, sync: true, field: "maildir")
        } catch let e as MESError where e.code == .diskFull {
            throw DeliveryError(.temporary, .transportFailed, "maildir: disk full")
        } catch {
            throw DeliveryError(.configuration, .transportFailed, "maildir: cannot write: \(Redaction.clean("\(error)"))")
        }
        return TransportReceipt(messageID: envelope.messageID, status: 250, reply: "250 delivered to maildir new/\(name)", remoteID: name)
    }
}

