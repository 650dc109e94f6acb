import Foundation
import Testing
import TestSupport
import MESCore
@testable import MESDelivery

/// `MES_MAIL_URL=maildir:/DIR`: delivery into a local Maildir, which counts as sending.
@Suite struct MaildirTests {
    static let message = Array("From: a@b.fr\r\nTo: <marie@example.fr>\r\nSubject: x\r\n\r\nBonjour\r\n".utf8)

    func envelope(_ id: String = "1.1.n@mes.invalid") -> Envelope {
        .email(from: "envoi@mes.example.fr", to: "marie@example.fr", messageID: id, message: Self.message)
    }

    @Test func aMessageLandsWholeInNewWithUnixLineEnds() throws {
        let dir = try TempDir("maildir")
        defer { dir.remove() }
        let t = MaildirTransport(MaildirSettings(path: dir.file("Maildir")))
        let receipts = try (0..<3).map { try t.send(envelope("\($0).n@mes.invalid")) }
        #expect(receipts.allSatisfy { $0.status == 250 && $0.reply.hasPrefix("250 delivered to maildir new/") })
        let new = try FileManager.default.contentsOfDirectory(atPath: dir.file("Maildir/new"))
        #expect(new.count == 3 && Set(new).count == 3)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("Maildir/tmp")).isEmpty)
        #expect(FileManager.default.fileExists(atPath: dir.file("Maildir/cur")))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: dir.file("Maildir/new/" + new[0])))
        #expect(!bytes.contains(0x0D) && String(decoding: bytes, as: UTF8.self).hasSuffix("Bonjour\n"))
        let mode = try FileManager.default.attributesOfItem(atPath: dir.file("Maildir"))[.posixPermissions] as? Int
        #expect(mode == 0o700)
    }

    @Test func aFolderThatCannotBeMadeIsAConfigurationError() throws {
        let dir = try TempDir("maildir-bad")
        defer { dir.remove() }
        try "x".write(toFile: dir.file("file"), atomically: true, encoding: .utf8)
        for path in [dir.file("missing/parent/Maildir"), dir.file("file/Maildir")] {
            #expect(throws: DeliveryError.self) { try MaildirTransport(MaildirSettings(path: path)).send(envelope()) }
            do { _ = try MaildirTransport(MaildirSettings(path: path)).send(envelope()) } catch { #expect(error.kind == .configuration) }
        }
        // A recipient the envelope cannot carry is refused for good, as by SMTP.
        var bad = envelope()
        bad.recipient = "a@b.fr>,<root"
        do { _ = try MaildirTransport(MaildirSettings(path: dir.file("M"))).send(bad); Issue.record("sent") } catch {
            #expect(error.kind == .permanent)
        }
    }

    @Test func theURLAndTheSender() throws {
        guard case .maildir(let s) = try TransportConfig.parseMailURL("maildir:/var/mail/mes/") else { Issue.record("not maildir"); return }
        #expect(s.path == "/var/mail/mes")
        for bad in ["maildir:relative", "maildir://host/x", "maildir:/", "maildir:/x?y=1"] {
            #expect(throws: TransportConfigError.self, "\(bad)") { try TransportConfig.parseMailURL(bad) }
        }
        func from(_ v: String?) -> String? { TransportConfig.fromHeader(DeliverySettings(environment: v.map { ["MES_MAIL_FROM": $0] } ?? [:])) }
        #expect(from(nil) == nil)
        #expect(from("envoi@mes.example.fr") == "Mon espace santé <envoi@mes.example.fr>")
        #expect(from("<envoi@mes.example.fr>") == "Mon espace santé <envoi@mes.example.fr>")
        #expect(from("CPAM 44 <envoi@mes.example.fr>") == "CPAM 44 <envoi@mes.example.fr>")
        #expect(from("pas une adresse") == nil)
        let file = DeliverySettings.File(path: "/x/mes.conf", bytes: Array("MES_MAIL_FROM=Caisse <c@mes.example.fr>\n".utf8))
        #expect(TransportConfig.fromHeader(DeliverySettings(file: file)) == "Caisse <c@mes.example.fr>")
        #expect(TransportConfig.fromHeader(DeliverySettings(environment: ["MES_MAIL_FROM": "e@mes.example.fr"], file: file))
                == "Mon espace santé <e@mes.example.fr>", "the environment wins")
    }
}
