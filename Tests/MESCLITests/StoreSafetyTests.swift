import Foundation
import Testing

/// Failed commands change nothing; secrets never rest in clear; files are private.
@Suite(.serialized) struct StoreSafetyTests {
    @Test func rejectedInputsLeaveTheStoreByteForByteUnchanged() throws {
        let s = try Scenario()
        let before = s.snapshot()
        let csv = s.dir.appendingPathComponent("bad.csv")
        try "nir,birth_date,first_name,last_name,card_type,serial\n116304403801618,08/06/1988,A,B,plain,953701166\n1 55 12 55 555 555 55,01/01/1955,C,D,plain,12345678\n"
            .write(to: csv, atomically: true, encoding: .utf8)
        let quoted = s.dir.appendingPathComponent("quote.csv")
        try "nir,birth_date,first_name,last_name,card_type,serial\n\"116304403801618,08/06/1988,A,B,plain,953701166\n".write(to: quoted, atomically: true, encoding: .utf8)
        let cases: [([String], Int32, String)] = [
            (["code", "generate", "--nir", "1 55 12 55 555 555 55", "--birth-date", "08/06/1988", "--card", "plain", "--serial", "953701166"], 65, "nir"),
            (["code", "generate", "--nir", "116304403801618", "--birth-date", "31/02/2020", "--card", "plain", "--serial", "953701166"], 65, "birth_date"),
            (["code", "generate", "--nir", "116304403801618", "--birth-date", "08/06/2999", "--card", "plain", "--serial", "953701166"], 65, "birth_date"),
            (["code", "generate", "--nir", "116304403801618", "--birth-date", "08/06/1988", "--card", "gold", "--serial", "953701166"], 64, "card"),
            (["code", "generate", "--nir", "116304403801618", "--birth-date", "08/06/1988", "--card", "plain", "--serial", "95370116x"], 65, "serial"),
            (["identify", "--code", "HuqZF3KXCz8", "--nir", "116304403801618", "--card", "plain", "--serial", "953701166"], 65, "code"),
            (["oppose", "--session", "nosuchsession", "--yes"], 77, "session"),
            (["oppose", "--assisted", "--adviser", "Z999", "--nir", "116304403801618", "--birth-date", "08/06/1988", "--last-name", "Dupont", "--yes"], 69, "adviser"),
            (["import", csv.path], 65, "nir"),
            (["import", quoted.path], 65, "file"),
            (["import", s.dir.appendingPathComponent("missing.csv").path], 66, "file"),
            (["receipt", "--id", "JO-NOPE"], 65, "id"),
            (["outbox", "show", "999"], 66, "id"),
        ]
        for (args, status, field) in cases {
            let r = try s.run(args + ["--json"])
            #expect(r.status == status, "\(args): \(r.stderr)")
            #expect(r.stdout.isEmpty, "\(args)")
            if !field.isEmpty { #expect((r.errorJSON["field"] as? String ?? "").contains(field), "\(args): \(r.stderr)") }
            #expect(!(r.errorJSON["message"] as? String ?? "").isEmpty)
            // An unknown identity is never told apart field by field.
            if status == 77 && field.isEmpty { #expect(r.errorJSON["code"] as? String == "identity_not_found") }
            #expect(s.snapshot() == before, "\(args) changed the store")
        }
    }

    /// Failed identifications are the only failures recorded: a wrong code on a known card, an
    /// unknown card (a wrong serial) and a failed assisted identity check, each as one audit line,
    /// with the same answer whether the card exists or not.
    @Test(arguments: [
        (["identify", "--code", "HuqZF3KXCz8k", "--nir", "116304403801618", "--card", "plain", "--serial", "953701166"], "identification_failed"),
        (["identify", "--code", "HuqZF3KXCz8k", "--nir", "116304403801618", "--card", "photo", "--serial", "01024576124"], "identification_failed"),
        (["oppose", "--assisted", "--adviser", "A042", "--nir", "116304403801618", "--birth-date", "08/06/1988", "--last-name", "Dupont", "--yes"],
         "assisted_identification_failed"),
        (["code", "generate", "--nir", "116304403801618", "--birth-date", "09/06/1988", "--card", "plain", "--serial", "953701166"],
         "code_request_failed"),
    ])
    func failedIdentificationsAreTheOnlyThingRecorded(args: [String], event: String) throws {
        let s = try Scenario()
        let before = s.snapshot()
        let r = try s.run(args + ["--json"])
        #expect(r.status == 77)
        #expect(r.errorJSON["code"] as? String == "identity_not_found")
        #expect(s.snapshot() != before)
        let hist = try s.run(["history", "--json"])
        #expect((hist.json["events"] as? [[String: Any]] ?? []).map { $0["event"] as? String } == [event])
    }

    @Test func noSecretInClearOutsideTheOutbox() throws {
        let s = try Scenario()
        var secrets: [String] = []
        try s.run(["notify"])
        for id in 1...9 { secrets += try s.run(["outbox", "show", "\(id)", "--json"]).json["codes"] as? [String] ?? [] }
        s.advance(seconds: 60)
        try s.run(["code", "generate"] + Scenario.martine + Scenario.martineBirth)
        let code = try s.lastCode()
        secrets.append(code)
        let id = try s.run(["identify", "--json", "--code", code] + Scenario.martine)
        let token = try #require(id.json["session"] as? String)
        secrets.append(token)
        try s.run(["oppose", "--session", token, "--yes"])
        #expect(secrets.count >= 10)
        for (name, bytes) in s.bytesOutsideOutbox() {
            for secret in secrets {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret) found in \(name)")
            }
        }
    }

    @Test func filesArePrivate() throws {
        let s = try Scenario()
        _ = try s.martineSession()
        let fm = FileManager.default
        let e = fm.enumerator(atPath: s.store)
        var checked = 0
        while let rel = e?.nextObject() as? String {
            let attrs = try fm.attributesOfItem(atPath: s.store + "/" + rel)
            let mode = (attrs[.posixPermissions] as! NSNumber).intValue & 0o777
            let isDir = attrs[.type] as? FileAttributeType == .typeDirectory
            #expect(mode == (isDir ? 0o700 : 0o600), "\(rel) has mode \(String(mode, radix: 8))")
            checked += 1
        }
        // mes.db, secret.key, outbox/, receipts/ at least (the signing identity is a row of mes.db).
        #expect(checked >= 4)
    }

    @Test func concurrentProcessesCannotBothUseOneCode() throws {
        let s = try Scenario()
        try s.run(["code", "generate"] + Scenario.martine + Scenario.martineBirth)
        let code = try s.lastCode()
        let results = try (0..<6).map { _ in
            try startBinary(["identify", "--code", code] + Scenario.martine, env: ["MES_HOME": s.store, "MES_NOW": s.now])
        }.map { p -> Int32 in p.waitUntilExit(); return p.terminationStatus }
        #expect(results.filter { $0 == 0 }.count == 1)
        #expect(results.filter { $0 == 77 }.count == 5)
    }
}

@Suite(.serialized) struct RosterEndToEndTests {
    @Test func importAllOrNothingWithRowNumbers() throws {
        let s = try Scenario(demo: false)
        try s.run(["init", "--test-clock"])
        let good = s.dir.appendingPathComponent("roster.csv")
        try "\u{FEFF}numero_securite_sociale;date_naissance;prenom;nom;type_carte;numero_serie;courriel;date_naissance_titulaire\n1 16 30 44 038 016 18;08/06/1988;Martine Julie;Leguellec;sans photo;953701166;m@example.fr;\n1 16 30 44 038 016 18;11/11/2017;Vincent;Capanelli;sans photo;953701166;;08/06/1988\n"
            .write(to: good, atomically: true, encoding: .utf8)
        let r = try s.run(["import", good.path, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.json["people"] as? Int == 2)
        let again = try s.run(["import", good.path])
        #expect(again.status == 65)
        #expect(again.stderr.contains("déjà présente"))
        #expect(!again.stderr.contains("116304403801618") && !again.stderr.contains("Martine"))
    }

    @Test func duplicateRowsInOneFileAreNamedByLine() throws {
        let s = try Scenario(demo: false)
        try s.run(["init", "--test-clock"])
        let file = s.dir.appendingPathComponent("dup.csv")
        try "nir,birth_date,first_name,last_name,card_type,serial\n116304403801618,08/06/1988,Martine,L,plain,953701166\n253072B07300470,01/07/1953,Paul,S,plain,12345678\n116304403801618,1988-06-08,Martine,L,plain,953701166\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let before = s.snapshot(databaseContent: true)  // an empty register: the import switches the journal and back
        let r = try s.run(["import", file.path])
        #expect(r.status == 65)
        #expect(r.stderr.contains("ligne 4, nir : personne en double (même NIR, date de naissance et prénom qu'à la ligne 2)"), "\(r.stderr)")
        #expect(s.snapshot(databaseContent: true) == before)
        #expect(try s.run(["import", file.path]).status == 65)
    }

    @Test func fixturesAreReproducibleAndImportable() throws {
        let s = try Scenario(demo: false)
        let a = s.dir.appendingPathComponent("a.csv").path, b = s.dir.appendingPathComponent("b.csv").path
        #expect(try s.run(["fixtures", "--count", "500", "--seed", "7", "--roster", a]).status == 0)
        #expect(try s.run(["fixtures", "--count", "500", "--seed", "7", "--roster", b]).status == 0)
        #expect(FileManager.default.contents(atPath: a) == FileManager.default.contents(atPath: b))
        #expect(try s.run(["fixtures", "--count", "500", "--seed", "7", "--roster", a]).status == 73)
        try s.run(["init", "--test-clock"])
        let imp = try s.run(["import", a, "--json"])
        #expect(imp.json["people"] as? Int == 500, "\(imp.stderr)")
    }

    @Test func membersFileCarriesWorkingCodes() throws {
        let s = try Scenario(demo: false)
        let roster = s.dir.appendingPathComponent("r.csv").path, members = s.dir.appendingPathComponent("m.csv").path
        let r = try s.run(["fixtures", "--count", "50", "--seed", "9", "--roster", roster, "--members", members, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let raw = try Data(contentsOf: URL(fileURLWithPath: members))
        #expect(raw.starts(with: [0xEF, 0xBB, 0xBF] + Array("nir;date_naissance;type_carte;numero_serie;code;nom;prenom".utf8)))
        let text = String(decoding: raw.dropFirst(3), as: UTF8.self)
        let first = text.split(separator: "\n")[1].split(separator: ";").map(String.init)
        let card = first[2] == "avec photo" ? "photo" : "plain"
        let id = try s.run(["identify", "--code", first[4], "--nir", first[0], "--card", card, "--serial", first[3]])
        #expect(id.status == 0, "\(id.stderr)")
        // The store holds digests only.
        let db = try Data(contentsOf: URL(fileURLWithPath: s.store + "/mes.db"))
        #expect(db.range(of: Data(first[4].utf8)) == nil)
    }

    /// Into a store that already has people, every member of the file still gets its own code,
    /// and the batch gives every row its expected status.
    @Test func membersFileOnAStoreWithPeopleAlready() throws {
        let s = try Scenario(demo: true)
        let roster = s.dir.appendingPathComponent("r.csv").path, members = s.dir.appendingPathComponent("m.csv").path
        let r = try s.run(["fixtures", "--count", "400", "--seed", "11", "--roster", roster, "--members", members, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.json["codes"] as? Int == 400)
        let batch = try s.run(["batch", "oppose", members, "--receipts", s.dir.appendingPathComponent("rec").path])
        let rows = try FixturesEndToEndTests.membersRows(members).rows
        let lines = batch.jsonLines.filter { $0["row"] != nil }
        #expect(lines.count == 400)
        #expect(zip(rows, lines).allSatisfy { $1["status"] as? String == $0[7] && ($1["reason"] as? String ?? "") == $0[8] })
        #expect(lines.filter { $0["status"] as? String == "opposed" }.count > 150)
    }
}
