import CCrypto

/// Authenticated encryption with AES-256-GCM (OpenSSL's EVP): what the store keeps of a message
/// that carries a code, so that the database file alone never holds one in clear. A sealed box
/// is `nonce (12) ‖ ciphertext ‖ tag (16)`; each nonce is drawn from the CSPRNG. Not
/// thread-safe: one per thread (the context is reused).
public final class SealingKey {
    private let key: [UInt8]
    private let ctx: OpaquePointer
    public static let nonceSize = 12, tagSize = 16

    /// `key`: 32 bytes.
    public init(key: [UInt8]) {
        precondition(key.count == 32, "AES-256 needs a 32-byte key")
        self.key = key
        ctx = EVP_CIPHER_CTX_new()!
    }

    deinit { EVP_CIPHER_CTX_free(ctx) }

    /// Encrypts and authenticates `plaintext`, bound to `context` (associated data).
    public func seal(_ plaintext: [UInt8], context: [UInt8] = []) -> [UInt8] {
        let nonce = Crypto.randomBytes(Self.nonceSize)
        var out = [UInt8](repeating: 0, count: Self.nonceSize + plaintext.count + Self.tagSize)
        var len: Int32 = 0
        let ok = out.withUnsafeMutableBufferPointer { o -> Bool in
            guard EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nil, key, nonce) == 1 else { return false }
            if !context.isEmpty {
                guard EVP_EncryptUpdate(ctx, nil, &len, context, Int32(context.count)) == 1 else { return false }
            }
            let body = o.baseAddress! + Self.nonceSize
            if !plaintext.isEmpty {
                guard EVP_EncryptUpdate(ctx, body, &len, plaintext, Int32(plaintext.count)) == 1 else { return false }
            }
            guard EVP_EncryptFinal_ex(ctx, body + plaintext.count, &len) == 1 else { return false }
            return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, Int32(Self.tagSize), body + plaintext.count) == 1
        }
        precondition(ok, "AES-256-GCM sealing failed")
        out.replaceSubrange(0..<Self.nonceSize, with: nonce)
        return out
    }

    /// The plaintext, or nil when `box` was not sealed by this key for `context`, or was changed.
    public func open(_ box: [UInt8], context: [UInt8] = []) -> [UInt8]? {
        guard box.count >= Self.nonceSize + Self.tagSize else { return nil }
        let n = box.count - Self.nonceSize - Self.tagSize
        var out = [UInt8](repeating: 0, count: max(n, 1))
        var len: Int32 = 0
        let ok = box.withUnsafeBufferPointer { b -> Bool in
            let nonce = b.baseAddress!, body = b.baseAddress! + Self.nonceSize
            var tag = Array(b[(Self.nonceSize + n)...])
            guard EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nil, key, nonce) == 1 else { return false }
            if !context.isEmpty {
                guard EVP_DecryptUpdate(ctx, nil, &len, context, Int32(context.count)) == 1 else { return false }
            }
            if n > 0 {
                guard out.withUnsafeMutableBufferPointer({ EVP_DecryptUpdate(ctx, $0.baseAddress, &len, body, Int32(n)) }) == 1 else { return false }
            }
            guard EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, Int32(Self.tagSize), &tag) == 1 else { return false }
            var tail = [UInt8](repeating: 0, count: 16)
            return EVP_DecryptFinal_ex(ctx, &tail, &len) == 1
        }
        return ok ? Array(out.prefix(n)) : nil
    }
}
