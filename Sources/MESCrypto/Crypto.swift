import Synchronization
import CCrypto
import MESCore

/// Cryptographic primitives from OpenSSL's libcrypto. Nothing here is hand-rolled.
public enum Crypto {
    /// `count` bytes from OpenSSL's CSPRNG. Small requests (a code, a nonce) are served from a
    /// block drawn 4 KiB at a time, each byte handed out once and wiped: a notification wave asks
    /// for millions, and each call into the DRBG costs about a microsecond of locking.
    public static func randomBytes(_ count: Int) -> [UInt8] {
        if count <= 64 { return RandomBlock.shared.take(count) }
        var out = [UInt8](repeating: 0, count: count)
        let rc = out.withUnsafeMutableBytes { RAND_bytes($0.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(count)) }
        precondition(rc == 1, "RAND_bytes failed")
        return out
    }

    /// HMAC-SHA-256 of `message` under `key`.
    public static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var len: UInt32 = 32
        key.withUnsafeBytes { k in
            message.withUnsafeBytes { m in
                out.withUnsafeMutableBytes { o in
                    _ = HMAC(EVP_sha256(), k.baseAddress, Int32(key.count),
                             m.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 1),
                             message.count, o.baseAddress!.assumingMemoryBound(to: UInt8.self), &len)
                }
            }
        }
        return out
    }

    public static func hmacSHA256(key: [UInt8], _ message: String) -> [UInt8] {
        hmacSHA256(key: key, message: Array(message.utf8))
    }

    /// Compares two byte strings in time that depends only on their length.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return a.withUnsafeBytes { x in b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, a.count) == 0 } }
    }

    /// The same comparison for bytes read in place (e.g. a digest column).
    public static func constantTimeEqual(_ a: UnsafeBufferPointer<UInt8>, _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return b.withUnsafeBytes { y in CRYPTO_memcmp(a.baseAddress, y.baseAddress, a.count) == 0 }
    }

    /// scrypt (memory-hard) through OpenSSL's `EVP_PBE_scrypt`.
    public static func scrypt(password: [UInt8], salt: [UInt8], n: UInt64, r: UInt64, p: UInt64, length: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: length)
        let rc = password.withUnsafeBytes { pw in
            salt.withUnsafeBytes { s in
                out.withUnsafeMutableBytes { o in
                    EVP_PBE_scrypt(pw.baseAddress?.assumingMemoryBound(to: CChar.self), password.count,
                                   s.baseAddress?.assumingMemoryBound(to: UInt8.self), salt.count, n, r, p,
                                   256 * 1024 * 1024, o.baseAddress!.assumingMemoryBound(to: UInt8.self), length)
                }
            }
        }
        return rc == 1 ? out : nil
    }
}

/// The system's random source: OpenSSL's CSPRNG.
/// A block of CSPRNG output served in small pieces (see `Crypto.randomBytes`).
final class RandomBlock: Sendable {
    static let shared = RandomBlock()
    private struct Pool {
        var block = [UInt8](repeating: 0, count: 4096)
        var used = 4096
    }
    private let pool = Mutex(Pool())

    func take(_ count: Int) -> [UInt8] {
        pool.withLock { p in
            if p.used + count > p.block.count {
                let rc = p.block.withUnsafeMutableBytes { RAND_bytes($0.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32($0.count)) }
                precondition(rc == 1, "RAND_bytes failed")
                p.used = 0
            }
            let out = Array(p.block[p.used..<p.used + count])
            for i in p.used..<p.used + count { p.block[i] = 0 }
            p.used += count
            return out
        }
    }
}

public struct SystemRandom: RandomSource {
    public init() {}
    public func bytes(_ count: Int) -> [UInt8] { Crypto.randomBytes(count) }
}

/// Lower-case hexadecimal.
public func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    out.reserveCapacity(bytes.count * 2)
    for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
    return String(decoding: out, as: UTF8.self)
}

/// An HMAC-SHA-256 key set up once (OpenSSL's EVP_MAC), for computing many MACs cheaply.
/// Not thread-safe: one per thread (the store uses one connection on one thread).
public final class HMACKey {
    private let ctx: OpaquePointer

    public init(key: [UInt8]) {
        let mac = EVP_MAC_fetch(nil, "HMAC", nil)
        precondition(mac != nil, "EVP_MAC_fetch(HMAC) failed")
        ctx = EVP_MAC_CTX_new(mac)!
        EVP_MAC_free(mac)
        let rc = "digest".withCString { name in
            "SHA256".withCString { digest in
                var params = [OSSL_PARAM_construct_utf8_string(name, UnsafeMutablePointer(mutating: digest), 0),
                              OSSL_PARAM_construct_end()]
                return key.withUnsafeBufferPointer { k in EVP_MAC_init(ctx, k.baseAddress, key.count, &params) }
            }
        }
        precondition(rc == 1, "EVP_MAC_init failed")
    }

    deinit { EVP_MAC_CTX_free(ctx) }

    /// HMAC-SHA-256 of `message` under this key.
    public func mac(_ message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var len = 0
        let ok = EVP_MAC_init(ctx, nil, 0, nil) == 1
            && message.withUnsafeBufferPointer { EVP_MAC_update(ctx, $0.baseAddress, message.count) } == 1
            && out.withUnsafeMutableBufferPointer { EVP_MAC_final(ctx, $0.baseAddress, &len, 32) } == 1
        precondition(ok && len == 32, "HMAC failed")
        return out
    }

    public func mac(_ message: String) -> [UInt8] { mac(Array(message.utf8)) }
}

/// Password hashing with scrypt (memory-hard), through OpenSSL's `EVP_PBE_scrypt`.
/// Stored form: `$scrypt$ln=15,r=8,p=1$<salt, base64>$<hash, base64>` (N = 2^15, r = 8, p = 1:
/// 32 MiB of memory per hash, 16-byte random salt, 32-byte output).
public enum PasswordHasher {
    public static let logN: UInt64 = Policy.standard.passwordHashCost, r: UInt64 = 8, p: UInt64 = 1

    public static func hash(_ password: String, logN: UInt64 = PasswordHasher.logN) -> String {
        let salt = Crypto.randomBytes(16)
        let out = Crypto.scrypt(password: Array(password.utf8), salt: salt, n: 1 << logN, r: r, p: p, length: 32)!
        return "$scrypt$ln=\(logN),r=\(r),p=\(p)$\(base64(salt))$\(base64(out))"
    }

    /// Checks a password against a stored hash in constant time.
    public static func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$")
        guard parts.count == 4, parts[0] == "scrypt" else { return false }
        var params: [String: UInt64] = [:]
        for kv in parts[1].split(separator: ",") {
            let pair = kv.split(separator: "=")
            if pair.count == 2, let v = UInt64(pair[1]) { params[String(pair[0])] = v }
        }
        guard let ln = params["ln"], let r = params["r"], let p = params["p"], ln <= 20,
              let salt = unbase64(String(parts[2])), let expected = unbase64(String(parts[3])),
              let got = Crypto.scrypt(password: Array(password.utf8), salt: salt, n: 1 << ln, r: r, p: p, length: expected.count)
        else { return false }
        return Crypto.constantTimeEqual(got, expected)
    }

    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func base64(_ b: [UInt8]) -> String {
        var out = [UInt8]()
        var i = 0
        while i < b.count {
            let n = min(3, b.count - i)
            var v = UInt32(b[i]) << 16
            if n > 1 { v |= UInt32(b[i + 1]) << 8 }
            if n > 2 { v |= UInt32(b[i + 2]) }
            for k in 0..<4 { out.append(k <= n ? alphabet[Int((v >> (18 - 6 * UInt32(k))) & 63)] : 0x3D) }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func unbase64(_ s: String) -> [UInt8]? {
        var out = [UInt8]()
        var buffer: UInt32 = 0, bits = 0
        for c in s.utf8 where c != 0x3D {
            guard let v = alphabet.firstIndex(of: c) else { return nil }
            buffer = (buffer << 6) | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((buffer >> UInt32(bits)) & 0xFF))
            }
        }
        return out
    }
}

/// SHA-256 over bytes handed piece by piece (libcrypto's EVP digest): a file's digest while it
/// is written, without holding it.
public final class SHA256Hasher {
    private let ctx: OpaquePointer

    public init() {
        ctx = EVP_MD_CTX_new()!
        EVP_DigestInit_ex(ctx, EVP_sha256(), nil)
    }

    deinit { EVP_MD_CTX_free(ctx) }

    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { _ = EVP_DigestUpdate(ctx, $0.baseAddress, $0.count) }
    }

    /// The digest of everything handed so far (32 bytes).
    public func finish() -> [UInt8] {
        var md = [UInt8](repeating: 0, count: 32)
        var len: UInt32 = 0
        EVP_DigestFinal_ex(ctx, &md, &len)
        return md
    }

    /// The digest of `bytes`.
    public static func digest(_ bytes: [UInt8]) -> [UInt8] {
        let h = SHA256Hasher()
        h.update(bytes)
        return h.finish()
    }
}
