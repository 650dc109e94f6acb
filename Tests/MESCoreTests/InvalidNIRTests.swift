import Testing
@testable import MESCore

/// The invalid NIRs of `nir generate --invalid` (issue 33): every value a CI user's validator
/// must refuse comes up, each labelled with the reason the insee rules give it and nothing else.
@Suite struct InvalidNIRTests {
    /// 40,000 draws of seed 33: about 5,000 of each reason.
    static let drawn: [GeneratedNIR] = {
        var g = NIRGenerator(seed: 33)
        return (0..<40_000).map { _ in g.invalid() }
    }()

    /// The characters the insee rules look at: spaces, dots and dashes left out, upper-cased.
    static func compact(_ text: String) -> [Unicode.Scalar] {
        text.unicodeScalars.filter { $0 != " " && $0 != "." && $0 != "-" }.map { s in
            s.value >= 0x61 && s.value <= 0x7A ? Unicode.Scalar(s.value - 32)! : s
        }
    }

    static func drawn(_ reason: NIRReason) -> [String] { drawn.filter { $0.reason == reason }.map(\.text) }

    static func number(_ s: ArraySlice<Unicode.Scalar>) -> Int? { Int(String(String.UnicodeScalarView(s))) }

    @Test func eachFailsForItsReasonAndItsCode() {
        let insee = NIRValidator()
        let wrong = Self.drawn.filter { insee.validate($0.text) != .invalid($0.reason!) }
        #expect(wrong.isEmpty, "\(wrong.prefix(5).map { "\($0.text.debugDescription) \($0.reason!)" })")
        #expect(Self.drawn.allSatisfy { $0.code == $0.reason!.code })
        // Every reason comes up about as often (empty only when asked for).
        for reason in NIRGenerator.drawnReasons { #expect((4_500...5_500).contains(Self.drawn(reason).count), "\(reason)") }
        var g = NIRGenerator(seed: 1)
        for reason in NIRReason.allCases {
            for _ in 0..<300 {
                let x = g.invalid(reason)
                #expect(insee.validate(x.text) == .invalid(reason), "\(x.text.debugDescription) \(reason)")
            }
        }
    }

    @Test func everyRefusedMonthComesUp() {
        #expect(NIRGenerator.refusedMonths == [0] + Array(13...19) + Array(21...29) + Array(43...49))
        let months = Set(Self.drawn(.month).compactMap { Self.number(Self.compact($0)[3..<5]) })
        #expect(months == Set(NIRGenerator.refusedMonths))
    }

    @Test func keysThatAreNeverKeysAndKeysThatDoNotMatch() {
        let keys = Self.drawn(.key).map { Self.compact($0) }
        let tails = Set(keys.map { String(String.UnicodeScalarView($0[13...])) })
        #expect(tails.isSuperset(of: ["00", "98", "99"]))
        #expect(tails.count > 90, "other keys too: \(tails.count)")
        // Corsica: the department in lower case, and the key computed with 2A or 2B read as 20.
        #expect(Self.drawn(.key).contains { $0.contains("2a") || $0.contains("2b") })
        let read20 = keys.filter { k in
            guard k[5] == "2", k[6] == "A" || k[6] == "B" else { return false }
            var body = Array(String(String.UnicodeScalarView(k[0..<13])).utf8)
            body[6] = 0x30
            return NIR.key(forBody: body) == Self.number(k[13...])
        }
        #expect(!read20.isEmpty)
    }

    @Test func lengthsFromZeroToThirty() {
        let lengths = Set(Self.drawn(.length).map { Self.compact($0).count })
        #expect(lengths == Set(1...30).subtracting([15]))
        #expect(Self.drawn(.length).allSatisfy { Self.compact($0).allSatisfy { ("0"..."9").contains($0) || $0 == "A" || $0 == "B" } })
        var g = NIRGenerator(seed: 2)
        let empty = Set((0..<200).map { _ in g.invalid(.empty).text })
        #expect(empty.contains("") && empty.allSatisfy { Self.compact($0).isEmpty })
        #expect(empty.count > 2, "separators only, too")
    }

    @Test func lettersInEitherCaseOtherScriptsAndRefusedSeparators() {
        let texts = Self.drawn(.character)
        #expect(texts.contains { $0.unicodeScalars.contains { ("a"..."z").contains($0) } })
        #expect(texts.contains { $0.unicodeScalars.contains { ("C"..."Z").contains($0) } })
        // A or B after a department digit other than 2.
        #expect(texts.contains { let c = Self.compact($0); return c.count == 15 && c[5] != "2" && (c[6] == "A" || c[6] == "B") })
        for zero: UInt32 in [0x0660, 0x06F0, 0x0966, 0xFF10] {
            #expect(texts.contains { $0.unicodeScalars.contains { (zero...zero + 9).contains($0.value) } }, "\(zero)")
        }
        #expect(texts.contains { $0.unicodeScalars.filter { (0xFF10...0xFF19).contains($0.value) }.count >= 13 }, "all full-width")
        for separator in NIRGenerator.refusedSeparators { #expect(texts.contains { $0.contains(separator) }, "\(separator.debugDescription)") }
    }

    @Test func theStructureFaults() {
        #expect(Set(Self.drawn(.sex).map { Self.compact($0)[0] }) == ["0", "5", "6", "9"])
        let departments = Set(Self.drawn(.department).map { c -> String in
            let k = Self.compact(c)
            return String(String.UnicodeScalarView(k[5..<(k[5] == "9" ? 8 : 7)]))
        })
        #expect(departments == Set(["00"] + NIRGenerator.refusedOverseas.map(String.init)))
        #expect(NIRGenerator.refusedOverseas == [970, 979, 980, 981, 982, 983, 985])
        // Commune 000 in metropolitan France, Corsica and abroad, 00 overseas.
        let communes = Self.drawn(.commune).map { Self.compact($0) }
        #expect(communes.contains { $0[5] == "9" && $0[6] == "7" } && communes.contains { $0[6] == "A" || $0[6] == "B" }
                && communes.contains { $0[5] == "9" && $0[6] == "9" })
        #expect(Self.drawn(.order).allSatisfy { Self.compact($0)[10..<13].allSatisfy { $0 == "0" } })
    }

    @Test func oneInFourAsPeopleTypeThem() {
        let separated = Self.drawn.filter { $0.text.contains(" ") || $0.text.contains(".") || $0.text.contains("-") }
        #expect((8_000...12_500).contains(separated.count), "\(separated.count)")
        for kind in [" ", ".", "-"] {
            #expect(separated.contains { $0.text.contains(kind) && Set($0.text).intersection([" ", ".", "-"]).count == 1 }, "\(kind) alone")
        }
        #expect(separated.contains { Set($0.text).intersection([" ", ".", "-"]).count == 3 }, "mixed")
        #expect(separated.contains { $0.text.hasPrefix(" ") || $0.text.hasPrefix(".") })
        #expect(separated.contains { $0.text.hasSuffix(" ") || $0.text.hasSuffix(".") || $0.text.hasSuffix("-") })
        // Never a dash first: on a command line it would be an option.
        #expect(!Self.drawn.contains { $0.text.hasPrefix("-") })
        // No tab, line feed or carriage return: one value per line, and a tab after it in text output.
        #expect(!Self.drawn.contains { $0.text.contains { "\t\n\r".contains($0) } })
    }

    /// The members file's broken NIRs are drawn the same way, row by row, but for what a
    /// spreadsheet's export would have made (the batch reports those as export traps).
    @Test func theMembersFilesBrokenNIRsToo() throws {
        let nir = try #require(NIRValidator().validate("192052220255451").nir)
        let insee = NIRValidator()
        for scenario in MemberScenario.allCases {
            guard let reason = scenario.nirReason else { #expect(scenario.brokenNIR(nir, row: 0) == nil); continue }
            let texts = (0..<3_000).map { scenario.brokenNIR(nir, row: $0)! }
            #expect(texts.allSatisfy { insee.validate($0) == .invalid(reason) && ExportTrap.nirError($0) == nil }, "\(scenario)")
            #expect(reason.code == scenario.invalidReason)
            #expect(Set(texts).count > 100, "\(scenario): drawn row by row")
        }
        let months = Set((0..<3_000).compactMap { Self.number(Self.compact(MemberScenario.nirMonth.brokenNIR(nir, row: $0)!)[3..<5]) })
        #expect(months == Set(NIRGenerator.refusedMonths))
        // The same row, the same text.
        #expect(MemberScenario.nirKey.brokenNIR(nir, row: 77) == MemberScenario.nirKey.brokenNIR(nir, row: 77))
    }

    @Test func aSeedGivesTheSameValues() {
        var a = NIRGenerator(seed: 7), b = NIRGenerator(seed: 7)
        #expect((0..<2_000).map { _ in a.invalid() } == (0..<2_000).map { _ in b.invalid() })
    }
}
