/// A small deterministic generator (SplitMix64) for reproducible fixtures.
/// Never used for secrets: codes and tokens come from the system CSPRNG.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A seed given as text: a number is used as is, anything else is hashed (FNV-1a).
public func seedValue(_ text: String) -> UInt64 {
    if let v = UInt64(text) { return v }
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
    return h
}
