import Foundation
import Testing
import MESCore
import MESCrypto
@testable import MESService

/// `exportSigningCertificate`, `importSigningKey` and verification against one certificate, as
/// use cases (no command line).
@Suite struct SigningKeyServiceTests {
    static let association = try! SigningIdentity.generate(commonName: "Association Test", organization: "Association",
                                                           validityDays: 365, now: 1_643_882_400)

    @Test func theStoresCertificateIsExported() throws {
        let h = try Harness()
        let c = try h.service.exportSigningCertificate()
        #expect(c.pem.hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(c.fingerprint == (try Certificate(pem: Array(c.pem.utf8))).fingerprint)
        #expect(!c.name.isEmpty)
        #expect(try h.service.exportSigningCertificate() == c, "the same certificate each time")
    }

    @Test func anImportedKeySignsFromNowOnAndIsAudited() throws {
        let h = try Harness()
        let before = try h.service.exportSigningCertificate()
        let pair = try SigningKeyPair(keyPEM: Self.association.keyPEM, certificatePEM: Self.association.certificatePEM)
        let imported = try h.service.importSigningKey(pair)
        #expect(imported.name == "Association Test" && imported.fingerprint == Self.association.fingerprint)
        #expect(try h.service.exportSigningCertificate() == imported)
        #expect(imported != before)
        let line = try #require(try h.service.store.history(nir: nil).last)
        #expect(line.event == "signing_key_imported" && line.detail == imported.fingerprint && line.at == h.clock.now())
    }

    @Test func aRefusedOrMismatchedPairIsRefusedBeforeAnyStore() {
        let junk = refused { _ = try SigningKeyPair(keyPEM: Array("junk".utf8), certificatePEM: Self.association.certificatePEM) }
        #expect(junk?.code == .keyInvalid && junk?.field == "KEY")
        let other = try! SigningIdentity.generate(commonName: "Other", organization: "x", validityDays: 30, now: 1_643_882_400)
        let mismatched = refused { _ = try SigningKeyPair(keyPEM: other.keyPEM, certificatePEM: Self.association.certificatePEM) }
        #expect(mismatched?.code == .keyInvalid && mismatched?.field == "KEY")
    }

    @Test func aReceiptIsJudgedAgainstOneCertificateAlone() throws {
        let h = try Harness()
        let r = try h.service.oppose(OppositionRequest(identity: .assisted(adviser: "A042", nir: DemoData.martineNIR,
                                                                          birthDate: DemoData.martineBirthDate, lastName: "LEGUELLEC", firstName: nil)))
        guard case .opposed(_, let path) = r.outcome else { Issue.record("not opposed: \(r.outcome)"); return }
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let mine = Array(try h.service.exportSigningCertificate().pem.utf8)
        #expect(try Service.verifyReceipt(bytes, certificatePEM: mine).status == .authentic)
        #expect(try Service.verifyReceipt(bytes, certificatePEM: Self.association.certificatePEM).status != .authentic)
        let unreadable = refused { _ = try Service.verifyReceipt(bytes, certificatePEM: Array("junk".utf8)) }
        #expect(unreadable?.code == .keyInvalid && unreadable?.field == "cert")
    }

    func refused(_ body: () throws -> Void) -> MESError? {
        do { try body(); return nil } catch let e as MESError { return e } catch { return nil }
    }
}
