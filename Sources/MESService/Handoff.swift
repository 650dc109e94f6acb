import Dispatch
import MESCore
import MESSystem

/// A bounded queue between one producer thread and one consumer: `put` waits while the queue
/// is full, `take` while it is empty; `close` ends the stream; `cancel` (the consumer gave
/// up) makes every further `put` return at once so the producer can finish.
final class Handoff<Element>: @unchecked Sendable {
    private let condition = Condition()
    private var items: [Element] = []
    private var head = 0
    private var closed = false
    private var cancelled = false
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// Hands an element over; returns false once the consumer has cancelled.
    @discardableResult
    func put(_ e: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count - head >= capacity && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        items.append(e)
        condition.broadcast()
        return true
    }

    /// The next element, or nil when the producer closed the stream and all was taken.
    func take() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while items.count == head && !closed { condition.wait() }
        guard head < items.count else { return nil }
        let e = items[head]
        head += 1
        if head > 64 && head * 2 > items.count { items.removeFirst(head); head = 0 }
        condition.broadcast()
        return e
    }

    /// No more elements will come.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// The consumer stops taking: pending and further elements are dropped.
    func cancel() {
        condition.lock()
        cancelled = true
        items.removeAll()
        head = 0
        condition.broadcast()
        condition.unlock()
    }
}

/// Runs a body on a thread of its own; `join` waits for it and rethrows what it threw.
final class Worker: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var failure: Error?
    private var joined = false

    /// Starts `body` on a thread of its own (`name` says which in the error when none can be
    /// made: the system's limit on threads reached).
    init(_ name: String, _ body: @escaping () throws -> Void) throws {
        let job = UncheckedSendable(body)
        let started = Threads.start(stackSize: 1 << 22) { [self] in
            do { try job.value() } catch { failure = error }
            done.signal()
        }
        guard started else {
            joined = true
            throw MESError(.internal, "Impossible de lancer le fil d'exécution \(name) : le système n'en permet pas davantage.", field: "system")
        }
    }

    /// Waits for the body to return; rethrows its error.
    func join() throws {
        if !joined { done.wait(); joined = true }
        if let failure { throw failure }
    }

    deinit { if !joined { done.wait() } }
}

/// A value handed to another thread by a caller that guarantees the exclusive use.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
