import Foundation
import Testing
@testable import MESDelivery
import MESRender
import MESCore

@Suite struct SendmailTests {
    /// msmtp (Debian's sendmail-compatible client) with its own configuration file, pointed at
    /// the test's SMTP server: `sendmail:/usr/bin/msmtp?args=-C,FILE`.
    func msmtp(to server: PythonServer, in dir: TempDir) throws -> TransportConfig {
        let rc = try dir.write("msmtprc", """
            defaults
            auth off
            tls off
            syslog off
            account default
            host 127.0.0.1
            port \(server.port)

            """)
        return try TransportConfig.load(environment: ["MES_MAIL_URL": "sendmail:/usr/bin/msmtp?args=-C,\(rc)&timeout=20"])
    }

    @Test func msmtpDeliversTheMessageAsRendered() throws {
        let server = try PythonServer("smtp_sink.py", label: "msmtp")
        let dir = try TempDir("msmtp")
        defer { dir.remove() }
        let config = try msmtp(to: server, in: dir)
        guard case .sendmail(let settings) = config.mail else { Issue.record("not sendmail: \(String(describing: config.mail))"); return }
        #expect(settings.path == "/usr/bin/msmtp" && settings.arguments == ["-C", dir.file("msmtprc")] && settings.timeout == 20)
        let transport = try #require(config.mailTransport())

        let mail = MultipartEmail.oppositionReceipt(sampleReceipt(), to: "jeanne@example.fr", date: date, messageID: "sendmail-1@mes.test")
        let bytes = mail.handedOver()
        let receipt = try transport.send(.email(from: "ne-pas-repondre@monespacesante.fr", to: "jeanne@example.fr",
                                                messageID: mail.messageID, message: bytes))
        #expect(receipt.status == 0 && receipt.reply == "exit 0")
        let eml = server.files("eml")
        try #require(eml.count == 1)
        // msmtp turns the Unix line ends back into CRLF: the server holds the rendered bytes.
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: eml[0]))) == bytes)
        let record = try #require(server.records().first)
        #expect(record["mail_from"] as? String == "ne-pas-repondre@monespacesante.fr")
        #expect(record["rcpt_tos"] as? [String] == ["jeanne@example.fr"])
        let parsed = try jsonObject(python(inspectMail, [eml[0]]))
        let parts = try #require(parsed["parts"] as? [[String: Any]])
        #expect(parts.last?["base64"] as? String == Data(ReceiptRenderer.pdf(sampleReceipt())).base64EncodedString())

        // A code e-mail (8bit body) too; then msmtp's exit statuses for a refused and a busy recipient.
        let code = codeEmail(to: "jeanne@example.fr", id: "sendmail-2@mes.test")
        #expect(try transport.send(.email(from: "ne-pas-repondre@monespacesante.fr", to: "jeanne@example.fr",
                                          messageID: code.messageID, message: code.handedOver())).status == 0)
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: server.files("eml")[1]))) == code.handedOver())

        let refused = codeEmail(to: "rejected@example.fr", id: "sendmail-3@mes.test")
        let e1 = try #require(throws: DeliveryError.self) {
            try transport.send(.email(from: "ne-pas-repondre@monespacesante.fr", to: "rejected@example.fr", messageID: "x", message: refused.handedOver()))
        }
        #expect(e1.kind == .permanent && e1.status == 65)
        #expect(e1.reason.contains("550") && !e1.reason.contains("rejected@example.fr") && !e1.reason.contains("K7M2Q9XD4TWB"), "\(e1.reason)")
        let busy = codeEmail(to: "busy@example.fr", id: "sendmail-4@mes.test")
        let e2 = try #require(throws: DeliveryError.self) {
            try transport.send(.email(from: "ne-pas-repondre@monespacesante.fr", to: "busy@example.fr", messageID: "x", message: busy.handedOver()))
        }
        #expect(e2.kind == .temporary && e2.status == 69)

        // The server gone: msmtp says EX_TEMPFAIL.
        server.stop()
        let e3 = try #require(throws: DeliveryError.self) {
            try transport.send(.email(from: "ne-pas-repondre@monespacesante.fr", to: "jeanne@example.fr", messageID: "x", message: code.handedOver()))
        }
        #expect(e3.kind == .temporary && e3.status == 75)
    }

    /// A stand-in program: a shell script in the test's directory.
    func program(_ dir: TempDir, _ name: String, _ body: String) throws -> SendmailTransport {
        let path = try dir.write(name, "#!/bin/sh\n" + body + "\n", mode: 0o700)
        return SendmailTransport(SendmailSettings(path: path, timeout: 1))
    }

    func envelope(size: Int = 0) -> Envelope {
        let m = codeEmail(to: "a@example.fr", id: "prog@mes.test")
        return .email(from: "ne-pas-repondre@monespacesante.fr", to: "a@example.fr", messageID: m.messageID,
                      message: m.handedOver() + [UInt8](repeating: 0x41, count: size))
    }

    @Test func argumentsStandardInputAndExitStatuses() throws {
        let dir = try TempDir("prog")
        defer { dir.remove() }
        // What the program is given: its arguments, the message with Unix line ends.
        let capture = try program(dir, "capture", "printf '%s\\n' \"$@\" > \(dir.file("args")); cat > \(dir.file("stdin"))")
        #expect(try capture.send(envelope()).status == 0)
        #expect(try String(contentsOfFile: dir.file("args"), encoding: .utf8) == "-t\n-i\n-f\nne-pas-repondre@monespacesante.fr\n")
        let stdin = try Array(Data(contentsOf: URL(fileURLWithPath: dir.file("stdin"))))
        #expect(stdin == SendmailTransport.unixLineEnds(envelope().payload) && !stdin.contains(0x0D))

        let cases: [(String, DeliveryError.Kind, Int)] = [("exit 75", .temporary, 75), ("exit 67", .permanent, 67),
                                                           ("exit 78", .configuration, 78), ("exit 1", .temporary, 1)]
        for (body, kind, status) in cases {
            let e = try #require(throws: DeliveryError.self) { try program(dir, "p\(status)", "cat >/dev/null; echo 'no luck' >&2; \(body)").send(envelope()) }
            #expect(e.kind == kind && e.status == status, "\(body): \(e)")
            #expect(e.reason.hasSuffix("exited with \(status): no luck"), "\(e.reason)")
        }
        let missing = SendmailTransport(SendmailSettings(path: dir.file("nowhere")))
        let e = try #require(throws: DeliveryError.self) { try missing.send(envelope()) }
        #expect(e.kind == .configuration)
    }

    @Test func aProgramThatHangsIsKilledInTime() throws {
        let dir = try TempDir("hang")
        defer { dir.remove() }
        // Reads its input, then sleeps in a child process that keeps stderr open.
        let hang = try program(dir, "hang", "cat >/dev/null; sleep 30")
        var error: DeliveryError?
        let seconds = elapsedSeconds { error = #expect(throws: DeliveryError.self) { try hang.send(envelope()) } }
        #expect(error?.kind == .temporary && error?.code.rawValue == "timeout")
        #expect(seconds < 2.5, "took \(seconds) s")
    }

    @Test func aProgramThatStopsReadingDoesNotKillUs() throws {
        let dir = try TempDir("epipe")
        defer { dir.remove() }
        // Exits 0 at once without reading 4 MB: the write fails (EPIPE, no SIGPIPE) and this is no success.
        let quitter = try program(dir, "quit", "exit 0")
        let e = try #require(throws: DeliveryError.self) { try quitter.send(envelope(size: 4_000_000)) }
        #expect(e.kind == .temporary && e.reason.contains("before reading the whole message"))
    }

    @Test func theHeadersMustNameTheRecipient() throws {
        let dir = try TempDir("hdr")
        defer { dir.remove() }
        let never = try program(dir, "never", "touch \(dir.file("ran")); cat >/dev/null")
        let m = codeEmail(to: "someone.else@example.fr", id: "h@mes.test")
        let e = try #require(throws: DeliveryError.self) {
            try never.send(.email(from: "ne-pas-repondre@monespacesante.fr", to: "a@example.fr", messageID: "x", message: m.handedOver()))
        }
        #expect(e.kind == .permanent && e.code.rawValue == "invalid_envelope")
        #expect(!FileManager.default.fileExists(atPath: dir.file("ran")))
    }
}
