#if canImport(Glibc)
import Glibc
#endif
import MESCore
import MESCrypto
import MESSystem

/// The store's signing identity: one row of the database (`signing_identity`) holding the
/// private key, sealed under the store's key, and its certificate, so that the pair is always
/// replaced whole, in one transaction. Made at `init`; every certificate the store ever signed
/// with is kept too (`signing_certificates`), so that older receipts still verify. Stores of
/// earlier versions kept the pair in `signing.key` and `signing.crt`: the first open takes them
/// in and removes the files.
extension Store {
    static let signingKeyFile = "signing.key"
    static let signingCertificateFile = "signing.crt"

    public var signingKeyPath: String { directory + "/" + Self.signingKeyFile }
    public var signingCertificatePath: String { directory + "/" + Self.signingCertificateFile }

    /// A short public name for this store, derived from its key (the certificate's common name).
    public var publicName: String { "mes " + shortName }

    /// Eight characters that tell this store apart (in file names it shares with others).
    public var shortName: String { Base32.encode(hmac.mac("store-name"), count: 8) }

    /// What binds a sealed signing key to its purpose.
    static let signingKeyContext = Array("mes-signing-key-v1".utf8)

    /// Whether the store holds its signing identity (its row), without opening it.
    public func hasSigningIdentity() throws -> Bool {
        try db.first("SELECT 1 FROM signing_identity WHERE id = 1") != nil
    }

    /// The identity receipts are signed with; created (and recorded) when the store has none.
    /// Processes that open a store without one at once agree on one: the first row written wins.
    public func signingIdentity(now: Instant) throws -> SigningIdentity {
        if let identity = try loadSigningIdentity() { return identity }
        if let legacy = try legacySigningIdentity() {
            try install(legacy, now: now, audited: false, replace: false)
        } else {
            let identity = try SigningIdentity.generate(commonName: publicName, organization: "Mon espace santé (mes)",
                                                        validityDays: 36_500, now: now.seconds)
            try install(identity, now: now, audited: false, replace: false)
        }
        guard let identity = try loadSigningIdentity() else {
            throw MESError(.storeCorrupt, "La base n'a pas pu enregistrer son identité de signature.", field: "store")
        }
        return identity
    }

    /// The identity of the row, or nil when the store has none yet. A key that does not open,
    /// or that does not match its certificate, is refused with what repairs it.
    func loadSigningIdentity() throws -> SigningIdentity? {
        guard let r = try db.first("SELECT key_sealed, certificate_pem FROM signing_identity WHERE id = 1") else { return nil }
        let repair = " : importez une clé et son certificat avec « mes key import CLÉ CERTIFICAT »."
        guard let key = sealing.open(r.blob(0) ?? [], context: Self.signingKeyContext) else {
            throw MESError(.storeCorrupt, "La clé de signature de la base est illisible" + repair, field: "store")
        }
        do {
            return try SigningIdentity(keyPEM: key, certificatePEM: r.blob(1) ?? [])
        } catch let e as SigningError {
            throw MESError(.storeCorrupt, "La clé de signature de la base et son certificat ne vont pas ensemble (\(e.reason))" + repair,
                           field: "store")
        }
    }

    /// The pair of files an earlier version kept, or nil when there is none.
    private func legacySigningIdentity() throws -> SigningIdentity? {
        guard FileIO.exists(signingKeyPath) && FileIO.exists(signingCertificatePath) else { return nil }
        do {
            return try SigningIdentity(keyPEM: try FileIO.read(signingKeyPath, field: "store"),
                                       certificatePEM: try FileIO.read(signingCertificatePath, field: "store"))
        } catch let e as SigningError {
            throw MESError(.storeCorrupt, "La clé de signature de la base est illisible (\(e.reason)).", field: "store")
        }
    }

    /// Makes `identity` the one receipts are signed with, keeping its certificate for
    /// verification: key and certificate are replaced together, in one transaction (a failure
    /// or a kill at any point leaves the previous pair, whole). `audited`: an imported key is
    /// recorded in the audit trail (the one made at `init` is not). `replace` false keeps an
    /// identity another process recorded first.
    public func install(_ identity: SigningIdentity, now: Instant, audited: Bool = true, replace: Bool = true) throws {
        let sealed = sealing.seal(identity.keyPEM, context: Self.signingKeyContext)
        try transaction {
            let recorded = try db.run((replace ? "INSERT OR REPLACE" : "INSERT OR IGNORE")
                                      + " INTO signing_identity (id, key_sealed, certificate_pem, fingerprint, installed_at) VALUES (1, ?, ?, ?, ?)",
                                      .blob(sealed), .blob(identity.certificatePEM), .text(identity.fingerprint), .int(now.seconds))
            guard recorded > 0 else { return }
            try db.run("INSERT OR IGNORE INTO signing_certificates (fingerprint, der, added_at) VALUES (?, ?, ?)",
                       .text(identity.fingerprint), .blob(identity.certificateDER), .int(now.seconds))
            if audited { try audit("signing_key_imported", at: now, person: nil, detail: identity.fingerprint) }
        }
        // The files of an earlier version are no longer read: removed once the row is committed.
        FileIO.remove(signingKeyPath)
        FileIO.remove(signingCertificatePath)
    }

    /// Every certificate this store has signed receipts with.
    public func signingCertificates() throws -> [Certificate] {
        try db.query("SELECT der FROM signing_certificates ORDER BY added_at").compactMap { try? Certificate(der: $0.blob(0) ?? []) }
    }
}
