/// Where secrets come from (codes, one-time codes). Injected into the service so tests can
/// control it; the real one is OpenSSL's CSPRNG (`SystemRandom` in MESCrypto).
public protocol RandomSource: Sendable {
    /// `count` uniformly random bytes.
    func bytes(_ count: Int) -> [UInt8]
}

extension RandomSource {
    /// A string drawn uniformly from `alphabet` without modulo bias (rejection sampling).
    public func string(length: Int, alphabet: [UInt8]) -> String {
        precondition(!alphabet.isEmpty && alphabet.count <= 256)
        let limit = 256 - (256 % alphabet.count)
        var out = [UInt8]()
        out.reserveCapacity(length)
        while out.count < length {
            for b in bytes(length * 2) where Int(b) < limit && out.count < length {
                out.append(alphabet[Int(b) % alphabet.count])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A 12-character provisional code.
    public func provisionalCode() -> String { string(length: ProvisionalCode.length, alphabet: ProvisionalCode.alphabet) }

    /// A 6-digit one-time code.
    public func oneTimeCode() -> String { string(length: 6, alphabet: Array("0123456789".utf8)) }
}
