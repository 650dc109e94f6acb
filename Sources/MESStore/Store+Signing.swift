#if canImport(Glibc)
import Glibc
#endif
import MESCore
import MESCrypto
import MESSystem

/// The store's signing identity: `signing.key` (PKCS#8, 0600) and `signing.crt` (PEM) in the
/// data directory, made at `init` (or at the first open of an older store); every certificate
/// it ever signed with is kept in the database so that older receipts still verify.
extension Store {
    static let signingKeyFile = "signing.key"
    static let signingCertificateFile = "signing.crt"

    public var signingKeyPath: String { directory + "/" + Self.signingKeyFile }
    public var signingCertificatePath: String { directory + "/" + Self.signingCertificateFile }

    /// A short public name for this store, derived from its key (the certificate's common name).
    public var publicName: String { "mes " + shortName }

    /// Eight characters that tell this store apart (in file names it shares with others).
    public var shortName: String { Base32.encode(hmac.mac("store-name"), count: 8) }

    /// The identity receipts are signed with; created (and recorded) when the store has none,
    /// under an exclusive lock so that processes opening an older store at once agree on one.
    public func signingIdentity(now: Instant) throws -> SigningIdentity {
        if let identity = try loadSigningIdentity() { return identity }
        let fd = Glibc.open(directory + "/.signing-lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw MESError(.cannotCreate, "Impossible de verrouiller \(directory)", field: "store") }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
        if let identity = try loadSigningIdentity() { return identity }
        let identity = try SigningIdentity.generate(commonName: publicName, organization: "Mon espace santé (mes)",
                                                    validityDays: 36_500, now: now.seconds)
        try install(identity, now: now, audited: false)
        return identity
    }

    private func loadSigningIdentity() throws -> SigningIdentity? {
        guard FileIO.exists(signingKeyPath) && FileIO.exists(signingCertificatePath) else { return nil }
        do {
            return try SigningIdentity(keyPEM: try FileIO.read(signingKeyPath, field: "store"),
                                       certificatePEM: try FileIO.read(signingCertificatePath, field: "store"))
        } catch let e as SigningError {
            throw MESError(.storeCorrupt, "La clé de signature de la base est illisible (\(e.reason)).", field: "store")
        }
    }

    /// Makes `identity` the one receipts are signed with (key and certificate replaced
    /// atomically), keeping its certificate for verification.
    /// `audited`: an imported key is recorded in the audit trail (the one made at `init` is not).
    public func install(_ identity: SigningIdentity, now: Instant, audited: Bool = true) throws {
        try transaction {
            try db.run("INSERT OR IGNORE INTO signing_certificates (fingerprint, der, added_at) VALUES (?, ?, ?)",
                       .text(identity.fingerprint), .blob(identity.certificateDER), .int(now.seconds))
            if audited { try audit("signing_key_imported", at: now, person: nil, detail: identity.fingerprint) }
        }
        // The store's own files: written through the unguarded directory (outputs may never replace them).
        let dir = try FileIO.Directory(directory, field: "store", guarding: false)
        try dir.write(Self.signingKeyFile, identity.keyPEM, replace: true, sync: true, mode: 0o600, field: "store", shownAs: signingKeyPath)
        try dir.write(Self.signingCertificateFile, identity.certificatePEM, replace: true, sync: true, mode: 0o600, field: "store",
                      shownAs: signingCertificatePath)
    }

    /// Every certificate this store has signed receipts with.
    public func signingCertificates() throws -> [Certificate] {
        try db.query("SELECT der FROM signing_certificates ORDER BY added_at").compactMap { try? Certificate(der: $0.blob(0) ?? []) }
    }
}
