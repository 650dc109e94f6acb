import MESSystem
import MESCore
import MESCrypto
import MESRender
import MESStore

/// Receipts as signed PDFs (PAdES, `/ETSI.CAdES.detached`, ECDSA P-256, SHA-256) that any PDF
/// reader, `pdfsig` or `mes receipt verify --cert` can check. Thread-safe: each signer (which
/// reuses its OpenSSL contexts) serves one thread at a time, taken from a pool that grows to
/// the number of threads signing at once (the batch's signing threads).
public final class SignedPDFReceipts: ReceiptIssuer, @unchecked Sendable {
    public let identity: SigningIdentity
    private let signer: ReceiptSigner
    /// Signers not in use (under `lock`).
    private var idle: [ReceiptSigner] = []
    private let lock = Lock()

    public init(identity: SigningIdentity) {
        self.identity = identity
        signer = ReceiptSigner(identity: identity)
        idle = [signer]
    }

    public func document(_ receipt: OppositionReceipt) throws -> [UInt8] {
        lock.lock()
        let taken = idle.popLast()
        lock.unlock()
        let s = taken ?? ReceiptSigner(identity: identity)
        defer {
            lock.lock()
            idle.append(s)
            lock.unlock()
        }
        do { return try s.sign(receipt) } catch let e as SigningError {
            throw MESError(.internal, "Signature du justificatif impossible : \(e.reason)", field: "receipt")
        }
    }

    public func verify(_ bytes: [UInt8], store: Store) throws -> ReceiptVerdict {
        try ReceiptVerification.verify(bytes, trusted: try store.signingCertificates(), store: store)
    }

    /// This receipt's signed PDF as this store renders it, whole (a repair's check: see
    /// `ReceiptSigner.isWhole`; `verify` is the cryptographic one).
    public func isIntact(_ bytes: [UInt8], of receipt: OppositionReceipt) -> Bool {
        signer.isWhole(bytes, of: receipt)
    }
}

/// Judging a receipt file: its signature (against trusted certificates), then, when a store is
/// given, the record it shows. Receipts made before signing verify the old way (their keyed
/// verification code) and are reported as unsigned.
public enum ReceiptVerification {
    public static func verify(_ bytes: [UInt8], trusted: [Certificate], store: Store?) throws -> ReceiptVerdict {
        guard bytes.count <= PDFSignatureScanner.maximumSize else {
            throw MESError.invalid(.fileTooLarge, "Fichier trop volumineux pour un justificatif (4 Mio au plus).", field: "FILE")
        }
        var verdicts: [SignedReceiptCheck.Verdict] = []
        for cert in trusted {
            let v = SignedReceiptCheck.verify(bytes: bytes, trusted: cert)
            if case .authentic = v { verdicts = [v]; break }
            verdicts.append(v)
        }
        let fields = ReceiptReader.read(bytes)
        switch verdicts.first ?? .unknownSigner {
        case .authentic(let signer):
            guard let store else { return ReceiptVerdict(status: .authentic, id: fields?.id, mismatch: [], signer: signer) }
            let record = try PDFReceipts.check(fields, store: store)
            if record.status == .authentic { return ReceiptVerdict(status: .authentic, id: record.id, mismatch: [], signer: signer) }
            return ReceiptVerdict(status: record.status == .unknown ? .unknown : .altered, id: record.id, mismatch: record.mismatch,
                                  reason: record.status == .unknown ? nil : .recordMismatch, signer: signer)
        case .unsigned:
            guard let store else { return ReceiptVerdict(status: .unsigned, id: fields?.id, mismatch: []) }
            let legacy = try PDFReceipts.check(fields, store: store)
            return ReceiptVerdict(status: .unsigned, id: legacy.id, mismatch: legacy.mismatch, legacy: legacy.status)
        case .unknownSigner:
            return ReceiptVerdict(status: .unknown, id: fields?.id, mismatch: [], reason: .unknownSigner)
        case .altered(let a):
            return ReceiptVerdict(status: .altered, id: fields?.id, mismatch: [], reason: a.reasonCode)
        case .tooLarge:
            throw MESError.invalid(.fileTooLarge, "Fichier trop volumineux pour un justificatif (4 Mio au plus).", field: "FILE")
        }
    }
}

extension SignedReceiptCheck.Alteration {
    /// Its catalogue code (the JSON output's `reason`).
    var reasonCode: ErrorCode {
        switch self {
        case .signature: return .signature
        case .byteRange: return .byteRange
        case .updateAppended: return .updateAppended
        case .truncated: return .truncated
        case .multipleSignatures: return .multipleSignatures
        case .malformed: return .malformed
        }
    }
}
