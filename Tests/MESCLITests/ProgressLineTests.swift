import Testing
@testable import MESCLI
@testable import MESService

/// The progress line's words (issue 30): done/total, "≈" for an estimate, the percentage, and a
/// rate and time left only once there is time enough to measure them (the first report of a
/// fast import claimed "1024000 lignes/s").
@Suite struct ProgressLineTests {
    @Test func noRateBeforeHalfASecond() {
        let early = ProgressLine.text(Progress(.rows, done: 1024, total: 1428, estimate: true), elapsed: 0.001)
        #expect(early == "1024/≈1428 lignes (71 %)")
        let later = ProgressLine.text(Progress(.rows, done: 1000, total: 4000), elapsed: 2)
        #expect(later == "1000/4000 lignes (25 %), 500 lignes/s, reste ~6 s")
        #expect(ProgressLine.text(Progress(.messages, done: 7, total: nil), elapsed: 0.1) == "7 messages traités")
        #expect(ProgressLine.text(Progress(.letters, done: 10, total: nil), elapsed: 1) == "10 courriers mis en page, 10 courriers/s")
        // Never past 100 %, whatever the estimate said.
        #expect(ProgressLine.text(Progress(.rows, done: 120, total: 100, estimate: true), elapsed: nil) == "120/≈100 lignes (100 %)")
    }
}
