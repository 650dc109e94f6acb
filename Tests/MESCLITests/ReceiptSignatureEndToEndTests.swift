import Foundation
import Testing

/// Signed receipts through the binary: every kind of receipt is signed over the whole file,
/// verifies with the certificate alone, and nothing altered passes.
@Suite(.serialized) struct ReceiptSignatureEndToEndTests {
    let tools = ReceiptEndToEndTests()

    /// pdfsig's verdict on a file: valid and covering the whole document.
    func expectSignedWhole(_ path: String, _ label: String) throws {
        let pdfsig = try #require(tools.tool("pdfsig"), "poppler-utils (pdfsig) is needed")
        let (_, out) = try tools.exec(pdfsig, [path])
        #expect(out.contains("Signature is Valid."), "\(label): \(out)")
        #expect(out.contains("Total document signed"), "\(label): \(out)")
        let qpdf = try #require(tools.tool("qpdf"))
        #expect(try tools.exec(qpdf, ["--check", path]).0 == 0, "\(label)")
    }

    @Test func everyKindOfReceiptIsSignedOverTheWholeFile() throws {
        let s = try Scenario()
        let token = try s.martineSession()
        let single = s.dir.appendingPathComponent("single.pdf").path
        #expect(try s.run(["oppose", "--session", token, "--yes", "--receipt", single]).status == 0)
        try expectSignedWhole(single, "oppose")
        let child = s.dir.appendingPathComponent("child.pdf").path
        let c = try s.run(["profiles", "oppose", "--session", token, "--profile", "3", "--legal-representative", "--yes", "--receipt", child])
        #expect(c.status == 0, "\(c.stderr)")
        try expectSignedWhole(child, "profiles oppose")
        let dup = s.dir.appendingPathComponent("dup.pdf").path
        #expect(try s.run(["receipt", "--session", token, "-o", dup]).status == 0)
        try expectSignedWhole(dup, "duplicate")
        #expect(try s.run(["receipt", "verify", dup]).stdout.hasPrefix("authentique"))

        let f = try Scenario(demo: false)
        let members = try f.opposableMembers(count: 20, seed: "sig")
        let dir = f.dir.appendingPathComponent("rec").path
        let b = try f.run(["batch", "oppose", members, "--receipts", dir, "--legal-representative"])
        #expect(b.status == 0, "\(b.stderr)")
        let file = try #require(b.jsonLines.first { $0["status"] as? String == "opposed" }?["receipt_file"] as? String)
        try expectSignedWhole(file, "batch")
        #expect(try f.run(["receipt", "verify", file]).status == 0)
    }

    @Test func theCertificateAloneVerifiesAndAnotherStoreIsRefused() throws {
        let s = try Scenario()
        let token = try s.martineSession()
        let path = s.dir.appendingPathComponent("j.pdf").path
        #expect(try s.run(["oppose", "--session", token, "--yes", "--receipt", path]).status == 0)
        let cert = s.dir.appendingPathComponent("mes.crt").path
        let export = try s.run(["key", "export"])
        #expect(export.stdout.hasPrefix("-----BEGIN CERTIFICATE-----"))
        try export.stdout.write(toFile: cert, atomically: true, encoding: .utf8)
        // No store at all: only the certificate.
        let nowhere = temporaryDirectory("no-store").appendingPathComponent("absent").path
        let alone = try runBinary(["receipt", "verify", "--cert", cert, path, "--json"], env: ["MES_HOME": nowhere])
        #expect(alone.status == 0, "\(alone.stderr)")
        #expect(alone.json["status"] as? String == "authentic")
        #expect(!FileManager.default.fileExists(atPath: nowhere), "no store was made")
        // Another store's receipt is not this store's.
        let other = try Scenario()
        let t2 = try other.martineSession()
        let foreign = other.dir.appendingPathComponent("f.pdf").path
        #expect(try other.run(["oppose", "--session", t2, "--yes", "--receipt", foreign]).status == 0)
        let v = try s.run(["receipt", "verify", foreign, "--json"])
        #expect(v.status == 65 && v.json["status"] as? String == "unknown" && v.json["reason"] as? String == "unknown_signer")
        let c = try runBinary(["receipt", "verify", "--cert", cert, foreign, "--json"], env: ["MES_HOME": nowhere])
        #expect(c.status == 65 && c.json["status"] as? String == "unknown")
    }

    @Test func appendedUpdatesAndRewritesAreNotAuthentic() throws {
        let s = try Scenario()
        let token = try s.martineSession()
        let path = s.dir.appendingPathComponent("j.pdf").path
        #expect(try s.run(["oppose", "--session", token, "--yes", "--receipt", path]).status == 0)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        // An incremental update appended after the signature.
        var updated = original
        updated.append(Data("5 0 obj\n<< /Title (REFUSEE) >>\nendobj\nxref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 6 /Root 1 0 R /Prev 0 >>\nstartxref\n\(original.count)\n%%EOF\n".utf8))
        let u = s.dir.appendingPathComponent("u.pdf").path
        try updated.write(to: URL(fileURLWithPath: u))
        let vu = try s.run(["receipt", "verify", u, "--json"])
        #expect(vu.status == 65 && vu.json["status"] as? String == "altered" && vu.json["reason"] as? String == "update_appended", "\(vu.stdout)")
        // Re-saved by qpdf.
        let qpdf = try #require(tools.tool("qpdf"))
        let q = s.dir.appendingPathComponent("q.pdf").path
        _ = try tools.exec(qpdf, [path, q])
        let vq = try s.run(["receipt", "verify", q, "--json"])
        #expect(vq.status == 65 && vq.json["status"] as? String != "authentic", "\(vq.stdout)")
        // /dev/zero and a huge file are refused fast.
        let t = Date()
        let zero = try s.run(["receipt", "verify", "/dev/zero"])
        #expect(zero.status == 65 || zero.status == 66, "\(zero.stderr)")
        #expect(Date().timeIntervalSince(t) < 2)
    }

    @Test func anImportedKeySignsFromThenOnAndOlderReceiptsStillVerify() throws {
        let s = try Scenario()
        let token = try s.martineSession()
        let before = s.dir.appendingPathComponent("before.pdf").path
        #expect(try s.run(["oppose", "--session", token, "--yes", "--receipt", before]).status == 0)
        let key = s.dir.appendingPathComponent("org.key").path, crt = s.dir.appendingPathComponent("org.crt").path
        let openssl = try #require(tools.tool("openssl"))
        let (st, out) = try tools.exec(openssl, ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                                 "-keyout", key, "-out", crt, "-days", "30", "-subj", "/CN=Association Test"])
        try #require(st == 0, "\(out)")
        let imp = try s.run(["key", "import", key, crt])
        #expect(imp.status == 0, "\(imp.stderr)")
        let after = s.dir.appendingPathComponent("after.pdf").path
        #expect(try s.run(["profiles", "oppose", "--session", token, "--profile", "3", "--legal-representative", "--yes", "--receipt", after]).status == 0)
        let va = try s.run(["receipt", "verify", after, "--json"])
        #expect(va.json["status"] as? String == "authentic" && va.json["signer"] as? String == "Association Test")
        #expect(try s.run(["receipt", "verify", before, "--json"]).json["status"] as? String == "authentic")
        #expect(try s.run(["key", "import", crt, key]).status == 65)
        #expect((try s.run(["history", "--json"]).json["events"] as? [[String: Any]] ?? []).contains { $0["event"] as? String == "signing_key_imported" })
    }
}
