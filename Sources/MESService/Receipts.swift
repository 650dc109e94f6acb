import MESCore
import MESRender
import MESStore
import MESSystem

/// The forms a receipt is issued in.
public enum ReceiptFormat: String, Sendable, CaseIterable {
    case pdf, text, json
}

/// Which receipt to re-issue.
public enum ReceiptSelector: Sendable {
    /// The latest opposition of the session's profile.
    case session(String)
    /// A receipt reference (JO-…).
    case id(String)
}

/// A re-issued receipt: a duplicate, recorded in the audit trail.
public struct ReissuedReceipt: Sendable {
    public let receipt: OppositionReceipt
    public let format: ReceiptFormat
    /// The document (also written to `path` when one was given).
    public let bytes: [UInt8]
    public let path: String?
}

extension Service {
    /// Re-issues a receipt as a numbered duplicate, recorded, then written atomically to `output`
    /// when given (a run killed in between leaves no file; running it again issues the next copy).
    public func reissueReceipt(_ which: ReceiptSelector, format: ReceiptFormat, output: String?, force: Bool) throws -> ReissuedReceipt {
        let now = clock.now()
        try FileIO.checkOutputTarget(output, force: force, storeDirectory: store.directory, field: "output")
        let issued = try store.transaction { () -> ReissuedReceipt in
            let record: OppositionReceipt?, personID: Int64, actor: Actor
            switch which {
            case .id(let text):
                let id = text.trimmingSpaces
                guard let r = try store.receipt(id: id) else {
                    throw MESError(.receiptNotFound, "Justificatif inconnu : \(id)", field: "id")
                }
                (record, personID, actor) = (r, try store.receiptHolder(id: r.id) ?? 0, .system)
            case .session(let token):
                let s = try store.session(token, now: now)
                (record, personID, actor) = (try store.latestReceipt(personID: s.person.id), s.person.id, .self)
            }
            guard let r = record else {
                throw MESError(.receiptNotFound, status: .refused, "Aucune opposition enregistrée pour ce profil : pas de justificatif.", field: "session")
            }
            let copy = try store.reissue(r, now: now, actor: actor, personID: personID)
            return ReissuedReceipt(receipt: copy, format: format, bytes: try document(copy, format: format), path: output)
        }
        if let output { try FileIO.writeAtomically(output, issued.bytes, replace: force, field: "output", storeDirectory: store.directory) }
        return issued
    }

    func document(_ r: OppositionReceipt, format: ReceiptFormat) throws -> [UInt8] {
        switch format {
        case .text: return Array(ReceiptRenderer.text(r).utf8)
        case .json: return Array((ReceiptRenderer.json(r).serialized() + "\n").utf8)
        case .pdf: return try receipts.document(r)
        }
    }

    /// Judges a receipt file against this store.
    public func verifyReceipt(_ bytes: [UInt8]) throws -> ReceiptVerdict {
        try receipts.verify(bytes, store: store)
    }
}
