import Testing
@testable import MESService
@testable import MESStore
import MESCore
import MESSystem

/// Issue 32's batch attacked (a hostile or unlucky association, a CI run): what each attack
/// found, kept as a test.
@Suite struct BatchAttackTests {
    static let martine = DemoData.martineNIR.compact
    static let header = "nir;date_naissance;type_carte;numero_serie;code"

    static func run(_ h: Harness, _ csv: String, _ configure: (inout BatchOptions) -> Void = { _ in }) throws -> (BatchSummary, [BatchOpposition.Result]) {
        try BatchRerunTests.run(h, csv, configure)
    }

    static func count(_ h: Harness, _ sql: String) throws -> Int64 { try h.service.store.db.first(sql)?.int(0) ?? -1 }

    /// `--keep-column` naming a column the batch reads (here « représentant légal ») used to take
    /// it out of the reading: a minor's explicit `non` was no longer read, `--legal-representative`
    /// certified the row, and the opposition was filed against the row's own refusal. A kept
    /// column that is a known one is refused before anything is read.
    @Test func keepingAKnownColumnNeverStopsItBeingRead() throws {
        let h = try Harness()
        _ = try h.service.requestCode(CodeRequest(card: Harness.martine, birthDate: CalendarDate.parse("02/05/2010")!))
        let csv = "\(Self.header);representant_legal\n\(Self.martine);02/05/2010;sans photo;953701166;\(Harness.code);non\n"
        let (_, plain) = try Self.run(h, csv) { $0.legalRepresentative = true }
        #expect(plain.map(\.status) == [.refused], "an explicit non is never overridden by the flag")
        for kept in ["representant_legal", "Code provisoire", "NIR", "email"] {
            let e = h.error { _ = try Self.run(h, csv) { $0.legalRepresentative = true; $0.keepColumns = [kept] } }
            #expect(e?.code == .usage && e?.field == "keep-column" && e?.message.contains("which mes reads") == true, "\(kept): \(String(describing: e))")
        }
        #expect(try Self.count(h, "SELECT count(*) FROM decisions WHERE kind = 'opposition' AND person_id IN "
                               + "(SELECT id FROM people WHERE first_name = 'Jean-Jacques')") == 0)
        // --check says so too (a volunteer checks first).
        let checked = h.error { _ = try Self.run(h, csv) { $0.checkOnly = true; $0.keepColumns = ["representant_legal"] } }
        #expect(checked?.field == "keep-column")
    }
}
