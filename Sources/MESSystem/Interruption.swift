#if canImport(Glibc)
import Glibc
#endif

/// SIGINT and SIGTERM turned into a request to stop, for work that stops cleanly between two
/// steps (an association's batch: what is done stays done and is reported). The first signal
/// is noted; a second one while the work is still stopping ends the process as the signal
/// would. Outside `watch`, signals keep their default action.
public enum Interruption {
    /// Set by the handler (an `sig_atomic_t`, the one kind of store a handler may make).
    private nonisolated(unsafe) static let flag: UnsafeMutablePointer<sig_atomic_t> = {
        let p = UnsafeMutablePointer<sig_atomic_t>.allocate(capacity: 1)
        p.initialize(to: 0)
        return p
    }()
    private static let signals: [Int32] = [SIGINT, SIGTERM]

    /// Thrown by a read that a signal interrupted while `watch` was on: what was read so far is
    /// whole, the rest is not to be read.
    public struct Stopped: Error {}

    /// For a read that failed with `EINTR`: throws `Stopped` when a signal asked to stop (a
    /// blocked read on an idle terminal or pipe stops with Ctrl-C), else returns (read again).
    public static func stopIfRequested() throws {
        if requested != nil { throw Stopped() }
    }

    /// Which signal asked to stop since `watch` began (nil: none).
    public static var requested: Int32? {
        let s = flag.pointee
        return s == 0 ? nil : s
    }

    /// Notes SIGINT and SIGTERM until `end` is called. They are unblocked on the calling
    /// thread: a process started with them blocked (some launchers hand their mask on) would
    /// otherwise never see Ctrl-C.
    public static func watch() {
        flag.pointee = 0
        var set = sigset_t()
        sigemptyset(&set)
        for sig in signals { sigaddset(&set, sig) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        for sig in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { sig in
                if Interruption.flag.pointee != 0 {
                    // Asked twice: stop now, as the signal would have.
                    signal(sig, SIG_DFL)
                    raise(sig)
                    return
                }
                Interruption.flag.pointee = sig
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0  // no SA_RESTART: a read blocked on a terminal or a pipe returns EINTR
            sigaction(sig, &action, nil)
        }
    }

    /// Gives SIGINT and SIGTERM back their default action.
    public static func end() {
        for sig in signals { signal(sig, SIG_DFL) }
    }
}
