/// A set of NIRs in 8 bytes each (a `Set<String>` of them takes about 40), for a generator that
/// must never give one twice however many it draws: each of the 15 characters is packed in 4
/// bits ('A' and 'B' of Corsica's departments are 10 and 11), so two NIRs are apart in the set
/// exactly when their texts differ. Open addressing with linear probing, at most 80% full.
struct NIRSet {
    /// Packed NIRs with the top bit set (0: a free slot); a power of two of them.
    private var slots: [UInt64]
    private(set) var count = 0

    /// Room for `capacity` NIRs before the first growth.
    init(capacity: Int = 0) {
        var size = 16
        while size * 4 / 5 < capacity { size *= 2 }
        slots = [UInt64](repeating: 0, count: size)
    }

    /// Adds `nir`; false when it was there already.
    mutating func insert(_ nir: NIR) -> Bool {
        if (count + 1) * 5 > slots.count * 4 { grow() }
        return place(Self.pack(nir))
    }

    func contains(_ nir: NIR) -> Bool {
        let key = Self.pack(nir), mask = slots.count - 1
        var i = Self.home(key, mask)
        while slots[i] != 0 {
            if slots[i] == key { return true }
            i = (i + 1) & mask
        }
        return false
    }

    private mutating func place(_ key: UInt64) -> Bool {
        let mask = slots.count - 1
        var i = Self.home(key, mask)
        return slots.withUnsafeMutableBufferPointer { s in
            while s[i] != 0 {
                if s[i] == key { return false }
                i = (i + 1) & mask
            }
            s[i] = key
            count += 1
            return true
        }
    }

    private mutating func grow() {
        let old = slots
        slots = [UInt64](repeating: 0, count: old.count * 2)
        count = 0
        for key in old where key != 0 { _ = place(key) }
    }

    /// The slot where a key's search starts (Fibonacci hashing: the product's top bits).
    private static func home(_ key: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - mask.nonzeroBitCount)) & mask
    }

    /// The 15 characters in 4 bits each (digits, then 'A' = 10 and 'B' = 11), top bit set.
    static func pack(_ nir: NIR) -> UInt64 {
        var key: UInt64 = 0, n = 0
        for b in nir.compact.utf8 {
            precondition(n < 15 && (b >= 0x30 && b <= 0x39 || b == 0x41 || b == 0x42), "NIRSet: not a compact NIR: \(nir.compact)")
            key = key << 4 | UInt64(b <= 0x39 ? b - 0x30 : b - 0x41 + 10)
            n += 1
        }
        precondition(n == 15, "NIRSet: not a compact NIR: \(nir.compact)")
        return key | 1 << 63
    }
}
