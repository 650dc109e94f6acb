import Testing
@testable import MESCore

/// The members file's per-row certification (`legal_representative`, `signatory`) and the
/// bounds `history --since/--until` read.
@Suite struct MemberCertificationTests {
    static let today = CalendarDate(year: 2022, month: 2, day: 3)!
    static let header = ["nir", "type_carte", "numero_serie", "code", "representant_legal", "signataire"]

    func parse(_ certification: String, signatory: String = "", header: [String] = header) -> Result<MemberRow, MESError> {
        let map = try! MemberRow.mapHeader(header).get()
        let record = CSVReader.Record(fields: ["116304403801618", "plain", "953701166", "HuqZF3KXCz8k", certification, signatory], line: 7)
        return MemberRow.parse(record, header: map, today: Self.today)
    }

    @Test func yesAndNoInTheSpellingsSpreadsheetsExport() {
        for yes in ["oui", "OUI", " Oui ", "o", "yes", "Y", "true", "TRUE", "vrai", "VRAI", "1"] { #expect(Certification.parse(yes) == true, "\(yes)") }
        for no in ["non", "NON", "n", "no", "false", "FAUX", "faux", "0"] { #expect(Certification.parse(no) == false, "\(no)") }
        for other in ["peut-être", "ouii", "2", "x", "oui non", "✓", "\u{0}", "-1", "=1+1"] { #expect(Certification.parse(other) == nil, "\(other)") }
    }

    /// A signatory (and any name of the members file) a receipt could not print is refused,
    /// naming the column and the character (issue 27: separators and bidirectional controls).
    @Test func unprintableNamesAreRefusedNamingTheColumn() {
        for bad in ["Jeanne\u{2028}Martin", "Jeanne\u{202E}Martin", "Jeanne\u{85}Martin", "Jeanne 李"] {
            guard case .failure(let e) = parse("oui", signatory: bad) else { Issue.record("\(bad) accepted"); continue }
            #expect(e.field == "signatory" && e.message.contains("caractère non imprimable"), "\(e)")
        }
        #expect((try? parse("oui", signatory: "Łucja Wąsik-Nguyễn").get()) != nil)
    }

    @Test func theColumnIsReadWithItsSignatory() throws {
        let row = try parse("oui", signatory: "Jeanne Martin").get()
        #expect(row.legalRepresentative == true && row.signatory == "Jeanne Martin")
        #expect(try parse("non").get().legalRepresentative == false)
        // An empty cell says nothing: the flag decides.
        let empty = try parse("  ").get()
        #expect(empty.legalRepresentative == nil && empty.signatory == nil)
        // No column at all: the same.
        let map = try MemberRow.mapHeader(["nir", "type_carte", "numero_serie"]).get()
        let plain = try MemberRow.parse(CSVReader.Record(fields: ["116304403801618", "plain", "953701166"], line: 2), header: map, today: Self.today).get()
        #expect(plain.legalRepresentative == nil)
    }

    @Test func headerAliasesInFrenchAndEnglish() throws {
        for (c, s) in [("legal_representative", "signatory"), ("Représentant légal", "Signataire"), ("REPRESENTANT-LEGAL", "signataire")] {
            let map = try MemberRow.mapHeader(["nir", "type_carte", "numero_serie", c, s]).get()
            #expect(map["legal_representative"] == 3 && map["signatory"] == 4, "\(c)")
        }
    }

    /// `tags` and `person_id` are read as a fixtures file's only beside its `expected_status`:
    /// an association's own column of that name is unknown, so it is kept or renamed, never
    /// dropped without a word.
    @Test func fixtureColumnsOnlyInAFixturesFile() throws {
        let fixtures = try MemberRow.mapHeader(["nir", "type_carte", "numero_serie", "expected_status", "person_id", "tags"]).get()
        #expect(fixtures["tags"] == 5 && fixtures["person_id"] == 4)
        for own in ["tags", "person_id", "Tags"] {
            guard case .failure(let e) = MemberRow.mapHeader(["nir", "type_carte", "numero_serie", own]) else {
                Issue.record("\(own) was accepted in an association's file")
                continue
            }
            #expect(e.code == .columnUnknown && e.field == own && e.message.contains("« \(own) »"), "\(e)")
        }
        // Kept with --keep-column, it goes to the report.
        let kept = try MemberRow.mapHeader(["nir", "type_carte", "numero_serie", "tags"], keep: ["tags"]).get()
        #expect(kept.kept.map(\.name) == ["tags"] && kept.map["tags"] == nil)
    }

    @Test func anyOtherValueIsARowErrorNamingTheColumnWithoutEchoingIt() {
        for bad in ["peut-être", "2", String(repeating: "o", count: 100_000), "oui\u{1B}[31m"] {
            guard case .failure(let e) = parse(bad) else { Issue.record("\(bad.prefix(20)) accepted"); continue }
            #expect(e.code == .legalRepresentativeInvalid && e.field == "legal_representative" && e.status == .invalidData)
            #expect(!e.message.contains(String(bad.prefix(20))) || bad == "2", "the value is not echoed")
        }
    }

    @Test func aSignatoryWithControlCharactersOrHugeIsRefused() {
        for bad in ["Jean\u{0}Martin", "Jean\u{1B}[2J", String(repeating: "é", count: 101), "a\nb"] {
            guard case .failure(let e) = parse("oui", signatory: bad) else { Issue.record("accepted"); continue }
            #expect(e.code == .nameInvalid && e.field == "signatory")
        }
        #expect((try? parse("oui", signatory: String(repeating: "é", count: 100)).get()) != nil)
    }

    @Test func periodBoundsAreParisDaysOrInstants() {
        // Winter (UTC+1) and summer (UTC+2).
        #expect(Instant.bound("2022-02-03", endOfDay: false)?.iso8601 == "2022-02-02T23:00:00Z")
        #expect(Instant.bound("2022-02-03", endOfDay: true)?.iso8601 == "2022-02-03T22:59:59Z")
        #expect(Instant.bound("03/02/2022", endOfDay: false)?.iso8601 == "2022-02-02T23:00:00Z")
        #expect(Instant.bound("2022-07-14", endOfDay: false)?.iso8601 == "2022-07-13T22:00:00Z")
        // The days the clocks change: 23 and 25 hours long.
        #expect(Instant.bound("2022-03-27", endOfDay: false)?.iso8601 == "2022-03-26T23:00:00Z")
        #expect(Instant.bound("2022-03-27", endOfDay: true)?.iso8601 == "2022-03-27T21:59:59Z")
        #expect(Instant.bound("2022-10-30", endOfDay: false)?.iso8601 == "2022-10-29T22:00:00Z")
        #expect(Instant.bound("2022-10-30", endOfDay: true)?.iso8601 == "2022-10-30T22:59:59Z")
        // Instants are taken as they are.
        #expect(Instant.bound("2022-02-03T10:00:00Z", endOfDay: true)?.iso8601 == "2022-02-03T10:00:00Z")
        #expect(Instant.bound("2022-02-03T10:00:00+01:00", endOfDay: false)?.iso8601 == "2022-02-03T09:00:00Z")
        for bad in ["", "yesterday", "2022-02-30", "2022-13-01", "2022-02-03T25:00:00Z", "1644000000", "2022-02-03T10:00"] {
            #expect(Instant.bound(bad, endOfDay: false) == nil, "\(bad)")
        }
    }
}
