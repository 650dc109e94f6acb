import Foundation
import Testing
@testable import MESDelivery
import MESRender
import MESCore

/// What Python's `email` package (policy.default) reads in a message file.
let inspectMail = #"""
import base64, email, email.policy, json, sys
raw = open(sys.argv[1], "rb").read()
m = email.message_from_bytes(raw, policy=email.policy.default)
def part(p):
    d = {"content_type": p.get_content_type(), "charset": p.get_content_charset(), "cte": p.get("Content-Transfer-Encoding"),
         "filename": p.get_filename(), "disposition": p.get_content_disposition(), "defects": [type(x).__name__ for x in p.defects]}
    if p.is_multipart():
        d["boundary"] = p.get_boundary()
    elif p.get_content_maintype() == "text":
        d["text"] = p.get_content()
    else:
        d["base64"] = base64.b64encode(p.get_content()).decode()
    return d
frm = m["from"].addresses[0]
print(json.dumps({
    "subject": str(m["subject"]), "from_name": frm.display_name, "from_addr": frm.addr_spec,
    "to": m["to"].addresses[0].addr_spec, "message_id": m["message-id"], "date_ok": m["date"].datetime is not None,
    "mime_version": m["mime-version"], "parts": [part(p) for p in m.walk()],
}))
"""#

let date = Instant.parse("2022-02-03T10:00:00Z")!

func codeEmail(to: String, id: String, code: String = "K7M2Q9XD4TWB") -> Email {
    Email(to: to, subject: MessageTemplates.onDemandSubject, date: date, messageID: id, body: MessageTemplates.onDemandEmail(code: code))
}

func sampleReceipt() -> OppositionReceipt {
    OppositionReceipt(id: "JO-TEST000001", nir: NIRValidator().validate("116304403801618").nir!, name: "LEGUELLEC Martine Julie",
                      greeting: "Martine Julie Leguellec", decidedOn: CalendarDate(year: 2021, month: 9, day: 28)!,
                      issuedAt: Instant.parse("2021-09-28T08:00:00Z")!, verification: "ABCD-EFGH-JKMN", copy: 1)
}

func smtpTransport(_ server: PythonServer, query: String = "", env: [String: String] = [:]) throws -> SMTPTransport {
    let config = try TransportConfig.load(environment: ["MES_MAIL_URL": "smtp://127.0.0.1:\(server.port)\(query)"].merging(env) { $1 })
    return try #require(config.mailTransport() as? SMTPTransport)
}

/// Each line of a message ends with CRLF and is at most `limit` characters.
func checkLines(_ bytes: [UInt8], limit: Int = 76, sevenBit: Bool = true) {
    let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
    #expect(lines.last == [], "ends with a line break")
    for l in lines.dropLast() {
        #expect(l.last == 0x0D, "LF without CR")
        #expect(!l.dropLast().contains(0x0D), "bare CR")
        #expect(l.count - 1 <= limit, "line longer than \(limit): \(String(decoding: l, as: UTF8.self))")
        if sevenBit { #expect(l.allSatisfy { $0 < 0x80 }, "8-bit byte in \(String(decoding: l, as: UTF8.self))") }
    }
}

@Suite struct SMTPTests {
    @Test func codeEmailAndReceiptEmailArriveIntactOverOneConnection() throws {
        let server = try PythonServer("smtp_sink.py", label: "smtp")
        let transport = try smtpTransport(server)

        let code = codeEmail(to: "marie.dupont@example.fr", id: "code-1@mes.test")
        let codeBytes = code.handedOver()
        let r1 = try transport.send(.email(from: "ne-pas-repondre@monespacesante.fr", to: "marie.dupont@example.fr",
                                           messageID: code.messageID, message: codeBytes))
        #expect(r1.status == 250)
        #expect(r1.remoteID == "MES000001")
        #expect(r1.reply == "250 2.0.0 Ok: queued as MES000001")
        #expect(!r1.reusedConnection)

        let receipt = sampleReceipt()
        let mail = MultipartEmail.oppositionReceipt(receipt, to: "marie.dupont@example.fr", date: date, messageID: "receipt-1@mes.test")
        let mailBytes = mail.handedOver()
        let r2 = try transport.send(.email(from: "ne-pas-repondre@monespacesante.fr", to: "marie.dupont@example.fr",
                                           messageID: mail.messageID, message: mailBytes))
        #expect(r2.status == 250 && r2.remoteID == "MES000002" && r2.reusedConnection)
        #expect(transport.connectionsOpened == 1)

        // The server holds exactly the bytes rendered, from the envelope's sender to its recipient.
        let eml = server.files("eml")
        try #require(eml.count == 2)
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: eml[0]))) == codeBytes)
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: eml[1]))) == mailBytes)
        let records = server.records()
        #expect(records.map { $0["mail_from"] as? String } == ["ne-pas-repondre@monespacesante.fr", "ne-pas-repondre@monespacesante.fr"])
        #expect(records.map { $0["rcpt_tos"] as? [String] } == [["marie.dupont@example.fr"], ["marie.dupont@example.fr"]])
        #expect(Set(records.compactMap { $0["client_port"] as? Int }).count == 1)

        // Python's e-mail parser reads the code e-mail's headers and French body.
        let first = try jsonObject(python(inspectMail, [eml[0]]))
        #expect(first["subject"] as? String == MessageTemplates.onDemandSubject)
        #expect(first["from_name"] as? String == "Mon espace santé")
        #expect(first["message_id"] as? String == "<code-1@mes.test>")
        let firstParts = try #require(first["parts"] as? [[String: Any]])
        #expect((firstParts[0]["text"] as? String)?.replacingOccurrences(of: "\r\n", with: "\n") == MessageTemplates.onDemandEmail(code: "K7M2Q9XD4TWB"))

        // …and the receipt e-mail: subject, French body, the PDF byte for byte.
        checkLines(mailBytes)
        let second = try jsonObject(python(inspectMail, [eml[1]]))
        #expect(second["subject"] as? String == "Mon espace santé : votre justificatif d'opposition")
        #expect(second["from_name"] as? String == "Mon espace santé")
        #expect(second["from_addr"] as? String == "ne-pas-repondre@monespacesante.fr")
        #expect(second["to"] as? String == "marie.dupont@example.fr")
        #expect(second["message_id"] as? String == "<receipt-1@mes.test>")
        #expect(second["date_ok"] as? Bool == true)
        #expect(second["mime_version"] as? String == "1.0")
        let parts = try #require(second["parts"] as? [[String: Any]])
        try #require(parts.count == 3)
        #expect(parts[0]["content_type"] as? String == "multipart/mixed")
        #expect(parts[0]["boundary"] as? String == mail.boundary)
        #expect(parts[1]["content_type"] as? String == "text/plain")
        #expect(parts[1]["charset"] as? String == "utf-8")
        #expect(parts[1]["cte"] as? String == "quoted-printable")
        #expect((parts[1]["text"] as? String)?.replacingOccurrences(of: "\r\n", with: "\n") == mail.body)
        #expect((parts[1]["text"] as? String)?.contains("Votre demande d'opposition à la création de Mon espace santé a bien été prise en compte le 28/09/2021.") == true)
        #expect(parts[2]["content_type"] as? String == "application/pdf")
        #expect(parts[2]["disposition"] as? String == "attachment")
        #expect(parts[2]["filename"] as? String == "JO-TEST000001.pdf")
        #expect(parts[2]["cte"] as? String == "base64")
        #expect(parts[2]["base64"] as? String == Data(ReceiptRenderer.pdf(receipt)).base64EncodedString())
        for p in parts { #expect((p["defects"] as? [String]) == [], "\(p["content_type"] ?? "")") }
    }

    @Test func authUsesTheCredentialsFileAndNeverQuotesThePassword() throws {
        let server = try PythonServer("smtp_sink.py", ["--auth", "mes-relay:s3cr3t:with-colon"], label: "smtp-auth")
        let dir = try TempDir("cred")
        defer { dir.remove() }
        let good = try dir.write("credentials", "mes-relay:s3cr3t:with-colon\n")
        let transport = try smtpTransport(server, env: ["MES_MAIL_CREDENTIALS_FILE": good])
        let mail = codeEmail(to: "paul@example.fr", id: "auth-1@mes.test")
        let receipt = try transport.send(.email(from: "ne-pas-repondre@monespacesante.fr", to: "paul@example.fr",
                                                messageID: mail.messageID, message: mail.handedOver()))
        #expect(receipt.status == 250)
        let auth = try #require(server.records().first?["auth"] as? [String: Any])
        #expect(auth["login"] as? String == "mes-relay")

        // Two-line form with a wrong password: refused, a configuration error, the password not quoted.
        let bad = try dir.write("bad", "mes-relay\nwrong-password-123\n")
        let refused = try smtpTransport(server, env: ["MES_MAIL_CREDENTIALS_FILE": bad])
        let error = try #require(throws: DeliveryError.self) {
            try refused.send(.email(from: "ne-pas-repondre@monespacesante.fr", to: "paul@example.fr", messageID: "x@y", message: mail.handedOver()))
        }
        #expect(error.kind == .configuration)
        #expect(error.code.rawValue == "auth_failed")
        #expect(error.status == 535)
        #expect(!error.reason.contains("wrong-password-123") && !error.description.contains("wrong-password-123"))
        #expect(!error.reason.contains("K7M2Q9XD4TWB"))
        #expect(server.files("eml").count == 1)
    }

    @Test func starttlsWhenRequiredAndTLSFromTheStart() throws {
        let dir = try TempDir("tls")
        defer { dir.remove() }
        let (cert, key) = try selfSignedCertificate(in: dir)
        let mail = codeEmail(to: "tls@example.fr", id: "tls-1@mes.test")
        let envelope = Envelope.email(from: "ne-pas-repondre@monespacesante.fr", to: "tls@example.fr", messageID: mail.messageID,
                                      message: mail.handedOver())

        let starttls = try PythonServer("smtp_sink.py", ["--cert", cert, "--key", key], label: "smtp-starttls")
        let viaStarttls = try smtpTransport(starttls, query: "?starttls=required&cafile=\(cert)")
        #expect(try viaStarttls.send(envelope).status == 250)
        #expect(starttls.records().first?["tls"] as? Bool == true)

        let implicit = try PythonServer("smtp_sink.py", ["--cert", cert, "--key", key, "--implicit-tls"], label: "smtps")
        let config = try TransportConfig.load(environment: ["MES_MAIL_URL": "smtps://127.0.0.1:\(implicit.port)?cafile=\(cert)"])
        let viaTLS = try #require(config.mailTransport())
        #expect(try viaTLS.send(envelope).status == 250)
        #expect(implicit.records().first?["tls"] as? Bool == true)

        // STARTTLS required from a server that does not offer it: nothing sent in clear.
        let plain = try PythonServer("smtp_sink.py", label: "smtp-plain")
        let error = try #require(throws: DeliveryError.self) { try smtpTransport(plain, query: "?starttls=required").send(envelope) }
        #expect(error.kind == .configuration && error.code.rawValue == "tls_failed")
        #expect(plain.files("eml").isEmpty)

        // A certificate nobody vouches for (no cafile): refused.
        let untrusted = try #require(throws: DeliveryError.self) { try smtpTransport(starttls, query: "?starttls=required").send(envelope) }
        #expect(untrusted.kind == .configuration && untrusted.code.rawValue == "tls_failed")
    }

    @Test func rejectedRecipientIsPermanentBusyIsTemporaryAndTheNextMessageStillGoes() throws {
        let server = try PythonServer("smtp_sink.py", label: "smtp-reject")
        let transport = try smtpTransport(server)
        func send(_ to: String) throws(DeliveryError) -> TransportReceipt {
            let m = codeEmail(to: to, id: "\(to)-id")
            return try transport.send(.email(from: "ne-pas-repondre@monespacesante.fr", to: to, messageID: m.messageID, message: m.handedOver()))
        }
        let rejected = try #require(throws: DeliveryError.self) { try send("rejected.person@example.fr") }
        #expect(rejected.kind == .permanent)
        #expect(rejected.code.rawValue == "recipient_rejected")
        #expect(rejected.status == 550)
        #expect(rejected.reason.contains("550 5.1.1"))
        #expect(!rejected.reason.contains("rejected.person@example.fr"), "recipient masked: \(rejected.reason)")
        #expect(!rejected.reason.contains("K7M2Q9XD4TWB"))

        let busy = try #require(throws: DeliveryError.self) { try send("busy@example.fr") }
        #expect(busy.kind == .temporary && busy.code.rawValue == "recipient_rejected" && busy.status == 451)

        #expect(try send("ok@example.fr").status == 250)
        #expect(server.files("eml").count == 1)
    }

    @Test func nothingListeningIsTemporaryAndQuick() throws {
        let closed = try LocalSocket(listening: false)
        let config = try TransportConfig.load(environment: ["MES_MAIL_URL": "smtp://127.0.0.1:\(closed.port)"])
        let transport = try #require(config.mailTransport())
        let mail = codeEmail(to: "a@example.fr", id: "refused@mes.test")
        var error: DeliveryError?
        let seconds = elapsedSeconds {
            error = #expect(throws: DeliveryError.self) {
                try transport.send(.email(from: "ne-pas-repondre@monespacesante.fr", to: "a@example.fr", messageID: "x", message: mail.handedOver()))
            }
        }
        #expect(error?.kind == .temporary)
        #expect(error?.code.rawValue == "connection_failed")
        #expect(seconds < 2, "took \(seconds) s")
    }

    @Test func silentServerTimesOutWithinTheBound() throws {
        let silent = try LocalSocket(listening: true)
        let config = try TransportConfig.load(environment: ["MES_MAIL_URL": "smtp://127.0.0.1:\(silent.port)?timeout=1&connect_timeout=1"])
        let transport = try #require(config.mailTransport())
        let mail = codeEmail(to: "a@example.fr", id: "silent@mes.test")
        var error: DeliveryError?
        let seconds = elapsedSeconds {
            error = #expect(throws: DeliveryError.self) {
                try transport.send(.email(from: "ne-pas-repondre@monespacesante.fr", to: "a@example.fr", messageID: "x", message: mail.handedOver()))
            }
        }
        #expect(error?.kind == .temporary && error?.code.rawValue == "timeout")
        #expect(seconds < 3, "took \(seconds) s")
    }

    @Test func envelopesThatCouldInjectCommandsAreRefusedBeforeConnecting() throws {
        let transport = SMTPTransport(SMTPSettings(host: "127.0.0.1", port: 9))
        for bad in ["a@b.fr>\r\nRCPT TO:<c@d.fr", "a b@c.fr", "<a@b.fr>", "no-at-sign", "@b.fr", "a@"] {
            let e = #expect(throws: DeliveryError.self) { try transport.send(.email(from: "s@mes.fr", to: bad, messageID: "x", message: [0x41])) }
            #expect(e?.kind == .permanent && e?.code.rawValue == "invalid_recipient", "\(bad)")
        }
        let sms = #expect(throws: DeliveryError.self) { try transport.send(.sms(to: "+33612345678", text: "x", messageID: "x")) }
        #expect(sms?.code.rawValue == "invalid_envelope")
        #expect(transport.connectionsOpened == 0)
        // Settings made by hand get the configuration's rule too: no password in clear off this machine.
        let clear = SMTPTransport(SMTPSettings(host: "mail.example.invalid", port: 25,
                                               credentials: SMTPCredentials(user: "u", password: Secret("hunter2"))))
        let e = #expect(throws: DeliveryError.self) { try clear.send(.email(from: "s@mes.fr", to: "a@b.fr", messageID: "x", message: [0x41])) }
        #expect(e?.kind == .configuration && e?.reason.contains("hunter2") == false)
        #expect(clear.connectionsOpened == 0)
    }

    @Test func thousandMessagesOverOneConnection() throws {
        let server = try PythonServer("smtp_sink.py", label: "smtp-1000")
        let transport = try smtpTransport(server)
        let messages = (0..<1_000).map { i -> Envelope in
            let m = codeEmail(to: "person\(i)@example.fr", id: "wave-\(i)@mes.test", code: String(format: "C%011d", i))
            return .email(from: "ne-pas-repondre@monespacesante.fr", to: "person\(i)@example.fr", messageID: m.messageID, message: m.handedOver())
        }
        var receipts: [TransportReceipt] = []
        let seconds = try elapsedSeconds {
            for m in messages { receipts.append(try transport.send(m)) }
        }
        transport.close()
        let perMessage = seconds * 1_000 / Double(messages.count)
        print("MESDeliveryTests: 1,000 messages over SMTP in \(String(format: "%.2f", seconds)) s " +
              "(\(String(format: "%.2f", perMessage)) ms each), \(transport.connectionsOpened) connection(s)")
        #expect(receipts.count == 1_000)
        #expect(receipts.allSatisfy { $0.status == 250 })
        #expect(Set(receipts.compactMap(\.remoteID)).count == 1_000)
        #expect(transport.connectionsOpened == 1)
        let records = server.records()
        #expect(records.count == 1_000)
        #expect(Set(records.compactMap { $0["client_port"] as? Int }).count == 1)

        // For comparison: 100 messages, each on a new connection (QUIT after each).
        let fresh = try smtpTransport(server)
        let freshSeconds = try elapsedSeconds {
            for m in messages.prefix(100) {
                _ = try fresh.send(m)
                fresh.close()
            }
        }
        print("MESDeliveryTests: 100 messages over SMTP with a new connection each in \(String(format: "%.2f", freshSeconds)) s " +
              "(\(String(format: "%.2f", freshSeconds * 10)) ms each)")
        #expect(fresh.connectionsOpened == 100)
    }

    @Test func aConnectionTheServerClosedWhileIdleIsReopened() throws {
        let server = try PythonServer("smtp_sink.py", ["--idle-timeout", "0.3"], label: "smtp-reopen")
        let transport = try smtpTransport(server)
        let m = codeEmail(to: "a@example.fr", id: "reopen@mes.test")
        let e = Envelope.email(from: "ne-pas-repondre@monespacesante.fr", to: "a@example.fr", messageID: m.messageID, message: m.handedOver())
        #expect(try transport.send(e).status == 250)
        usleep(800_000)  // the server drops the idle connection after 0.3 s
        #expect(try transport.send(e).status == 250)
        #expect(transport.connectionsOpened == 2)
        #expect(server.files("eml").count == 2)
        transport.close()
        #expect(try transport.send(e).status == 250)
        #expect(transport.connectionsOpened == 3)
    }
}
