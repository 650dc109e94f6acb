import Testing
import MESCore
@testable import MESCLI

/// `outbox list` as text is tab-separated: a spreadsheet opening it reads no cell as a formula
/// (issue 35), and terminal controls from data are escaped, as in `history`.
@Suite struct OutboxListingTests {
    @Test func cellsThatCouldBeFormulasAreNeutralised() {
        let m = OutboxEntry(id: 7, personID: 1, channel: .email, recipientMasked: "=1+*****@example.fr", subject: "@SUM(A1)\u{1B}[2J",
                            file: nil, createdAt: Instant(seconds: 1_643_882_400), status: .failed, lastError: "=HYPERLINK(\"x\")\u{7}", shownTo: nil)
        let cells = OutboxListing.line(m).split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        #expect(cells.count == 7)
        #expect(cells[6].hasPrefix("'=HYPERLINK") && !cells[6].contains("\u{7}"), "why it failed is neutralised too")
        #expect(cells[3] == "'=1+*****@example.fr")
        #expect(cells[5].hasPrefix("'@SUM(A1)") && !cells[5].contains("\u{1B}"))
        #expect(cells[0] == "7")
    }
}
