import Foundation
import Testing
@testable import MESDelivery
@testable import MESRender
import MESCore

@Suite struct MIMETests {
    @Test func receiptEmailIsDeterministicAndWellFormed() throws {
        let a = MultipartEmail.oppositionReceipt(sampleReceipt(), to: "marie@example.fr", date: date, messageID: "r1@mes.test")
        let b = MultipartEmail.oppositionReceipt(sampleReceipt(), to: "marie@example.fr", date: date, messageID: "r1@mes.test")
        #expect(a.rendered() == b.rendered())
        let other = MultipartEmail.oppositionReceipt(sampleReceipt(), to: "marie@example.fr", date: date, messageID: "r2@mes.test")
        #expect(a.boundary != other.boundary)
        #expect(a.boundary.hasPrefix("=_mes_") && a.boundary.count == 38)
        let bytes = a.rendered()
        checkLines(bytes)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("""
            From: =?UTF-8?B?TW9uIGVzcGFjZSBzYW50w6k=?=\r
             <ne-pas-repondre@monespacesante.fr>\r
            To: <marie@example.fr>\r
            Subject: =?UTF-8?B?TW9uIGVzcGFjZSBzYW50w6kgOiB2b3RyZSBqdXN0aWZpY2F0aWYg?=\r
             =?UTF-8?B?ZCdvcHBvc2l0aW9u?=\r
            Date: Thu, 03 Feb 2022 11:00:00 +0100\r
            Message-ID: <r1@mes.test>\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed;\r
             boundary="\(a.boundary)"\r
            \r
            This is a multi-part message in MIME format.\r
            \r
            --\(a.boundary)\r
            Content-Type: text/plain; charset=utf-8\r
            Content-Transfer-Encoding: quoted-printable\r
            \r
            Bonjour Martine Julie Leguellec,\r
            \r
            Votre demande d'opposition =C3=A0 la cr=C3=A9ation de Mon espace sant=C3=A9=\r
             a bien =C3=A9t=C3=A9 prise en compte le 28/09/2021.
            """))
        #expect(text.contains("""
            Content-Type: application/pdf; name="JO-TEST000001.pdf"\r
            Content-Transfer-Encoding: base64\r
            Content-Disposition: attachment; filename="JO-TEST000001.pdf"\r
            \r
            JVBERi0xLjUK
            """))
        #expect(text.hasSuffix("\r\n--\(a.boundary)--\r\n"))
        // The boundary occurs only as delimiters: preamble end, text, attachment, close.
        #expect(text.components(separatedBy: a.boundary).count - 1 == 4)
        // The body says who, when, and what is attached; no NIR anywhere in the text part.
        #expect(a.body.hasPrefix("Bonjour Martine Julie Leguellec,\n\nVotre demande d'opposition"))
        #expect(a.body.contains("(JO-TEST000001.pdf)") && !a.body.contains("1163044"))
    }

    @Test func quotedPrintable() {
        func qp(_ s: String) -> String { String(decoding: MIME.quotedPrintable(s), as: UTF8.self) }
        #expect(qp("Bonjour,\nà bientôt = 1 \n") == "Bonjour,\r\n=C3=A0 bient=C3=B4t =3D 1=20\r\n")
        #expect(qp("a\r\nb") == "a\r\nb\r\n")
        #expect(qp(".\n..x\n") == "=2E\r\n=2E.x\r\n")
        #expect(qp("tab\t") == "tab=09\r\n")
        #expect(qp("") == "\r\n")
        // Soft breaks keep every line within 76 characters and never split an escape.
        let long = String(repeating: "é", count: 60) + String(repeating: "a", count: 200) + " "
        let encoded = MIME.quotedPrintable(long)
        checkLines(encoded)
        let decoded = try? python("import quopri,sys; sys.stdout.buffer.write(quopri.decodestring(sys.argv[1].encode()))",
                                  [String(decoding: encoded, as: UTF8.self)])
        #expect(decoded == long + "\r\n")
    }

    @Test func base64InLinesOf76() {
        let data = (0..<1_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let encoded = MIME.base64Lines(data)
        checkLines(encoded)
        let lines = String(decoding: encoded, as: UTF8.self).split(separator: "\r\n")
        #expect(lines.dropLast().allSatisfy { $0.count == 76 })
        #expect(Data(base64Encoded: lines.joined()) == Data(data))
        for n in 0..<5 {
            let d = Array(data.prefix(n))
            #expect(String(decoding: MIME.base64Lines(d), as: UTF8.self) == (n == 0 ? "" : Data(d).base64EncodedString() + "\r\n"))
        }
    }

    @Test func encodedWordsAndParameters() {
        #expect(MIME.header("Subject", "Plain ASCII") == "Subject: Plain ASCII")
        #expect(MIME.header("Subject", "Line\r\nBcc: x@y") == "Subject: Line  Bcc: x@y")
        let words = MIME.encodedWords(String(repeating: "€", count: 40))
        #expect(words.count == 4 && words.allSatisfy { $0.count <= 75 })
        #expect(words.map { Data(base64Encoded: String($0.dropFirst(10).dropLast(2)))!.count } == [39, 39, 39, 3])
        // A character is never cut in two.
        #expect(MIME.encodedWords("aé" + String(repeating: "é", count: 19)).map { String(data: Data(base64Encoded: String($0.dropFirst(10).dropLast(2)))!, encoding: .utf8) != nil } == [true, true])
        #expect(MIME.parameter("filename", "JO-X.pdf") == "filename=\"JO-X.pdf\"")
        #expect(MIME.parameter("filename", "reçu \"1\".pdf") == "filename*=UTF-8''re%C3%A7u%20%221%22.pdf")
        #expect(MIME.parameter("filename", String(repeating: "é", count: 10)) == "filename*0*=UTF-8''" + String(repeating: "%C3%A9", count: 8)
                + "; filename*1*=%C3%A9%C3%A9")
        #expect(MIME.fold("X: \"a b c\" " + String(repeating: "d", count: 80), limit: 20) == "X: \"a b c\"\r\n " + String(repeating: "d", count: 80))
    }

    @Test func longAndAccentedFileNamesAndSubjectsRoundTripThroughPython() throws {
        let name = "Justificatif d'opposition de Hélène Müller-Łukasiewicz, très long nom de fichier — 2021.pdf"
        let subject = String(repeating: "Accusé de réception « spécial » ", count: 4)
        let mail = MultipartEmail(to: "h@example.fr", subject: subject, date: date, messageID: "long@mes.test",
                                  body: "Ligne 1\n\n" + String(repeating: "é", count: 100) + " \n.\nfin", attachments: [
                                      MIMEAttachment(filename: name, data: Array(0...255)),
                                      MIMEAttachment(filename: "plain.txt", contentType: "text/plain", data: Array("x".utf8)),
                                  ])
        let bytes = mail.rendered()
        checkLines(bytes)
        let dir = try TempDir("mime")
        defer { dir.remove() }
        let path = dir.file("m.eml")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let parsed = try jsonObject(python(inspectMail, [path]))
        #expect(parsed["subject"] as? String == subject)
        let parts = try #require(parsed["parts"] as? [[String: Any]])
        try #require(parts.count == 4)
        #expect((parts[1]["text"] as? String)?.replacingOccurrences(of: "\r\n", with: "\n") == mail.body + "\n")
        #expect(parts[2]["filename"] as? String == name)
        #expect(parts[2]["base64"] as? String == Data(Array(0...255)).base64EncodedString())
        #expect(parts[3]["filename"] as? String == "plain.txt")
        for p in parts { #expect((p["defects"] as? [String]) == [], "\(p["content_type"] ?? "")") }
        #expect(MIME.address("Mon espace santé <a@b.fr>") == "=?UTF-8?B?TW9uIGVzcGFjZSBzYW50w6k=?= <a@b.fr>")
        #expect(MIME.address("Service <a@b.fr>") == "Service <a@b.fr>")
        #expect(MIME.address("a@b.fr") == "a@b.fr")
        // Issue 32: a display name as readers show it. Specials quoted, word by word; a short
        // name with other characters in one encoded-word; a long one word by word, runs of
        // other words encoded together (the spaces between them inside).
        #expect(MIME.address("Les Amis (Paris), Nord <a@b.fr>") == "Les Amis \"(Paris),\" Nord <a@b.fr>")
        #expect(MIME.address("\"Les \\\"Amis\\\"\" <a@b.fr>") == "=?UTF-8?B?TGVzICJBbWlzIg==?= <a@b.fr>")
        #expect(MIME.address("Amis de Léa – Nantes <a@b.fr>") == "=?UTF-8?B?QW1pcyBkZSBMw6lhIOKAkyBOYW50ZXM=?= <a@b.fr>")
        #expect(MIME.address("Association des amis de Léa – Nantes, Saint-Herblain <a@b.fr>")
                == "Association des amis de =?UTF-8?B?TMOpYSDigJM=?= Nantes, Saint-Herblain <a@b.fr>".replacingOccurrences(of: "Nantes,", with: "\"Nantes,\""))
        #expect(MIME.address("A <b> <a@b.fr>") == "A \"<b>\" <a@b.fr>")
        #expect(MIME.address("  <a@b.fr>") == "<a@b.fr>")
    }
}

@Suite struct DeliveryValuesTests {
    @Test func retryPolicy() {
        let p = RetryPolicy.standard
        let temporary = DeliveryError(.temporary, .timeout, "t")
        #expect((1...6).map { p.delay(afterAttempt: $0, failedWith: temporary) } == [60, 300, 900, 3_600, 14_400, nil])
        #expect(p.delay(afterAttempt: 1, failedWith: DeliveryError(.permanent, .httpStatus, "HTTP 400")) == nil)
        #expect(p.delay(afterAttempt: 6, failedWith: DeliveryError(.configuration, .authFailed, "x")) == 60)
        let short = RetryPolicy(attempts: 4, backoff: [10])
        #expect((1...4).map { short.delay(afterAttempt: $0, failedWith: temporary) } == [10, 10, 10, nil])
        #expect(RetryPolicy(attempts: 0, backoff: [-5]) == RetryPolicy(attempts: 1, backoff: [0]))
    }

    @Test func nothingSecretIsPrinted() {
        let e = Envelope.sms(to: "+33612345678", text: "code 123456", messageID: "m1")
        #expect("\(e)" == "Envelope(sms, to: +336******78, id: m1, 11 bytes)")
        #expect("\(Envelope.email(from: "a@b.fr", to: "marie@example.fr", messageID: "m2", message: [1, 2]))".contains("ma***@example.fr"))
        #expect("\(Secret("hunter2"))" == "***" && String(reflecting: Secret("hunter2")) == "***")
        #expect(Redaction.clean("535 bad hunter2\r\nfor marie@example.fr", secrets: ["hunter2"], recipient: "marie@example.fr")
                == "535 bad *** for ma***@example.fr")
        #expect(Redaction.clean(String(repeating: "x", count: 500)).count == 200)
    }
}
