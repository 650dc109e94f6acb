import MESCore
import MESService
import MESStore

/// `mes receipt verify`: is this receipt file authentic?
enum ReceiptVerifyCommand {
    static var spec: CommandSpec {
        CommandSpec(
            ["receipt", "verify"], summary: "Check a receipt file: authentic, altered or unknown.",
            discussion: "Reads the fields the receipt shows (PDF written by mes, or its text or JSON form), and checks them and their verification code against this store. authentic: exit 0; altered (a field or the code does not match the record) or unknown (no such receipt in this store): exit 65.",
            positionals: [PositionalSpec("FILE", "the receipt file", file: true)],
            examples: ["mes receipt verify justificatif.pdf"], run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let bytes = try FileIO.read(inv.positionals[0], field: "FILE")
        let verdict = try ctx.service().verifyReceipt(bytes)
        ctx.emit(verdict)
        if verdict.status != .authentic { throw ExitRequest(.invalidData) }
    }
}
