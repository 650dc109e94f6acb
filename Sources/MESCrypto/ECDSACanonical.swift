import CCrypto

/// ECDSA signatures in their one canonical form, low S (s ≤ n/2, n the curve's order): a
/// signature (r, s) also verifies as (r, n − s), so a signer that always gives the low one and a
/// verifier that refuses the high one leave no second valid signature for the same document.
enum ECDSACanonical {
    /// P-256's order n and n/2.
    nonisolated(unsafe) static let order: (n: OpaquePointer, half: OpaquePointer) = {
        let group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1)!
        defer { EC_GROUP_free(group) }
        let n = BN_dup(EC_GROUP_get0_order(group))!
        let half = BN_new()!
        BN_rshift1(half, n)
        return (n, half)
    }()

    /// The largest canonical signature in DER for a key whose largest signature is `keySize`
    /// bytes (`EVP_PKEY_get_size`: r and s each with a leading zero): P-256's order has its top
    /// bit set, so a low S (≤ n/2) never takes one, and the SEQUENCE's length stays one byte.
    static func largestSize(keySize: Int) -> Int { keySize - 1 }

    /// The signature (DER) with S made low; nil when `der` is not an ECDSA signature.
    static func lowS(_ der: ArraySlice<UInt8>) -> [UInt8]? {
        der.withUnsafeBufferPointer { b -> [UInt8]? in
            var p: UnsafePointer<UInt8>? = b.baseAddress
            guard let sig = d2i_ECDSA_SIG(nil, &p, b.count) else { return nil }
            defer { ECDSA_SIG_free(sig) }
            guard let s = ECDSA_SIG_get0_s(sig), let r = ECDSA_SIG_get0_r(sig) else { return nil }
            if BN_cmp(s, order.half) <= 0 { return Array(der) }
            guard let low = BN_new() else { return nil }
            guard BN_sub(low, order.n, s) == 1, let rCopy = BN_dup(r) else { BN_free(low); return nil }
            guard ECDSA_SIG_set0(sig, rCopy, low) == 1 else { BN_free(low); BN_free(rCopy); return nil }
            var out: UnsafeMutablePointer<UInt8>?
            let len = i2d_ECDSA_SIG(sig, &out)
            guard len > 0, let out else { return nil }
            defer { CRYPTO_free(out, nil, 0) }
            return Array(UnsafeBufferPointer(start: out, count: Int(len)))
        }
    }

    /// Whether `der` is an ECDSA signature with low S, in DER as `i2d_ECDSA_SIG` writes it.
    static func isLowS(_ der: UnsafeBufferPointer<UInt8>) -> Bool {
        var p: UnsafePointer<UInt8>? = der.baseAddress
        guard let sig = d2i_ECDSA_SIG(nil, &p, der.count) else { return false }
        defer { ECDSA_SIG_free(sig) }
        guard p == der.baseAddress! + der.count, let s = ECDSA_SIG_get0_s(sig) else { return false }
        return BN_cmp(s, order.half) <= 0
    }
}
