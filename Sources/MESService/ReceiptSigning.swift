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
            // Room for the signer's largest signature, exactly: the same for every receipt, and a
            // signature one byte shorter (half of them: r without a leading zero) leaves two zeros.
            page = ReceiptRenderer.SignedPage(signerName: identity.commonName, capacity: s.maximumSize)
        } catch let e as SigningError {
            signer = .failure(e)
            page = nil
        } catch {
            signer = .failure(SigningError("\(error)"))
            page = nil
        }
    }

    /// Whether `bytes` is this receipt's signed PDF, whole: every byte but the signature value
    /// equals the page this signer renders (the layout is deterministic), and the signature
    /// value is one complete DER structure, zero-padded. Cheap (no public-key operation): what
    /// a repair needs to tell a whole file from one a crash cut short or filled with zeros;
    /// `SignedReceiptCheck` is the cryptographic check.
    public func isWhole(_ bytes: [UInt8], of receipt: OppositionReceipt) -> Bool {
        guard let page else { return false }
        let doc = ReceiptRenderer.pdf(receipt, signed: page)
        let c = doc.contents
        guard bytes.count == doc.bytes.count,
              bytes[..<c.lowerBound].elementsEqual(doc.bytes[..<c.lowerBound]),
              bytes[c.upperBound...].elementsEqual(doc.bytes[c.upperBound...]) else { return false }
        // The hex: a DER SEQUENCE (30 82 LL LL, or 30 81 LL), its digits upper-case hex, then zeros.
        func nibble(_ b: UInt8) -> Int? {
            switch b {
            case 0x30...0x39: return Int(b - 0x30)
            case 0x41...0x46: return Int(b - 0x41 + 10)
            default: return nil
            }
        }
        let hex = Array(bytes[(c.lowerBound + 1)..<(c.upperBound - 1)])
        func byte(_ i: Int) -> Int? {
            guard 2 * i + 1 < hex.count, let h = nibble(hex[2 * i]), let l = nibble(hex[2 * i + 1]) else { return nil }
            return h << 4 | l
        }
        guard byte(0) == 0x30, let l1 = byte(1) else { return false }
        let total: Int
        switch l1 {
        case 0x82: guard let a = byte(2), let b = byte(3) else { return false }; total = 4 + (a << 8 | b)
        case 0x81: guard let a = byte(2) else { return false }; total = 3 + a
        case 0..<0x80: total = 2 + l1
        default: return false
        }
        guard total > 64, 2 * total <= hex.count else { return false }
        for k in 0..<(2 * total) where nibble(hex[k]) == nil { return false }
        for k in (2 * total)..<hex.count where hex[k] != 0x30 { return false }
        // A block of zeros inside the signature value would still read as hex: the DER's last
        // 16 bytes (the signature's end) are never all zero.
        return hex[(2 * total - 32)..<(2 * total)].contains { $0 != 0x30 }
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
