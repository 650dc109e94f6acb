import Foundation
import Testing
@testable import MESDelivery
import MESRender
import MESCore

@Suite struct HTTPSMSTests {
    func transport(_ server: PythonServer, path: String = "/v1/sms", token: String = "tok-3f9a.B_72") throws -> (any MessageTransport, TempDir) {
        let dir = try TempDir("sms-token")
        let file = try dir.write("token", token + "\n")
        let config = try TransportConfig.load(environment: ["MES_SMS_URL": "http://127.0.0.1:\(server.port)\(path)", "MES_SMS_TOKEN_FILE": file])
        return (try #require(config.smsTransport()), dir)
    }

    @Test func postsJSONWithTheBearerTokenOverOneConnection() throws {
        let server = try PythonServer("sms_sink.py", label: "sms")
        let (sms, dir) = try transport(server)
        defer { dir.remove() }
        let text = MessageTemplates.onDemandSMS(code: "7Q4K2M")
        let r1 = try sms.send(.sms(to: "+33612345678", text: text, messageID: "sms-1@mes.test"))
        #expect(r1.status == 201 && r1.remoteID == "sms-1" && r1.reply == "HTTP 201" && !r1.reusedConnection)
        let quoted = "Il a dit \"oui\" \\ puis\tcoupé\u{1}"
        let r2 = try sms.send(.sms(to: "+596696123456", text: quoted, messageID: "sms-2@mes.test"))
        #expect(r2.status == 201 && r2.remoteID == "sms-2" && r2.reusedConnection)

        let records = server.records()
        try #require(records.count == 2)
        #expect(records[0]["path"] as? String == "/v1/sms")
        #expect(records[0]["authorization"] as? String == "Bearer tok-3f9a.B_72")
        #expect(records[0]["content_type"] as? String == "application/json; charset=utf-8")
        let body = try jsonObject(try #require(records[0]["body"] as? String))
        #expect(body.count == 3)
        #expect(body["to"] as? String == "+33612345678")
        #expect(body["text"] as? String == text)
        #expect(body["message_id"] as? String == "sms-1@mes.test")
        #expect((records[0]["body"] as? String)?.hasPrefix("{\"to\": \"+33612345678\", \"text\": \"Mon espace santé : votre code provisoire est 7Q4K2M.") == true)
        #expect(try jsonObject(try #require(records[1]["body"] as? String))["text"] as? String == quoted)
        #expect(Set(records.compactMap { $0["client_port"] as? Int }).count == 1)
    }

    @Test func statusesSayWhetherToTryAgain() throws {
        let server = try PythonServer("sms_sink.py", label: "sms-status")
        let cases: [(Int, DeliveryError.Kind)] = [(503, .temporary), (500, .temporary), (429, .temporary), (408, .temporary),
                                                  (400, .permanent), (404, .permanent), (422, .permanent),
                                                  (401, .configuration), (403, .configuration), (301, .configuration)]
        for (status, kind) in cases {
            let (sms, dir) = try transport(server, path: "/status/\(status)", token: "secret-token-\(status)")
            defer { dir.remove() }
            let e = try #require(throws: DeliveryError.self) {
                try sms.send(.sms(to: "+33612345678", text: "Votre code : 123456", messageID: "s-\(status)"))
            }
            #expect(e.kind == kind && e.status == status, "\(status): \(e)")
            #expect(!e.description.contains("secret-token") && !e.description.contains("123456"), "\(e)")
        }
        #expect(server.records().count == cases.count)
    }

    @Test func nothingListeningIsTemporaryAndQuick() throws {
        let closed = try LocalSocket(listening: false)
        let dir = try TempDir("sms-closed")
        defer { dir.remove() }
        let config = try TransportConfig.load(environment: ["MES_SMS_URL": "http://127.0.0.1:\(closed.port)/sms",
                                                            "MES_SMS_TOKEN_FILE": try dir.write("t", "abc")])
        let sms = try #require(config.smsTransport())
        var error: DeliveryError?
        let seconds = elapsedSeconds { error = #expect(throws: DeliveryError.self) { try sms.send(.sms(to: "+33612345678", text: "x", messageID: "x")) } }
        #expect(error?.kind == .temporary && error?.code.rawValue == "connection_failed")
        #expect(seconds < 2, "took \(seconds) s")
    }

    @Test func recipientsAndTextsAreCheckedBeforeSending() throws {
        let sms = HTTPSMSTransport(HTTPSMSSettings(url: "http://127.0.0.1:9/", token: Secret("t")))
        for bad in ["0612345678", "+0612345678", "+33 6 12 34 56 78", "+331234", "+3361234567890123", "+33612345678\r\nX: y"] {
            let e = #expect(throws: DeliveryError.self) { try sms.send(.sms(to: bad, text: "x", messageID: "x")) }
            #expect(e?.kind == .permanent && e?.code.rawValue == "invalid_recipient", "\(bad)")
            #expect(e?.reason.contains(bad) == false)
        }
        let notUTF8 = Envelope(channel: .sms, recipient: "+33612345678", sender: "", messageID: "x", payload: [0xFF, 0xFE])
        #expect((#expect(throws: DeliveryError.self) { try sms.send(notUTF8) })?.code.rawValue == "invalid_envelope")
        #expect(sms.connectionsOpened == 0)
        // Settings made by hand get the configuration's rule too: http only to this machine.
        let remote = HTTPSMSTransport(HTTPSMSSettings(url: "http://sms.example.invalid/v1", token: Secret("t")))
        let e = #expect(throws: DeliveryError.self) { try remote.send(.sms(to: "+33612345678", text: "x", messageID: "x")) }
        #expect(e?.kind == .configuration && e?.reason.contains("n'est permis que vers 127.0.0.1") == true)
        #expect(remote.connectionsOpened == 0)
    }
}
