import MESCore
import MESService
import MESSystem

/// `mes receipt verify`: is this receipt file authentic?
enum ReceiptVerifyCommand {
    static var spec: CommandSpec {
        CommandSpec(
            ["receipt", "verify"], summary: "Check a receipt file: authentic, altered, unknown or unsigned.",
            discussion: "Checks, in order: the PDF signature, and that it covers the whole file (nothing appended after signing); the signer, against this store's certificates or, with --cert, against that certificate alone (no store needed); then, with a store, that the receipt is on record and that the page shows its fields. authentique: exit 0. altéré (with the reason: signature, byte_range, update_appended, truncated, multiple_signatures, malformed, record_mismatch), inconnu (not issued here) or non signé (receipts made before signing: their old verification code is still checked against the record): exit 65. Files over 4 MiB are refused (65).",
            options: [.value("cert", "FILE", "Trust this certificate (PEM, as printed by 'mes key export') instead of a store.", file: true)],
            positionals: [PositionalSpec("FILE", "the receipt file", file: true)],
            examples: ["mes receipt verify justificatif.pdf", "mes receipt verify --cert mes.crt justificatif.pdf"], run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let bytes = try FileIO.read(inv.positionals[0], limit: 4 << 20, field: "FILE")
        let verdict: ReceiptVerdict
        if let path = inv.value("cert") {
            verdict = try Service.verifyReceipt(bytes, certificatePEM: try FileIO.read(path, limit: 64 << 10, field: "cert"))
        } else {
            verdict = try ctx.service().verifyReceipt(bytes)
        }
        ctx.emit(verdict)
        if verdict.status != .authentic { throw ExitRequest(.invalidData) }
    }
}
