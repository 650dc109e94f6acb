import Testing
@testable import MESCore

@Suite struct CredentialsTests {
    let person = Person(nir: NIRValidator().validate("116304403801618").nir!, birthDate: CalendarDate(year: 1988, month: 6, day: 8)!,
                        firstName: "Martine Julie", lastName: "Leguellec", card: .plain, serial: "953701166")

    func codes(_ pw: String, _ confirm: String? = nil) -> [String] {
        Credentials.passwordProblems(pw, confirmation: confirm ?? pw, person: person).map(\.code.rawValue)
    }

    @Test func goodPasswordPasses() { #expect(codes("Soleil#2022x").isEmpty) }
    @Test func accentedLetterCountsAsSpecial() { #expect(codes("Ébène2022xy").isEmpty) }
    @Test func everyRuleIsReported() {
        #expect(codes("abc") == ["password_length", "password_special", "password_digit", "password_upper"])
        #expect(codes("Soleil#2022x", "Soleil#2022y") == ["password_mismatch"])
    }
    @Test func personalData() {
        #expect(codes("Leguellec#22") == ["password_personal"])
        #expect(codes("X#a08061988") == ["password_personal"])
        #expect(codes("X#a1163044038016") == ["password_personal"])
        #expect(codes("Julie!2023ab") == ["password_personal"])
    }
    @Test func commonPasswords() {
        #expect(codes("Azerty123!").contains("password_common"))
        #expect(codes("Motdepasse1!").contains("password_common"))
    }
    @Test func identifiers() {
        #expect(Credentials.identifierProblems("martine.l", nir: person.nir).isEmpty)
        #expect(Credentials.identifierProblems("court", nir: person.nir).map(\.code.rawValue) == ["username_length"])
        #expect(Credentials.identifierProblems("martine@example.fr", nir: person.nir).map(\.code.rawValue).contains("username_email"))
        #expect(Credentials.identifierProblems("Martine.L", nir: person.nir).map(\.code.rawValue) == ["username_character"])
        #expect(Credentials.identifierProblems("116304403801618", nir: person.nir).map(\.code.rawValue) == ["username_nir"])
        #expect(Credentials.identifierProblems("fr7630006000011234567890189", nir: person.nir).map(\.code.rawValue) == ["username_iban"])
        #expect(Credentials.identifierProblems(String(repeating: "a", count: 101), nir: person.nir).map(\.code.rawValue) == ["username_length"])
    }
    @Test func suggestions() {
        let s = Credentials.suggestions(for: "martine.l", birthYear: 1988) { $0 != "martine.l1988" }
        #expect(s.first == "martine.l.88")
        #expect(s.count == 3)
    }
}

/// Calendar months for retention deadlines.
@Suite struct MonthArithmeticTests {
    @Test func monthsKeepTheTimeOfDayAndClampToTheMonthsEnd() {
        let t = Instant.parse("2022-02-03T10:00:00Z")!
        #expect(t.adding(months: 3).iso8601 == "2022-05-03T10:00:00Z")
        #expect(t.adding(months: 120).iso8601 == "2032-02-03T10:00:00Z")
        #expect(Instant.parse("2022-05-31T23:59:59Z")!.adding(months: 1).iso8601 == "2022-06-30T23:59:59Z")
        #expect(Instant.parse("2024-02-29T00:00:00Z")!.adding(months: 12).iso8601 == "2025-02-28T00:00:00Z")
        #expect(Instant.parse("2022-11-30T12:00:00Z")!.adding(months: 3).iso8601 == "2023-02-28T12:00:00Z")
        #expect(Instant.parse("2022-01-15T00:00:00Z")!.adding(months: -1).iso8601 == "2021-12-15T00:00:00Z")
    }

    @Test func theRetentionIsThreeMonthsWhenDeletionIsAskedElseTenYears() {
        let closed = Instant.parse("2022-02-03T10:00:00Z")!
        #expect(Policy.standard.contentDeletion(closedAt: closed, deletionAsked: true).iso8601 == "2022-05-03T10:00:00Z")
        #expect(Policy.standard.contentDeletion(closedAt: closed, deletionAsked: false).iso8601 == "2032-02-03T10:00:00Z")
    }
}
