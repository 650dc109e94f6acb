import Testing
@testable import MESCore

/// What spreadsheets' CSV exports do to a members file or a roster, each refused with its own
/// code, its cause and its fix, and never mistaken for a valid value.
@Suite struct ExportTrapTests {
    static let today = CalendarDate(year: 2022, month: 2, day: 3)!
    static let nir = "116304403801618"

    @Test func numbersInNIRAndSerialCells() {
        for sci in ["2,01126E+14", "2.01126E+14", "2,01126e14", "2E+14", "1,16304E+14", " 2,01126E+14 ", "9,53701E+08", "2.01126E-14"] {
            #expect(ExportTrap.numberCell(sci) == .scientificNotation, "\(sci)")
        }
        for decimal in ["116304403801618.0", "116304403801618,0", "116304403801618,00", "953701166.0"] {
            #expect(ExportTrap.numberCell(decimal) == .decimalSuffix, "\(decimal)")
        }
        for other in [Self.nir, "1 16 30 44 038 016 18", "2A0000000000000", "1.5", "116304403801618.5", "E14", "12E", "2,0E", "", ".0",
                      "1163044038016X8", "116304403801618.0.0"] {
            #expect(ExportTrap.numberCell(other) == nil, "\(other)")
        }
    }

    @Test func aSerialOneDigitShortOfALeadingZero() {
        #expect(ExportTrap.serialCell("1024576124", card: .photo) == .leadingZeroLost, "10 digits, 11 with its 0")
        #expect(ExportTrap.serialCell("1 024 576 124", card: .photo) == .leadingZeroLost)
        #expect(ExportTrap.serialCell("9537011", card: .plain) == .leadingZeroLost, "7 digits, 8 with its 0")
        #expect(ExportTrap.serialCell("9,53701E+08", card: .plain) == .scientificNotation)
        #expect(ExportTrap.serialCell("953701166.0", card: .plain) == .decimalSuffix)
        for (serial, card) in [("123456789", CardType.photo), ("777777777777", .photo), ("953701", .plain), ("77777777777777", .plain),
                               ("1024576I24", .photo), ("", .plain)] {
            #expect(ExportTrap.serialCell(serial, card: card) == nil, "\(serial)")
        }
    }

    @Test func datesWithTwoDigitYearsOrAsDayNumbers() throws {
        for two in ["25/12/01", "01/02/85", "1/2/85", "25-12-01", "25.12.01", " 08/06/88 "] {
            #expect(ExportTrap.dateCell(two, today: Self.today)?.trap == .twoDigitYear, "\(two)")
        }
        let day = try #require(ExportTrap.dateCell("44595", today: Self.today))
        #expect(day.trap == .dayNumber && day.date == CalendarDate(year: 2022, month: 2, day: 3))
        #expect(ExportTrap.dayNumberDate(32302) == CalendarDate(year: 1988, month: 6, day: 8))
        #expect(ExportTrap.dayNumberDate(25569) == CalendarDate(year: 1970, month: 1, day: 1))
        #expect(ExportTrap.dayNumberDate(61) == CalendarDate(year: 1900, month: 3, day: 1), "past the 29/02/1900 that never was")
        for other in ["08/06/1988", "1988-06-08", "31/02/1988", "1/2/1985", "9999", "1985", "44596", "99999", "123456", "25/12", "25/12/2001/01",
                      "25/12-01", "a/b/cd", ""] {
            #expect(ExportTrap.dateCell(other, today: Self.today) == nil, "\(other)")
        }
    }

    @Test func eachTrapHasItsCodeItsWordsAndItsSummaryLine() {
        #expect(ExportTrap.allCases.map(\.code.rawValue) == ["export_scientific_notation", "export_decimal_suffix", "export_leading_zero_lost",
                                                             "export_two_digit_year", "export_day_number", "encoding_invalid"])
        for trap in ExportTrap.allCases {
            #expect(ExportTrap(code: trap.code) == trap && trap.code.isExportTrap)
            #expect(trap.code.status == .invalidData)
            #expect(trap.fix.contains("UTF-8") || trap.fix.contains("formatez la colonne"), "\(trap): the fix names what to do")
        }
        #expect(!ErrorCode.nirFormat.isExportTrap && ExportTrap(code: .birthDateInvalid) == nil)
        #expect(ExportTrap.summaryLine(code: .exportTwoDigitYear, rows: 300, column: "birth_date")
                == "Export du tableur : 300 lignes ont des dates dont l'année n'a que deux chiffres (colonne birth_date) : "
                + "les dates doivent avoir une année sur quatre chiffres : formatez la colonne en date JJ/MM/AAAA (ou en texte) avant d'exporter.")
        #expect(ExportTrap.summaryLine(code: .exportLeadingZeroLost, rows: 1, column: "N° de série")?
                    .hasPrefix("Export du tableur : 1 ligne a un numéro de série auquel manque le zéro initial (colonne N° de série) : ") == true)
        #expect(ExportTrap.summaryLine(code: .exportDayNumber, rows: 0, column: "x")?.contains("0 ligne a une date") == true)
        #expect(ExportTrap.summaryLine(code: .nirFormat, rows: 3, column: "nir") == nil)
    }

    // MARK: The members file (`batch oppose`)

    static let header = ["nir", "date_naissance", "type_carte", "numero_serie", "code", "nom", "prenom"]

    func member(_ cells: [String: String], row: Int = 4) -> Result<MemberRow, MESError> {
        var fields = [Self.nir, "08/06/1988", "sans photo", "953701166", "HuqZF3KXCz8k", "Leguellec", "Martine"]
        for (k, v) in cells { fields[Self.header.firstIndex(of: k)!] = v }
        let map = try! MemberRow.mapHeader(Self.header).get()
        return MemberRow.parse(CSVReader.Record(fields: fields, line: row + 3, row: row), header: map, today: Self.today)
    }

    @Test(arguments: [
        (["nir": "1,16304E+14"], "nir", ErrorCode.exportScientificNotation),
        (["nir": "116304403801618.0"], "nir", .exportDecimalSuffix),
        (["numero_serie": "9,53701E+08"], "serial", .exportScientificNotation),
        (["numero_serie": "953701166,0"], "serial", .exportDecimalSuffix),
        (["numero_serie": "1024576124", "type_carte": "avec photo"], "serial", .exportLeadingZeroLost),
        (["numero_serie": "9537011"], "serial", .exportLeadingZeroLost),
        (["date_naissance": "08/06/88"], "birth_date", .exportTwoDigitYear),
        (["date_naissance": "32302"], "birth_date", .exportDayNumber),
        (["prenom": "Ana\u{FFFD}s"], "first_name", .encodingInvalid),
        (["nom": "L\u{FFFD}"], "last_name", .encodingInvalid),
        (["nir": "1163044038016\u{FFFD}"], "nir", .encodingInvalid),
    ])
    func aMemberRowNamesTheTrap(cells: [String: String], field: String, code: ErrorCode) throws {
        guard case .failure(let e) = member(cells) else { Issue.record("accepted \(cells)"); return }
        #expect(e.code == code && e.field == field, "\(e)")
        #expect(!e.message.contains(Self.nir) && !e.message.contains("116304") && !e.message.contains("953701"), "never the member's data: \(e.message)")
        #expect(e.message.contains("formatez la colonne") || e.message.contains("Formatez la colonne") || e.message.contains("UTF-8"), "the fix: \(e.message)")
    }

    @Test func theMessagesSayWhatHappened() throws {
        guard case .failure(let zero) = member(["numero_serie": "1024576124", "type_carte": "avec photo"]) else { Issue.record("accepted"); return }
        #expect(zero.message.hasPrefix("Numéro de série de 10 chiffres (11 pour une carte avec photo) : le zéro initial a été perdu"), "\(zero.message)")
        guard case .failure(let day) = member(["date_naissance": "32302"]) else { Issue.record("accepted"); return }
        #expect(day.message.contains("32302 est le 08/06/1988"), "\(day.message)")
        guard case .failure(let years) = member(["date_naissance": "08/06/88"]) else { Issue.record("accepted"); return }
        #expect(years.message.contains("année sur quatre chiffres") && years.message.contains("JJ/MM/AAAA"), "\(years.message)")
    }

    @Test func validValuesAreNotTraps() throws {
        let row = try member([:]).get()
        #expect(row.serial == "953701166" && row.line == 4, "the row is the record's row, not its line")
        #expect(try member(["numero_serie": "01024576124", "type_carte": "avec photo"]).get().serial == "01024576124")
        #expect(try member(["nir": "1 16 30 44 038 016 18", "date_naissance": "1988-06-08"]).get().birthDate == CalendarDate(year: 1988, month: 6, day: 8))
        #expect(try member(["prenom": "Anaïs Lœuvre-Ñúñez"]).get().firstName == "Anaïs Lœuvre-Ñúñez")
        // Other mistakes keep their own codes.
        #expect(member(["numero_serie": "123456789", "type_carte": "avec photo"]).failureCode == .serialPhotoLength)
        #expect(member(["date_naissance": "31/02/1988"]).failureCode == .birthDateInvalid)
        #expect(member(["date_naissance": "99999"]).failureCode == .birthDateInvalid, "a day number in the future is no date")
        #expect(member(["nir": "116304403801619"]).failureCode == .nirFormat)
    }

    @Test func anUnreadableHeaderIsSaidSo() {
        guard case .failure(let e) = MemberRow.mapHeader(["nir", "Pr\u{FFFD}nom", "type_carte", "numero_serie"]) else { Issue.record("accepted"); return }
        #expect(e.code == .encodingInvalid && e.message.contains("UTF-8"), "\(e)")
        guard case .failure(let p) = Roster.mapHeader(["nir", "Pr\u{FFFD}nom"]) else { Issue.record("accepted"); return }
        #expect(p.list.contains { $0.code == .encodingInvalid && $0.field == "Pr\u{FFFD}nom" })
    }

    // MARK: The roster (`import`)

    func roster(_ line: String) -> Result<Roster.Entry, Roster.Problem> {
        let recs = try! CSVReader.parse(Array(("nir,birth_date,first_name,last_name,card_type,serial,holder_birth_date\n\"multi\nline\"\n\n" + line + "\n").utf8))
        let h = try! Roster.mapHeader(recs[0].fields).get()
        return Roster.entry(recs[2], header: Roster.Header(h), today: Self.today)
    }

    @Test(arguments: [
        ("\"2,01126E+14\",08/06/1988,M,L,plain,953701166,", "nir", ErrorCode.exportScientificNotation),
        ("116304403801618.0,08/06/1988,M,L,plain,953701166,", "nir", .exportDecimalSuffix),
        ("116304403801618,08/06/1988,M,L,photo,1024576124,", "serial", .exportLeadingZeroLost),
        ("116304403801618,08/06/1988,M,L,plain,\"9,53701E+08\",", "serial", .exportScientificNotation),
        ("116304403801618,08/06/88,M,L,plain,953701166,", "birth_date", .exportTwoDigitYear),
        ("116304403801618,32302,M,L,plain,953701166,", "birth_date", .exportDayNumber),
        ("116304403801618,08/06/2015,M,L,plain,953701166,08/06/88", "holder_birth_date", .exportTwoDigitYear),
        ("116304403801618,08/06/1988,Ana\u{FFFD}s,L,plain,953701166,", "first_name", .encodingInvalid),
        ("116304403801618,08/06/1988,M,L,plain,95370116\u{FFFD},", "serial", .encodingInvalid),
    ])
    func aRosterRowNamesTheTrap(line: String, field: String, code: ErrorCode) {
        guard case .failure(let p) = roster(line) else { Issue.record("accepted \(line)"); return }
        #expect(p.code == code && p.field == field, "\(p)")
        #expect(p.line == 4, "the sheet's row: a cell of two lines and a blank row before it")
        #expect(!p.message.contains("116304403801618"))
    }

    /// Bytes that were never decoded (a roster handed to the service as it is): invalid UTF-8
    /// is refused as such, never stored, even where it looks like a letter (`C3 28`, `C1 A9`).
    @Test func invalidUTF8InARosterRowIsEncodingInvalid() {
        for bad: [UInt8] in [[0xC3, 0x28], [0xC1, 0xA9], [0xE9], [0xE0, 0x80, 0xA9], [0xED, 0xA0, 0x80]] {
            let bytes = Array("nir,birth_date,first_name,last_name,card_type,serial\n116304403801618,08/06/1988,Ana".utf8) + bad
                + Array(",L,plain,953701166\n".utf8)
            let h = Roster.Header(try! Roster.mapHeader(["nir", "birth_date", "first_name", "last_name", "card_type", "serial"]).get())
            // The raw record, as `mes import` reads it (not through `String`).
            var reader = CSVReader()
            var result: Result<Roster.Fields, Roster.Problem>?
            bytes.withUnsafeBufferPointer { b in
                try! reader.feedRaw(b) { if $0.row == 2 { result = Roster.validate($0, header: h, today: Self.today) } }
            }
            guard case .failure(let p)? = result else { Issue.record("accepted \(bad)"); continue }
            #expect(p.code == .encodingInvalid && p.field == "first_name", "\(bad): \(p)")
        }
        #expect(Array("Anaïs Lœuvre-Nguyễn".utf8).withUnsafeBufferPointer { NameRepertoire.allowsAsStored($0) })
    }

    @Test func aValidRosterRowIsNoTrap() throws {
        let e = try roster("116304403801618,08/06/1988,Anaïs,Lœuvre,photo,01024576124,").get()
        #expect(e.line == 4 && e.person.serial == "01024576124" && e.person.firstName == "Anaïs")
    }
}

extension Result where Failure == MESError {
    var failureCode: ErrorCode? { if case .failure(let e) = self { return e.code }; return nil }
}
