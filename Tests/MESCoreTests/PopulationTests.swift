import Testing
@testable import MESCore

/// The fixtures' population and the members rows that exercise the batch.
@Suite struct PopulationTests {
    static let today = CalendarDate(year: 2022, month: 2, day: 3)!

    static func people(_ n: Int, seed: UInt64 = 3) -> [PopulationGenerator.Member] {
        var g = PopulationGenerator(seed: seed, today: today)
        var out: [PopulationGenerator.Member] = []
        var i = 0
        while out.count < n { out += g.family(index: i); i += 1 }
        return out
    }

    @Test func proportionsOfTheRealService() {
        let all = Self.people(20_000)
        func share(_ f: (PopulationGenerator.Member) -> Bool) -> Double { Double(all.filter(f).count) / Double(all.count) }
        let noEmail = share { $0.person.email == nil }
        #expect(noEmail > 0.07 && noEmail < 0.11, "\(noEmail): seed 003 says 9% of the French have no e-mail")
        let noContact = share { $0.person.email == nil && $0.person.mobile == nil }
        #expect(noContact > 0.03 && noContact < 0.07, "\(noContact): about 5% with neither, who get letters")
        #expect(share { $0.person.deceased } > 0.003)
        for state in [ProfileState.opposed, .active, .closed] {
            #expect(share { $0.person.state == state } > 0.002, "\(state)")
        }
        #expect(all.allSatisfy { ($0.person.state == .pending) == ($0.person.stateSince == nil) })
        #expect(all.allSatisfy { !($0.person.deceased && $0.person.state == .active) })
        #expect(share { [3, 4, 7, 8].contains($0.person.nir.sexDigit) } > 0.003)
        #expect(share { Int($0.person.nir.birthMonth)! > 12 } > 0.003)
        #expect(share { $0.person.card == .photo } > 0.5)
        let attached = all.filter { $0.holderBirthDate != nil }
        #expect(attached.contains { $0.person.birthDate.age(on: Self.today) >= 18 })
        #expect(attached.contains { ProfileRules.isMinor(birthDate: $0.person.birthDate, on: Self.today) })
        // Every NIR passes the insee rules; every identity is unique.
        #expect(all.allSatisfy { NIRValidator().validate($0.person.nir.compact).nir == $0.person.nir })
        #expect(Set(all.map { "\($0.person.nir.compact)|\($0.person.birthDate)|\($0.person.firstName)" }).count == all.count)
    }

    @Test func everyExerciseRowFailsForItsReason() throws {
        let header = MemberRow.Header(try MemberRow.mapHeader(["nir", "date_naissance", "type_carte", "numero_serie", "code", "nom",
                                                               "prenom", "expected_status", "expected_reason"]).get())
        for (k, m) in Self.people(300).enumerated() {
            for scenario in MemberScenario.allCases {
                // `row` picks how a NIR is broken: every person a different way.
                var cells = scenario.cells(m.person, code: "HuqZF3KXCz8k", today: Self.today, row: k) + ["x", "y"]
                if scenario == .extraField { cells.append("en trop") }
                // The row as the file has it, read as the batch reads it (leniently).
                let line = scenario == .strayQuote ? cells.joined(separator: ";") + "\n" : CSVWriter.line(cells, separator: ";")
                var reader = CSVReader(separator: UInt8(ascii: ";"))
                reader.lenient = true
                var records: [CSVReader.Record] = []
                try Array(line.utf8).withUnsafeBufferPointer { try reader.feed($0) { records.append($0) } }
                try reader.finish { records.append($0) }
                try #require(records.count == 1)
                let parsed = MemberRow.parse(records[0], header: header, today: Self.today)
                switch (parsed, scenario.invalidReason) {
                case (.failure(let e), let reason?): #expect(e.code == reason, "\(scenario): \(cells)")
                case (.success, nil): break
                case (.success(let row), .codeRequired?): #expect(row.code == nil)  // the batch refuses it: no --request-codes
                default: Issue.record("\(scenario): \(parsed) for \(cells)")
                }
            }
        }
    }

    @Test func everyScenarioComesOnceAPeriodAndNeverTwiceInAFamily() {
        let cycle = MemberScenario.period * MemberScenario.exercised.count
        #expect(Set((0..<cycle).map(MemberScenario.forRow)) == Set(MemberScenario.allCases))
        #expect((0..<cycle).filter { MemberScenario.forRow($0) != .live }.count == MemberScenario.exercised.count)
        // The largest family: a holder, three pairs of twins and an adult dependant.
        #expect(MemberScenario.period > 8)
    }

    /// The first `n` people and the codes after them, walked as `mes fixtures` did before it
    /// streamed (every family in memory): what the streamed walks must give.
    static func kept(_ n: Int, seed: UInt64) -> (people: [PopulationGenerator.Member], code: String) {
        var g = PopulationGenerator(seed: seed, today: today)
        var out: [PopulationGenerator.Member] = []
        var i = 0
        while out.count < n { out += g.family(index: i).prefix(n - out.count); i += 1 }
        var codes = g.codes
        return (out, codes.next())
    }

    @Test func aLaterWalkGivesTheSamePeopleAsTheFirstWithoutItsSet() {
        for (n, seed) in [(1, 1), (2, 7), (7, 42), (16, 3), (5_000, 9)] as [(Int, UInt64)] {
            let expected = Self.kept(n, seed: seed)
            var first = PopulationGenerator(seed: seed, today: Self.today, expectedPeople: n)
            var walked: [PopulationGenerator.Member] = []
            var sizes: [Int] = []
            first.forEachFamily(count: n) { walked += $0; sizes.append($0.count) }
            var again = PopulationGenerator(seed: seed, today: Self.today, replaying: first.redraws)
            var replayed: [PopulationGenerator.Member] = []
            again.forEachFamily(count: n) { replayed += $0 }
            #expect(walked.map(\.person) == expected.people.map(\.person), "\(n)")
            #expect(walked.map(\.holderBirthDate) == expected.people.map(\.holderBirthDate))
            #expect(replayed.map(\.person) == walked.map(\.person), "\(n)")
            #expect(replayed.map(\.holderBirthDate) == walked.map(\.holderBirthDate))
            // Families come whole, a holder first, but for the last one, cut to fit.
            #expect(sizes.reduce(0, +) == n)
            var codes = first.codes, replayedCodes = again.codes
            #expect(codes.next() == expected.code)
            #expect(replayedCodes.next() == expected.code)
        }
    }

    @Test func aRedrawIsRecordedOnTheFirstWalkAndReplayedOnTheNext() {
        let nir = NIR(trusted: "192052A12345678"), other = NIR(trusted: "192052012345678")
        var first = PopulationGenerator(seed: 1, today: Self.today)
        let answers = [(nir, 4), (nir, 4), (other, 4), (nir, 9)].map { first.isFree($0.0, family: $0.1) }
        #expect(answers == [true, false, true, false], "2A is not 20")
        #expect(first.redraws == [4, 9])
        // A replaying walk holds no NIR: it draws again where the first walk did, and only there.
        var again = PopulationGenerator(seed: 1, today: Self.today, replaying: [4, 4, 9])
        let replayed = [(other, 3), (other, 4), (other, 4), (other, 4), (nir, 9), (nir, 9), (nir, 10)].map {
            again.isFree($0.0, family: $0.1)
        }
        #expect(replayed == [true, false, false, true, false, true, true])
    }

    @Test func theNIRSetKeepsApartExactlyWhatASetOfTextsKeepsApart() {
        var gen = NIRGenerator(seed: 5)
        var set = NIRSet()
        var texts = Set<String>()
        var repeats = 0, disagreements = 0
        // Few departments and months: many NIRs come twice.
        for i in 0..<100_000 {
            let body = gen.body(sex: 1 + i % 2, year: 80, month: 1 + i % 3, department: ["2A", "2B", "21", "971", "99"][i % 5])
            let key = NIR.key(forBody: Array(body.utf8))!
            let nir = NIR(trusted: body + (key < 10 ? "0" : "") + String(key))
            let inserted = set.insert(nir)
            if inserted != texts.insert(nir.compact).inserted || !set.contains(nir) { disagreements += 1 }
            if !inserted { repeats += 1 }
        }
        #expect(disagreements == 0)
        #expect(repeats > 0)
        #expect(set.count == texts.count)
        #expect(NIRSet.pack(NIR(trusted: "2A0000000000000")) != NIRSet.pack(NIR(trusted: "200000000000000")))
    }
}

