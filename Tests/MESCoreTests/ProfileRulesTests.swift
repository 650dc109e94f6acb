import Testing
@testable import MESCore

@Suite struct ProfileRulesTests {
    @Test func opposition() {
        #expect(ProfileRules.transition(.opposition, from: .pending, deceased: false) == .apply(.opposed))
        #expect(ProfileRules.transition(.opposition, from: .opposed, deceased: false) == .already)
        guard case .refused(let e) = ProfileRules.transition(.opposition, from: .active, deceased: false) else { Issue.record(); return }
        #expect(e.status == .refused)
        #expect(e.code.rawValue == "already_active")
        #expect(e.message.contains("mes close"))
        // A deceased person's profile can still be opposed (it prevents the automatic creation).
        #expect(ProfileRules.transition(.opposition, from: .pending, deceased: true) == .apply(.opposed))
    }

    @Test func activation() {
        #expect(ProfileRules.transition(.activation, from: .opposed, deceased: false) == .apply(.active))
        guard case .refused(let e) = ProfileRules.transition(.activation, from: .pending, deceased: true) else { Issue.record(); return }
        #expect(e.code.rawValue == "not_activable")
        #expect(e.message == "Ce profil ne peut pas être activé")
    }

    @Test func closureAndAutomaticCreation() {
        #expect(ProfileRules.transition(.closure, from: .active, deceased: false) == .apply(.closed))
        #expect(ProfileRules.transition(.automaticCreation, from: .pending, deceased: false) == .apply(.active))
        #expect(ProfileRules.transition(.automaticCreation, from: .opposed, deceased: false) == .already)
        #expect(ProfileRules.transition(.automaticCreation, from: .pending, deceased: true) == .already)
    }

    @Test func minors() {
        let today = CalendarDate(year: 2022, month: 2, day: 3)!
        #expect(ProfileRules.isMinor(birthDate: CalendarDate(year: 2004, month: 2, day: 4)!, on: today))
        #expect(!ProfileRules.isMinor(birthDate: CalendarDate(year: 2004, month: 2, day: 3)!, on: today))
    }

    @Test func stateLabelsAsTheGuideShowsThem() {
        let d = CalendarDate(year: 2021, month: 12, day: 7)!
        #expect(ProfileState.opposed.label(since: d) == "Profil opposé le 07/12/2021")
        #expect(ProfileState.pending.label(since: nil) == "En attente de décision")
        #expect(ProfileState.active.label(since: d) == "Profil actif")
    }

    @Test func masking() {
        #expect(Masking.email("dlfr-cn5-tma-support-cobra@atos.net") == "dlf*****@atos.net")
        #expect(Masking.mobile("06 63 78 13 77") == "** ** ** *3 77")
        #expect(Masking.nir(NIRValidator().validate("116304403801618").nir!) == "1 16 30 ** *** *** **")
        // Delivery logs and errors: shorter, for e-mail addresses and E.164 numbers alike.
        #expect(Masking.recipient("marie@example.fr") == "ma***@example.fr")
        #expect(Masking.recipient("+33612345678") == "+336******78")
        #expect(Masking.recipient("123456") == "***")
    }

    @Test func codeFormat() throws {
        #expect(try ProvisionalCode.parse(" HuqZF3KXCz8k ").get() == "HuqZF3KXCz8k")
        #expect(throws: MESError.self) { try ProvisionalCode.parse("HuqZF3KXCz8").get() }
        if case .failure(let e) = ProvisionalCode.parse("HuqZF3KXCz8!") { #expect(e.code.rawValue == "code_character") } else { Issue.record() }
        if case .failure(let e) = ProvisionalCode.parse("HuqZF3KXCz8") { #expect(e.code.rawValue == "code_length") } else { Issue.record() }
    }

    @Test func names() {
        #expect(Names.same("Léa", "lea"))
        #expect(Names.same("Le Gall", "LEGALL"))
        #expect(!Names.same("Léa", "Lucas"))
    }

    @Test func population() {
        var a = PopulationGenerator(seed: 3, today: CalendarDate(year: 2022, month: 2, day: 3)!)
        var b = PopulationGenerator(seed: 3, today: CalendarDate(year: 2022, month: 2, day: 3)!)
        var people: [PopulationGenerator.Member] = []
        for i in 0..<300 {
            let fa = a.family(index: i), fb = b.family(index: i)
            #expect(fa.map(\.person) == fb.map(\.person))
            people += fa
        }
        #expect(people.contains { $0.holderBirthDate != nil })
        #expect(people.contains { $0.person.nir.department.hasPrefix("2A") || $0.person.nir.department.hasPrefix("2B") })
        #expect(people.contains { $0.person.nir.department.count == 3 })
        #expect(people.contains { $0.person.card == .photo } && people.contains { $0.person.card == .plain })
        #expect(people.contains { $0.holderBirthDate == nil && $0.person.email == nil && $0.person.mobile == nil })
        let v = NIRValidator()
        #expect(people.allSatisfy { v.validate($0.person.nir.compact).nir != nil })
    }
}
