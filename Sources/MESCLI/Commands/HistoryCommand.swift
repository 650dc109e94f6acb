import MESCore
import MESService

/// `mes history`: the audit trail.
enum HistoryCommand {
    static var spec: CommandSpec {
        CommandSpec(
            ["history"], summary: "Print the audit trail of decisions and identifications.",
            discussion: "Every decision with when, by which channel and by whom (self, legal_representative, association, adviser with its id, system), plus code issues, identifications, failed attempts and receipt re-issues. NIRs are masked unless --nir is given.",
            options: [.value("nir", "NIR", "Only this NIR's profiles.")],
            examples: ["mes history --nir '1 16 30 44 038 016 18'"], run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let nir = inv.value("nir") != nil ? try Args.nir(inv) : nil
        ctx.emit(HistoryListing(entries: try ctx.service().history(nir: nir), nirGiven: nir != nil))
    }
}
