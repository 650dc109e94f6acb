#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A mutex (pthread). `mes` links no Foundation (whose NSLock, NSCondition and Thread would
/// bring ICU and its 30 MB of data into the binary, and their relocations into every start).
public final class Lock: @unchecked Sendable {
    fileprivate let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    public init() { pthread_mutex_init(mutex, nil) }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    public func lock() { pthread_mutex_lock(mutex) }
    public func unlock() { pthread_mutex_unlock(mutex) }

    /// Runs `body` with the mutex held.
    public func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}

/// A mutex and its condition variable (pthread): `lock`, then `wait` until what is awaited
/// holds, `broadcast` when it may have changed.
public final class Condition: @unchecked Sendable {
    private let lockWord = Lock()
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    public init() { pthread_cond_init(cond, nil) }

    deinit {
        pthread_cond_destroy(cond)
        cond.deallocate()
    }

    public func lock() { lockWord.lock() }
    public func unlock() { lockWord.unlock() }
    /// Waits for a `signal` or `broadcast` (the mutex held; held again on return).
    public func wait() { pthread_cond_wait(cond, lockWord.mutex) }
    public func signal() { pthread_cond_signal(cond) }
    public func broadcast() { pthread_cond_broadcast(cond) }
}

/// Threads of `mes`'s own (pthread, detached).
public enum Threads {
    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    /// Runs `body` on a detached thread with a stack of `stackSize` bytes; false (and `body` not
    /// run) when no thread can be made (the system's limit on threads reached).
    @discardableResult
    public static func start(stackSize: Int = 1 << 22, _ body: @escaping @Sendable () -> Void) -> Bool {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, stackSize)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        let box = Unmanaged.passRetained(Body(body)).toOpaque()
        var thread = pthread_t()
        let started = pthread_create(&thread, &attributes, { context in
            Unmanaged<Body>.fromOpaque(context!).takeRetainedValue().run()
            return nil
        }, box)
        if started != 0 { Unmanaged<Body>.fromOpaque(box).release() }
        return started == 0
    }
}
