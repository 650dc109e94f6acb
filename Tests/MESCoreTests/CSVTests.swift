import Testing
@testable import MESCore

@Suite struct CSVTests {
    func parse(_ s: String) throws -> [[String]] { try CSVReader.parse(Array(s.utf8)).map(\.fields) }

    @Test func commaAndSemicolonAreDetected() throws {
        #expect(try parse("a,b\n1,2\n") == [["a", "b"], ["1", "2"]])
        #expect(try parse("a;b\n1;2,5\n") == [["a", "b"], ["1", "2,5"]])
    }

    @Test func bomQuotesCRLFAndEmbeddedNewlines() throws {
        let text = "\u{FEFF}nom;prenom\r\n\"Le Gall\";\"Anaïs \"\"Nana\"\"\"\r\n\"Dupont\";\"Jean\nPierre\"\r\n"
        let records = try CSVReader.parse(Array(text.utf8))
        #expect(records.map(\.fields) == [["nom", "prenom"], ["Le Gall", "Anaïs \"Nana\""], ["Dupont", "Jean\nPierre"]])
        #expect(records.map(\.line) == [1, 2, 3])
    }

    @Test func lastLineWithoutNewlineAndBlankLines() throws {
        #expect(try parse("a,b\n\n1,2") == [["a", "b"], ["1", "2"]])
        #expect(try parse("a,b\n1,") == [["a", "b"], ["1", ""]])
    }

    @Test func malformedQuotesAreReportedWithTheirLine() {
        #expect(throws: CSVReader.Failure.unterminatedQuote(line: 2)) { try parse("a,b\n\"x,1\n") }
        #expect(throws: CSVReader.Failure.strayQuote(line: 2)) { try parse("a,b\nx\"y\",1\n") }
        #expect(throws: CSVReader.Failure.strayQuote(line: 2)) { try parse("a,b\n\"x\"y,1\n") }
    }

    @Test func chunkedFeedingGivesTheSameRecords() throws {
        let text = Array("nir;code\n\"1 16\";abc\n2;\"d\"\"e\"\n3;f".utf8)
        let whole = try CSVReader.parse(text)
        for size in 1...7 {
            var r = CSVReader()
            var out: [CSVReader.Record] = []
            var i = 0
            while i < text.count {
                let chunk = Array(text[i..<min(text.count, i + size)])
                try chunk.withUnsafeBufferPointer { try r.feed($0) { out.append($0) } }
                i += size
            }
            try r.finish { out.append($0) }
            #expect(out == whole, "chunk \(size)")
        }
    }

    @Test func hugeFieldIsRefused() {
        var r = CSVReader()
        r.maxRecordBytes = 100
        let big = Array(("a\n" + String(repeating: "x", count: 500) + "\n").utf8)
        #expect(throws: CSVReader.Failure.tooLarge(line: 2)) {
            try big.withUnsafeBufferPointer { try r.feed($0) { _ in } }
        }
    }

    /// Rows are numbered as a spreadsheet opening the file numbers them: one per record, blank
    /// lines counted, a cell holding line breaks taking one row (it takes several lines).
    @Test func rowsAreTheSheetsWhateverLineBreaksCellsHold() throws {
        let text = Array("nom;adresse\r\nA;\"1 rue X\r\nbâtiment B\r\n3e étage\"\r\n\r\nB;x\n\"\";\n\nC;\"a\nb\"\nD;y".utf8)
        let whole = try CSVReader.parse(text)
        #expect(whole.map { $0.fields.first } == ["nom", "A", "B", "", "C", "D"])
        #expect(whole.map(\.row) == [1, 2, 4, 5, 7, 8])
        #expect(whole.map(\.line) == [1, 2, 6, 7, 9, 11])
        for size in [1, 2, 3, 5, 7, 64] {
            for raw in [false, true] {
                var r = CSVReader()
                var out: [CSVReader.Record] = []
                var i = 0
                while i < text.count {
                    let chunk = Array(text[i..<min(text.count, i + size)])
                    if raw { try chunk.withUnsafeBufferPointer { try r.feedRaw($0) { out.append($0.record) } } }
                    else { try chunk.withUnsafeBufferPointer { try r.feed($0) { out.append($0) } } }
                    i += size
                }
                if raw { try r.finishRaw { out.append($0.record) } } else { try r.finish { out.append($0) } }
                #expect(out == whole, "chunk \(size), raw \(raw)")
            }
        }
        // A record's bytes keep its row.
        whole[2].withRaw { #expect($0.row == 4 && $0.line == 6) }
    }

    /// Excel's "Texte Unicode" (UTF-16) separates with tabs.
    @Test func tabSeparatorsAreDetected() throws {
        #expect(try parse("nir\tnom\n1\tDupont; Jean, fils\n") == [["nir", "nom"], ["1", "Dupont; Jean, fils"]])
        #expect(try parse("nir;nom\tx\n1;2\n") == [["nir", "nom\tx"], ["1", "2"]])
    }

    @Test func writerQuotesWhatNeedsIt() {
        #expect(CSVWriter.line(["a", "b;c", "d\"e"], separator: ";") == "a;\"b;c\";\"d\"\"e\"\n")
        #expect(try! parse(CSVWriter.line(["x,y", "z"])) == [["x,y", "z"]])
    }
}

@Suite struct RosterTests {
    let today = CalendarDate(year: 2022, month: 2, day: 3)!

    func entry(_ line: String, header: String = "nir,birth_date,first_name,last_name,card_type,serial,email") -> Result<Roster.Entry, Roster.Problem> {
        let recs = try! CSVReader.parse(Array((header + "\n" + line + "\n").utf8))
        let h = try! Roster.mapHeader(recs[0].fields).get()
        return Roster.entry(recs[1], header: h, today: today)
    }

    @Test func frenchAliasesMap() throws {
        let h = try Roster.mapHeader(["NIR", "Date de naissance", "Prénom", "Nom", "Type carte", "Numéro série"]).get()
        #expect(h["birth_date"] == 1 && h["first_name"] == 2 && h["serial"] == 5)
    }

    @Test func unknownAndMissingColumns() {
        guard case .failure(let p) = Roster.mapHeader(["nir", "colour"]) else { Issue.record("accepted"); return }
        #expect(p.list.contains { $0.field == "colour" })
        #expect(p.list.contains { $0.field == "serial" })
    }

    @Test func validRow() throws {
        let e = try entry("116304403801618,08/06/1988,Martine Julie,Leguellec,sans photo,953701166,a@b.fr").get()
        #expect(e.person.card == .plain)
        #expect(e.person.birthDate.iso == "1988-06-08")
        #expect(e.line == 2)
    }

    @Test(arguments: [
        ("116304403801619,08/06/1988,M,L,plain,953701166,", "nir"),
        ("116304403801618,31/02/2020,M,L,plain,953701166,", "birth_date"),
        ("116304403801618,08/06/2030,M,L,plain,953701166,", "birth_date"),
        ("116304403801618,08/06/1988,M,L,gold,953701166,", "card_type"),
        ("116304403801618,08/06/1988,M,L,photo,953701166,", "serial"),
        ("116304403801618,08/06/1988,,L,plain,953701166,", "first_name"),
        ("116304403801618,08/06/1988,M,L,plain,953701166,not-an-email", "email"),
    ])
    func invalidRowsNameTheirField(line: String, field: String) {
        guard case .failure(let p) = entry(line) else { Issue.record("accepted \(line)"); return }
        #expect(p.field == field)
        #expect(p.line == 2)
        #expect(!p.message.contains("116304403801618"))
    }
}

@Suite struct CSVRawRecordTests {
    /// Feeds `text` in chunks of `size` bytes and returns the records as strings.
    func records(_ text: [UInt8], chunk size: Int, lenient: Bool = false) throws -> [CSVReader.Record] {
        var r = CSVReader()
        r.lenient = lenient
        var out: [CSVReader.Record] = []
        var i = 0
        while i < text.count {
            let chunk = Array(text[i..<min(text.count, i + size)])
            try chunk.withUnsafeBufferPointer { try r.feedRaw($0) { out.append($0.record) } }
            i += size
        }
        try r.finishRaw { out.append($0.record) }
        return out
    }

    @Test func everyChunkSizeGivesTheSameRecords() throws {
        let text = Array("\u{FEFF}nir;nom;adresse\r\n1 16;\"Château\";\"12 rue \"\"A\"\"\r\nbis\"\r\n\r\n2;Éric;x\n3;\"\";\n4;a\"b;c\n".utf8)
        let expected: [[String]] = [["nir", "nom", "adresse"], ["1 16", "Château", "12 rue \"A\"\r\nbis"], ["2", "Éric", "x"],
                                    ["3", "", ""], ["4", "a\"b", "c"]]
        for size in [1, 2, 3, 5, 8, 13, 64, 4096] {
            let recs = try records(text, chunk: size, lenient: true)
            #expect(recs.map(\.fields) == expected, "chunk \(size)")
            #expect(recs.map(\.line) == [1, 2, 5, 6, 7], "chunk \(size)")
            #expect(recs.map(\.malformed) == [false, false, false, false, true], "chunk \(size)")
        }
    }

    /// Records without quotes are read in place when a chunk holds them whole, and copied field by
    /// field otherwise: both ways give the same fields and lines.
    @Test func plainRecordsInPlaceOrAcrossChunksAgree() throws {
        let text = Array("a,b,c\r\n1,,3\r\n\r\n,,\nx\ry,z\r,w\r\n\n4,5,\n\"q\",6,7\n8,,\"9,\"\"\",10\r\n8,9,10".utf8)
        let expected: [[String]] = [["a", "b", "c"], ["1", "", "3"], ["", "", ""], ["x\ry", "z\r", "w"], ["4", "5", ""],
                                    ["q", "6", "7"], ["8", "", "9,\"", "10"], ["8", "9", "10"]]
        for size in [1, 2, 3, 4, 7, 11, 4096] {
            let recs = try records(text, chunk: size, lenient: false)
            #expect(recs.map(\.fields) == expected, "chunk \(size)")
            #expect(recs.map(\.line) == [1, 2, 4, 5, 7, 8, 9, 10], "chunk \(size)")
        }
    }

    @Test func theSizeLimitHoldsForRecordsReadInPlace() throws {
        for (length, refused) in [(99, false), (100, true)] {
            var r = CSVReader()
            r.maxRecordBytes = 100  // the record's bytes with its line end
            let text = Array(("a\n" + String(repeating: "x", count: length) + "\nb\n").utf8)
            var got: [Int] = []
            let run = { try text.withUnsafeBufferPointer { try r.feedRaw($0) { got.append($0[0].count) } } }
            if refused { #expect(throws: CSVReader.Failure.tooLarge(line: 2)) { try run() } } else { try run(); #expect(got == [1, 99, 1]) }
        }
    }

    @Test func rawFieldsAreBytesInPlace() throws {
        var r = CSVReader()
        var seen: [[UInt8]] = []
        let text = Array("a,b\nxy,\"z,\"\"\"\n".utf8)
        try text.withUnsafeBufferPointer { buf in
            try r.feedRaw(buf) { rec in seen.append(contentsOf: (0..<rec.count).map { Array(rec[$0]) }) }
        }
        #expect(seen == [Array("a".utf8), Array("b".utf8), Array("xy".utf8), Array("z,\"".utf8)])
    }
}

@Suite struct CSVWriterBytesTests {
    /// `append` writes exactly the bytes of `line`, whatever the fields: quoting is decided on
    /// characters (a comma carrying an accent is not a comma, "\r\n" is one character).
    @Test func appendWritesTheBytesOfLine() {
        let fields = ["", "a", "b;c", "b,c", "d\"e", "x\ny", "x\r\ny", "x\ry", "e\u{301}", ",\u{301}", ";\u{301}", "\"\u{301}",
                      "Élodie", "N'Diaye", "12 rue de la République", "😀", "\u{FEFF}nir", " lead", "trail "]
        for separator: Character in [",", ";", "é"] {
            for f in fields {
                for row in [[f], [f, f], ["a", f, "b"]] {
                    var out: [UInt8] = [0x58]
                    CSVWriter.append(row, separator: separator, to: &out)
                    #expect(out == [0x58] + Array(CSVWriter.line(row, separator: separator).utf8), "\(row) \(separator)")
                }
            }
        }
    }
}
