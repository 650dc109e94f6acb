import Foundation
import Testing
import TestSupport

/// Receipts as standard PDF tools see them, and their verification.
@Suite(.serialized) struct ReceiptEndToEndTests {
    func tool(_ name: String) -> String? {
        ["/usr/bin/\(name)", "/usr/local/bin/\(name)"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    func exec(_ exe: String, _ args: [String]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        let out = temporaryDirectory("tool").appendingPathComponent("out")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = p.standardOutput
        try p.run()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: try Data(contentsOf: out), as: UTF8.self))
    }

    /// Opposes for a person with accents in the name and returns the receipt path.
    func opposeHelene(_ s: Scenario) throws -> String {
        let roster = s.dir.appendingPathComponent("r.csv")
        try "nir,birth_date,first_name,last_name,card_type,serial,email\n2 90 06 2A 004 017 \(key("2900619004017")),14/06/1990,Hélène Françoise,Château-Ébène,photo,01024576124,h@example.fr\n"
            .write(to: roster, atomically: true, encoding: .utf8)
        try s.run(["init", "--test-clock"])
        try s.run(["advisers", "add", "A042"])
        let imp = try s.run(["import", roster.path])
        #expect(imp.status == 0, "\(imp.stderr)")
        let path = s.dir.appendingPathComponent("justificatif.pdf").path
        let r = try s.run(["oppose", "--assisted", "--adviser", "A042", "--nir", "290062A004017" + key("2900619004017"),
                           "--birth-date", "1990-06-14", "--last-name", "chateau ebene", "--yes", "--receipt", path])
        #expect(r.status == 0, "\(r.stderr)")
        return path
    }

    func key(_ body: String) -> String {
        let k = 97 - Int(body)! % 97
        return k < 10 ? "0\(k)" : "\(k)"
    }

    @Test func qpdfChecksAndPdftotextGivesBackEverySentence() throws {
        let s = try Scenario(demo: false)
        let path = try opposeHelene(s)
        let qpdf = try #require(tool("qpdf"), "install qpdf (.ci/run does)")
        let (qs, qout) = try exec(qpdf, ["--check", path])
        #expect(qs == 0, "\(qout)")
        #expect(qout.contains("No syntax or stream encoding errors"))
        let pdftotext = try #require(tool("pdftotext"), "install poppler-utils (.ci/run does)")
        let (ts, text) = try exec(pdftotext, [path, "-"])
        #expect(ts == 0)
        let flat = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
        for sentence in [
            "Page 1/1", "Numéro de l'assuré : 2 90 06 2A 004 017 \(key("2900619004017"))", "Nom de l'assuré : CHÂTEAU-ÉBÈNE Hélène Françoise",
            "Le 03/02/2022", "Votre justificatif d'opposition", "Bonjour Hélène Françoise Château-Ébène,",
            "Votre demande d'opposition à la création de Mon espace santé a bien été prise en compte le 03/02/2022.",
            "Vous pouvez revenir à tout moment sur votre décision en vous connectant sur monespacesante.fr.",
            "Avec toute mon attention, Votre conseiller Mon espace santé",
        ] {
            #expect(flat.contains(sentence), "missing: \(sentence)\n\(flat)")
        }
        let info = try exec(tool("pdfinfo") ?? "/usr/bin/pdfinfo", [path]).1
        #expect(info.contains("Title:") && info.contains("Votre justificatif d'opposition"))
        #expect(info.contains("Producer:") && info.range(of: #"Pages:\s+1\n"#, options: .regularExpression) != nil)
    }

    @Test func verifyAuthenticAlteredUnknown() throws {
        let s = try Scenario(demo: false)
        let path = try opposeHelene(s)
        #expect(try s.run(["receipt", "verify", path, "--json"]).json["status"] as? String == "authentic")
        // Change one byte of the name inside the PDF (é -> e, same length).
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let bytes = try #require(forgingPage(original) { page in
            let needle = Array("(Nom de l'assur".utf8) + [0xE9] + Array(" : C".utf8)  // WinAnsi é
            return replacingFirst(needle, with: needle.dropLast() + Array("K".utf8), in: page)
        })
        #expect(bytes != original)
        let altered = s.dir.appendingPathComponent("altered.pdf").path
        try Data(bytes).write(to: URL(fileURLWithPath: altered))
        let a = try s.run(["receipt", "verify", altered, "--json"])
        #expect(a.status == 65)
        #expect(a.json["status"] as? String == "altered")
        #expect(a.json["reason"] as? String == "signature", "the signature covers the name")
        // Another store does not know it.
        let other = try Scenario(demo: false)
        try other.run(["init", "--test-clock"])
        let u = try other.run(["receipt", "verify", path, "--json"])
        #expect(u.status == 65)
        #expect(u.json["status"] as? String == "unknown")
        let junk = s.dir.appendingPathComponent("junk.pdf").path
        try Data("%PDF-1.4 hello".utf8).write(to: URL(fileURLWithPath: junk))
        #expect(try s.run(["receipt", "verify", junk, "--json"]).json["status"] as? String == "unsigned")
    }

    @Test func receiptFileIsNotOverwrittenWithoutForce() throws {
        let s = try Scenario()
        let path = s.dir.appendingPathComponent("mine.pdf").path
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: path))
        try s.run(["code", "generate"] + Scenario.martine + Scenario.martineBirth)
        let code = try s.lastCode()
        let before = s.snapshot()
        let r = try s.run(["oppose", "--code", code, "--yes", "--receipt", path] + Scenario.martine)
        #expect(r.status == 73)
        #expect(s.snapshot() == before)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data("keep me".utf8))
        let ok = try s.run(["oppose", "--code", code, "--yes", "--force", "--receipt", path] + Scenario.martine)
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).starts(with: Data("%PDF".utf8)))
    }
}
