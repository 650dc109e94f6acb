import Foundation
import Testing
import TestSupport
import MESCore

/// What an association's members receive, through the built binary (issue 32, finding 8): the
/// receipt of a child filed by an association speaks to the legal representative and names the
/// association, and still verifies; the code letter the batch asks for says the association
/// asked, and nothing about contacts the family does have.
@Suite(.serialized) struct HonestMessagesEndToEndTests {
    static let association = "Union des parents d’élèves « Les Amis » (Nantes-Sud), section \"Collèges\" de Łódź"

    func flat(_ s: String) -> String {
        s.replacingOccurrences(of: "\u{A0}", with: " ").split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
    }

    @Test func aChildsReceiptAndCodeLetterFromAnAssociationSayWhatIsTrue() throws {
        let s = try Scenario()
        // Jean-Jacques (11) with the code his mother passed on; Gerard (9) without one.
        try s.run(["code", "generate", "--nir", "116304403801618", "--birth-date", "02/05/2010", "--card", "plain", "--serial", "953701166"])
        let file = s.dir.appendingPathComponent("membres.csv").path
        try """
            nir;date_naissance;type_carte;numero_serie;code;representant_legal;signataire
            116304403801618;02/05/2010;sans photo;953701166;\(try s.lastCode());oui;Martine Leguellec
            116304403801618;21/09/2012;sans photo;953701166;;oui;Martine Leguellec

            """.write(toFile: file, atomically: true, encoding: .utf8)
        let receipts = s.dir.appendingPathComponent("justificatifs").path
        let r = try s.run(["batch", "oppose", file, "--receipts", receipts, "--association", Self.association, "--request-codes"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = Array(r.jsonLines.dropLast())
        #expect(rows.map { $0["status"] as? String ?? "" } == ["opposed", "code_requested"], "\(rows)")

        // The receipt: to the legal representative, naming the association, signed and verified.
        let pdf = try #require(rows[0]["receipt_file"] as? String)
        let shown = flat(try runProgram(try #require(findProgram("pdftotext")), [pdf, "-"]).output)
        #expect(shown.contains("Votre justificatif d'opposition Bonjour, Votre demande d'opposition à la création de Mon espace santé pour votre enfant "
                               + "Jean-Jacques Capanelli a bien été prise en compte le 03/02/2022. Elle a été enregistrée à la demande de l'association « "
                               + Self.association + " ». " + Messages.dmpAfterOpposition + " Vous pouvez revenir"), "\(shown)")
        #expect(!shown.contains("Bonjour Jean"))
        let verified = try s.run(["receipt", "verify", pdf])
        #expect(verified.status == 0 && verified.stdout.hasPrefix("authentique"), "\(verified.stdout)\(verified.stderr)")
        let sig = try runProgram(try #require(findProgram("pdfsig")), [pdf])
        #expect(sig.output.contains("Signature Validation: Signature is Valid."), "\(sig.output)")
        // Its text and JSON copies say the same, and read back.
        let reference = try #require(rows[0]["receipt"] as? String)
        let text = s.dir.appendingPathComponent("copie.txt").path
        #expect(try s.run(["receipt", "--id", reference, "--format", "text", "-o", text]).status == 0)
        #expect(flat(try String(contentsOfFile: text, encoding: .utf8)).contains("l'association « \(Self.association) »."))
        let json = try s.run(["receipt", "--id", reference, "--format", "json"]).json
        #expect(json["association"] as? String == Self.association && json["for_minor"] as? Bool == true, "\(json)")
        let copy = try s.run(["receipt", "verify", text, "--json"]).json
        #expect(copy["status"] as? String == "unsigned" && (copy["mismatch"] as? [String]) == [], "\(copy)")
        // Run again, the receipt is found whole (its page rendered from the record) and left as it is.
        let before = try Data(contentsOf: URL(fileURLWithPath: pdf))
        s.advance(seconds: 60)
        let again = try s.run(["batch", "oppose", file, "--receipts", receipts, "--association", Self.association])
        #expect(again.jsonLines.first?["status"] as? String == "already_opposed", "\(again.stdout)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: pdf)) == before)

        // The code letter for Gerard: to his legal representatives, asked by the association;
        // Martine has an e-mail address, so nothing says she has none.
        let letters = (try s.run(["outbox", "list", "--json"]).json["messages"] as? [[String: Any]] ?? []).filter { $0["channel"] as? String == "letter" }
        let id = try #require(letters.last?["id"] as? Int)
        let letter = try s.run(["outbox", "show", "\(id)", "--json"]).json["body"] as? String ?? ""
        #expect(letter.hasPrefix("Aux représentants légaux de\nGerard Capanelli\n12 rue des Lilas, 44000 Nantes\n\nBonjour,\n\n"
                                 + "Ce code provisoire vous est adressé par courrier à la demande de l'association «\u{A0}\(Self.association)\u{A0}», "
                                 + "pour déposer une opposition à la création de Mon espace santé.\n\nCode provisoire pour votre enfant Gerard Capanelli : "),
                "\(letter)")
        #expect(!letter.contains("Aucune adresse e-mail") && !letter.contains("Vous avez demandé"), "\(letter)")
    }

    /// A parent identifying with their child's card and birth date is not greeted as the child.
    @Test func identifyingForAChildGreetsTheParent() throws {
        let s = try Scenario()
        try s.run(["code", "generate", "--nir", "116304403801618", "--birth-date", "30/01/2015", "--card", "plain", "--serial", "953701166"])
        let r = try s.run(["identify", "--code", try s.lastCode(), "--nir", "116304403801618", "--card", "plain", "--serial", "953701166"])
        #expect(r.status == 0 && r.stdout.hasPrefix("Bonjour !\nProfil : votre enfant Brigitte Capanelli — En attente de décision\n"), "\(r.stdout)")
        let mail = try s.run(["outbox", "show", "last"]).stdout
        #expect(mail.contains("Vous avez demandé un nouveau code provisoire pour votre enfant Brigitte Capanelli."), "\(mail)")
    }

    /// A name no receipt could print as typed is refused before anything is filed.
    @Test(arguments: ["Les Amis\u{200F}", "Les\u{202E}Amis", "Les Amis\u{7}", "אגודה"])
    func anAssociationNameThatCannotBePrintedIsRefused(name: String) throws {
        let s = try Scenario()
        let file = s.dir.appendingPathComponent("m.csv").path
        try "nir;date_naissance;type_carte;numero_serie;code\n116304403801618;08/06/1988;sans photo;953701166;AAAAAAAAAAAA\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let r = try s.run(["batch", "oppose", file, "--receipts", s.dir.appendingPathComponent("rec").path, "--association", name, "--json"])
        #expect(r.status == 64 && (r.stdout + r.stderr).contains("\"code\":\"association_invalid\""), "\(r.stdout)\(r.stderr)")
        #expect(try s.run(["history", "--json"]).json["events"].map { ($0 as? [[String: Any]] ?? []).filter { $0["event"] as? String == "opposition" }.count } == 0)
    }
}
