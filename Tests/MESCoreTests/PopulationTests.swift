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
        let noContact = share { $0.person.email == nil && $0.person.mobile == nil }
        #expect(noContact > 0.07 && noContact < 0.11, "\(noContact): seed 003 says about 9%")
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
        for m in Self.people(300) {
            for scenario in MemberScenario.allCases {
                var cells = scenario.cells(m.person, code: "HuqZF3KXCz8k", today: Self.today) + ["x", "y"]
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
}
