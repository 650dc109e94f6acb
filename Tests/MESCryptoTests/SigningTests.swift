import Foundation
import Testing
import TestSupport
@testable import MESCrypto

/// A program found in PATH.
func signingTool(_ name: String) -> String? { findProgram(name) }

func signingScratch(_ name: String) throws -> URL {
    temporaryDirectory("mes-signing").appendingPathComponent(name)
}

/// 2022-02-03T10:00:00Z.
let signingNow: Int64 = 1_643_882_400

@Suite struct SigningIdentityTests {
    @Test func generatedIdentityIsP256SelfSignedWithItsNames() throws {
        let id = try SigningIdentity.generate(commonName: "Mon espace santé (mes)", organization: "Assurance Maladie", validityDays: 365, now: signingNow)
        #expect(id.commonName == "Mon espace santé (mes)")
        #expect(id.fingerprint.count == 32 * 3 - 1 && id.fingerprint.split(separator: ":").count == 32)
        #expect(String(decoding: id.keyPEM, as: UTF8.self).hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        #expect(String(decoding: id.certificatePEM, as: UTF8.self).hasPrefix("-----BEGIN CERTIFICATE-----\n"))
        #expect(try Certificate(der: id.certificateDER).der == id.certificateDER)

        // What OpenSSL's command line reads in it.
        let openssl = try #require(signingTool("openssl"), "openssl not in PATH")
        let certFile = try signingScratch("c.pem")
        try Data(id.certificatePEM).write(to: certFile)
        let text = try runProgram(openssl, ["x509", "-in", certFile.path, "-noout", "-text", "-fingerprint", "-sha256", "-nameopt", "utf8"])
        #expect(text.status == 0)
        for needle in ["Signature Algorithm: ecdsa-with-SHA256", "NIST CURVE: P-256", "Subject: CN=Mon espace santé (mes)",
                       "O=Assurance Maladie", "Not Before: Feb  3 10:00:00 2022 GMT", "Not After : Feb  3 10:00:00 2023 GMT",
                       "CA:FALSE", "Digital Signature, Non Repudiation", "sha256 Fingerprint=\(id.fingerprint)"] {
            #expect(text.output.contains(needle), "\(needle)\n\(text.output)")
        }
        let check = try runProgram(openssl, ["verify", "-CAfile", certFile.path, "-check_ss_sig", "-partial_chain", "-attime", "\(signingNow + 60)", certFile.path])
        #expect(check.status == 0, "\(check.output)")

        // Serials are random.
        let other = try SigningIdentity.generate(commonName: "x", organization: "", validityDays: 1, now: signingNow)
        #expect(other.fingerprint != id.fingerprint)
    }

    @Test func pemRoundTripKeepsKeyAndCertificate() throws {
        let id = try SigningIdentity.generate(commonName: "Signataire", organization: "mes", validityDays: 30, now: signingNow)
        let back = try SigningIdentity(keyPEM: id.keyPEM, certificatePEM: id.certificatePEM)
        #expect(back.certificateDER == id.certificateDER)
        #expect(back.fingerprint == id.fingerprint && back.commonName == "Signataire")
        // The imported key signs what the original certificate verifies.
        let der = try CMSSigner(identity: back).signDetached(Array("abc".utf8))
        #expect(CMSVerifier.verify(signature: der, signedPieces: [Array("abc".utf8)[...]], trusted: id.certificate)
                == .valid(signerCommonName: "Signataire"))
    }

    @Test func mismatchedOrUnreadableKeysAreRefused() throws {
        let a = try SigningIdentity.generate(commonName: "A", organization: "", validityDays: 30, now: signingNow)
        let b = try SigningIdentity.generate(commonName: "B", organization: "", validityDays: 30, now: signingNow)
        #expect(throws: SigningError("the private key does not match the certificate")) {
            try SigningIdentity(keyPEM: a.keyPEM, certificatePEM: b.certificatePEM)
        }
        #expect(throws: SigningError.self) { try SigningIdentity(keyPEM: Array("garbage".utf8), certificatePEM: a.certificatePEM) }
        #expect(throws: SigningError.self) { try SigningIdentity(keyPEM: a.keyPEM, certificatePEM: []) }
        #expect(throws: SigningError.self) { try SigningIdentity(keyPEM: a.certificatePEM, certificatePEM: a.keyPEM) }
        #expect(throws: SigningError.self) { try Certificate(der: [0x30, 0x03, 0x02, 0x01, 0x01]) }
        #expect(throws: SigningError.self) { try Certificate(der: a.certificateDER + [0]) }
        #expect(throws: SigningError.self) { try Certificate(der: Array(a.certificateDER.dropLast())) }
        #expect(throws: SigningError.self) { try SigningIdentity.generate(commonName: "", organization: "", validityDays: 1, now: signingNow) }
        #expect(throws: SigningError.self) { try SigningIdentity.generate(commonName: "x", organization: "", validityDays: 0, now: signingNow) }
    }

    /// Keys made by OpenSSL's command line: P-256 and RSA 2048 are accepted, P-384, RSA 1024 and
    /// an encrypted key are refused (without asking for a password).
    @Test func keyKinds() throws {
        let openssl = try #require(signingTool("openssl"), "openssl not in PATH")
        func make(_ keyArgs: [String], encrypt: Bool = false) throws -> (key: [UInt8], cert: [UInt8]) {
            let key = try signingScratch("k.pem"), cert = key.deletingLastPathComponent().appendingPathComponent("c.pem")
            var args = ["req", "-x509", "-subj", "/CN=Externe", "-days", "2", "-keyout", key.path, "-out", cert.path] + keyArgs
            args += encrypt ? ["-passout", "pass:secret"] : ["-noenc"]
            let r = try runProgram(openssl, args)
            try #require(r.status == 0, "\(r.output)")
            return ([UInt8](try Data(contentsOf: key)), [UInt8](try Data(contentsOf: cert)))
        }
        let p256 = try make(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"])
        let id = try SigningIdentity(keyPEM: p256.key, certificatePEM: p256.cert)
        #expect(id.commonName == "Externe")
        let rsa = try make(["-newkey", "rsa:2048"])
        let rsaID = try SigningIdentity(keyPEM: rsa.key, certificatePEM: rsa.cert)
        let data = Array("RSA".utf8)
        let rsaSigner = try CMSSigner(identity: rsaID)
        #expect(rsaSigner.usesTemplate)
        let der = try rsaSigner.signDetached(data)
        #expect(CMSVerifier.verify(signature: der, signedPieces: [data[...]], trusted: rsaID.certificate) == .valid(signerCommonName: "Externe"))

        let p384 = try make(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"])
        #expect(throws: SigningError("the EC key must be on P-256, not secp384r1")) {
            try SigningIdentity(keyPEM: p384.key, certificatePEM: p384.cert)
        }
        let small = try make(["-newkey", "rsa:1024"])
        #expect(throws: SigningError("the RSA key must have at least 2048 bits")) {
            try SigningIdentity(keyPEM: small.key, certificatePEM: small.cert)
        }
        let encrypted = try make(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"], encrypt: true)
        #expect(String(decoding: encrypted.key, as: UTF8.self).contains("ENCRYPTED"))
        #expect(throws: SigningError.self) { try SigningIdentity(keyPEM: encrypted.key, certificatePEM: encrypted.cert) }
    }
}

@Suite struct CMSSigningTests {
    static let identity = try! SigningIdentity.generate(commonName: "Signataire mes", organization: "mes", validityDays: 30, now: signingNow)
    static let stranger = try! SigningIdentity.generate(commonName: "Signataire mes", organization: "mes", validityDays: 30, now: signingNow)

    @Test func signsAndVerifiesDetached() throws {
        let signer = try CMSSigner(identity: Self.identity)
        let data = Array("Votre demande d'opposition a bien été prise en compte.".utf8)
        let der = try signer.signDetached(data)
        #expect(der.count <= signer.maximumSize)
        // Encoded from OpenSSL's template (debug builds check each one against i2d_CMS_ContentInfo).
        #expect(signer.usesTemplate)
        let trusted = Self.identity.certificate
        #expect(CMSVerifier.verify(signature: der, signedPieces: [data[...]], trusted: trusted) == .valid(signerCommonName: "Signataire mes"))
        // Pieces sign their concatenation.
        let pieces = [data[..<10], data[10..<11], data[11...]]
        #expect(CMSVerifier.verify(signature: try signer.signDetached(pieces), signedPieces: [data[...]], trusted: trusted)
                == .valid(signerCommonName: "Signataire mes"))
        #expect(CMSVerifier.verify(signature: der, signedPieces: pieces, trusted: trusted) == .valid(signerCommonName: "Signataire mes"))
        // Other bytes.
        var changed = data
        changed[5] ^= 1
        #expect(CMSVerifier.verify(signature: der, signedPieces: [changed[...]], trusted: trusted) == .badSignature)
        #expect(CMSVerifier.verify(signature: der, signedPieces: [data.dropLast()], trusted: trusted) == .badSignature)
        #expect(CMSVerifier.verify(signature: der, signedPieces: [], trusted: trusted) == .badSignature)
        // Another key with the same names: its certificate is carried, never trusted.
        #expect(CMSVerifier.verify(signature: der, signedPieces: [data[...]], trusted: Self.stranger.certificate) == .untrustedSigner)
        let strangers = try CMSSigner(identity: Self.stranger).signDetached(data)
        #expect(CMSVerifier.verify(signature: strangers, signedPieces: [data[...]], trusted: trusted) == .untrustedSigner)
        #expect(try CMSVerifier.verify(signature: der, signedPieces: [data[...]], trustedDER: trusted.der) == .valid(signerCommonName: "Signataire mes"))
    }

    @Test func oneSignerSignsManyDocumentsEachOnlyItsOwn() throws {
        let signer = try CMSSigner(identity: Self.identity)
        let docs = (0..<40).map { Array("document \($0)".utf8) }
        let sigs = try docs.map { try signer.signDetached($0) }
        for (i, sig) in sigs.enumerated() {
            #expect(CMSVerifier.verify(signature: sig, signedPieces: [docs[i][...]], trusted: Self.identity.certificate) == .valid(signerCommonName: "Signataire mes"))
            #expect(CMSVerifier.verify(signature: sig, signedPieces: [docs[(i + 1) % docs.count][...]], trusted: Self.identity.certificate) == .badSignature)
        }
        #expect(Set(sigs).count == sigs.count)
    }

    /// OpenSSL's command line verifies it, and finds the CAdES attributes PAdES wants: the ESS
    /// signing-certificate-v2, no signing time (the PDF's /M carries it), SHA-256, no content.
    @Test func opensslCommandLineAgrees() throws {
        let openssl = try #require(signingTool("openssl"), "openssl not in PATH")
        let data = Array("%PDF-1.4 signed bytes".utf8)
        let der = try CMSSigner(identity: Self.identity).signDetached(data)
        let sig = try signingScratch("s.der"), content = sig.deletingLastPathComponent().appendingPathComponent("d.bin")
        let cert = sig.deletingLastPathComponent().appendingPathComponent("c.pem")
        try Data(der).write(to: sig)
        try Data(data).write(to: content)
        try Data(Self.identity.certificatePEM).write(to: cert)
        let ok = try runProgram(openssl, ["cms", "-verify", "-binary", "-inform", "DER", "-in", sig.path, "-content", content.path,
                                   "-CAfile", cert.path, "-purpose", "any", "-attime", "\(signingNow + 60)", "-out", "/dev/null"])
        #expect(ok.status == 0 && ok.output.contains("Verification successful"), "\(ok.output)")
        let printed = try runProgram(openssl, ["cms", "-cmsout", "-print", "-inform", "DER", "-in", sig.path]).output
        #expect(printed.contains("signingCertificateV2"))
        #expect(printed.contains("messageDigest") && printed.contains("contentType"))
        #expect(!printed.contains("signingTime"))
        #expect(printed.contains("eContent: <ABSENT>"))
        #expect(printed.contains("algorithm: sha256"))
        #expect(printed.contains("algorithm: ecdsa-with-SHA256"))
        try Data(data + [0x20]).write(to: content)
        let bad = try runProgram(openssl, ["cms", "-verify", "-binary", "-inform", "DER", "-in", sig.path, "-content", content.path,
                                    "-CAfile", cert.path, "-purpose", "any", "-attime", "\(signingNow + 60)", "-out", "/dev/null"])
        #expect(bad.status != 0)
    }

    /// No change to a signature verifies, and garbage never crashes.
    @Test func everyAlteredSignatureFailsAndGarbageIsMalformed() throws {
        let data = Array("bytes".utf8)
        let der = try CMSSigner(identity: Self.identity).signDetached(data)
        let trusted = Self.identity.certificate
        for i in der.indices {
            for bit in 0..<8 {
                let mask = UInt8(1) << bit
                var d = der
                d[i] ^= mask
                let v = CMSVerifier.verify(signature: d, signedPieces: [data[...]], trusted: trusted)
                #expect(v != .valid(signerCommonName: "Signataire mes"), "byte \(i) ^ \(mask)")
            }
        }
        for cut in [0, 1, 2, 10, der.count / 2, der.count - 1] {
            #expect(CMSVerifier.verify(signature: Array(der.prefix(cut)), signedPieces: [data[...]], trusted: trusted) == .malformed)
        }
        #expect(CMSVerifier.verify(signature: der + [0], signedPieces: [data[...]], trusted: trusted) == .malformed)
        #expect(CMSVerifier.verify(signature: [UInt8](repeating: 0, count: 2_000), signedPieces: [data[...]], trusted: trusted) == .malformed)
        #expect(CMSVerifier.verify(signature: [UInt8](repeating: 0x30, count: 70_000), signedPieces: [], trusted: trusted) == .malformed)
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let junk = (0..<Int.random(in: 1...900, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            #expect(CMSVerifier.verify(signature: [0x30, 0x82] + junk, signedPieces: [data[...]], trusted: trusted) == .malformed)
        }
        // The certificate itself is not a signature.
        #expect(CMSVerifier.verify(signature: trusted.der, signedPieces: [data[...]], trusted: trusted) == .malformed)
    }
}
