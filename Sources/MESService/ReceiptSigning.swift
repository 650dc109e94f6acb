import MESCore
import MESCrypto
import MESRender

/// Signs opposition receipts: the PDF of `ReceiptRenderer` with a PAdES signature
/// (`/ETSI.CAdES.detached`, ECDSA P-256 or RSA, SHA-256) over the whole file, which `pdfsig`,
/// pyHanko or any PDF reader can check, and `SignedReceiptCheck` checks against a trusted
/// certificate.
///
/// Signed receipts are not byte-for-byte reproducible (ECDSA draws a random nonce); their page
/// and everything outside the signature value are.
/// Not thread-safe (the CMS signer reuses its OpenSSL contexts): one per thread.
public struct ReceiptSigner {
    public let identity: SigningIdentity
    private let signer: Result<CMSSigner, SigningError>
    private let page: ReceiptRenderer.SignedPage?

    public init(identity: SigningIdentity) {
        self.identity = identity
        do {
            let s = try CMSSigner(identity: identity)
            signer = .success(s)
            // Room for the signer's largest signature, rounded up: the same for every receipt.
            page = ReceiptRenderer.SignedPage(signerName: identity.commonName, capacity: (s.maximumSize + 64 + 255) / 256 * 256)
        } catch let e as SigningError {
            signer = .failure(e)
            page = nil
        } catch {
            signer = .failure(SigningError("\(error)"))
            page = nil
        }
    }

    /// The signed PDF of a receipt.
    public func sign(_ receipt: OppositionReceipt) throws -> [UInt8] {
        let signer = try signer.get()
        var doc = ReceiptRenderer.pdf(receipt, signed: page!)
        let der = try signer.signDetached(doc.signedPieces)
        do {
            try doc.embed(signature: der)
        } catch {
            throw SigningError("\(error)")
        }
        return doc.bytes
    }
}

/// What a receipt file is worth against the certificate that should have signed it.
public enum SignedReceiptCheck {
    public enum Alteration: String, Sendable, Equatable {
        /// The signature does not match the bytes (anything signed was changed).
        case signature
        /// The signed ranges are not the whole file but the signature value.
        case byteRange
        /// Bytes were added after the signed file (an incremental update).
        case updateAppended
        /// The file is shorter than what was signed.
        case truncated
        /// Another signature was added.
        case multipleSignatures
        /// The signature value is not a readable signature.
        case malformed
    }

    public enum Verdict: Sendable, Equatable {
        /// Signed by the trusted certificate and unchanged since: the signer's common name.
        case authentic(signer: String)
        case altered(Alteration)
        /// No signature at all.
        case unsigned
        /// Signed, but not by the trusted certificate.
        case unknownSigner
        /// Larger than `PDFSignatureScanner.maximumSize`: not read.
        case tooLarge
    }

    /// Checks a receipt file against the trusted certificate.
    public static func verify(bytes: [UInt8], trusted: Certificate) -> Verdict {
        switch PDFSignatureScanner.scan(bytes) {
        case .failure(.tooLarge): return .tooLarge
        case .failure(.notSigned): return .unsigned
        case .failure(.multipleSignatures): return .altered(.multipleSignatures)
        case .failure(.byteRangeInvalid): return .altered(.byteRange)
        case .failure(.truncated): return .altered(.truncated)
        case .failure(.doesNotCoverWholeFile): return .altered(.updateAppended)
        case .failure(.malformed): return .altered(.malformed)
        case let .success(region):
            switch CMSVerifier.verify(signature: region.der, signedPieces: region.signedPieces, trusted: trusted) {
            case let .valid(name): return .authentic(signer: name)
            case .badSignature: return .altered(.signature)
            case .untrustedSigner: return .unknownSigner
            case .malformed: return .altered(.malformed)
            }
        }
    }

    /// The same with the trusted certificate in DER; throws if it is not a certificate.
    public static func verify(bytes: [UInt8], trusted certificateDER: [UInt8]) throws -> Verdict {
        verify(bytes: bytes, trusted: try Certificate(der: certificateDER))
    }
}
