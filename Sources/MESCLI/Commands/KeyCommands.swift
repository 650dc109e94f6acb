import MESCore
import MESCrypto
import MESRender
import MESService
import MESStore

/// `mes key export` and `mes key import`: the certificate receipts are signed with.
enum KeyCommands {
    static var export: CommandSpec {
        CommandSpec(
            ["key", "export"], summary: "Print the store's signing certificate (PEM), for whoever verifies receipts.",
            discussion: "Receipts are signed with the store's key (signing.key, 0600, made by 'mes init'). Give this certificate to whoever checks receipts: 'mes receipt verify --cert FILE' needs no store, and any PDF reader shows the signature. --json adds the fingerprint and the name.",
            examples: ["mes key export > mes.crt"], run: runExport)
    }

    static var `import`: CommandSpec {
        CommandSpec(
            ["key", "import"], summary: "Sign receipts with an organisation's own key and certificate.",
            discussion: "KEY is a PKCS#8 or traditional PEM private key (EC P-256 or RSA of 2048 bits or more, not encrypted) and CERT the PEM certificate it matches. They replace the store's signing key for receipts made from now on; the previous certificate is kept, so earlier receipts still verify. Recorded in the audit trail.",
            positionals: [PositionalSpec("KEY", "the private key (PEM)", file: true), PositionalSpec("CERT", "the certificate (PEM)", file: true)],
            examples: ["mes key import association.key association.crt"], run: runImport)
    }

    static var all: [CommandSpec] { [export, `import`] }

    static func runExport(_ inv: Invocation, _ ctx: Context) throws {
        let identity = try ctx.service().store.signingIdentity(now: try ctx.now())
        let pem = String(decoding: identity.certificatePEM, as: UTF8.self)
        ctx.emit(SimpleReport(text: pem, json: .obj([("certificate", .string(pem)),
                                                     ("fingerprint", .string(identity.fingerprint)), ("name", .string(identity.commonName))])))
    }

    static func runImport(_ inv: Invocation, _ ctx: Context) throws {
        let key = try FileIO.read(inv.positionals[0], limit: 64 << 10, field: "KEY")
        let cert = try FileIO.read(inv.positionals[1], limit: 64 << 10, field: "CERT")
        let identity: SigningIdentity
        do { identity = try SigningIdentity(keyPEM: key, certificatePEM: cert) } catch let e as SigningError {
            throw MESError.invalid(.keyInvalid, "Clé ou certificat refusé : \(e.reason)", field: "KEY")
        }
        let service = try ctx.service()
        try service.store.install(identity, now: service.clock.now())
        ctx.emit(SimpleReport(text: "Les justificatifs seront désormais signés par \(identity.commonName) (empreinte \(identity.fingerprint)).",
                              json: .obj([("status", "imported"), ("fingerprint", .string(identity.fingerprint)),
                                          ("name", .string(identity.commonName))])))
    }

    /// A certificate file given to verify with.
    static func certificate(_ path: String) throws -> Certificate {
        do { return try Certificate(pem: try FileIO.read(path, limit: 64 << 10, field: "cert")) } catch let e as SigningError {
            throw MESError.invalid(.keyInvalid, "Certificat illisible : \(e.reason)", field: "cert")
        }
    }
}
