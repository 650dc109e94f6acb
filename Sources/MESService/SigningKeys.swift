import MESCore
import MESCrypto
import MESStore

/// The certificate receipts are signed with, as `mes key export` prints it and `mes key import`
/// installs it.
public struct SigningCertificate: Sendable, Equatable {
    /// The certificate, PEM.
    public let pem: String
    /// Its SHA-256 fingerprint.
    public let fingerprint: String
    /// Its subject's common name.
    public let name: String

    init(_ identity: SigningIdentity) {
        pem = String(decoding: identity.certificatePEM, as: UTF8.self)
        fingerprint = identity.fingerprint
        name = identity.commonName
    }
}

/// A private key and the certificate it matches, checked before any store is opened.
public struct SigningKeyPair {
    let identity: SigningIdentity

    /// A PKCS#8 or traditional PEM private key (EC P-256 or RSA ≥ 2048 bits, not encrypted) and
    /// its PEM certificate. Refused, or not matching: 65 (`key_invalid`, field `KEY`).
    public init(keyPEM: [UInt8], certificatePEM: [UInt8]) throws {
        do { identity = try SigningIdentity(keyPEM: keyPEM, certificatePEM: certificatePEM) } catch let e as SigningError {
            throw MESError.invalid(.keyInvalid, "Clé ou certificat refusé : \(e.reason)", field: "KEY")
        }
    }
}

extension Service {
    /// The store's signing certificate (made now if the store has none yet).
    public func exportSigningCertificate() throws -> SigningCertificate {
        SigningCertificate(try store.signingIdentity(now: clock.now()))
    }

    /// Signs receipts from now on with an organisation's key and certificate, keeping the
    /// previous certificate so earlier receipts still verify; recorded in the audit trail.
    public func importSigningKey(_ pair: SigningKeyPair) throws -> SigningCertificate {
        try store.install(pair.identity, now: clock.now())
        return SigningCertificate(pair.identity)
    }

    /// Judges a receipt file against one trusted certificate (PEM) alone, without a store. An
    /// unreadable certificate: 65 (`key_invalid`, field `cert`).
    public static func verifyReceipt(_ bytes: [UInt8], certificatePEM: [UInt8]) throws -> ReceiptVerdict {
        let certificate: Certificate
        do { certificate = try Certificate(pem: certificatePEM) } catch let e as SigningError {
            throw MESError.invalid(.keyInvalid, "Certificat illisible : \(e.reason)", field: "cert")
        }
        return try ReceiptVerification.verify(bytes, trusted: [certificate], store: nil)
    }
}
