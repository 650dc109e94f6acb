import Foundation
import Testing
@testable import MESRender
import MESCore

@Suite struct PDFWriterTests {
    func sample() -> OppositionReceipt {
        OppositionReceipt(id: "JO-TEST000001", nir: NIRValidator().validate("116304403801618").nir!, name: "LEGUELLEC Martine Julie",
                          greeting: "Martine Julie Leguellec", decidedOn: CalendarDate(year: 2021, month: 9, day: 28)!,
                          issuedAt: Instant.parse("2021-09-28T08:00:00Z")!, verification: "ABCD-EFGH-JKMN", copy: 1)
    }

    @Test func crossReferenceOffsetsPointAtTheirObjects() throws {
        let pdf = ReceiptRenderer.pdf(sample())
        let text = String(decoding: pdf, as: UTF8.self)
        #expect(text.hasPrefix("%PDF-1.5\n"))
        #expect(text.hasSuffix("%%EOF\n"))
        let objects = try #require(PDFStructure.objects(pdf))
        // Catalog, pages, information, page, content; the object stream and the cross-reference stream.
        #expect(objects.count == 7)
        #expect(objects.filter { $0.value == nil }.map(\.key).sorted() == [5, 6, 7])
    }

    @Test func streamLengthIsExact() throws {
        let pdf = ReceiptRenderer.pdf(sample())
        var from = 0, streams = 0
        while let at = ReceiptReader.firstIndex(of: Array(">>\nstream\n".utf8), in: pdf, from: from) {
            let open = try #require((0..<at).last { pdf[$0] == 0x3C && pdf[$0 + 1] == 0x3C })
            let dictionary = String(decoding: pdf[open..<at], as: UTF8.self)
            let length = Int(dictionary.components(separatedBy: "/Length ")[1].prefix { $0.isNumber })!
            let start = at + 10
            #expect(Array(pdf[(start + length)..<(start + length + 10)]) == Array("\nendstream".utf8))
            #expect(Flate.inflate(pdf[start..<start + length], limit: 1 << 20) != nil)
            from = start + length
            streams += 1
        }
        #expect(streams == 3)
    }

    @Test func deterministicBytes() {
        #expect(ReceiptRenderer.pdf(sample()) == ReceiptRenderer.pdf(sample()))
    }

    @Test func accentsAreWinAnsiAndParenthesesEscaped() {
        #expect(WinAnsi.encode("éèàçôÉ€’") == [0xE9, 0xE8, 0xE0, 0xE7, 0xF4, 0xC9, 0x80, 0x92])
        #expect(WinAnsi.decode(WinAnsi.encode("Numéro de l'assuré : œ")) == "Numéro de l'assuré : œ")
        #expect(WinAnsi.encode("😀") == [0x3F])
        let w = PDFWriter()
        #expect(w.literal(Array("a(b)\\c".utf8)) == Array("(a\\(b\\)\\\\c)".utf8))
    }

    @Test func asciiAndEscapesTakeTheirOwnPaths() {
        #expect(WinAnsi.encode("Page 1/1") == Array("Page 1/1".utf8))
        #expect(WinAnsi.encode("") == [])
        #expect(PDFWriter().literal(Array("plain text".utf8)) == Array("(plain text)".utf8))
        #expect(PDFWriter().literal([0x61, 0x0A, 0x0D]) == Array("(a\\n\\r)".utf8))
        #expect(PDFWriter.width(bytes: WinAnsi.encode("Référence"), size: 9) == PDFWriter.width("Référence", size: 9))
        // Document information strings are literals in PDFDocEncoding (Latin-1 there), or UTF-16BE
        // in hex when a character is beyond it; encoded once.
        #expect(PDFWriter.TextString("aé (x)").encoded == [0x28, 0x61, 0xE9, 0x20, 0x5C, 0x28, 0x78, 0x5C, 0x29, 0x29])
        #expect(PDFWriter.TextString("Łukasz").encoded == Array("<FEFF01410075006B00610073007A>".utf8))
        #expect(PDFWriter.TextString("a\u{AD}b").encoded == Array("<FEFF006100AD0062>".utf8))
        #expect(PDFWriter.TextString("").isEmpty && !PDFWriter.TextString("x").isEmpty)
    }

    @Test func sentenceTwoIsTheWrappedSentenceWithItsDate() {
        // The template wrapped once with a placeholder date gives the lines of any real date.
        for date in ["28/09/2021", "01/01/2000", "31/12/1999"] {
            let direct = PDFWriter.wrap(bytes: WinAnsi.encode(ReceiptKind.opposition.sentence2(on: date)), size: 11, maxWidth: 451.28)
            #expect(ReceiptRenderer.sentence2(Array(date.utf8)) == direct, "\(date)")
        }
        // A date of another length (year below 1000) is wrapped on its own.
        let short = Array("02/01/999".utf8)
        #expect(ReceiptRenderer.sentence2(short).map { WinAnsi.decode($0) }.joined(separator: " ")
                == ReceiptKind.opposition.sentence2(on: "02/01/999"))
    }

    @Test func creationDateIsParisTime() {
        #expect(String(decoding: ReceiptRenderer.pdfDate(Instant.parse("2022-02-03T10:00:00Z")!), as: UTF8.self) == "D:20220203110000+01'00'")
        #expect(String(decoding: ReceiptRenderer.pdfDate(Instant.parse("2021-09-27T22:30:05Z")!), as: UTF8.self) == "D:20210928003005+02'00'")
    }

    @Test func batchFileNamesKeepTheLastNameOnly() {
        func name(_ register: String) -> String {
            OppositionReceipt(id: "JO-X", nir: sample().nir, name: register, greeting: "", decidedOn: sample().decidedOn,
                              issuedAt: sample().issuedAt, verification: "", copy: 1).batchFileName
        }
        #expect(name("LEGUELLEC Martine Julie") == "JO-X_LEGUELLEC.pdf")
        #expect(name("O'BRIEN-SMITH John") == "JO-X_OBRIEN-SMITH.pdf")
        #expect(name("d2 x") == "JO-X_D2.pdf")
        #expect(name("ÉLOÏSE-ŒUVRE Zoé") == "JO-X_ELOISE-OEUVRE.pdf")
        #expect(name("  LEADING Spaces") == "JO-X_LEADING.pdf")
        #expect(name("../.. x") == "JO-X_ASSURE.pdf")
        #expect(name("") == "JO-X_ASSURE.pdf")
    }

    @Test func wrappingStaysWithinTheWidth() {
        let s = sample().sentences[2]
        let lines = PDFWriter.wrap(s, size: 11, maxWidth: 451)
        #expect(lines.count >= 2)
        #expect(lines.allSatisfy { PDFWriter.width($0, size: 11) <= 451 })
        #expect(lines.joined(separator: " ") == s)
        #expect(PDFWriter.width("Page 1/1", size: 10) > 30)
    }

    @Test func readerGetsTheFieldsBack() throws {
        let r = sample()
        let f = try #require(ReceiptReader.read(ReceiptRenderer.pdf(r)))
        #expect(f == ReceiptFields(id: r.id, nir: "116304403801618", name: r.name, greeting: r.greeting, decidedOn: "2021-09-28",
                                   verification: "ABCD-EFGH-JKMN"))
        #expect(ReceiptReader.read(Array(ReceiptRenderer.text(r).utf8)) == f)
        #expect(ReceiptReader.read(Array(ReceiptRenderer.json(r).serialized().utf8)) == f)
        #expect(ReceiptReader.read(Array("%PDF-1.4 nothing".utf8)) == nil)
    }

    @Test func duplicatesSaySo() {
        let r = sample()
        let dup = OppositionReceipt(id: r.id, nir: r.nir, name: r.name, greeting: r.greeting, decidedOn: r.decidedOn,
                                    issuedAt: Instant.parse("2022-01-05T10:00:00Z")!, verification: r.verification, copy: 2)
        #expect(ReceiptRenderer.text(dup).contains("Duplicata n° 2 émis le 05/01/2022"))
        #expect(!ReceiptRenderer.text(r).contains("Duplicata"))
    }
}

@Suite struct JSONTests {
    @Test func escapesAndKeepsOrder() {
        let j = JSON.obj([("b", 1), ("a", .string("é\"\\\n\u{1}")), ("n", nil), ("l", [true, nil])])
        #expect(j.serialized() == #"{"b":1,"a":"é\"\\\n\u0001","l":[true,null]}"#)
        let parsed = try! JSONSerialization.jsonObject(with: Data(j.serialized().utf8)) as! [String: Any]
        #expect(parsed["a"] as? String == "é\"\\\n\u{1}")
    }
}

@Suite struct MailTests {
    /// The byte-by-byte renderer gives what the line-by-line one gave (CRLF line ends, one
    /// more CRLF unless the body ends with a line end; a lone CR stays).
    @Test func renderingIsTheLineByLineRendering() {
        for body in ["", "\n", "a", "a\n", "a\nb", "a\n\nb\n", "é\r\nx", "\n\n", "Code provisoire pour Léa : X\nfin"] {
            let m = Email(to: "a@b.fr", subject: "Objet é", date: Instant(seconds: 1_643_882_400), messageID: "1@x", body: body)
            var lines = ["From: " + MIME.address(m.from), "To: <a@b.fr>", "Subject: " + Email.encodeWord("Objet é"),
                         "Date: " + Email.rfc5322Date(m.date), "Message-ID: <1@x>", "MIME-Version: 1.0",
                         "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit", ""]
            lines += body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let expected = Array(lines.joined(separator: "\r\n").utf8) + (body.hasSuffix("\n") ? [] : [0x0D, 0x0A])
            #expect(m.rendered() == expected, "\(body.debugDescription)")
        }
    }

    @Test func emailHeadersAreRFC5322() {
        let m = Email(to: "a@b.fr", subject: "Votre code provisoire Mon espace santé", date: Instant.parse("2022-02-03T10:00:00Z")!,
                      messageID: "1@mes.invalid", body: "Bonjour,\nligne")
        let s = String(decoding: m.rendered(), as: UTF8.self)
        #expect(s.contains("Subject: =?UTF-8?B?"))
        #expect(s.contains("Date: Thu, 03 Feb 2022 11:00:00 +0100\r\n"))
        #expect(s.contains("Content-Type: text/plain; charset=utf-8\r\n"))
        #expect(s.contains("\r\n\r\nBonjour,\r\nligne\r\n"))
        #expect(s.split(separator: "\r\n").allSatisfy { $0.utf8.count <= 998 })
        #expect(Email.rfc5322Date(Instant.parse("2022-07-14T12:00:00Z")!) == "Thu, 14 Jul 2022 14:00:00 +0200")
    }

    @Test func codeIsFoundInEveryTemplate() {
        #expect(MessageTemplates.code(in: MessageTemplates.onDemandEmail(code: "rbYygUY9fYHs")) == "rbYygUY9fYHs")
        #expect(MessageTemplates.code(in: MessageTemplates.onDemandSMS(code: "rbYygUY9fYHs")) == "rbYygUY9fYHs")
        #expect(MessageTemplates.code(in: MessageTemplates.notification(code: "abcdefghijkl", name: "Jean-Jacques Capanelli", letter: true)) == "abcdefghijkl")
        #expect(MessageTemplates.onDemandEmail(code: "x").contains("Ce code est valable 15 minutes."))
        #expect(MessageTemplates.notification(code: "x", name: "n", letter: false).contains("Dans un délai de 6 semaines"))
    }
}
