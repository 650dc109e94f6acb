import Testing
@testable import MESCore

@Suite struct RosterBatchTests {
    let today = CalendarDate(year: 2022, month: 2, day: 3)!
    let header = "nir,birth_date,first_name,last_name,card_type,serial,email,mobile,address,holder_birth_date"

    /// Validates each data line of a CSV text and packs the valid rows.
    func batch(_ lines: [String]) throws -> RosterBatch {
        let recs = try CSVReader.parse(Array(([header] + lines).joined(separator: "\n").utf8))
        let h = Roster.Header(try Roster.mapHeader(recs[0].fields).get())
        var b = RosterBatch()
        for r in recs.dropFirst() {
            try r.withRaw { raw in b.append(try Roster.validate(raw, header: h, today: today).get()) }
        }
        return b
    }

    func texts(_ b: RosterBatch, _ i: Int) -> [String] {
        b.withView { v in (0..<RosterBatch.textColumns).map { v.column(i, $0).string } }
    }

    @Test func rowsKeepTheirNormalisedTextAndValues() throws {
        let b = try batch([
            "1 16 30 44 038 016 18, 08/06/1988 ,Martine Julie,Leguellec,sans photo,953 701 166,m@example.fr,06 12 34 56 78,\"3 rue de l'Église, Ébène\",",
            "116304403801618,2017-11-11,Vincent,Capanelli,plain,953701166,,,,08/06/1988",
        ])
        #expect(b.count == 2)
        #expect(texts(b, 0) == ["116304403801618", "1988-06-08", "Martine Julie", "Leguellec", "953701166", "m@example.fr",
                                "06 12 34 56 78", "3 rue de l'Église, Ébène"])
        #expect(texts(b, 1) == ["116304403801618", "2017-11-11", "Vincent", "Capanelli", "953701166", "", "", ""])
        #expect(b.rows[0].card == .plain && b.rows[0].state == .pending && b.rows[0].line == 2)
        #expect(b.rows[0].holder == nil)
        // The child's holder key is the parent's own key.
        #expect(b.rows[1].holder == b.rows[0].identity)
        #expect(b.rows[1].identity != b.rows[0].identity)
        #expect(b.nir(row: 1).compact == "116304403801618")
    }

    @Test func rowsCopiedFromAnotherBatchAreWhole() throws {
        let b = try batch(["253072B07300470,01/07/1953,Paul,Santoni,photo,12345678901,p@example.fr,,,",
                           "116304403801618,08/06/1988,Martine,Leguellec,plain,953701166,,,,"])
        var d = RosterBatch()
        d.append(row: 1, of: b)
        d.append(row: 0, of: b)
        #expect(texts(d, 0) == texts(b, 1))
        #expect(texts(d, 1) == texts(b, 0))
        #expect(d.rows[1].identity == b.rows[0].identity && d.rows[1].card == .photo)
    }

    @Test func identityKeysTellCorsicaApart() {
        let date = CalendarDate(year: 1953, month: 7, day: 1)!
        let a = Roster.IdentityKey(NIR(trusted: "253072A07300470"), date)
        let b = Roster.IdentityKey(NIR(trusted: "253072B07300470"), date)
        let digits = Roster.IdentityKey(NIR(trusted: "253072107300470"), date)
        #expect(Set([a, b, digits]).count == 3)
        #expect(a == Roster.IdentityKey(NIR(trusted: "253072A07300470"), date))
        #expect(a != Roster.IdentityKey(NIR(trusted: "253072A07300470"), CalendarDate(year: 1953, month: 7, day: 2)!))
    }

    @Test func byteAndTextValidationAgree() throws {
        // The same lines through the String record API and the byte API give the same verdicts.
        let lines = ["116304403801618,08/06/1988,M,L,plain,953701166,m@x.fr,0612345678,,",
                     "116304403801618,08/06/1988,M,L,photo,953701166,,,,",
                     "116304403801618,08/06/1988,M,L,plain,953701166,pas-une-adresse,,,",
                     "116304403801618,08/06/1988,M,L,plain,953701166,,06 12 x,,",
                     "116304403801618,08/06/1988,M,L,plain,953701166,,٠٦١٢٣٤٥٦٧٨,,",
                     "116304403801618,08/06/1988,\(String(repeating: "é", count: 60)),L,plain,953701166,,,,",
                     "116304403801618,08/06/1988,\(String(repeating: "é", count: 101)),L,plain,953701166,,,,",
                     "116304403801618,31/02/1988,M,L,plain,953701166,,,,"]
        let recs = try CSVReader.parse(Array(([header] + lines).joined(separator: "\n").utf8))
        let h = Roster.Header(try Roster.mapHeader(recs[0].fields).get())
        let verdicts = recs.dropFirst().map { r -> String in
            switch Roster.entry(r, header: h, today: today) {
            case .success(let e): return "ok \(e.person.firstName.count) \(e.person.mobile ?? "-")"
            case .failure(let p): return p.field
            }
        }
        #expect(verdicts == ["ok 1 0612345678", "serial", "email", "mobile", "ok 1 ٠٦١٢٣٤٥٦٧٨", "ok 60 -", "first_name", "birth_date"])
    }
}
