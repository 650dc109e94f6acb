import CCrypto
import Foundation
import Testing
import TestSupport
import MESCore
@testable import MESCrypto
import MESRender
import MESService

/// Receipts carry the one canonical ECDSA signature (low S). Its twin (r, n − s), which
/// OpenSSL alone would accept, is judged altered.
@Suite struct CanonicalSignatureTests {
    /// The order of P-256.
    nonisolated(unsafe) static let order: OpaquePointer = {
        let group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1)!
        defer { EC_GROUP_free(group) }
        return BN_dup(EC_GROUP_get0_order(group))!
    }()

    /// The CMS signature (DER) with its ECDSA value (r, s) replaced by (r, n − s), and whether s
    /// was low before.
    static func twin(_ cms: [UInt8]) throws -> (der: [UInt8], wasLow: Bool) {
        let info = try #require(cms.withUnsafeBufferPointer { b -> OpaquePointer? in
            var q: UnsafePointer<UInt8>? = b.baseAddress
            return d2i_CMS_ContentInfo(nil, &q, b.count)
        })
        defer { CMS_ContentInfo_free(info) }
        let si = OpaquePointer(OPENSSL_sk_value(CMS_get0_SignerInfos(info), 0))!
        let value = CMS_SignerInfo_get0_signature(si)!
        let sigBytes = Array(UnsafeBufferPointer(start: ASN1_STRING_get0_data(value), count: Int(ASN1_STRING_length(value))))
        let sig = try #require(sigBytes.withUnsafeBufferPointer { b -> OpaquePointer? in
            var q: UnsafePointer<UInt8>? = b.baseAddress
            return d2i_ECDSA_SIG(nil, &q, b.count)
        })
        defer { ECDSA_SIG_free(sig) }
        let half = BN_new()!
        defer { BN_free(half) }
        BN_rshift1(half, order)
        let wasLow = BN_cmp(ECDSA_SIG_get0_s(sig), half) <= 0
        let flipped = BN_new()!
        BN_sub(flipped, order, ECDSA_SIG_get0_s(sig))
        ECDSA_SIG_set0(sig, BN_dup(ECDSA_SIG_get0_r(sig)), flipped)
        var out: UnsafeMutablePointer<UInt8>?
        let n = i2d_ECDSA_SIG(sig, &out)
        ASN1_OCTET_STRING_set(value, out, n)
        CRYPTO_free(out, nil, 0)
        var der: UnsafeMutablePointer<UInt8>?
        let len = i2d_CMS_ContentInfo(info, &der)
        defer { CRYPTO_free(der, nil, 0) }
        return (Array(UnsafeBufferPointer(start: der, count: Int(len))), wasLow)
    }

    /// The receipt with `der` written into its /Contents (hex, padded with zeros).
    static func replacingSignature(_ pdf: [UInt8], with der: [UInt8]) throws -> [UInt8] {
        let region = try PDFSignatureScanner.scan(pdf).get()
        let (start, end) = (region.byteRange[1] + 1, region.byteRange[2] - 1)
        var hex = Array(der.map { String(format: "%02X", $0) }.joined().utf8)
        #expect(hex.count <= end - start)
        hex += [UInt8](repeating: 0x30, count: end - start - hex.count)
        var b = pdf
        b.replaceSubrange(start..<end, with: hex)
        return b
    }

    /// What the check says of the receipt with `der` as its signature. A DER larger than the
    /// slot (which holds the signer's largest canonical signature exactly, so a high-S twin one
    /// byte longer may not fit) cannot be written there: the verdict is then the one the check
    /// gives on the same signed bytes.
    static func verdict(_ pdf: [UInt8], with der: [UInt8], trusted: Certificate) throws -> SignedReceiptCheck.Verdict {
        let region = try PDFSignatureScanner.scan(pdf).get()
        if der.count <= (region.byteRange[2] - region.byteRange[1] - 2) / 2 {
            let forged = try replacingSignature(pdf, with: der)
            #expect(forged != pdf)
            return SignedReceiptCheck.verify(bytes: forged, trusted: trusted)
        }
        switch CMSVerifier.verify(signature: der, signedPieces: region.signedPieces, trusted: trusted) {
        case .valid(let name): return .authentic(signer: name)
        case .badSignature: return .altered(.signature)
        case .untrustedSigner: return .unknownSigner
        case .malformed: return .altered(.malformed)
        }
    }

    /// The CMS signature with an unsigned attribute added (bytes no signature covers).
    static func withUnsignedAttribute(_ cms: [UInt8]) throws -> [UInt8] {
        let info = try #require(cms.withUnsafeBufferPointer { b -> OpaquePointer? in
            var q: UnsafePointer<UInt8>? = b.baseAddress
            return d2i_CMS_ContentInfo(nil, &q, b.count)
        })
        defer { CMS_ContentInfo_free(info) }
        let si = OpaquePointer(OPENSSL_sk_value(CMS_get0_SignerInfos(info), 0))!
        let payload: [UInt8] = Array("hello".utf8)
        let added = payload.withUnsafeBytes { CMS_unsigned_add1_attr_by_txt(si, "1.2.3.4", V_ASN1_OCTET_STRING, $0.baseAddress, Int32($0.count)) }
        #expect(added == 1)
        var der: UnsafeMutablePointer<UInt8>?
        let len = i2d_CMS_ContentInfo(info, &der)
        defer { CRYPTO_free(der, nil, 0) }
        return Array(UnsafeBufferPointer(start: der, count: Int(len)))
    }

    /// Attack finding F6: bytes added where no signature covers them (an unsigned attribute)
    /// made a receipt that still verified.
    @Test func anUnsignedAttributeIsAltered() throws {
        let identity = ReceiptSigningTests.identity
        let pdf = try ReceiptSigner(identity: identity).sign(ReceiptSigningTests.receipt())
        let region = try PDFSignatureScanner.scan(pdf).get()
        #expect(try Self.verdict(pdf, with: try Self.withUnsignedAttribute(region.der), trusted: identity.certificate) == .altered(.signature))
    }

    @Test func signaturesAreLowSAndTheirHighTwinIsAltered() throws {
        let identity = ReceiptSigningTests.identity
        let signer = ReceiptSigner(identity: identity)
        // Half of all ECDSA signatures come out high before canonicalisation: 40 make it certain.
        for k in 0..<40 {
            let pdf = try signer.sign(ReceiptSigningTests.receipt(id: "JO-7K2M9QXD\(k % 10)T"))
            let region = try PDFSignatureScanner.scan(pdf).get()
            let (twinDER, wasLow) = try Self.twin(region.der)
            #expect(wasLow, "receipt \(k) was signed with a high S")
            // OpenSSL alone accepts the twin: the check is ours.
            let twinPieces = region.signedPieces
            let raw = twinDER.withUnsafeBufferPointer { b -> Int32 in
                var q: UnsafePointer<UInt8>? = b.baseAddress
                guard let cms = d2i_CMS_ContentInfo(nil, &q, b.count) else { return -1 }
                defer { CMS_ContentInfo_free(cms) }
                let content = twinPieces.reduce([UInt8]()) { $0 + $1 }
                return content.withUnsafeBytes { c in
                    let bio = BIO_new_mem_buf(c.baseAddress, Int32(c.count))
                    defer { BIO_free(bio) }
                    let certs = OPENSSL_sk_new_null()
                    defer { OPENSSL_sk_free(certs) }
                    OPENSSL_sk_push(certs, UnsafeRawPointer(identity.certificate.x509))
                    return CMS_verify(cms, certs, nil, bio, nil, UInt32(CMS_BINARY | CMS_NOINTERN | CMS_NO_SIGNER_CERT_VERIFY))
                }
            }
            #expect(raw == 1, "OpenSSL should accept the twin on its own")
            #expect(try Self.verdict(pdf, with: twinDER, trusted: identity.certificate) == .altered(.signature))
            #expect(SignedReceiptCheck.verify(bytes: pdf, trusted: identity.certificate) == .authentic(signer: "Mon espace santé (mes)"))
        }
    }
}
