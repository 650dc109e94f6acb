import Testing
#if canImport(Glibc)
import Glibc
#endif
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

    /// A code request refused only because the NIR's identity questions were locked (by someone
    /// else's wrong answers) counted nothing, yet it was remembered: once the lock had passed, the
    /// member's right row stayed not_retried for good, told to check « ce code » it did not have.
    /// Only a refusal that counted is remembered; a locked row says until when.
    @Test func aCodeRequestHeldBackByALockIsTriedAgainOnceTheLockHasPassed() throws {
        let h = try Harness()
        for day in 10...14 {
            _ = try Self.run(h, "\(Self.header)\n\(Self.martine);\(day)/06/1988;sans photo;953701166;\n") { $0.requestCodes = true }
        }
        let right = "\(Self.header)\n\(Self.martine);08/06/1988;sans photo;953701166;\n"
        let (_, locked) = try Self.run(h, right) { $0.requestCodes = true }
        #expect(locked.map(\.status) == [.locked])
        let until = try #require(locked[0].lockedUntil, "a locked row says until when")
        #expect(until.seconds > h.clock.now().seconds)
        h.clock.advance(until.seconds - h.clock.now().seconds + 1)
        let (_, after) = try Self.run(h, right) { $0.requestCodes = true }
        #expect(after.map(\.status) == [.codeRequested], "\(after.map(\.status)) \(after.map(\.previousStatus))")
    }

    /// A file whose first line is not a header (saved without it, or with Macintosh line ends:
    /// a lone carriage return, so the whole file reads as one line) was refused with every cell
    /// of that line listed as an unknown column: members' NIRs, birth dates, serials, secret
    /// codes and names, on standard error and in the JSON error (CI logs). Refused with what
    /// to do, echoing nothing of the line; an ordinary typo is still listed with its suggestion.
    @Test func aFirstLineThatIsNotAHeaderIsNeverEchoed() throws {
        let h = try Harness()
        let row = "\(Self.martine);08/06/1988;sans photo;953701166;Xk4mP9qRt2Lw;Leguellec;Martine"
        let secrets = [Self.martine, "1 16 30 44", "08/06/1988", "953701166", "Xk4mP9qRt2Lw", "Leguellec", "Martine"]
        let headerless = "\(row)\n\(row)\n"
        let mac = "\(Self.header);nom;prenom\r\(row)\r\(row)\r"
        for csv in [headerless, mac] {
            let e = try #require(h.error { _ = try Self.run(h, csv) { $0.checkOnly = true } })
            let said = e.message + " " + (e.field ?? "")
            #expect(secrets.allSatisfy { !said.contains($0) }, "\(said)")
            #expect(e.code == .csvHeader && e.field == "header", "\(e)")
        }
        let macError = h.error { _ = try Self.run(h, mac) { $0.checkOnly = true } }
        #expect(macError?.message.contains("Macintosh") == true, "\(String(describing: macError))")
        let typo = h.error { _ = try Self.run(h, "nir;type_carte;numero_serie;cdoe\n") { $0.checkOnly = true } }
        #expect(typo?.code == .columnUnknown && typo?.message.contains("« cdoe »") == true, "\(String(describing: typo))")
    }

    /// `--report` naming the members file itself, with `--force`: the report replaced the file
    /// the association keeps its members' codes in, once every row was filed. Refused before
    /// anything is filed, by the file (a link to it, or the file behind a link, too).
    @Test func theReportNeverReplacesTheMembersFile() throws {
        let h = try Harness()
        _ = try h.service.requestCode(CodeRequest(card: Harness.martine, birthDate: DemoData.martineBirthDate))
        let csv = "\(Self.header)\n\(Self.martine);08/06/1988;sans photo;953701166;\(Harness.code)\n"
        let members = h.directory + "/adherents.csv"
        try FileIO.writeAtomically(members, Array(csv.utf8), replace: false)
        let link = h.directory + "/lien.csv"
        #expect(symlink(members, link) == 0)
        let decisions = try Self.count(h, "SELECT count(*) FROM decisions")
        for (input, report) in [(members, members), (link, members), (members, h.directory + "/./adherents.csv")] {
            let e = h.error { _ = try Self.run(h, csv) { $0.input = input; $0.report = report; $0.replaceReport = true; $0.reportFormat = Self.plain } }
            #expect(e?.code == .unsafeOutput && e?.field == "report", "\(input) \(report): \(String(describing: e))")
        }
        #expect(try FileIO.read(members) == Array(csv.utf8))
        #expect(try Self.count(h, "SELECT count(*) FROM decisions") == decisions, "nothing filed")
        // Replacing the link itself leaves the members file whole.
        _ = try Self.run(h, csv) { $0.input = members; $0.report = link; $0.replaceReport = true; $0.reportFormat = Self.plain }
        #expect(try FileIO.read(members) == Array(csv.utf8))
    }

    /// Twins on one card are told apart by first name; a code request with a misspelt one is
    /// refused (a counted try) and remembered — under a key without the first name, so the row
    /// corrected was never asked again (not_retried). The first name given is part of the key.
    @Test func aTwinsCorrectedFirstNameIsAskedAgain() throws {
        let h = try Harness()
        let header = "nir;date_naissance;type_carte;numero_serie;code;prenom"
        let sophie = DemoData.nir("2850597105123").compact
        let (_, wrong) = try Self.run(h, "\(header)\n\(sophie);12/04/2016;avec photo;04512378963;;Lena\n") {
            $0.requestCodes = true; $0.legalRepresentative = true
        }
        #expect(wrong.map(\.status) == [.identityMismatch])
        h.clock.advance(60)
        let (_, right) = try Self.run(h, "\(header)\n\(sophie);12/04/2016;avec photo;04512378963;;Léa\n") {
            $0.requestCodes = true; $0.legalRepresentative = true
        }
        // Asked again: Léa found, and only then refused for want of a postal address for the letter.
        #expect(right.map(\.status) == [.invalid] && right[0].error?.code == .contactMissing, "\(right.map(\.status)) \(right.map(\.error))")
    }

    /// With `--request-codes`, a row without a code proves no more than the identity questions
    /// (NIR, card, serial, birth date — what the web asks before sending a code to the contact
    /// on file, and answers with the masked destination only). Yet the row's result tells an
    /// association who filed the member's opposition and when (another association, the member,
    /// an adviser), and for a pending member when their space will be created (so when they were
    /// notified). Known issue, left for a decision: issue 32 asked for both, without saying
    /// whether a code must be proven first.
    @Test func aRowWithoutACodeLearnsWhoFiledAndWhen() throws {
        let h = try Harness()
        _ = try h.service.requestCode(CodeRequest(card: Harness.martine, birthDate: DemoData.martineBirthDate))
        let withCode = "\(Self.header)\n\(Self.martine);08/06/1988;sans photo;953701166;\(Harness.code)\n"
        let (_, filed) = try Self.run(h, withCode) { $0.association = "Entraide Santé Mentale" }
        #expect(filed.map(\.status) == [.opposed])
        h.clock.advance(86_400)
        let noCode = "\(Self.header)\n\(Self.martine);08/06/1988;sans photo;953701166;\n"
        let (_, other) = try Self.run(h, noCode) { $0.requestCodes = true; $0.association = "Autre" }
        #expect(other.map(\.status) == [.alreadyOpposed])
        withKnownIssue("who filed, and when, told without a code") {
            #expect(other[0].filedBy == nil && other[0].filedAt == nil, "\(String(describing: other[0].filedBy)) \(String(describing: other[0].filedAt))")
        }
        // A pending member, notified on 10/01/2022: the date her space is created says when.
        let fresh = try Harness()
        let (_, pending) = try Self.run(fresh, noCode) { $0.requestCodes = true; $0.association = "Autre" }
        #expect(pending.map(\.status) == [.codeRequested])
        withKnownIssue("when the member was notified, told without a code") {
            #expect(pending[0].createdAutomaticallyAt == nil)
        }
    }

    /// A report format of one line per row (the command line's is `BatchReportCSV`).
    struct Plain: BatchReportFormat {
        func header(kept: [String]) -> [UInt8] { Array("ligne\n".utf8) }
        func append(_ r: BatchOpposition.Result, to out: inout [UInt8]) -> Int? { out += Array("\(r.line)\n".utf8); return nil }
        func delivery(_ status: DeliveryStatus?) -> [UInt8] { [] }
    }
    static let plain = Plain()
}
