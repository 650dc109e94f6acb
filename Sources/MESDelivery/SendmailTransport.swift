import MESCore
import MESSystem

/// A local sendmail-compatible program (parsed from `MES_MAIL_URL=sendmail:/usr/sbin/sendmail`).
public struct SendmailSettings: Sendable, Equatable {
    /// Absolute path of the program (Postfix's or Exim's `sendmail`, `msmtp`…).
    public var path: String
    /// Extra arguments placed before `-t -i -f SENDER` (`?args=-C,/etc/msmtprc`: comma-separated).
    public var arguments: [String]
    /// Seconds the program has to take the message and exit; it is killed (and the error is
    /// temporary) after that.
    public var timeout: Double

    public init(path: String, arguments: [String] = [], timeout: Double = 30) {
        self.path = path
        self.arguments = arguments
        self.timeout = timeout
    }
}

/// Hands e-mail to a sendmail-compatible program: `PATH [ARGS…] -t -i -f SENDER`, started with
/// posix_spawn (no shell), in its own process group, the message on its standard input with
/// Unix line ends, standard output discarded, the first 4 KiB of standard error kept for the
/// error's reason. `-t` makes the program read the recipients from the headers, so the message
/// must name the envelope's recipient in them (checked); `-i` keeps a lone `.` line from ending
/// the message. Exit 0 is sent; the sysexits codes decide the error's kind: 65 EX_DATAERR (what
/// msmtp gives for an SMTP 5xx), 67 EX_NOUSER and 68 EX_NOHOST are permanent; 64 EX_USAGE, 77
/// EX_NOPERM, 78 EX_CONFIG, 126 and 127 (cannot run) are configuration errors; 75 EX_TEMPFAIL,
/// 69 EX_UNAVAILABLE (msmtp: an SMTP 4xx), every other code, a signal or the time limit are
/// temporary.
public final class SendmailTransport: MessageTransport, @unchecked Sendable {
    public let settings: SendmailSettings

    public init(_ settings: SendmailSettings) {
        self.settings = settings
    }

    public func send(_ envelope: Envelope) throws(DeliveryError) -> TransportReceipt {
        try SMTPTransport.validate(envelope)
        guard Self.headers(of: envelope.payload).contains(envelope.recipient.lowercased()) else {
            throw DeliveryError(.permanent, .invalidEnvelope, "the message's headers do not name the recipient (sendmail -t reads them)")
        }
        var argv = [settings.path] + settings.arguments + ["-t", "-i"]
        if !envelope.sender.isEmpty { argv += ["-f", envelope.sender] }
        let run: Subprocess.Result
        do throws(Subprocess.Failure) {
            run = try Subprocess.run(argv, input: Self.unixLineEnds(envelope.payload), timeout: settings.timeout)
        } catch {
            switch error.stage {
            case .pipe: throw DeliveryError(.temporary, .sendmailFailed, error.reason)
            case .spawn: throw DeliveryError(.configuration, .sendmailFailed, "cannot start \(argv[0]): \(error.reason)")
            }
        }
        let said = Redaction.clean(String(decoding: run.stderr, as: UTF8.self), recipient: envelope.recipient)
        let detail = said.isEmpty ? "" : ": " + said
        if let signal = run.signal {
            let what = run.timedOut ? "did not finish within \(Int(settings.timeout)) s and was killed" : "was killed by signal \(signal)"
            throw DeliveryError(.temporary, run.timedOut ? .timeout : .sendmailFailed, "\(settings.path) \(what)\(detail)")
        }
        let code = run.exitStatus ?? -1
        if code == 0 && run.inputClosedEarly {
            throw DeliveryError(.temporary, .sendmailFailed, "\(settings.path) exited before reading the whole message", status: 0)
        }
        switch code {
        case 0:
            return TransportReceipt(messageID: envelope.messageID, status: 0, reply: "exit 0")
        case 65, 67, 68:  // EX_DATAERR (msmtp: recipient refused with 5xx), EX_NOUSER, EX_NOHOST
            throw DeliveryError(.permanent, .sendmailFailed, "\(settings.path) exited with \(code)\(detail)", status: code)
        case 64, 77, 78, 126, 127:  // EX_USAGE, EX_NOPERM, EX_CONFIG, cannot execute, not found
            throw DeliveryError(.configuration, .sendmailFailed, "\(settings.path) exited with \(code)\(detail)", status: code)
        default:
            throw DeliveryError(.temporary, .sendmailFailed, "\(settings.path) exited with \(code)\(detail)", status: code)
        }
    }

    /// The header block (up to the first empty line), lower-cased.
    static func headers(of message: [UInt8]) -> String {
        var end = message.count
        for i in 0..<message.count where message[i] == 0x0A {
            if i + 1 < message.count, message[i + 1] == 0x0A { end = i; break }
            if i + 2 < message.count, message[i + 1] == 0x0D, message[i + 2] == 0x0A { end = i; break }
        }
        return String(decoding: message[..<end], as: UTF8.self).lowercased()
    }

    /// CRLF → LF: sendmail reads local text.
    static func unixLineEnds(_ b: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            if b[i] == 0x0D, i + 1 < b.count, b[i + 1] == 0x0A { i += 1; continue }
            out.append(b[i])
            i += 1
        }
        return out
    }
}
