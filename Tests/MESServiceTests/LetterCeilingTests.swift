import Testing
import MESCore
@testable import MESService
@testable import MESStore

/// Letters that cannot harass (issue 35): at most one letter per person within 7 days and 3
/// within six weeks, whatever asks for them; each refusal audited, saying when the next may go.
@Suite struct LetterCeilingTests {
    func letter(_ h: Harness) -> MESError? {
        h.error { _ = try h.service.requestCode(CodeRequest(card: Harness.martine, birthDate: DemoData.martineBirthDate, via: .letter)) }
    }

    @Test func codeRequestsEveryTwoMinutesPostOneLetter() throws {
        let h = try Harness()
        try h.service.store.db.run("UPDATE people SET address = '3 rue de la Paix, 75002 Paris' WHERE nir = ?", .text(Harness.martine.nir.compact))
        #expect(letter(h) == nil)
        // Ten minutes of alternated requests, every two minutes: by letter and by e-mail.
        var refused = 0
        for k in 0..<5 {
            h.clock.advance(120)
            if k % 2 == 0 {
                let e = letter(h)
                #expect(e?.code == .letterLimit && e?.status == .temporary, "\(String(describing: e))")
                #expect(e?.message.contains("le prochain ne peut partir qu'à partir du 10/02/2022") == true, "\(e?.message ?? "")")
                refused += 1
            } else {
                _ = try h.service.requestCode(CodeRequest(card: Harness.martine, birthDate: DemoData.martineBirthDate))
            }
        }
        let letters = try h.service.store.db.first("SELECT count(*) FROM outbox WHERE channel = 'letter'")?.int(0)
        #expect(letters == 1)
        let audited = try h.service.store.db.first("SELECT count(*) FROM audit WHERE event = 'letter_refused'")?.int(0)
        #expect(audited == Int64(refused))
        // A week later, one more may go; at most 3 within six weeks.
        h.clock.advance(7 * 86_400)
        #expect(letter(h) == nil)
        h.clock.advance(7 * 86_400)
        #expect(letter(h) == nil)
        h.clock.advance(7 * 86_400)
        #expect(letter(h)?.code == .letterLimit)   // a 4th within 42 days of the first
        h.clock.advance(21 * 86_400)
        #expect(letter(h) == nil)
    }

    @Test func theRuleSaysWhen() {
        let p = Policy.standard
        let now = Instant(seconds: 1_000_000)
        #expect(p.nextLetter(last: nil, inWindow: 0, oldestInWindow: nil, now: now) == nil)
        #expect(p.nextLetter(last: now.adding(seconds: -86_400), inWindow: 1, oldestInWindow: nil, now: now) == now.adding(seconds: 6 * 86_400))
        #expect(p.nextLetter(last: now.adding(seconds: -8 * 86_400), inWindow: 3, oldestInWindow: now.adding(seconds: -40 * 86_400), now: now)
                == now.adding(seconds: 2 * 86_400))
    }
}

extension LetterCeilingTests {
    /// The batch's `--request-codes` is held by the same ceiling: a row of its own status,
    /// `letter_limit`, and the refusal audited with the association as actor's request.
    @Test func aBatchRequestWithinTheCeilingIsReportedAsSuch() throws {
        let h = try Harness()
        try h.service.store.db.run("UPDATE people SET address = '3 rue de la Paix, 75002 Paris' WHERE nir = ?", .text(Harness.martine.nir.compact))
        #expect(letter(h) == nil)
        h.clock.advance(86_400)
        // The harassment of the attack: a code by e-mail supersedes the letter's, so the batch
        // would post another letter; the ceiling holds it back.
        _ = try h.service.requestCode(CodeRequest(card: Harness.martine, birthDate: DemoData.martineBirthDate))
        h.clock.advance(120)
        let csv = """
        nir;date_naissance;type_carte;numero_serie;code
        \(DemoData.martineNIR.compact);08/06/1988;sans photo;953701166;

        """
        let sink = CollectingSink()
        var options = BatchOptions(receiptsDirectory: h.directory + "/justificatifs")
        options.requestCodes = true
        options.association = "Les Amis"
        _ = try h.service.batchOppose({ body in try Array(csv.utf8).withUnsafeBufferPointer { try body($0) } },
                                      totalBytes: 0, options: options, sink: sink)
        #expect(sink.rows.map(\.status) == [.letterLimit], "\(sink.rows.map(\.status))")
        #expect(sink.rows.first?.error?.code == .letterLimit)
        #expect(try h.service.store.db.first("SELECT count(*) FROM outbox WHERE channel = 'letter'")?.int(0) == 1)
        #expect(try h.service.store.db.first("SELECT count(*) FROM audit WHERE event = 'letter_refused'")?.int(0) == 1)
    }
}
