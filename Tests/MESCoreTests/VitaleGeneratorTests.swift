import Testing
@testable import MESCore

@Suite struct VitaleGeneratorTests {
    @Test func validSerialsPassTheirCardRules() {
        for card in CardType.allCases {
            var g = VitaleGenerator(seed: 7)
            for _ in 0..<2_000 {
                let s = g.valid(card)
                #expect(s.reason == nil)
                #expect((try? VitaleSerial.parse(s.text, card: card).get())?.digits == s.text, "\(s.text)")
            }
        }
    }

    @Test func invalidSerialsFailWithTheirLabel() {
        for card in CardType.allCases {
            var g = VitaleGenerator(seed: 11)
            var seen = Set<VitaleReason>()
            for _ in 0..<2_000 {
                let s = g.invalid(card)
                let reason = try! #require(s.reason)
                seen.insert(reason)
                guard case .failure(let e) = VitaleSerial.parse(s.text, card: card) else {
                    Issue.record("\(s.text) accepted")
                    continue
                }
                #expect(e.code == reason.code(card: card), "\(s.text)")
            }
            #expect(seen == Set(VitaleReason.allCases))
            var only = VitaleGenerator(seed: 3)
            #expect((0..<200).allSatisfy { _ in only.invalid(card, .length).reason == .length })
        }
    }

    @Test func sameSeedSameSerials() {
        var a = VitaleGenerator(seed: 42), b = VitaleGenerator(seed: 42)
        #expect((0..<50).map { _ in a.valid(.plain).text } == (0..<50).map { _ in b.valid(.plain).text })
        var c = VitaleGenerator(seed: 42)
        // Pinned: a change to the generator that alters these bytes breaks the stability promise.
        #expect((0..<3).map { _ in c.valid(.photo).text } == ["71230828362", "45562140690", "56027796786"])
    }
}
