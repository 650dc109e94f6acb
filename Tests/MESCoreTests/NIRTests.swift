import Testing
@testable import MESCore

@Suite struct NIRTests {
    let insee = NIRValidator(rules: .insee)

    @Test func guideHolderIsValid() throws {
        let nir = try #require(insee.validate("1 16 30 44 038 016 18").nir)
        #expect(nir.compact == "116304403801618")
        #expect(nir.formatted == "1 16 30 44 038 016 18")
        #expect(nir.sexDigit == 1)
        #expect(nir.birthYear == "16")
        #expect(nir.birthMonth == "30")
        #expect(nir.department == "44")
        #expect(nir.commune == "038")
        #expect(nir.order == "016")
        #expect(nir.key == "18")
    }

    @Test func formPlaceholderFailsOnItsKey() {
        #expect(insee.validate("1 55 12 55 555 555 55") == .invalid(.key))
        #expect(NIRValidator(rules: .app).validate("1 55 12 55 555 555 55") == .invalid(.key))
        #expect(NIRValidator(rules: .stdnum).validate("1 55 12 55 555 555 55") == .invalid(.key))
    }

    @Test func keyOfPlaceholderBody() {
        #expect(NIR.key(forBody: "1551255555555") == 97 - Int(1_551_255_555_555 % 97))
        #expect(NIR.key(forBody: "1163044038016") == 18)
    }

    @Test func corsicaCountsAs19And18() {
        // stdnum's own doctests.
        #expect(NIR.key(forBody: "253072B073004") == 70)
        #expect(NIR.key(forBody: "253072A073004") == 43)
        #expect(insee.validate("253072B07300470").nir?.department == "2B")
        #expect(insee.validate("2 53 07 2a 073 004 43").nir?.compact == "253072A07300443")
        #expect(insee.validate("253072C07300443") == .invalid(.character))
    }

    @Test func separatorsAreIgnored() {
        for s in ["116304403801618", "1.16.30.44.038.016.18", "1-16-30-44-038-016-18", " 1 16 30 44 038 016 18 ", "\t116304403801618\r"] {
            #expect(insee.validate(s).nir?.compact == "116304403801618", "\(s)")
        }
    }

    @Test(arguments: [
        ("", NIRReason.empty), ("1163044038016", .length), ("11630440380161899", .length),
        ("1163044038016X8", .character), ("1 16 30 44 038 016 1é", .character), ("116304A03801618", .character),
        ("516304403801618", .sex), ("016304403801618", .sex),
        ("116004403801618", .month), ("116134403801618", .month), ("116254403801618", .month), ("116434403801618", .month),
        ("116300003801618", .department), ("116309790101618", .department), ("116309850101618", .department),
        ("116309800001618", .department), ("116309700001618", .department),
        ("116304400001618", .commune), ("116309710001618", .commune), ("116309900001618", .commune),
        ("116304403800018", .order), ("116304403801617", .key),
    ])
    func inseeReasons(input: String, reason: NIRReason) {
        #expect(insee.validate(input) == .invalid(reason))
    }

    @Test func inseeAcceptsPseudoMonthsTemporarySexesOverseasAndAbroad() {
        for body in ["7162044038016", "3163544038016", "8169944038016", "2850597105123", "1990398735001", "1850799135001"] {
            let key = NIR.key(forBody: body)!
            let nir = body + (key < 10 ? "0\(key)" : "\(key)")
            #expect(insee.validate(nir).nir != nil, "\(nir)")
        }
        let overseas = insee.validate("285059710512315").nir
        #expect(overseas == nil || overseas?.department == "971")
    }

    /// Department 96 is Tunisia before its independence, like 91–94 (Algeria) and 95 (Morocco):
    /// valid under every rule set (python-stdnum agrees).
    @Test func tunisiaBeforeIndependenceIsValidUnderEveryRuleSet() {
        for rules in [NIRRules.insee, .stdnum, .app, .cnam] {
            #expect(NIRValidator(rules: rules).validate("150109612345640").nir != nil, "\(rules)")
        }
    }

    /// Overseas codes are INSEE's: 971 to 978, 984, 986 to 989, and no other.
    @Test func overseasCodesAreInseesOwn() {
        for code in 970...989 {
            let body = "28505\(code)05123"
            let key = NIR.key(forBody: body)!
            let verdict = insee.validate(body + (key < 10 ? "0\(key)" : "\(key)"))
            #expect((verdict.nir != nil) == NIRValidator.overseas.contains(code), "\(code): \(verdict)")
        }
        #expect(NIRValidator.overseas == [971, 972, 973, 974, 975, 976, 977, 978, 984, 986, 987, 988, 989])
    }

    @Test func overseasFieldsSplitThreeAndTwo() throws {
        let body = "2850597105123"
        let key = NIR.key(forBody: body)!
        let nir = try #require(insee.validate(body + (key < 10 ? "0\(key)" : "\(key)")).nir)
        #expect(nir.department == "971")
        #expect(nir.commune == "05")
    }

    @Test func appRulesUseTheAppsMessages() {
        let app = NIRValidator(rules: .app)
        #expect(app.validate("11630440380161") == .invalid(.length))
        #expect(NIRReason.length.message == "Le numéro de sécurité sociale doit contenir 15 caractères")
        #expect(app.validate("716204403801618") == .invalid(.sex))
        #expect(NIRReason.sex.message.hasPrefix("Format invalide, vérifier le format du numéro de sécurité sociale"))
        #expect(app.validate("116304403801618") == .invalid(.month))  // pseudo-month 30 is not in 01–12
        #expect(app.validate("2 53 07 2A 073 004 43").nir != nil)
    }

    @Test func stdnumCleaningMatchesPython() {
        let s = NIRValidator(rules: .stdnum)
        #expect(s.validate("2 95 10 99 126 111 93").nir != nil)
        #expect(s.validate("295109912611199") == .invalid(.key))
        #expect(s.validate("6546546546546703") == .invalid(.length))
        #expect(s.validate("1-16-30-44-038-016-18").nir == nil)  // stdnum does not remove dashes
        #expect(s.validate("\u{FF11}16304403801618").nir != nil)  // full-width digit
        #expect(s.validate("1\u{00A0}16304403801618").nir != nil)  // no-break space
        #expect(s.validate("1\u{2022}16304403801618").nir != nil)  // bullet maps to a dot
        #expect(s.validate("\u{2028}116304403801618\u{85}").nir != nil)  // Python strip()
        #expect(s.validate("1\t16304403801618").nir == nil)  // inner tab is kept
        #expect(s.validate("5163044038016" + String(NIR.key(forBody: "5163044038016")!)).nir != nil)  // no structure rules
    }
}
