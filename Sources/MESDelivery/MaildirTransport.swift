#if canImport(Glibc)
import Glibc
#endif
import Foundation
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
/// message is written whole into `tmp/`, synced, then moved into `new/` under a name no other
/// delivery uses (`SECONDS.M<µs>P<pid>Q<n>.mes`), and `new/` is synced. What is in `new/` was
/// delivered: it counts as the server's acknowledgement (status 250), so a store with no mail
/// server (a demo, a test, a machine whose mail is read locally) still starts its windows.
///
/// A folder that cannot be made or written (missing parent, permissions) is a configuration
/// error; a full disk is temporary. Never a permanent failure: a Maildir has no recipients to
/// refuse.
public final class MaildirTransport: MessageTransport, @unchecked Sendable {
    public let settings: MaildirSettings
    private var counter = 0
    private let lock = NSLock()

    public init(_ settings: MaildirSettings) {
        self.settings = settings
    }

    public func send(_ envelope: Envelope) throws(DeliveryError) -> TransportReceipt {
        try SMTPTransport.validate(envelope)
        lock.lock()
        defer { lock.unlock() }
        for sub in ["", "/tmp", "/new", "/cur"] {
            let p = settings.path + sub
            if mkdir(p, 0o700) != 0 && errno != EEXIST {
                throw DeliveryError(.configuration, .transportFailed, "maildir: cannot make \(sub.isEmpty ? "the folder" : String(sub.dropFirst())): \(FileIO.errnoText())")
            }
        }
        counter += 1
        var tv = timeval()
        gettimeofday(&tv, nil)
        let name = "\(tv.tv_sec).M\(tv.tv_usec)P\(getpid())Q\(counter).mes"
        do {
            // The CRLF message as a local mailbox keeps it: Unix line ends.
            var bytes: [UInt8] = []
            bytes.reserveCapacity(envelope.payload.count)
            for (i, b) in envelope.payload.enumerated() where !(b == 0x0D && i + 1 < envelope.payload.count && envelope.payload[i + 1] == 0x0A) {
                bytes.append(b)
            }
            try FileIO.writeAtomically(settings.path + "/tmp/" + name, bytes, replace: false, sync: true, field: "maildir")
            guard rename(settings.path + "/tmp/" + name, settings.path + "/new/" + name) == 0 else {
                let why = FileIO.errnoText()
                unlink(settings.path + "/tmp/" + name)
                throw DeliveryError(.configuration, .transportFailed, "maildir: cannot move into new/: \(why)")
            }
            FileIO.syncDirectory(settings.path + "/new")
        } catch let e as DeliveryError {
            throw e
        } catch let e as MESError where e.code == .diskFull {
            throw DeliveryError(.temporary, .transportFailed, "maildir: disk full")
        } catch {
            throw DeliveryError(.configuration, .transportFailed, "maildir: cannot write: \(Redaction.clean("\(error)"))")
        }
        return TransportReceipt(messageID: envelope.messageID, status: 250, reply: "250 delivered to maildir new/\(name)", remoteID: name)
    }
}

