import Testing
@testable import MESCore

/// Cases on demand and tags (issue 33): what a NIR shows, what a person's family and dates say,
/// `NIRGenerator.valid(case)`, the population's filter and its documented shares.
@Suite struct FixtureCaseTests {
    static let today = CalendarDate(year: 2026, month: 1, day: 1)!

    @Test func aNIRsCharactersSayItsCases() {
        func tags(_ s: String, _ year: Int? = nil) -> [String] { FixtureCase.tags(nir: s, birthYear: year).map(\.rawValue) }
        #expect(tags("192052220255451") == [] && tags("116304403801618") == ["pseudo-month"])  // month 30
        #expect(tags("152072A00401765") == ["corsica"] && tags("152072b00401765") == ["corsica"])
        #expect(tags("1880297412345xx") == ["overseas"])
        #expect(tags("1880299123456xx") == ["abroad"])
        #expect(tags("150109612345640") == ["algeria-morocco-tunisia"])  // Tunisia, born 1950
        #expect(tags("157109612345640") == [])                            // born 1957: after independence
        #expect(tags("162109212345640") == ["algeria-morocco-tunisia"] && tags("163109212345640") == [])
        #expect(tags("105109212345640", 2005) == [] && tags("105109212345640", 1905) == ["algeria-morocco-tunisia"])
        #expect(tags("788019912345600") == ["abroad", "temporary"])
        #expect(tags("188209912345600") == ["abroad", "pseudo-month"] && tags("188429912345600").contains("pseudo-month"))
        #expect(tags("188439912345600") == ["abroad"] && tags("188139912345600") == ["abroad"])
        #expect(tags("") == [] && tags("12") == [] && tags("1é\u{0}") == [])
        // As the insee rules read an input: separators left out, one character a position.
        #expect(tags("1 52 07 2a 004 017 65") == ["corsica"] && tags(" 7.88.01-99.123.456.00 ") == ["abroad", "temporary"])
        #expect(tags("\u{FF11}52072A00401765") == ["corsica"])
    }

    @Test(arguments: ["corsica", "overseas", "abroad", "algeria-morocco-tunisia", "temporary", "pseudo-month"])
    func aNIROfEachCaseIsValidAndTaggedSo(name: String) throws {
        let kind = try #require(FixtureCase(rawValue: name))
        #expect(FixtureCase.nirCases.contains(kind))
        var g = NIRGenerator(seed: 5)
        for _ in 0..<2_000 {
            let nir = g.valid(kind)
            guard case .valid = NIRValidator().validate(nir) else { Issue.record("\(kind): \(nir) invalid"); return }
            #expect(FixtureCase.tags(nir: nir).contains(kind), "\(kind): \(nir)")
        }
    }

    @Test func membersAreTaggedByTheirFamilyAndDates() {
        var g = PopulationGenerator(seed: 3, today: Self.today)
        var seen: Set<FixtureCase> = []
        for i in 0..<20_000 {
            let family = g.family(index: i)
            for m in family {
                let tags = g.tags(m, in: family), p = m.person
                seen.formUnion(tags)
                #expect(tags.contains(.minor) == (p.birthDate.age(on: Self.today) < 18))
                #expect(tags.contains(.adultDependant) == (m.holderBirthDate != nil && p.birthDate.age(on: Self.today) >= 18))
                #expect(tags.contains(.deceased) == p.deceased)
                let twin = family.filter { $0.holderBirthDate != nil && $0.person.birthDate == p.birthDate }.count > 1
                #expect(tags.contains(.twins) == (m.holderBirthDate != nil && twin))
                #expect(tags == tags.sorted())
            }
        }
        #expect(seen == Set(FixtureCase.allCases), "\(Set(FixtureCase.allCases).subtracting(seen))")
    }

    @Test(arguments: ["corsica", "overseas", "abroad", "algeria-morocco-tunisia", "temporary", "pseudo-month", "twins", "deceased",
                      "minor", "adult-dependant"])
    func aCaseKeepsOnlyFamiliesWithIt(name: String) throws {
        let kind = try #require(FixtureCase(rawValue: name))
        var g = PopulationGenerator(seed: 9, today: Self.today)
        g.cases = [kind]
        var people = 0, families = 0
        g.forEachFamily(count: 300) { family in
            people += family.count
            families += 1
            #expect(family.contains { PopulationGenerator.tags($0, in: family, today: Self.today).contains(kind) } || people == 300, "\(kind)")
        }
        #expect(people == 300 && families > 0)
    }

    /// The documented shares of holders (mes(1), FIXTURES): Corsica 4%, overseas 5%, abroad 4%.
    @Test func birthPlacesHaveTheDocumentedShares() {
        var g = PopulationGenerator(seed: 21, today: Self.today)
        var holders = 0, corsica = 0, overseas = 0, abroad = 0
        for i in 0..<30_000 {
            let h = g.family(index: i)[0]
            let tags = FixtureCase.tags(nir: h.person.nir.compact)
            holders += 1
            if tags.contains(.corsica) { corsica += 1 }
            if tags.contains(.overseas) { overseas += 1 }
            if tags.contains(.abroad) { abroad += 1 }
        }
        func share(_ n: Int) -> Double { Double(n) / Double(holders) }
        #expect(abs(share(corsica) - 0.04) < 0.006 && abs(share(overseas) - 0.05) < 0.006 && abs(share(abroad) - 0.04) < 0.006,
                "\(share(corsica)) \(share(overseas)) \(share(abroad))")
    }
}
