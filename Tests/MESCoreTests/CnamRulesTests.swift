import Testing
@testable import MESCore

/// `--rules cnam`: the verdicts of the Assurance Maladie's PHP validator
/// (assurance-maladie-digital/nir-validation, version 2), on inputs chosen where it differs
/// from the other rule sets. Each row names the PHP violation the input gets there, worked
/// out from its source (cleaning, length, pattern, key), and the reason `mes` gives.
@Suite struct CnamRulesTests {
    let cnam = NIRValidator(rules: .cnam)

    static let corpus: [(input: String, php: String, reason: NIRReason?)] = [
        // Valid, with and without the key (the key is only checked at 15 characters).
        ("2840588321025", "valid", nil),
        ("284058832102532", "valid", nil),
        ("2 84 05 88 321 025 32", "valid", nil),
        ("  1 16 30 44 038 016 18  ", "valid", nil),
        ("\t116304403801618\r\n", "valid", nil),
        ("\u{0}116304403801618\u{0B}", "valid", nil),
        ("2 84 05 2a 321 025 52", "valid", nil),
        ("2 84 05 2B 321 025 79", "valid", nil),
        ("284052A321025", "valid", nil),
        // Months 20–99 are all pseudo-months there (insee refuses 21–29 and 43–49).
        ("2 84 20 2B 321 025 28", "valid", nil),
        ("1 85 20 99 000 000 28", "valid", nil),
        ("1 85 01 44 000 045 97", "valid", nil),  // key 97, commune and order 000 allowed
        ("1 85 00 96 000 000", "NIR_INVALID", .month),
        ("1 85 00 96 000 000 80", "NIR_INVALID", .month),
        ("1850096000000", "NIR_INVALID", .month),
        ("2841399123456", "NIR_INVALID", .month),
        ("1 85 99 99 999 999 05", "valid", nil),
        ("1 85 01 96 000 000", "valid", nil),  // any 2-digit department
        // Sex 1 or 2 only (no temporary numbers).
        ("7 84 05 88 321 025", "NIR_INVALID", .sex),
        ("8 84 05 88 321 025 23", "NIR_INVALID", .sex),
        ("0840588321025", "NIR_INVALID", .sex),
        // Length: 13 or 15 characters after cleaning; dots and dashes are characters.
        ("", "LENGTH_ERROR", .empty),
        ("   ", "LENGTH_ERROR", .empty),
        ("2 84 05 88 321 30", "LENGTH_ERROR", .length),
        ("28405883210253", "LENGTH_ERROR", .length),
        ("2840588321025321", "LENGTH_ERROR", .length),
        ("2-84-05-88-321-025-32", "LENGTH_ERROR", .length),
        ("2.84.05.88.321.025", "LENGTH_ERROR", .length),
        ("2.840588321025", "LENGTH_ERROR", .length),
        ("2.84058832102", "NIR_INVALID", .character),  // 13 characters, one a dot
        ("2840588321025\u{0C}", "LENGTH_ERROR", .length),  // form feed is not trimmed
        ("\u{A0}284058832102532", "LENGTH_ERROR", .length),  // a no-break space is a character
        ("\u{A0}284058832102", "NIR_INVALID", .character),
        ("２840588321025", "NIR_INVALID", .character),  // a full-width digit is not \d
        ("ß40588321025", "NIR_INVALID", .character),  // 12 characters, 13 once upper-cased (SS)
        ("ß4058832102", "LENGTH_ERROR", .length),
        // Corsica only at the department.
        ("2 84 05 2C 321 025", "NIR_INVALID", .character),
        ("2 84 05 3A 321 025", "NIR_INVALID", .character),
        ("2B34567890123", "NIR_INVALID", .character),
        // Key: 00–97 in the pattern, then compared.
        ("2 55 08 14 168 025 00", "NIR_KEY_INVALID", .key),
        ("2 55 08 14 168 025 37", "NIR_KEY_INVALID", .key),
        ("2 55 08 14 168 025 38", "valid", nil),
        ("2 55 08 14 168 025 98", "NIR_INVALID", .key),
        ("1 55 12 55 555 555 55", "NIR_KEY_INVALID", .key),
        ("1 55 12 55 555 555 5X", "NIR_INVALID", .character),
    ]

    @Test func agreesWithTheValidatorOnEveryCorpusInput() {
        for row in Self.corpus {
            let verdict = cnam.validate(row.input)
            #expect(verdict.reason == row.reason, "\(row.input.debugDescription): \(verdict)")
            var bytes = Array(row.input.utf8)
            let viaBytes = bytes.withUnsafeMutableBufferPointer { cnam.validate(bytes: UnsafeBufferPointer($0)) }
            #expect(viaBytes == verdict, "\(row.input.debugDescription)")
            #expect((verdict.nir != nil) == (row.php == "valid"))
            // The reason says which of its three errors it is.
            if let r = verdict.reason {
                let key = Int(String(row.input.filter { $0 != " " }.suffix(2))) ?? 99
                let violation = [.empty, .length].contains(r) ? "LENGTH_ERROR" : r == .key && key <= 97 ? "NIR_KEY_INVALID" : "NIR_INVALID"
                #expect(violation == row.php, "\(row.input.debugDescription)")
            }
        }
    }

    @Test func thirteenCharactersGetTheirComputedKey() {
        #expect(cnam.validate("2840588321025").nir?.compact == "284058832102532")
        #expect(cnam.validate("284052A321025").nir?.compact == "284052A32102552")
        #expect(cnam.validate("1850144000045").nir?.key == "97")
    }

    @Test func acceptsWhatTheOtherRuleSetsRefuse() {
        // Month 25 and a 13-character NIR: cnam only.
        #expect(cnam.validate("1852544000045").nir != nil)
        #expect(NIRValidator(rules: .insee).validate("1852544000045").nir == nil)
        #expect(NIRValidator(rules: .app).validate("1852544000045").nir == nil)
        // Temporary NIRs and dashes: insee only.
        #expect(cnam.validate("7 84 05 88 321 025 23").nir == nil)
        #expect(cnam.validate("2-84-05-88-321-025-32").nir == nil)
        #expect(NIRValidator(rules: .insee).validate("2-84-05-88-321-025-32").nir != nil)
    }
}
