#if canImport(Glibc)
import Glibc
#endif

/// Bytes gathered from a part's text events, appended and cleared without an array's
/// bookkeeping (uniqueness checks, `replaceSubrange`): for the readers' state behind a
/// pointer (`WorksheetReader`, `SharedStringsReader`), whose `deinit` calls `free`.
struct ByteBuffer {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 64) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    /// The bytes appended since the last `clear`, valid until the next change.
    var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    @inline(__always) mutating func append(_ b: UnsafeBufferPointer<UInt8>) {
        guard let source = b.baseAddress, !b.isEmpty else { return }
        if b.count > capacity - count { grow(to: count + b.count) }
        memcpy(base + count, source, b.count)
        count += b.count
    }

    @inline(__always) mutating func clear() { count = 0 }

    private mutating func grow(to needed: Int) {
        var size = capacity * 2
        while size < needed { size *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        bigger.update(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = size
    }

    func free() { base.deallocate() }
}
