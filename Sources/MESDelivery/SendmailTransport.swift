import MESCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
        let run = try Subprocess.run(argv, input: Self.unixLineEnds(envelope.payload), timeout: settings.timeout)
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

#if os(Linux)
/// glibc's pipe2, which Glibc does not export to Swift (it needs _GNU_SOURCE).
@_silgen_name("pipe2") private func c_pipe2(_ fds: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32
/// glibc ≥ 2.34's posix_spawn_file_actions_addclosefrom_np, likewise.
@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
private func c_addclosefrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ from: Int32) -> Int32
#endif

/// Runs a program with bytes on its standard input, under a deadline.
enum Subprocess {
    struct Result {
        var exitStatus: Int?
        var signal: Int?
        var timedOut = false
        /// The program closed its standard input before taking all of it (EPIPE).
        var inputClosedEarly = false
        var stderr: [UInt8] = []
    }

    static func run(_ argv: [String], input: [UInt8], timeout: Double) throws(DeliveryError) -> Result {
        let deadline = now() + timeout
        var inPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        guard makePipe(&inPipe) == 0 else { throw failure("pipe") }
        guard makePipe(&errPipe) == 0 else {
            close(inPipe[0]); close(inPipe[1])
            throw failure("pipe")
        }
        var childIn = inPipe[0], childErr = errPipe[1]
        defer {
            if childIn >= 0 { close(childIn) }
            if childErr >= 0 { close(childErr) }
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        #if os(Linux)
        _ = c_addclosefrom(&actions, 3)  // descriptors opened without close-on-exec (sockets…) stay ours
        #endif
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var noSignals = sigset_t(), defaults = sigset_t()
        sigemptyset(&noSignals)
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigmask(&attr, &noSignals)
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setpgroup(&attr, 0)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let cArgs = argv.map { strdup($0) }
        defer { cArgs.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = (cArgs + [nil]).withUnsafeBufferPointer { args in
            posix_spawn(&pid, argv[0], &actions, &attr, UnsafeMutablePointer(mutating: args.baseAddress!), environ)
        }
        close(childIn); childIn = -1
        close(childErr); childErr = -1
        let toChild = inPipe[1], fromChild = errPipe[0]
        guard spawned == 0 else {
            close(toChild); close(fromChild)
            let why = String(cString: strerror(spawned))
            throw DeliveryError(.configuration, .sendmailFailed, "cannot start \(argv[0]): \(why)")
        }
        _ = fcntl(toChild, F_SETFL, fcntl(toChild, F_GETFL) | O_NONBLOCK)
        _ = fcntl(fromChild, F_SETFL, fcntl(fromChild, F_GETFL) | O_NONBLOCK)

        var result = Result()
        // A reader that goes away must not kill us with SIGPIPE: block it in this thread and
        // take the pending one back after EPIPE.
        var pipeSet = sigset_t(), oldMask = sigset_t()
        sigemptyset(&pipeSet)
        sigaddset(&pipeSet, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipeSet, &oldMask)
        var writeEnd = toChild, written = 0, errOpen = true, status: Int32 = 0, exited = false
        var buffer = [UInt8](repeating: 0, count: 4096)

        while !exited {
            let remaining = deadline - now()
            if remaining <= 0 { break }
            var fds: [pollfd] = []
            if writeEnd >= 0 { fds.append(pollfd(fd: writeEnd, events: Int16(POLLOUT), revents: 0)) }
            if errOpen { fds.append(pollfd(fd: fromChild, events: Int16(POLLIN), revents: 0)) }
            // Once the input is all written, check on the child often: its descendants may keep
            // stderr open after it exits.
            let wait = writeEnd >= 0 || errOpen ? min(remaining, 0.02) : min(remaining, 0.005)
            if !fds.isEmpty { _ = poll(&fds, nfds_t(fds.count), Int32(wait * 1000) + 1) } else { usleep(useconds_t(wait * 1_000_000)) }

            if writeEnd >= 0 {
                while written < input.count {
                    let n = input.withUnsafeBytes { write(writeEnd, $0.baseAddress! + written, min(65_536, input.count - written)) }
                    if n > 0 { written += n; continue }
                    if n < 0 && (errno == EAGAIN || errno == EINTR) { break }
                    if n < 0 && errno == EPIPE {
                        result.inputClosedEarly = true
                        var zero = timespec()
                        var pending = sigset_t()
                        sigpending(&pending)
                        if sigismember(&pending, SIGPIPE) == 1 { _ = sigtimedwait(&pipeSet, nil, &zero) }
                    }
                    written = input.count  // any other error: give up writing
                }
                if written >= input.count { close(writeEnd); writeEnd = -1 }
            }
            if errOpen {
                while true {
                    let n = read(fromChild, &buffer, buffer.count)
                    if n > 0 {
                        if result.stderr.count < 4096 { result.stderr += buffer[0..<min(n, 4096 - result.stderr.count)] }
                        continue
                    }
                    if n == 0 || (errno != EAGAIN && errno != EINTR) { errOpen = false }
                    break
                }
            }
            if writeEnd < 0, waitpid(pid, &status, WNOHANG) == pid { exited = true }
        }
        if writeEnd >= 0 { close(writeEnd) }
        pthread_sigmask(SIG_SETMASK, &oldMask, nil)
        if !exited {
            result.timedOut = true
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        // What the child wrote last, without waiting for descendants.
        while errOpen {
            let n = read(fromChild, &buffer, buffer.count)
            guard n > 0 else { break }
            if result.stderr.count < 4096 { result.stderr += buffer[0..<min(n, 4096 - result.stderr.count)] }
        }
        close(fromChild)
        if status & 0x7F == 0 { result.exitStatus = Int((status >> 8) & 0xFF) } else { result.signal = Int(status & 0x7F) }
        return result
    }

    /// A pipe whose ends close on exec, made atomically where the system can (no other thread's
    /// child can inherit it).
    private static func makePipe(_ fds: inout [Int32]) -> Int32 {
        #if os(Linux)
        return fds.withUnsafeMutableBufferPointer { c_pipe2($0.baseAddress!, O_CLOEXEC) }
        #else
        guard pipe(&fds) == 0 else { return -1 }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return 0
        #endif
    }

    private static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    private static func failure(_ what: String) -> DeliveryError {
        DeliveryError(.temporary, .sendmailFailed, "\(what): \(String(cString: strerror(errno)))")
    }
}
