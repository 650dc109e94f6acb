import MESSystem
import MESCore
import MESStore

/// The store's signed receipts, its signing identity opened at the first receipt made, checked
/// or verified rather than when the store is opened: parsing the key and its certificate (and
/// OpenSSL's decoders with them) was over a third of a command's start-up, paid by `history`
/// and every other command that signs nothing.
///
/// The identity is opened on the thread that first needs it; a caller that hands receipts to
/// another thread (the batch's signer) opens it first with `open()`, since the store's
/// connection is not to be used from two threads.
final class DeferredSignedReceipts: ReceiptIssuer, @unchecked Sendable {
    private let store: Store
    private let lock = Lock()
    private var opened: SignedPDFReceipts?

    init(store: Store) { self.store = store }

    /// The receipts signed with the store's identity, opened now if they were not.
    @discardableResult
    func open() throws -> SignedPDFReceipts {
        lock.lock()
        defer { lock.unlock() }
        if let opened { return opened }
        let receipts = SignedPDFReceipts(identity: try store.signingIdentity(now: SystemClock().now()))
        opened = receipts
        return receipts
    }

    func document(_ receipt: OppositionReceipt) throws -> [UInt8] { try open().document(receipt) }

    func verify(_ bytes: [UInt8], store: Store) throws -> ReceiptVerdict { try open().verify(bytes, store: store) }

    /// False when the identity does not open: the caller then writes the receipt again, which
    /// says why it cannot.
    func isIntact(_ bytes: [UInt8], of receipt: OppositionReceipt) -> Bool {
        (try? open())?.isIntact(bytes, of: receipt) ?? false
    }
}
