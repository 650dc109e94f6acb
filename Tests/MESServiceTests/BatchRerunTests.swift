import Testing
@testable import MESService
@testable import MESStore
import MESCore
import MESSystem

/// An association's batch run again and again (issue 32): re-runs never lock a member, no
/// letter is promised that is not sent, a locked card gets a new code once its lock has passed,
/// `--check` touches nothing, the association's own columns travel, mandates are kept whole.
@Suite struct BatchRerunTests {
    static let martine = DemoData.martineNIR.compact
    static let header = "nir;date_naissance;type_carte;numero_serie;code"

    /// Runs `csv` with `configure`d options (groups of 2 rows, association « Les Amis »).
    static func run(_ h: Harness, _ csv: String, _ configure: (inout BatchOptions) -> Void = { _ in }) throws -> (BatchSummary, [BatchOpposition.Result]) {
        let sink = CollectingSink()
        var options = BatchOptions(receiptsDirectory: h.directory + "/justificatifs")
        options.groupSize = 2
        options.association = "Les Amis"
        configure(&options)
        let summary = try h.service.batchOppose({ body in try Array(csv.utf8).withUnsafeBufferPointer { try body($0) } },
                                                totalBytes: 0, options: options, sink: sink)
        return (summary, sink.rows)
    }

    static func count(_ h: Harness, _ sql: String) throws -> Int64 { try h.service.store.db.first(sql)?.int(0) ?? -1 }

    /// A wrong code run five times counts once against the member's card: the later runs do not
    /// try it again and say when it failed and how many tries are used. `--retry-failed` tries
    /// it again (a second try); the member's real code still files.
    @Test func fiveRunsOfAWrongCodeCountOnce() throws {
        let h = try Harness()
        _ = try h.service.requestCode(CodeRequest(card: Harness.martine, birthDate: DemoData.martineBirthDate))
        let wrong = "\(Self.header)\n\(Self.martine);08/06/1988;sans photo;953701166;BBBBBBBBBBBB\n"
        let (first, rows) = try Self.run(h, wrong)
        #expect(rows.map(\.status) == [.identityMismatch] && rows[0].tries == 1 && rows[0].maxTries == 5)
        #expect(first.exitStatus == .identificationFailed)
        let firstAt = h.clock.now()
        for _ in 0..<4 {
            h.clock.advance(60)
            let (summary, again) = try Self.run(h, wrong)
            #expect(again.map(\.status) == [.notRetried])
            #expect(again[0].previousStatus == .identityMismatch && again[0].previousAt == firstAt && again[0].tries == 1)
            #expect(summary.exitStatus == .identificationFailed)
        }
        let failures = try h.service.store.history(nir: DemoData.martineNIR).filter { $0.event == "identification_failed" }
        #expect(failures.count == 1)
        #expect(failures[0].channel == "batch" && failures[0].actor == "association" && failures[0].actorID == "Les Amis")
        // The code itself is never stored: only a keyed digest.
        #expect(try Self.count(h, "SELECT count(*) FROM batch_failures WHERE instr(CAST(key AS TEXT), 'BBBB') > 0") == 0)

        let (_, retried) = try Self.run(h, wrong) { $0.retryFailed = true }
        #expect(retried.map(\.status) == [.identityMismatch] && retried[0].tries == 2)
        let right = "\(Self.header)\n\(Self.martine);08/06/1988;sans photo;953701166;\(Harness.code)\n"
        let (_, filed) = try Self.run(h, right)
        #expect(filed.map(\.status) == [.opposed])
    }

    /// A card whose codes were locked by wrong tries: the batch says until when, and sends no
    /// code before; once the lock has passed, `--request-codes` sends a new one by letter.
    @Test func aLockedCardGetsANewCodeOnceItsLockHasPassed() throws {
        let h = try Harness()
        _ = try h.service.requestCode(CodeRequest(card: Harness.martine, birthDate: DemoData.martineBirthDate))
        for _ in 0..<5 { _ = try? h.service.identify(code: "BBBBBBBBBBBB", card: Harness.martine) }
        let csv = "\(Self.header)\n\(Self.martine);08/06/1988;sans photo;953701166;\(Harness.code)\n"
        let (_, locked) = try Self.run(h, csv) { $0.requestCodes = true }
        #expect(locked.map(\.status) == [.locked])
        let until = try #require(locked[0].lockedUntil)
        #expect(until.seconds > h.clock.now().seconds)
        #expect(try Self.count(h, "SELECT count(*) FROM outbox WHERE channel = 'letter'") == 0)

        h.clock.advance(until.seconds - h.clock.now().seconds + 1)
        let (summary, renewed) = try Self.run(h, csv) { $0.requestCodes = true }
        #expect(renewed.map(\.status) == [.codeRequested], "\(renewed.map(\.error))")
        #expect(renewed[0].destination != nil && summary.exitStatus == nil)
        #expect(try Self.count(h, "SELECT count(*) FROM outbox WHERE channel = 'letter'") == 1)
        // Run again without a code (this test's codes all read the same): the letter's code is on
        // its way; nothing more is sent, even with --replace-codes, and the row says so.
        h.clock.advance(60)
        let noCode = "\(Self.header)\n\(Self.martine);08/06/1988;sans photo;953701166;\n"
        let (_, waiting) = try Self.run(h, noCode) { $0.requestCodes = true; $0.replaceCodes = true }
        #expect(waiting.map(\.status) == [.codeStillValid] && waiting[0].letterSentAt != nil && waiting[0].destination == nil)
        #expect(try Self.count(h, "SELECT count(*) FROM outbox WHERE channel = 'letter'") == 1)
    }

    /// `--request-codes` asks the identity questions of the self-service path: a wrong birth
    /// date counts against the NIR (as on the web and the phone), is audited to the association,
    /// and the same row is not asked again; five such rows lock the questions on every path.
    @Test func aCodeRequestsIdentityQuestionsCountLikeEveryOtherPath() throws {
        let h = try Harness()
        let wrong = "\(Self.header)\n\(Self.martine);09/06/1988;sans photo;953701166;\n"
        let (_, first) = try Self.run(h, wrong) { $0.requestCodes = true }
        #expect(first.map(\.status) == [.identityMismatch])
        let failed = try h.service.store.history(nir: nil).filter { $0.event == "code_request_failed" }
        #expect(failed.count == 1 && failed[0].channel == "batch" && failed[0].actorID == "Les Amis")
        let (_, again) = try Self.run(h, wrong) { $0.requestCodes = true }
        #expect(again.map(\.status) == [.notRetried] && again[0].previousStatus == .identityMismatch)
        #expect(try h.service.store.history(nir: nil).filter { $0.event == "code_request_failed" }.count == 1)
        for day in 10...13 {
            _ = try Self.run(h, "\(Self.header)\n\(Self.martine);\(day)/06/1988;sans photo;953701166;\n") { $0.requestCodes = true }
        }
        let web = h.error { _ = try h.service.requestCode(CodeRequest(card: Harness.martine, birthDate: DemoData.martineBirthDate)) }
        #expect(web?.code == .locked, "five wrong answers through the batch lock the questions on the web too")
    }

    /// A member who holds their notification's code is sent nothing (and no row says "code
    /// demandé"); one who lost it gets a replacement with `--replace-codes`, and the old code
    /// stops working.
    @Test func theNotificationsCodeIsKeptUnlessItIsReplaced() throws {
        let h = try Harness()
        let store = h.service.store
        let holder = try #require(try store.people(nir: DemoData.martineNIR, card: .plain, serial: "953701166").first { $0.holderID == nil })
        _ = try store.transaction { try store.recordCode("NNNNNNNNNNNN", for: holder.id, kind: .notification, now: h.clock.now(),
                                                         validity: h.service.policy.notificationValidity) }
        let csv = "\(Self.header)\n\(Self.martine);08/06/1988;sans photo;953701166;\n"
        let (summary, kept) = try Self.run(h, csv) { $0.requestCodes = true }
        #expect(kept.map(\.status) == [.codeStillValid] && kept[0].letterSentAt == nil && kept[0].destination == nil)
        #expect(kept[0].codeExpiresAt == h.clock.now().adding(seconds: h.service.policy.notificationValidity))
        #expect(kept[0].createdAutomaticallyAt != nil, "a pending member's window is shown")
        #expect(summary.counts[.codeRequested] == nil)
        #expect(try Self.count(h, "SELECT count(*) FROM outbox WHERE channel = 'letter'") == 0)

        let (_, replaced) = try Self.run(h, csv) { $0.requestCodes = true; $0.replaceCodes = true }
        #expect(replaced.map(\.status) == [.codeRequested])
        #expect(try Self.count(h, "SELECT count(*) FROM outbox WHERE channel = 'letter'") == 1)
        #expect(h.error { _ = try h.service.identify(code: "NNNNNNNNNNNN", card: Harness.martine) }?.code == .codeSuperseded)
    }

    /// `--check` reads the whole file and says what would refuse each row, with nothing filed,
    /// no code read and no try counted, whatever the codes (a wrong one included).
    @Test func checkFilesNothingReadsNoCodeAndCountsNoTry() throws {
        let h = try Harness()
        _ = try h.service.requestCode(CodeRequest(card: Harness.martine, birthDate: DemoData.martineBirthDate))
        let csv = """
        \(Self.header)
        \(Self.martine);08/06/1988;sans photo;953701166;\(Harness.code)
        \(Self.martine);08/06/1988;sans photo;953701166;BBBBBBBBBBBB
        \(Self.martine);02/05/2010;sans photo;953701166;
        1234;08/06/1988;sans photo;953701166;\(Harness.code)
        \(Self.martine);02/05/2010;sans photo;953701166;\(Harness.code)

        """
        let tables = ["audit", "attempts", "decisions", "receipts", "outbox", "batch_failures"]
        let before = try tables.map { try Self.count(h, "SELECT count(*) FROM \($0)") }
        let usedBefore = try Self.count(h, "SELECT count(*) FROM codes WHERE used_at IS NOT NULL")
        let (summary, rows) = try Self.run(h, csv) { $0.checkOnly = true; $0.receiptsDirectory = "" }
        #expect(rows.map(\.status) == [.ready, .ready, .invalid, .invalid, .refused])
        #expect(rows[2].error?.code == .codeRequired && rows[3].error?.field == "nir")
        #expect(rows[4].error?.code == .legalRepresentativeRequired)
        #expect(summary.checkOnly && summary.exitStatus == .invalidData)
        #expect(try tables.map { try Self.count(h, "SELECT count(*) FROM \($0)") } == before)
        #expect(try Self.count(h, "SELECT count(*) FROM codes WHERE used_at IS NOT NULL") == usedBefore)
        #expect(!FileIO.exists(h.directory + "/justificatifs"))
        // With --request-codes, a row without a code is ready when it gives a birth date.
        let (_, asked) = try Self.run(h, csv) { $0.checkOnly = true; $0.requestCodes = true }
        #expect(asked[2].status == .refused && asked[2].error?.code == .legalRepresentativeRequired)
    }

    /// The association's own columns: kept with `--keep-column` and carried into each result;
    /// unknown, they refuse the file with a way to keep them; a kept column the header lacks is
    /// named. The column at fault is named as the header writes it.
    @Test func keptColumnsTravelAndHeadersAreNamedAsWritten() throws {
        let h = try Harness()
        let csv = """
        N° adhérent;N° de sécurité sociale;Date de naissance;Type de carte Vitale;N° de série;Code provisoire;Remarques
        A-17;\(Self.martine);31/02/1988;sans photo;953701166;\(Harness.code);rappeler le soir

        """
        let e = h.error { _ = try Self.run(h, csv) }
        #expect(e?.code == .columnUnknown && e?.message.contains("« N° adhérent »") == true && e?.message.contains("--keep-column") == true)
        let missing = h.error { _ = try Self.run(h, csv) { $0.keepColumns = ["N° adhérent", "Remarques", "Téléphone"] } }
        #expect(missing?.code == .columnMissing && missing?.message.contains("Téléphone") == true)
        let (_, rows) = try Self.run(h, csv) { $0.keepColumns = ["n° ADHERENT", "remarques"] }
        #expect(rows.count == 1 && rows[0].kept == ["A-17", "rappeler le soir"])
        #expect(rows[0].status == .invalid && rows[0].column == "Date de naissance", "\(String(describing: rows[0].column))")
    }

    /// A minor's row: its signatory is recorded even when `--legal-representative` also
    /// certifies; one whose name is not the card holder's is flagged, and still filed.
    @Test func theRowsSignatoryIsKeptAndCheckedAgainstTheHolder() throws {
        let h = try Harness()
        let child = CodeRequest(card: Harness.martine, birthDate: CalendarDate.parse("02/05/2010")!)
        _ = try h.service.requestCode(child)
        let header = "nir;date_naissance;type_carte;numero_serie;code;representant_legal;signataire"
        let (_, rows) = try Self.run(h, "\(header)\n\(Self.martine);02/05/2010;sans photo;953701166;\(Harness.code);;Jean Dupont\n") {
            $0.legalRepresentative = true
        }
        #expect(rows.map(\.status) == [.opposed])
        #expect(rows[0].warnings == [Mandate.signatoryNotHolder])
        let line = try #require(try h.service.store.history(nir: DemoData.martineNIR).last { $0.event == "opposition" })
        #expect(line.detail == "legal_representative certified by --legal-representative, signatory Jean Dupont")

        h.clock.advance(60)
        let sibling = CodeRequest(card: Harness.martine, birthDate: CalendarDate.parse("21/09/2012")!)
        _ = try h.service.requestCode(sibling)
        let (_, holder) = try Self.run(h, "\(header)\n\(Self.martine);21/09/2012;sans photo;953701166;\(Harness.code);oui;LEGUELLEC Martine\n")
        #expect(holder.map(\.status) == [.opposed] && holder[0].warnings.isEmpty)
    }

    /// Run again, a filed row says who filed it, and the mail that carried its receipt.
    @Test func aRerunSaysWhoFiledAndTheMailThatCarriedTheReceipt() throws {
        let h = try Harness()
        _ = try h.service.requestCode(CodeRequest(card: Harness.martine, birthDate: DemoData.martineBirthDate))
        let csv = "\(Self.header);email\n\(Self.martine);08/06/1988;sans photo;953701166;\(Harness.code);m@example.org\n"
        let (_, first) = try Self.run(h, csv) { $0.mailReceipts = true }
        let mail = try #require(first.first?.mail)
        h.clock.advance(3600)
        let (_, again) = try Self.run(h, csv) { $0.association = "Autre" }
        #expect(again[0].status == .alreadyOpposed && again[0].filedBy == .anotherAssociation && again[0].earlierMail == mail)
        let (_, ours) = try Self.run(h, csv)
        #expect(ours[0].filedBy == .thisAssociation && ours[0].filedAt == h.clock.now().adding(seconds: -3600))
    }
}
