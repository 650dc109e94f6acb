import Testing
@testable import MESCore

/// The fixtures' population matches what the seeds and the man page say (issue 29): 9% ± 1% of
/// holders without e-mail (seed 003), and no parent less than 16 years older than a child.
@Suite struct PopulationSharesTests {
    @Test func holdersWithoutEmailAndParentsAges() {
        var gen = PopulationGenerator(seed: 29, today: CalendarDate(year: 2026, month: 1, day: 1)!)
        var holders = 0, withoutEmail = 0, children = 0, gaps: [Int] = []
        gen.forEachFamily(count: 100_000) { family in
            let holder = family[0].person
            holders += 1
            if holder.email == nil { withoutEmail += 1 }
            for m in family.dropFirst() where ProfileRules.isMinor(birthDate: m.person.birthDate, on: CalendarDate(year: 2026, month: 1, day: 1)!) {
                children += 1
                let days = m.person.birthDate.daysSinceEpoch - holder.birthDate.daysSinceEpoch
                gaps.append(days / 365)
                #expect(days >= 16 * 365, "a parent \(days / 365) years older than their child")
            }
        }
        let share = Double(withoutEmail) / Double(holders)
        #expect(abs(share - 0.09) <= 0.01, "\(withoutEmail) of \(holders) holders without e-mail: \(share)")
        #expect(children > 1_000)
        // Plausible: most parents were 25 to 35 at the birth.
        let typical = gaps.filter { (25...35).contains($0) }.count
        #expect(Double(typical) / Double(gaps.count) > 0.5, "\(typical) of \(gaps.count)")
    }
}
