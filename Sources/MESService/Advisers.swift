import MESCore
import MESStore

extension Service {
    /// Registers an adviser of the phone service (3422), audited; false when already registered.
    @discardableResult
    public func addAdviser(_ id: String) throws -> Bool {
        let now = clock.now()
        let trimmed = id.trimmingSpaces
        guard !trimmed.isEmpty, trimmed.count <= 64, trimmed.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0) }) else {
            throw MESError.invalid(.fieldRequired, "Identifiant de conseiller invalide (1 à 64 lettres, chiffres, « - », « _ » ou « . »).", field: "ID")
        }
        return try store.transaction {
            let added = try store.addAdviser(trimmed, now: now)
            if added { try store.audit("adviser_added", at: now, person: nil, channel: .phone, actor: .system, actorID: trimmed) }
            return added
        }
    }

    /// The registered advisers.
    public func advisers() throws -> [(id: String, addedAt: Instant)] { try store.advisers() }
}
