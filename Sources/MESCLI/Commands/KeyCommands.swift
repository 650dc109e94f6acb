import MESCore
import MESService
import MESSystem

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
        ctx.emit(CertificateExport(certificate: try ctx.service().exportSigningCertificate()))
    }

    static func runImport(_ inv: Invocation, _ ctx: Context) throws {
        let key = try FileIO.read(inv.positionals[0], limit: 64 << 10, field: "KEY")
        let cert = try FileIO.read(inv.positionals[1], limit: 64 << 10, field: "CERT")
        let pair = try SigningKeyPair(keyPEM: key, certificatePEM: cert)
        ctx.emit(KeyImport(certificate: try ctx.service().importSigningKey(pair)))
    }
}
