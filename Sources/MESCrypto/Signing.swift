import CCrypto
import MESCore

// Signatures of receipts: an ECDSA P-256 (or RSA ≥ 2048) key with its X.509 certificate, and
// detached CMS SignedData (RFC 5652) made and checked by OpenSSL's libcrypto (EVP, X509, CMS).
// Nothing cryptographic is written here: hashing, signing and verification are libcrypto's.

/// Why a key, a certificate or a signature could not be made or read.
public struct SigningError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A short English reason, e.g. "the private key does not match the certificate".
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }

    /// The reason with OpenSSL's first queued error, if any (the queue is then cleared).
    static func openssl(_ reason: String) -> SigningError {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return SigningError(reason) }
        var buf = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buf, buf.count)
        let detail = String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return SigningError("\(reason) (\(detail))")
    }
}

/// An X.509 certificate (parsed once; immutable).
public final class Certificate: @unchecked Sendable {
    // X509 objects are reference-counted and safe to read from several threads; nothing here mutates one.
    let x509: OpaquePointer
    /// The DER encoding.
    public let der: [UInt8]

    /// Takes ownership of `x509`.
    init(owning x509: OpaquePointer) throws {
        self.x509 = x509
        let len = i2d_X509(x509, nil)
        guard len > 0 else { X509_free(x509); throw SigningError.openssl("cannot encode the certificate") }
        var out = [UInt8](repeating: 0, count: Int(len))
        let written = out.withUnsafeMutableBufferPointer { b -> Int32 in
            var p = b.baseAddress
            return i2d_X509(x509, &p)
        }
        guard written == len else { X509_free(x509); throw SigningError.openssl("cannot encode the certificate") }
        der = out
    }

    public convenience init(der: [UInt8]) throws {
        guard !der.isEmpty, der.count < 1 << 20 else { throw SigningError("not a DER certificate") }
        let x = der.withUnsafeBufferPointer { b -> OpaquePointer? in
            var p = b.baseAddress
            let x = d2i_X509(nil, &p, der.count)
            // Trailing bytes after the certificate: not one certificate.
            if let x, p != b.baseAddress! + der.count { X509_free(x); return nil }
            return x
        }
        guard let x else { throw SigningError.openssl("not a DER certificate") }
        try self.init(owning: x)
    }

    /// The first certificate of a PEM file (`-----BEGIN CERTIFICATE-----`).
    public convenience init(pem: [UInt8]) throws {
        let x: OpaquePointer? = withMemoryBIO(pem) { bio in PEM_read_bio_X509(bio, nil, noPassword, nil) }
        guard let x else { throw SigningError.openssl("not a PEM certificate") }
        try self.init(owning: x)
    }

    deinit { X509_free(x509) }

    /// `-----BEGIN CERTIFICATE-----` …
    public var pem: [UInt8] {
        withOutputBIO { PEM_write_bio_X509($0, x509) == 1 } ?? []
    }

    /// SHA-256 of the DER encoding.
    public var sha256: [UInt8] {
        var md = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var len: UInt32 = 0
        guard X509_digest(x509, EVP_sha256(), &md, &len) == 1 else { return [] }
        return Array(md.prefix(Int(len)))
    }

    /// SHA-256 fingerprint as `AB:CD:…` (as `openssl x509 -fingerprint -sha256` prints it).
    public var fingerprint: String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for (i, b) in sha256.enumerated() {
            if i > 0 { out.append(0x3A) }
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The subject's common name (CN), or "" without one.
    public var commonName: String {
        guard let name = X509_get_subject_name(x509) else { return "" }
        let i = X509_NAME_get_index_by_NID(name, NID_commonName, -1)
        guard i >= 0, let entry = X509_NAME_get_entry(name, i), let data = X509_NAME_ENTRY_get_data(entry) else { return "" }
        var utf8: UnsafeMutablePointer<UInt8>?
        let n = ASN1_STRING_to_UTF8(&utf8, data)
        guard n >= 0, let utf8 else { ERR_clear_error(); return "" }
        defer { CRYPTO_free(utf8, nil, 0) }
        return String(decoding: UnsafeBufferPointer(start: utf8, count: Int(n)), as: UTF8.self)
    }
}

/// A private key and its certificate: who signs receipts.
public final class SigningIdentity: @unchecked Sendable {
    // EVP_PKEY and X509 are reference-counted and safe to share read-only across threads.
    let pkey: OpaquePointer
    public let certificate: Certificate

    init(owning pkey: OpaquePointer, certificate: Certificate) {
        self.pkey = pkey
        self.certificate = certificate
    }

    deinit { EVP_PKEY_free(pkey) }

    /// A new ECDSA P-256 key with a self-signed certificate (SHA-256, random 128-bit serial,
    /// key usage digitalSignature + nonRepudiation, CA:FALSE), valid from `now` for `validityDays`.
    public static func generate(commonName: String, organization: String, validityDays: Int, now: Int64) throws -> SigningIdentity {
        guard validityDays > 0, validityDays <= 36_500 else { throw SigningError("validity must be 1 to 36500 days") }
        guard !commonName.isEmpty, commonName.utf8.count <= 64, organization.utf8.count <= 64 else {
            throw SigningError("the common name must be 1 to 64 bytes, the organization at most 64")
        }
        guard let kctx = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else { throw SigningError.openssl("no EC support") }
        defer { EVP_PKEY_CTX_free(kctx) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(kctx) == 1, EVP_PKEY_CTX_set_group_name(kctx, "P-256") == 1,
              EVP_PKEY_generate(kctx, &key) == 1, let key
        else { throw SigningError.openssl("cannot generate a P-256 key") }

        guard let x = X509_new() else { EVP_PKEY_free(key); throw SigningError.openssl("out of memory") }
        let cert: Certificate
        do {
            var serial = Crypto.randomBytes(16)
            serial[0] = (serial[0] & 0x7F) | 0x40  // positive, 16 significant bytes
            let bn = BN_bin2bn(serial, Int32(serial.count), nil)
            defer { BN_free(bn) }
            let name = X509_get_subject_name(x)
            var ok = X509_set_version(x, 2) == 1
                && bn != nil && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != nil
                && ASN1_TIME_set(X509_getm_notBefore(x), time_t(now)) != nil
                && ASN1_TIME_adj(X509_getm_notAfter(x), time_t(now), Int32(validityDays), 0) != nil
                && X509_set_pubkey(x, key) == 1
                && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, commonName, -1, -1, 0) == 1
            if ok && !organization.isEmpty {
                ok = X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, organization, -1, -1, 0) == 1
            }
            ok = ok && X509_set_issuer_name(x, name) == 1
            var v3 = X509V3_CTX()
            X509V3_set_ctx(&v3, x, x, nil, nil, 0)
            for (nid, value) in [(NID_basic_constraints, "critical,CA:FALSE"),
                                 (NID_key_usage, "critical,digitalSignature,nonRepudiation"),
                                 (NID_subject_key_identifier, "hash")] where ok {
                if let ext = X509V3_EXT_nconf_nid(nil, &v3, nid, value) {
                    ok = X509_add_ext(x, ext, -1) == 1
                    X509_EXTENSION_free(ext)
                } else {
                    ok = false
                }
            }
            ok = ok && X509_sign(x, key, EVP_sha256()) > 0
            guard ok else { throw SigningError.openssl("cannot make the certificate") }
            cert = try Certificate(owning: x)
        } catch {
            X509_free(x)
            EVP_PKEY_free(key)
            throw error
        }
        return SigningIdentity(owning: key, certificate: cert)
    }

    /// A PKCS#8 (or traditional) PEM private key, unencrypted, and the PEM certificate it belongs to.
    /// The key must be EC P-256 or RSA of at least 2048 bits and match the certificate's public key.
    public convenience init(keyPEM: [UInt8], certificatePEM: [UInt8]) throws {
        let cert = try Certificate(pem: certificatePEM)
        let key: OpaquePointer? = withMemoryBIO(keyPEM) { bio in PEM_read_bio_PrivateKey(bio, nil, noPassword, nil) }
        guard let key else { throw SigningError.openssl("not an unencrypted PEM private key") }
        do {
            try Self.checkKind(key)
            guard X509_check_private_key(cert.x509, key) == 1 else {
                ERR_clear_error()
                throw SigningError("the private key does not match the certificate")
            }
        } catch {
            EVP_PKEY_free(key)
            throw error
        }
        self.init(owning: key, certificate: cert)
    }

    static func checkKind(_ key: OpaquePointer) throws {
        switch EVP_PKEY_get_base_id(key) {
        case EVP_PKEY_EC:
            var name = [CChar](repeating: 0, count: 64)
            var len = 0
            guard EVP_PKEY_get_group_name(key, &name, name.count, &len) == 1 else {
                throw SigningError.openssl("the EC key has no named curve")
            }
            let curve = String(decoding: name.prefix(len).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard ["prime256v1", "P-256", "secp256r1"].contains(curve) else {
                throw SigningError("the EC key must be on P-256, not \(curve)")
            }
        case EVP_PKEY_RSA:
            guard EVP_PKEY_get_bits(key) >= 2048 else { throw SigningError("the RSA key must have at least 2048 bits") }
        default:
            throw SigningError("the key must be EC P-256 or RSA")
        }
    }

    /// The private key as unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    public var keyPEM: [UInt8] {
        withOutputBIO { PEM_write_bio_PKCS8PrivateKey($0, pkey, nil, nil, 0, nil, nil) == 1 } ?? []
    }

    public var certificatePEM: [UInt8] { certificate.pem }
    public var certificateDER: [UInt8] { certificate.der }
    /// SHA-256 fingerprint of the certificate, `AB:CD:…`.
    public var fingerprint: String { certificate.fingerprint }
    public var commonName: String { certificate.commonName }
}

/// Makes detached CMS SignedData (SHA-256, signer certificate included, signed attributes
/// content-type, message-digest and ESS signing-certificate-v2, no signing time: CAdES-BES as
/// PAdES baseline B-B wants it) for many documents with one identity.
///
/// The SignedData is built once by OpenSSL (`CMS_sign` + `CMS_add1_signer(… CMS_CADES)` +
/// `CMS_final`), then each signature only changes the message digest and the signature value:
/// each document costs one SHA-256 of the document, one SHA-256 of the signed attributes and one
/// `EVP_PKEY_sign`. The DER is OpenSSL's own encoding of the SignedData, kept once as a template
/// in which each signature puts its digest, its signature value and the five lengths that
/// enclose it (re-encoding the whole structure with `i2d_CMS_ContentInfo` cost about a third of
/// a signature); where the template cannot be used, `i2d_CMS_ContentInfo` encodes each one.
/// Debug builds compare every template output with `i2d_CMS_ContentInfo`, and the result is
/// checked once at creation with `CMS_verify`.
///
/// Not thread-safe (it reuses its OpenSSL contexts): one signer per thread.
public final class CMSSigner {
    public let identity: SigningIdentity
    private let cms: OpaquePointer
    private let signerInfo: OpaquePointer
    private let messageDigest: UnsafeMutablePointer<ASN1_OCTET_STRING>
    private let signatureValue: UnsafeMutablePointer<ASN1_OCTET_STRING>
    private let mdctx: OpaquePointer
    private let pctx: OpaquePointer
    private let sha256: OpaquePointer
    /// OpenSSL's DER of the SignedData up to the signature value, nil if it cannot be used.
    private var template: DER.Template?
    /// DER of the signed attributes (`SET OF Attribute`, tag 0x31), the digest at `digestAt`.
    private var signedAttributes: [UInt8]
    private let digestAt: Int
    private var signatureBuffer: [UInt8]
    /// The largest DER this signer produces (exact when it encodes from its template; an upper
    /// bound otherwise): what a signature slot must hold.
    public let maximumSize: Int
    /// Whether the key is ECDSA (its signatures are made canonical: low S).
    private var isECDSA: Bool { EVP_PKEY_get_base_id(identity.pkey) == EVP_PKEY_EC }

    static let flags = UInt32(CMS_DETACHED | CMS_BINARY | CMS_NOSMIMECAP)

    public init(identity: SigningIdentity) throws {
        self.identity = identity
        guard let cms = CMS_sign(nil, nil, nil, nil, Self.flags | UInt32(CMS_PARTIAL)) else {
            throw SigningError.openssl("CMS_sign failed")
        }
        self.cms = cms
        guard let sha256 = EVP_MD_fetch(nil, "SHA256", nil) else { CMS_ContentInfo_free(cms); throw SigningError.openssl("no SHA-256") }
        self.sha256 = sha256
        guard let mdctx = EVP_MD_CTX_new() else {
            CMS_ContentInfo_free(cms); EVP_MD_free(sha256)
            throw SigningError.openssl("out of memory")
        }
        self.mdctx = mdctx
        guard let pctx = EVP_PKEY_CTX_new(identity.pkey, nil) else {
            CMS_ContentInfo_free(cms); EVP_MD_CTX_free(mdctx); EVP_MD_free(sha256)
            throw SigningError.openssl("out of memory")
        }
        self.pctx = pctx
        do {
            guard let si = CMS_add1_signer(cms, identity.certificate.x509, identity.pkey, EVP_sha256(),
                                           Self.flags | UInt32(CMS_CADES)) else {
                throw SigningError.openssl("CMS_add1_signer failed")
            }
            signerInfo = si
            let finished = withMemoryBIO([0x2E]) { CMS_final(cms, $0, nil, Self.flags) }
            guard finished == 1 else { throw SigningError.openssl("CMS_final failed") }
            // OpenSSL 3.0 always adds a signing time: PAdES leaves it out (the time is /M).
            let t = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1)
            if t >= 0 { X509_ATTRIBUTE_free(CMS_signed_delete_attr(si, t)) }

            let md = CMS_signed_get_attr_by_NID(si, NID_pkcs9_messageDigest, -1)
            guard md >= 0, let mdAttr = CMS_signed_get_attr(si, md),
                  let mdValue = X509_ATTRIBUTE_get0_data(mdAttr, 0, V_ASN1_OCTET_STRING, nil),
                  let sigValue = CMS_SignerInfo_get0_signature(si)
            else { throw SigningError.openssl("no message digest in the signed attributes") }
            messageDigest = mdValue.assumingMemoryBound(to: ASN1_OCTET_STRING.self)
            signatureValue = sigValue
            guard ASN1_STRING_length(messageDigest) == 32 else { throw SigningError("unexpected message digest size") }

            // The signed attributes as signed (RFC 5652 §5.4): DER SET OF, the encodings sorted.
            var encoded: [(der: [UInt8], isDigest: Bool)] = []
            for i in 0..<CMS_signed_get_attr_count(si) {
                guard let a = CMS_signed_get_attr(si, i) else { throw SigningError.openssl("bad signed attribute") }
                let len = i2d_X509_ATTRIBUTE(a, nil)
                guard len > 0 else { throw SigningError.openssl("cannot encode a signed attribute") }
                var der = [UInt8](repeating: 0, count: Int(len))
                _ = der.withUnsafeMutableBufferPointer { b -> Int32 in
                    var p = b.baseAddress
                    return i2d_X509_ATTRIBUTE(a, &p)
                }
                encoded.append((der, i == md))
            }
            // The order does not depend on the digest: the attribute types differ before it.
            encoded.sort { DER.setOrder($0.der[...], $1.der[...]) }
            var content: [UInt8] = []
            var digestEnd = -1
            for (der, isDigest) in encoded {
                content += der
                // Attribute ::= SEQUENCE { type, SET { OCTET STRING (32) } }: the digest ends it.
                if isDigest { digestEnd = content.count }
            }
            var attrs: [UInt8] = [0x31]
            DER.appendLength(content.count, to: &attrs)
            let header = attrs.count
            attrs += content
            signedAttributes = attrs
            digestAt = header + digestEnd - 32

            guard EVP_PKEY_sign_init(pctx) == 1, EVP_PKEY_CTX_set_signature_md(pctx, EVP_sha256()) == 1 else {
                throw SigningError.openssl("the key cannot sign")
            }
            let maxSig = Int(EVP_PKEY_get_size(identity.pkey))
            guard maxSig > 0 else { throw SigningError.openssl("the key cannot sign") }
            signatureBuffer = [UInt8](repeating: 0, count: maxSig)
            let current = Int(ASN1_STRING_length(signatureValue))
            let templateSize = Int(i2d_CMS_ContentInfo(cms, nil))
            guard templateSize > 0 else { throw SigningError.openssl("cannot encode the SignedData") }
            var out: UnsafeMutablePointer<UInt8>?
            let len = i2d_CMS_ContentInfo(cms, &out)
            guard len > 0, let out else { throw SigningError.openssl("cannot encode the SignedData") }
            let der = Array(UnsafeBufferPointer(start: out, count: Int(len)))
            CRYPTO_free(out, nil, 0)
            template = DER.Template(der, signedAttributes: signedAttributes, digestAt: digestAt, maximumSignature: maxSig)
            if let template {
                // Exact: the template's length fields keep their size for any signature up to the
                // key's largest, so the DER is the prefix, the OCTET STRING's header and the
                // signature. A canonical P-256 signature is one byte short of the key's largest
                // (low S never needs a leading zero: `ECDSACanonical`).
                let largest = EVP_PKEY_get_base_id(identity.pkey) == EVP_PKEY_EC ? ECDSACanonical.largestSize(keySize: maxSig) : maxSig
                maximumSize = template.prefix.count + 1 + DER.Template.lengthSize(largest) + largest
            } else {
                // Length headers can grow by a few bytes when the signature is longer.
                maximumSize = templateSize + (maxSig - current) + 16
            }
        } catch {
            CMS_ContentInfo_free(cms); EVP_MD_CTX_free(mdctx); EVP_PKEY_CTX_free(pctx); EVP_MD_free(sha256)
            throw error
        }
        // One real signature, checked by OpenSSL's own CMS verification.
        let probe: [UInt8] = Array("mes CMSSigner self-check".utf8)
        let der = try signDetached([probe[...]])
        guard CMSVerifier.verify(signature: der, signedPieces: [probe[...]], trusted: identity.certificate)
                == .valid(signerCommonName: identity.commonName)
        else { throw SigningError("the signer's output does not verify") }
    }

    deinit {
        CMS_ContentInfo_free(cms)
        EVP_MD_CTX_free(mdctx)
        EVP_PKEY_CTX_free(pctx)
        EVP_MD_free(sha256)
    }

    /// Whether signatures come from the DER template (false: each is encoded by OpenSSL).
    var usesTemplate: Bool { template != nil }

    /// Detached CMS SignedData (DER) over the concatenation of `pieces`.
    public func signDetached(_ pieces: [ArraySlice<UInt8>]) throws -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var ok = EVP_DigestInit_ex(mdctx, sha256, nil) == 1
        for piece in pieces where ok {
            ok = piece.withUnsafeBufferPointer { EVP_DigestUpdate(mdctx, $0.baseAddress, $0.count) } == 1
        }
        ok = ok && EVP_DigestFinal_ex(mdctx, &digest, nil) == 1
        guard ok else { throw SigningError.openssl("SHA-256 failed") }
        return try signDetached(digest: digest)
    }

    /// The same, for contiguous bytes.
    public func signDetached(_ data: [UInt8]) throws -> [UInt8] {
        try signDetached([data[...]])
    }

    private func signDetached(digest: [UInt8]) throws -> [UInt8] {
        signedAttributes.replaceSubrange(digestAt..<digestAt + 32, with: digest)
        var attrsHash = [UInt8](repeating: 0, count: 32)
        var sigLen = signatureBuffer.count
        let signed = EVP_DigestInit_ex(mdctx, sha256, nil) == 1
            && signedAttributes.withUnsafeBufferPointer { EVP_DigestUpdate(mdctx, $0.baseAddress, $0.count) } == 1
            && EVP_DigestFinal_ex(mdctx, &attrsHash, nil) == 1
            && signatureBuffer.withUnsafeMutableBufferPointer { EVP_PKEY_sign(pctx, $0.baseAddress, &sigLen, attrsHash, 32) } == 1
        guard signed else { throw SigningError.openssl("signing failed") }
        // ECDSA: the canonical (low-S) form, the only one verifiers accept (`ECDSACanonical`).
        if isECDSA {
            guard let low = ECDSACanonical.lowS(signatureBuffer[..<sigLen]) else { throw SigningError.openssl("signing failed") }
            signatureBuffer.replaceSubrange(0..<low.count, with: low)
            sigLen = low.count
        }
        if let template {
            let der = template.encode(digest: digest, signature: signatureBuffer[..<sigLen])
            #if DEBUG
            let reference = try encodeWithOpenSSL(digest: digest, signature: signatureBuffer[..<sigLen])
            precondition(der == reference, "the SignedData template differs from OpenSSL's encoding")
            #endif
            return der
        }
        return try encodeWithOpenSSL(digest: digest, signature: signatureBuffer[..<sigLen])
    }

    private func encodeWithOpenSSL(digest: [UInt8], signature: ArraySlice<UInt8>) throws -> [UInt8] {
        let set = ASN1_OCTET_STRING_set(messageDigest, digest, 32) == 1
            && signature.withUnsafeBufferPointer { ASN1_OCTET_STRING_set(signatureValue, $0.baseAddress, Int32($0.count)) } == 1
        guard set else { throw SigningError.openssl("signing failed") }
        var out: UnsafeMutablePointer<UInt8>?
        let len = i2d_CMS_ContentInfo(cms, &out)
        guard len > 0, let out else { throw SigningError.openssl("cannot encode the SignedData") }
        defer { CRYPTO_free(out, nil, 0) }
        return Array(UnsafeBufferPointer(start: out, count: Int(len)))
    }
}

/// What a detached CMS signature says about some bytes, for one trusted certificate.
public enum CMSVerification: Equatable, Sendable {
    /// Made by the trusted certificate's key over exactly these bytes.
    case valid(signerCommonName: String)
    /// Readable, from the trusted signer, but the bytes or the signature were changed.
    case badSignature
    /// Signed by someone else (whatever certificate it carries is never trusted).
    case untrustedSigner
    /// Not a single-signer detached CMS SignedData in DER.
    case malformed
}

public enum CMSVerifier {
    /// The largest signature read (a receipt's is about 1 KiB).
    public static let maximumSize = 64 * 1024

    /// Checks a detached CMS SignedData (DER) over the concatenation of `signedPieces`, signed by
    /// `trusted`: the signer must be identified as `trusted` and verify under its public key; the
    /// certificates carried by the signature, if any, must be `trusted` itself, byte for byte.
    /// The DER must be canonical (re-encoding it gives the same bytes), with exactly one signer and
    /// SHA-256/384/512 as digest.
    public static func verify(signature der: [UInt8], signedPieces: [ArraySlice<UInt8>], trusted: Certificate) -> CMSVerification {
        defer { ERR_clear_error() }
        guard !der.isEmpty, der.count <= maximumSize else { return .malformed }
        let parsed = der.withUnsafeBufferPointer { b -> OpaquePointer? in
            var p = b.baseAddress
            guard let cms = d2i_CMS_ContentInfo(nil, &p, der.count) else { return nil }
            if p != b.baseAddress! + der.count { CMS_ContentInfo_free(cms); return nil }
            return cms
        }
        guard let cms = parsed else { return .malformed }
        defer { CMS_ContentInfo_free(cms) }

        var reencoded: UnsafeMutablePointer<UInt8>?
        let len = i2d_CMS_ContentInfo(cms, &reencoded)
        guard len > 0, let reencoded else { return .malformed }
        let canonical = Int(len) == der.count && der.withUnsafeBufferPointer { memcmp($0.baseAddress!, reencoded, der.count) == 0 }
        CRYPTO_free(reencoded, nil, 0)
        guard canonical else { return .malformed }

        guard let type = CMS_get0_type(cms), OBJ_obj2nid(type) == NID_pkcs7_signed, CMS_is_detached(cms) == 1,
              let infos = CMS_get0_SignerInfos(cms), OPENSSL_sk_num(infos) == 1,
              let raw = OPENSSL_sk_value(infos, 0)
        else { return .malformed }
        let si = OpaquePointer(raw)

        // Fields the signature does not cover and OpenSSL does not hold to anything (versions, the
        // encapsulated content type, the signature algorithm's name): they must be what a signer
        // writes, so that no byte of a signature can change without the verdict changing.
        guard DER.versionsAreOne(der), let eContentType = CMS_get0_eContentType(cms),
              OBJ_obj2nid(eContentType) == NID_pkcs7_data
        else { return .malformed }
        var digestAlg: UnsafeMutablePointer<X509_ALGOR>?, signatureAlg: UnsafeMutablePointer<X509_ALGOR>?
        CMS_SignerInfo_get0_algs(si, nil, nil, &digestAlg, &signatureAlg)
        var digestOID: OpaquePointer?, signatureOID: OpaquePointer?
        X509_ALGOR_get0(&digestOID, nil, nil, digestAlg)
        X509_ALGOR_get0(&signatureOID, nil, nil, signatureAlg)
        guard let digestOID, let signatureOID, OBJ_obj2nid(digestOID) == NID_sha256 else { return .badSignature }
        let expected: [Int32] = switch EVP_PKEY_get_base_id(X509_get0_pubkey(trusted.x509)) {
        case EVP_PKEY_EC: [NID_ecdsa_with_SHA256]
        case EVP_PKEY_RSA: [NID_rsaEncryption, NID_sha256WithRSAEncryption]
        default: []
        }
        guard expected.contains(OBJ_obj2nid(signatureOID)) else { return .badSignature }
        // Nothing the signature does not cover: no unsigned attribute, no CRL (either would let
        // bytes of a signed receipt change while it still verifies).
        guard CMS_unsigned_get_attr_count(si) <= 0 else { return .badSignature }
        if let crls = CMS_get1_crls(cms) {
            let count = OPENSSL_sk_num(crls)
            OPENSSL_sk_pop_free(crls) { X509_CRL_free(OpaquePointer($0)) }
            if count > 0 { return .badSignature }
        }
        // ECDSA: only the canonical, low-S signature (its twin (r, n − s) verifies too).
        if expected == [NID_ecdsa_with_SHA256] {
            guard let value = CMS_SignerInfo_get0_signature(si),
                  ECDSACanonical.isLowS(UnsafeBufferPointer(start: ASN1_STRING_get0_data(value), count: Int(ASN1_STRING_length(value))))
            else { return .badSignature }
        }

        // The signer named exactly as the trusted certificate's issuer and serial number (byte for
        // byte: OpenSSL's own comparison of names ignores case and spacing).
        var issuer: OpaquePointer?, serial: UnsafeMutablePointer<ASN1_INTEGER>?
        guard CMS_SignerInfo_get0_signer_id(si, nil, &issuer, &serial) == 1, let issuer, let serial,
              ASN1_INTEGER_cmp(serial, X509_get0_serialNumber(trusted.x509)) == 0,
              nameDER(issuer) == nameDER(X509_get_issuer_name(trusted.x509)),
              CMS_SignerInfo_cert_cmp(si, trusted.x509) == 0
        else { return .untrustedSigner }
        if let carried = CMS_get1_certs(cms) {
            var same = true
            for i in 0..<OPENSSL_sk_num(carried) {
                let x = OpaquePointer(OPENSSL_sk_value(carried, i))
                if X509_cmp(x, trusted.x509) != 0 { same = false }
                X509_free(x)
            }
            OPENSSL_sk_free(carried)
            guard same else { return .badSignature }
        }

        guard let certs = OPENSSL_sk_new_null() else { return .malformed }
        defer { OPENSSL_sk_free(certs) }
        guard OPENSSL_sk_push(certs, UnsafeRawPointer(trusted.x509)) > 0 else { return .malformed }
        var content: [UInt8] = []
        content.reserveCapacity(signedPieces.reduce(0) { $0 + $1.count })
        for p in signedPieces { content += p }
        // NOINTERN: only the trusted certificate can be the signer's; no chain to build (it is
        // trusted as given).
        let verified = withMemoryBIO(content) { data in
            CMS_verify(cms, certs, nil, data, nil, UInt32(CMS_BINARY | CMS_NOINTERN | CMS_NO_SIGNER_CERT_VERIFY))
        }
        return verified == 1 ? .valid(signerCommonName: trusted.commonName) : .badSignature
    }

    /// The same with the trusted certificate in DER.
    public static func verify(signature der: [UInt8], signedPieces: [ArraySlice<UInt8>], trustedDER: [UInt8]) throws -> CMSVerification {
        verify(signature: der, signedPieces: signedPieces, trusted: try Certificate(der: trustedDER))
    }
}

// MARK: - Helpers

/// The DER encoding of a name, or nil.
private func nameDER(_ name: OpaquePointer?) -> [UInt8]? {
    var p: UnsafePointer<UInt8>?
    var len = 0
    guard let name, X509_NAME_get0_der(name, &p, &len) == 1, let p else { return nil }
    return Array(UnsafeBufferPointer(start: p, count: len))
}

/// A password callback that refuses: an encrypted key fails instead of prompting on the terminal.
private let noPassword: @convention(c) (UnsafeMutablePointer<CChar>?, Int32, Int32, UnsafeMutableRawPointer?) -> Int32 = { _, _, _, _ in -1 }

/// Runs `body` with a read-only memory BIO over `bytes`.
private func withMemoryBIO<T>(_ bytes: [UInt8], _ body: (OpaquePointer) -> T?) -> T? {
    bytes.withUnsafeBytes { b -> T? in
        // A zero-length buffer still needs a valid pointer.
        let base = b.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        guard let bio = BIO_new_mem_buf(base, Int32(bytes.count)) else { return nil }
        defer { BIO_free(bio) }
        return body(bio)
    }
}

/// The bytes `body` writes into a memory BIO, or nil if it fails.
private func withOutputBIO(_ body: (OpaquePointer) -> Bool) -> [UInt8]? {
    guard let bio = BIO_new(BIO_s_mem()) else { return nil }
    defer { BIO_free(bio) }
    guard body(bio) else { ERR_clear_error(); return nil }
    var p: UnsafeMutablePointer<CChar>?
    let n = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &p)
    guard n > 0, let p else { return [] }
    return p.withMemoryRebound(to: UInt8.self, capacity: n) { Array(UnsafeBufferPointer(start: $0, count: n)) }
}

/// The little DER needed to put the signed attributes in the form they are signed in, and to
/// read the two version numbers of a SignedData that OpenSSL reads but does not check.
enum DER {
    /// Tag and content of the value at `at`, if it fits in `d` (definite lengths up to 3 bytes).
    static func value(_ d: [UInt8], at: Int, within end: Int) -> (tag: UInt8, content: Range<Int>)? {
        guard at + 2 <= end else { return nil }
        let first = Int(d[at + 1])
        var start = at + 2, length = first
        if first >= 0x80 {
            let n = first & 0x7F
            guard n >= 1, n <= 3, at + 2 + n <= end else { return nil }
            length = 0
            for k in 0..<n { length = length << 8 | Int(d[at + 2 + k]) }
            start = at + 2 + n
        }
        guard start + length <= end else { return nil }
        return (d[at], start..<start + length)
    }

    /// The last value inside `parent`, with where it starts.
    static func lastChild(_ d: [UInt8], _ parent: (tag: UInt8, content: Range<Int>)) -> (tag: UInt8, content: Range<Int>, start: Int)? {
        var k = parent.content.lowerBound
        var last: (tag: UInt8, content: Range<Int>, start: Int)?
        while k < parent.content.upperBound {
            guard let v = value(d, at: k, within: parent.content.upperBound) else { return nil }
            last = (v.tag, v.content, k)
            k = v.content.upperBound
        }
        return last
    }

    /// ContentInfo { OID, [0] SignedData { version 1, …, SET OF SignerInfo { version 1, … } } }:
    /// version 1 is what a signer writes with X.509 certificates, data content and signers named
    /// by issuer and serial number (RFC 5652 §5.1, §5.3).
    static func versionsAreOne(_ d: [UInt8]) -> Bool {
        let one: [UInt8] = [1]
        guard let ci = value(d, at: 0, within: d.count), ci.tag == 0x30,
              let oid = value(d, at: ci.content.lowerBound, within: ci.content.upperBound), oid.tag == 0x06,
              let explicit = value(d, at: oid.content.upperBound, within: ci.content.upperBound), explicit.tag == 0xA0,
              let sd = value(d, at: explicit.content.lowerBound, within: explicit.content.upperBound), sd.tag == 0x30,
              let version = value(d, at: sd.content.lowerBound, within: sd.content.upperBound), version.tag == 0x02,
              d[version.content].elementsEqual(one)
        else { return false }
        // The last field of the SignedData is the SET OF SignerInfo.
        var k = version.content.upperBound
        var last = version
        while k < sd.content.upperBound {
            guard let v = value(d, at: k, within: sd.content.upperBound) else { return false }
            last = v
            k = v.content.upperBound
        }
        guard last.tag == 0x31,
              let si = value(d, at: last.content.lowerBound, within: last.content.upperBound), si.tag == 0x30,
              let siVersion = value(d, at: si.content.lowerBound, within: si.content.upperBound), siVersion.tag == 0x02
        else { return false }
        return d[siVersion.content].elementsEqual(one)
    }

    static func appendLength(_ n: Int, to out: inout [UInt8]) {
        if n < 0x80 { out.append(UInt8(n)); return }
        var bytes: [UInt8] = []
        var v = n
        while v > 0 { bytes.insert(UInt8(v & 0xFF), at: 0); v >>= 8 }
        out.append(0x80 | UInt8(bytes.count))
        out += bytes
    }

    /// OpenSSL's DER of a one-signer SignedData cut before its signature value, which is its last
    /// field: ContentInfo { OID, [0] { SignedData { …, SET { SignerInfo { …, [0] signedAttrs, …,
    /// OCTET STRING signature } } } } }. A new signature puts the digest in the signed attributes,
    /// sets the lengths of the five values that enclose the signature and appends it.
    struct Template {
        let prefix: [UInt8]
        let digestAt: Int
        /// Where each enclosing length is written (its bytes after the tag), how many bytes it
        /// takes, and the length without the signature's own encoding.
        let lengths: [(at: Int, size: Int, base: Int)]

        /// Nil when `der` is not that shape, when its signed attributes are not `signedAttributes`
        /// or when a signature of another length would change the size of a length field.
        init?(_ der: [UInt8], signedAttributes: [UInt8], digestAt attrsDigestAt: Int, maximumSignature: Int) {
            let end = der.count
            guard let ci = DER.value(der, at: 0, within: end), ci.tag == 0x30, ci.content.upperBound == end,
                  let oid = DER.value(der, at: ci.content.lowerBound, within: end), oid.tag == 0x06,
                  let explicit = DER.value(der, at: oid.content.upperBound, within: end), explicit.tag == 0xA0,
                  explicit.content.upperBound == end,
                  let sd = DER.value(der, at: explicit.content.lowerBound, within: end), sd.tag == 0x30, sd.content.upperBound == end,
                  let set = DER.lastChild(der, (sd.tag, sd.content)), set.tag == 0x31, set.content.upperBound == end,
                  let si = DER.value(der, at: set.content.lowerBound, within: end), si.tag == 0x30, si.content.upperBound == end
            else { return nil }
            // The SignerInfo's signed attributes ([0] IMPLICIT SET OF) and its signature, last.
            var k = si.content.lowerBound
            var attrs: (start: Int, content: Range<Int>)?
            var signature: (start: Int, content: Range<Int>)?
            while k < end {
                guard let v = DER.value(der, at: k, within: end) else { return nil }
                if v.tag == 0xA0 { attrs = (k, v.content) }
                signature = (k, v.content)
                if v.tag != 0x04 { signature = nil }
                k = v.content.upperBound
            }
            guard let attrs, let signature, signature.content.upperBound == end,
                  let setHeader = DER.value(signedAttributes, at: 0, within: signedAttributes.count),
                  der[attrs.content].elementsEqual(signedAttributes[setHeader.content])
            else { return nil }
            let signatureSize = end - signature.start
            var lengths: [(at: Int, size: Int, base: Int)] = []
            for (start, content) in [(0, ci.content), (oid.content.upperBound, explicit.content),
                                     (explicit.content.lowerBound, sd.content), (set.start, set.content),
                                     (set.content.lowerBound, si.content)] {
                let size = content.lowerBound - start - 1
                let base = content.count - signatureSize
                // The same number of length bytes for any signature up to the key's largest.
                for n in [8, maximumSignature] {
                    var field: [UInt8] = []
                    DER.appendLength(base + 1 + Self.lengthSize(n) + n, to: &field)
                    guard field.count == size else { return nil }
                }
                lengths.append((start + 1, size, base))
            }
            prefix = Array(der[..<signature.start])
            digestAt = attrs.content.lowerBound + (attrsDigestAt - setHeader.content.lowerBound)
            self.lengths = lengths
        }

        static func lengthSize(_ n: Int) -> Int {
            var field: [UInt8] = []
            DER.appendLength(n, to: &field)
            return field.count
        }

        func encode(digest: [UInt8], signature: ArraySlice<UInt8>) -> [UInt8] {
            var out = prefix
            out.reserveCapacity(prefix.count + signature.count + 4)
            out.replaceSubrange(digestAt..<digestAt + 32, with: digest)
            var tlv: [UInt8] = [0x04]
            DER.appendLength(signature.count, to: &tlv)
            let total = tlv.count + signature.count
            for l in lengths {
                var v = l.base + total
                if l.size == 1 {
                    out[l.at] = UInt8(v)
                } else {
                    for i in stride(from: l.at + l.size - 1, to: l.at, by: -1) { out[i] = UInt8(v & 0xFF); v >>= 8 }
                }
            }
            out += tlv
            out += signature
            return out
        }

    }

    /// X.690 §11.6: SET OF components in ascending order of their encodings, the shorter padded
    /// with zeros at the end.
    static func setOrder(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Bool {
        let n = max(a.count, b.count)
        for k in 0..<n {
            let x = k < a.count ? a[a.startIndex + k] : 0
            let y = k < b.count ? b[b.startIndex + k] : 0
            if x != y { return x < y }
        }
        return false
    }
}
