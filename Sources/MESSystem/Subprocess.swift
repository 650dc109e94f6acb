#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

#if os(Linux)
/// glibc's pipe2, which Glibc does not export to Swift (it needs _GNU_SOURCE).
@_silgen_name("pipe2") private func c_pipe2(_ fds: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32
/// glibc ≥ 2.34's posix_spawn_file_actions_addclosefrom_np, likewise.
@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
private func c_addclosefrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ from: Int32) -> Int32
#endif

/// Runs a program with bytes on its standard input, under a deadline: posix_spawn (no shell),
/// its own process group, standard output discarded, the first 4 KiB of standard error kept;
/// killed (the whole group) when the deadline passes.
public enum Subprocess {
    /// How the program ended.
    public struct Result: Sendable {
        /// Its exit code, when it exited.
        public var exitStatus: Int?
        /// The signal that ended it, when one did.
        public var signal: Int?
        /// It was still running at the deadline and was killed.
        public var timedOut = false
        /// The program closed its standard input before taking all of it (EPIPE).
        public var inputClosedEarly = false
        /// The first 4 KiB of its standard error.
        public var stderr: [UInt8] = []
    }

    /// Why a program could not be run at all.
    public struct Failure: Error, Sendable {
        public enum Stage: Sendable {
            /// A pipe could not be made (`reason` is `pipe: <strerror>`).
            case pipe
            /// The program could not be started (`reason` is `strerror`'s text).
            case spawn
        }
        public var stage: Stage
        public var reason: String
    }

    /// Runs `argv` (`argv[0]` an absolute path) with `input` on its standard input, for at
    /// most `timeout` seconds.
    public static func run(_ argv: [String], input: [UInt8], timeout: Double) throws(Failure) -> Result {
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
            throw Failure(stage: .spawn, reason: String(cString: strerror(spawned)))
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

    private static func now() -> Double { Monotonic.seconds() }

    private static func failure(_ what: String) -> Failure {
        Failure(stage: .pipe, reason: "\(what): \(String(cString: strerror(errno)))")
    }
}
