import Testing
@testable import MESCore

@Suite struct VitaleSerialTests {
    @Test func photoTakesElevenDigits() throws {
        let s = try VitaleSerial.parse("0102457612 4", card: .photo).get()
        #expect(s.digits == "01024576124")
        #expect(s.printed == "802500000201024576124")
    }

    @Test(arguments: [
        ("0102457612", CardType.photo, "serial_photo_length"), ("010245761245", .photo, "serial_photo_length"),
        ("1234567", .plain, "serial_plain_length"), ("12345678901234", .plain, "serial_plain_length"),
        ("95370116a", .plain, "serial_digits"), ("", .plain, "serial_required"), ("１２３４５６７８", .plain, "serial_digits"),
    ])
    func rejections(text: String, card: CardType, code: String) {
        guard case .failure(let e) = VitaleSerial.parse(text, card: card) else { Issue.record("accepted \(text)"); return }
        #expect(e.code.rawValue == code)
        #expect(e.field == "serial")
        #expect(e.status == .invalidData)
    }

    @Test func plainTakesEightToThirteen() {
        for n in 8...13 { #expect((try? VitaleSerial.parse(String(repeating: "9", count: n), card: .plain).get()) != nil) }
        #expect((try? VitaleSerial.parse("953701166", card: .plain).get())?.printed == "953701166")
    }

    @Test func cardTypesAcceptFrenchLabels() {
        #expect(CardType(flexible: "avec photo") == .photo)
        #expect(CardType(flexible: "Sans photo") == .plain)
        #expect(CardType(flexible: "plain") == .plain)
        #expect(CardType(flexible: "carte") == nil)
    }
}

@Suite struct CalendarDateTests {
    @Test func parsesBothForms() {
        #expect(CalendarDate.parse("08/06/1988") == CalendarDate(year: 1988, month: 6, day: 8))
        #expect(CalendarDate.parse("1988-06-08") == CalendarDate(year: 1988, month: 6, day: 8))
    }

    @Test(arguments: ["31/02/2020", "29/02/2021", "00/01/2000", "2020-13-01", "1/1/2000", "2000-1-1", "hier", ""])
    func rejectsImpossibleOrMalformed(text: String) {
        #expect(CalendarDate.parse(text) == nil)
    }

    @Test func leapDayExists() { #expect(CalendarDate.parse("29/02/2020") != nil) }

    @Test func epochDaysRoundTrip() {
        for d in [-800_000, -1, 0, 1, 18_000, 19_000, 2_000_000] {
            #expect(CalendarDate(daysSinceEpoch: d).daysSinceEpoch == d)
        }
        #expect(CalendarDate(year: 1970, month: 1, day: 1)!.daysSinceEpoch == 0)
        #expect(CalendarDate(year: 2022, month: 2, day: 3)!.daysSinceEpoch == 19_026)
    }

    @Test func age() {
        let birth = CalendarDate(year: 2004, month: 2, day: 4)!
        #expect(birth.age(on: CalendarDate(year: 2022, month: 2, day: 3)!) == 17)
        #expect(birth.age(on: CalendarDate(year: 2022, month: 2, day: 4)!) == 18)
    }

    @Test func frenchForm() { #expect(CalendarDate(year: 2021, month: 9, day: 28)!.french == "28/09/2021") }

    @Test func textFormsOfEveryYearWidth() {
        let cases: [(Int, Int, Int, String, String)] = [
            (2021, 12, 31, "2021-12-31", "31/12/2021"), (1000, 1, 1, "1000-01-01", "01/01/1000"),
            (9999, 10, 9, "9999-10-09", "09/10/9999"), (999, 1, 2, "999-01-02", "02/01/999"), (1, 3, 4, "1-03-04", "04/03/1"),
        ]
        for (y, m, d, iso, french) in cases {
            let date = CalendarDate(year: y, month: m, day: d)!
            #expect(date.iso == iso)
            #expect(date.french == french)
            if y >= 1000 { #expect(CalendarDate.parse(iso) == date) }
        }
    }
}

@Suite struct InstantTests {
    @Test func parsesAndPrints() throws {
        let i = try #require(Instant.parse("2022-02-03T10:00:00Z"))
        #expect(i.seconds == 1_643_882_400)
        #expect(i.iso8601 == "2022-02-03T10:00:00Z")
        #expect(Instant.parse("2022-02-03T11:00:00+01:00") == i)
        #expect(Instant.parse("2022-02-03") == Instant(seconds: 1_643_846_400))
    }

    @Test(arguments: ["2022-02-30T10:00:00Z", "2022-02-03T25:00:00Z", "tomorrow", "2022-02-03T10:00:00Zjunk"])
    func rejects(text: String) { #expect(Instant.parse(text) == nil) }

    /// Without a zone, a time is Paris time (winter, summer, and both sides of the changes).
    @Test func zonelessTimesArePariswallClock() {
        #expect(Instant.parse("2022-02-03T11:00:00") == Instant.parse("2022-02-03T10:00:00Z"))
        #expect(Instant.parse("2022-07-14T12:00:00") == Instant.parse("2022-07-14T10:00:00Z"))
        // The night of the spring change (27 March 2022, 02:00 → 03:00).
        #expect(Instant.parse("2022-03-27T01:30:00") == Instant.parse("2022-03-27T00:30:00Z"))
        #expect(Instant.parse("2022-03-27T03:30:00") == Instant.parse("2022-03-27T01:30:00Z"))
        #expect(Instant.parse("2022-03-27T22:30:00") == Instant.parse("2022-03-27T20:30:00Z"))
        // A skipped time is read with the winter offset.
        #expect(Instant.parse("2022-03-27T02:30:00") == Instant.parse("2022-03-27T01:30:00Z"))
        // The autumn change (30 October 2022, 03:00 → 02:00).
        #expect(Instant.parse("2022-10-30T01:30:00") == Instant.parse("2022-10-29T23:30:00Z"))
        #expect(Instant.parse("2022-10-30T04:00:00") == Instant.parse("2022-10-30T03:00:00Z"))
        #expect(Instant.parse("2022-03-27 22:30:00") == Instant.parse("2022-03-27T20:30:00Z"))
    }

    @Test func parisDateCrossesMidnight() {
        // 23:30 UTC in winter is 00:30 the next day in Paris; in summer 23:30 UTC is 01:30.
        #expect(Instant.parse("2021-12-06T23:30:00Z")!.parisDate.french == "07/12/2021")
        #expect(Instant.parse("2021-09-27T22:30:00Z")!.parisDate.french == "28/09/2021")
        #expect(Instant.parse("2021-09-27T21:30:00Z")!.parisDate.french == "27/09/2021")
    }
}

@Suite struct NIRGeneratorTests {
    @Test func sameSeedSameOutput() {
        var a = NIRGenerator(seed: 42), b = NIRGenerator(seed: 42)
        #expect((0..<50).map { _ in a.valid() } == (0..<50).map { _ in b.valid() })
    }

    @Test func validOnesAreValidUnderEveryRuleTheyClaim() {
        var g = NIRGenerator(seed: 1)
        let insee = NIRValidator(rules: .insee), std = NIRValidator(rules: .stdnum)
        for _ in 0..<5_000 {
            let n = g.valid()
            #expect(insee.validate(n).nir != nil, "\(n)")
            #expect(std.validate(n).nir != nil, "\(n)")
        }
    }

    @Test func invalidOnesFailForTheirLabel() {
        var g = NIRGenerator(seed: 9)
        let insee = NIRValidator(rules: .insee)
        for _ in 0..<5_000 {
            let x = g.invalid()
            #expect(insee.validate(x.text) == .invalid(x.reason!), "\(x.text) \(x.reason!)")
        }
        for reason in NIRReason.allCases where reason != .empty {
            #expect(insee.validate(g.invalid(reason).text) == .invalid(reason))
        }
    }
}
