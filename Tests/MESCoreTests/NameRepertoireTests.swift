import Testing
@testable import MESCore

/// Which names the register takes: every Latin name a receipt prints exactly, nothing it
/// cannot print, each refusal naming the character and the column.
@Suite struct NameRepertoireTests {
    /// Twenty real-world names beyond French's alphabet (and a few within it).
    static let names = [
        "Łukasz Mercier", "Ayşe Yılmaz", "Đorđe Đorđević", "Nguyễn Thị Minh Khai", "Þórunn Jónsdóttir", "Zoë Lœuillet",
        "Seán O'Brien-Núñez", "Şahin Öztürk", "Małgorzata Wąsik", "Jiří Dvořák", "Dương Văn Minh", "Ştefan Ţurcanu",
        "Ștefan Țurcanu", "Mārtiņš Ķēniņš", "Gražina Žemaitė", "Ōtaka Ryōko", "Ġużeppi Ħamrun", "Gökçe Ağaoğlu",
        "Éléonore d’Aubigné-Œuvrard", "Ævar Þór Ásgeirsson",
    ]

    @Test(arguments: names) func realNamesAreAllowed(name: String) {
        #expect(NameRepertoire.firstRefused(in: name) == nil)
        // Capitals too: receipts print last names in capitals.
        #expect(NameRepertoire.firstRefused(in: name.uppercased()) == nil)
    }

    @Test func standardFontsCoverFrenchButNotTheRest() {
        #expect(NameRepertoire.isStandard("CHÂTEAU-ÉBÈNE Hélène Françoise Lœuillet Zoë"))
        #expect(!NameRepertoire.isStandard("Łukasz"))
        #expect(!NameRepertoire.isStandard("Nguyễn"))
    }

    @Test(arguments: [
        ("Li 李", 0x674E), ("Ana 😀", 0x1F600), ("Zero\u{200B}Width", 0x200B), ("Line\u{2028}Sep", 0x2028),
        ("Para\u{2029}Sep", 0x2029), ("Bidi\u{202E}Override", 0x202E), ("Isolate\u{2066}x", 0x2066), ("Nel\u{85}x", 0x85),
        ("Ωmega", 0x3A9), ("Жанна", 0x416), ("x\u{301}", 0x301), ("soft\u{AD}hyphen", 0xAD), ("ȿ", 0x23F),
    ])
    func otherCharactersAreRefused(name: String, scalar: UInt32) {
        #expect(NameRepertoire.firstRefused(in: name)?.value == scalar)
    }

    @Test func decomposedLettersAreComposed() {
        let decomposed = "Nguye\u{302}\u{303}n E\u{301}lodie"
        #expect(NameRepertoire.firstRefused(in: decomposed) == nil)
        #expect(Array(NameRepertoire.nfc(decomposed).unicodeScalars) == Array("Nguyễn Élodie".unicodeScalars))
    }

    @Test func refusalsNameTheCharacterAndItsCodePoint() {
        #expect(NameRepertoire.refusal("李") == "caractère non imprimable sur le justificatif : « 李 » (U+674E)")
        // Invisible ones are named by their code point alone.
        #expect(NameRepertoire.refusal("\u{202E}") == "caractère non imprimable sur le justificatif : (U+202E)")
        #expect(NameRepertoire.refusal("\u{2028}") == "caractère non imprimable sur le justificatif : (U+2028)")
    }

    // MARK: the register's rows

    let today = CalendarDate(year: 2022, month: 2, day: 3)!
    let header = "nir,birth_date,first_name,last_name,card_type,serial,email,mobile,address"

    /// Validates one row and hands its result to `body` (the fields are slices of the record,
    /// valid only there).
    func validate<T>(first: String, last: String, address: String = "",
                     _ body: (Result<Roster.Fields, Roster.Problem>) throws -> T) throws -> T {
        let line = "116304403801618,08/06/1988,\(first),\(last),plain,953701166,,,\(address)"
        let recs = try CSVReader.parse(Array((header + "\n" + line).utf8))
        let h = Roster.Header(try Roster.mapHeader(recs[0].fields).get())
        return try recs[1].withRaw { raw in try body(Roster.validate(raw, header: h, today: today)) }
    }

    @Test func rowsRefuseWhatAReceiptCannotPrintNamingTheColumn() throws {
        for (first, last, address, column) in [("Li", "王", "", "last_name"), ("Ana\u{2028}", "Lopez", "", "first_name"),
                                              ("Ana", "Lopez", "1 rue\u{202E} de la Paix", "address"),
                                              ("Ana", "Lopez", "1 rue\u{85}x", "address")] {
            guard case .failure(let p) = try validate(first: first, last: last, address: address, { $0 }) else {
                Issue.record("\(first) \(last) \(address) was accepted"); continue
            }
            #expect(p.field == column)
            #expect(p.message.hasPrefix("caractère non imprimable sur le justificatif"), "\(p.message)")
        }
    }

    @Test func rowsKeepNamesComposed() throws {
        try validate(first: "E\u{301}lodie", last: "Nguye\u{302}\u{303}n", address: "3 rue de l\u{2019}E\u{301}glise") { r in
            let f = try r.get()
            #expect(Array(f.firstNameText.unicodeScalars) == Array("Élodie".unicodeScalars))
            #expect(Array(f.lastNameText.unicodeScalars) == Array("Nguyễn".unicodeScalars))
            #expect(Array(f.addressText!.unicodeScalars) == Array("3 rue de l’Église".unicodeScalars))
            var b = RosterBatch()
            b.append(f)
            b.withView { v in
                #expect(Array(v.column(0, 2)) == Array("Élodie".utf8))
                #expect(Array(v.column(0, 3)) == Array("Nguyễn".utf8))
                #expect(Array(v.column(0, 7)) == Array("3 rue de l’Église".utf8))
            }
        }
        // Attack finding F4: a no-break space at either end (kept by a spreadsheet) is dropped,
        // or a genuine receipt would read back as altered.
        try validate(first: "Anne\u{A0}", last: "\u{A0}\u{202F}Dupont") { r in
            let f = try r.get()
            #expect(f.firstNameText == "Anne" && f.lastNameText == "Dupont")
        }
        // Names already composed keep their bytes (no copy).
        try validate(first: "Łukasz", last: "Mercier") { r in
            let f = try r.get()
            #expect(f.composed.isEmpty)
            #expect(f.firstNameText == "Łukasz")
        }
    }
}
