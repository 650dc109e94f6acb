import Foundation
import Testing
import TestSupport
import MESCore
import MESCrypto
@testable import MESRender
import MESService

/// Signed opposition receipts as PDF tools and `SignedReceiptCheck` see them, and the changes
/// that must not pass for authentic.
@Suite struct ReceiptSigningTests {
    static let identity = try! SigningIdentity.generate(commonName: "Mon espace santé (mes)", organization: "mes",
                                                        validityDays: 3650, now: 1_632_816_000)
    /// Same names, another key.
    static let impostor = try! SigningIdentity.generate(commonName: "Mon espace santé (mes)", organization: "mes",
                                                        validityDays: 3650, now: 1_632_816_000)

    static func receipt(id: String = "JO-7K2M9QXD4T", name: String = "CHÂTEAU-ÉBÈNE Hélène Françoise",
                        greeting: String = "Hélène Françoise Château-Ébène") -> OppositionReceipt {
        OppositionReceipt(id: id, nir: NIRValidator().validate("116304403801618").nir!, name: name, greeting: greeting,
                          decidedOn: CalendarDate(year: 2022, month: 2, day: 3)!, issuedAt: Instant.parse("2022-02-03T10:00:00Z")!,
                          verification: "ABCD-EFGH-JKMN", copy: 1)
    }

    static let signed: [UInt8] = try! ReceiptSigner(identity: identity).sign(receipt())

    func verify(_ bytes: [UInt8]) -> SignedReceiptCheck.Verdict {
        SignedReceiptCheck.verify(bytes: bytes, trusted: Self.identity.certificate)
    }

    static let authentic = SignedReceiptCheck.Verdict.authentic(signer: "Mon espace santé (mes)")

    // MARK: Tools

    func tool(_ name: String) throws -> String {
        return try #require(findProgram(name), "\(name) is not in PATH (apt-get install qpdf poppler-utils)")
    }

    @discardableResult
    func exec(_ name: String, _ args: [String]) throws -> (status: Int32, output: String) {
        try runProgram(try tool(name), args)
    }

    func file(_ bytes: [UInt8], _ name: String = "r.pdf") throws -> String {
        let url = temporaryDirectory("mes-receipt-signing").appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    func text(_ path: String) throws -> String {
        let (status, out) = try exec("pdftotext", [path, "-"])
        #expect(status == 0)
        return out.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
    }

    func index(of needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        return (0...(bytes.count - needle.count)).first { bytes[$0..<$0 + needle.count].elementsEqual(needle) }
    }

    /// The genuine receipt with "a bien été prise en compte" made "a été REFUSÉE" in its page
    /// (inflated, changed, compressed again to the same length: `forgingPage`).
    func refused(_ bytes: [UInt8]) throws -> [UInt8] {
        try #require(forgingPage(bytes) {
            replacingFirst(WinAnsi.encode("a bien été prise en compte"), with: WinAnsi.encode("a été REFUSÉE"), in: $0)
        })
    }

    // MARK: Authentic

    @Test func signedReceiptIsAuthenticForPdfsigQpdfAndPdftotext() throws {
        #expect(verify(Self.signed) == Self.authentic)
        let path = try file(Self.signed)
        let sig = try exec("pdfsig", [path])
        #expect(sig.output.contains("Signature Validation: Signature is Valid."), "\(sig.output)")
        #expect(sig.output.contains("Total document signed"), "\(sig.output)")
        #expect(sig.output.contains("Signature Type: ETSI.CAdES.detached"), "\(sig.output)")
        #expect(sig.output.contains("Signer Certificate Common Name: Mon espace santé (mes)"), "\(sig.output)")
        #expect(sig.output.contains("Signing Hash Algorithm: SHA-256"), "\(sig.output)")
        let check = try exec("qpdf", ["--check", path])
        #expect(check.status == 0 && check.output.contains("No syntax or stream encoding errors"), "\(check.output)")
        let flat = try text(path)
        let r = Self.receipt()
        for sentence in r.sentences + ["Page 1/1", "Numéro de l'assuré : 1 16 30 44 038 016 18", "Nom de l'assuré : \(r.name)",
                                       "Le 03/02/2022", "Référence : \(r.id)", "Code de vérification : ABCD-EFGH-JKMN",
                                       "Authenticité vérifiable avec : mes receipt verify FICHIER",
                                       ReceiptRenderer.signatureNotice(signerName: "Mon espace santé (mes)")] {
            #expect(flat.contains(sentence), "missing: \(sentence)\n\(flat)")
        }
        // The visible fields still read back as before.
        let fields = try #require(ReceiptReader.read(Self.signed))
        #expect(fields.id == r.id && fields.name == r.name && fields.decidedOn == "2022-02-03")
    }

    /// Two signatures of one receipt differ only inside /Contents (ECDSA's random nonce), and both verify.
    @Test func resigningChangesOnlyTheSignatureValue() throws {
        let again = try ReceiptSigner(identity: Self.identity).sign(Self.receipt())
        #expect(verify(again) == Self.authentic)
        #expect(again.count == Self.signed.count)
        let region = try PDFSignatureScanner.scan(Self.signed).get()
        let (a, b) = (region.byteRange[1], region.byteRange[2])
        #expect(again[..<a] == Self.signed[..<a] && again[b...] == Self.signed[b...])
        #expect(again[a..<b] != Self.signed[a..<b])
        #expect(ReceiptSigner(identity: Self.identity).identity.fingerprint == Self.identity.fingerprint)
    }

    // MARK: Not authentic

    /// Every byte of the file, changed: never authentic (page content, objects, the signature
    /// dictionary, /ByteRange, /Contents, the object stream, the cross-reference stream).
    @Test func everyFlippedByteIsNotAuthentic() throws {
        let s = Self.signed
        let landmarks = ["/FlateDecode", "/Type /Sig", "/ByteRange [", "/Contents <30", "/Type /ObjStm", "/Type /XRef", "startxref", "%%EOF"]
        for l in landmarks { #expect(index(of: Array(l.utf8), in: s) != nil, "\(l)") }
        var kinds: [String: Int] = [:]
        for i in s.indices {
            for mask in [UInt8(1) << (i % 8), 0x20] {
                var b = s
                b[i] ^= mask
                let v = verify(b)
                #expect(v != Self.authentic, "byte \(i) ^ \(mask)")
                kinds["\(v)", default: 0] += 1
            }
        }
        // The changes are caught for the right reasons: mostly the signature itself.
        #expect(kinds["altered(MESService.SignedReceiptCheck.Alteration.signature)", default: 0] > s.count, "\(kinds)")
    }

    @Test func refusedSentenceIsAlteredAndPdfsigAgrees() throws {
        let forged = try refused(Self.signed)
        #expect(forged.count == Self.signed.count)
        #expect(verify(forged) == .altered(.signature))
        let path = try file(forged)
        #expect(try text(path).contains("Votre demande d'opposition à la création de Mon espace santé a été REFUSÉE"))
        let sig = try exec("pdfsig", [path]).output
        #expect(!sig.contains("Signature is Valid."), "\(sig)")
    }

    /// An incremental update that replaces the page's text: a PDF reader shows the new text, the
    /// signature still covers the old bytes, the check sees the appended update.
    @Test func appendedIncrementalUpdateIsAltered() throws {
        let s = Self.signed
        let startxref = try #require(index(of: Array("startxref\n".utf8), in: s))
        let prev = Int(String(decoding: s[(startxref + 10)...].prefix { $0 >= 0x30 && $0 <= 0x39 }, as: UTF8.self))!
        var update = Array("\n".utf8)
        let objectAt = s.count + update.count
        let stream = Array("BT /F1 11 Tf 72 574 Td (".utf8) + WinAnsi.encode("Votre demande d'opposition a été REFUSÉE.") + Array(") Tj ET".utf8)
        update += Array("5 0 obj\n<< /Length \(stream.count) >>\nstream\n".utf8) + stream + Array("\nendstream\nendobj\n".utf8)
        let xrefAt = s.count + update.count
        let offset = String(objectAt)
        update += Array(("xref\n0 1\n0000000000 65535 f \n5 1\n" + String(repeating: "0", count: 10 - offset.count) + offset
                         + " 00000 n \ntrailer\n<< /Size 10 /Root 1 0 R /Info 3 0 R /Prev \(prev) >>\nstartxref\n\(xrefAt)\n%%EOF\n").utf8)
        let updated = s + update
        let path = try file(updated)
        let check = try exec("qpdf", ["--check", path])
        #expect(check.status == 0, "\(check.output)")
        #expect(try text(path).contains("a été REFUSÉE"))
        #expect(!(try text(path)).contains("prise en compte"))
        let sig = try exec("pdfsig", [path]).output
        #expect(!sig.contains("Total document signed"), "\(sig)")
        #expect(verify(updated) == .altered(.updateAppended))
        // Even an update that changes nothing visible.
        #expect(verify(s + Array("\n% nothing\n".utf8)) == .altered(.updateAppended))
        // And one that adds a second signature.
        #expect(verify(s + Array("\n10 0 obj\n<< /Type /Sig /ByteRange [0 1 2 3] /Contents <00> >>\nendobj\n".utf8))
                == .altered(.multipleSignatures))
    }

    @Test func qpdfRewrittenFileIsNotAuthentic() throws {
        let path = try file(Self.signed)
        for args in [[String](), ["--object-streams=generate"], ["--linearize"]] {
            let out = path + ".qpdf.pdf"
            let r = try exec("qpdf", args + [path, out])
            #expect(r.status == 0, "\(r.output)")
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: out)))
            #expect(bytes != Self.signed)
            let v = verify(bytes)
            #expect(v != Self.authentic, "\(args): \(v)")
        }
    }

    /// Another PDF carrying the genuine file's bytes in comments is not signed.
    @Test func genuineBytesInCommentsAreUnsigned() throws {
        let other = ReceiptRenderer.pdf(Self.receipt(name: "AUTRE Personne", greeting: "Personne Autre"))
        var comments: [UInt8] = []
        for line in Self.signed.split(separator: 0x0A, omittingEmptySubsequences: false) {
            comments += [0x25] + line.filter { $0 != 0x0D } + [0x0A]
        }
        let header = try #require(index(of: Array("%PDF-1.5\n".utf8), in: other)) + 9
        let inside = Array(other[..<header]) + comments + Array(other[header...])
        #expect(verify(other + comments) == .unsigned)
        #expect(verify(inside) == .unsigned)
        // The signature's hex moved into a literal string of the other file: not signed either.
        let region = try PDFSignatureScanner.scan(Self.signed).get()
        let sigDict = try #require(index(of: Array("<< /Type /Sig".utf8), in: Self.signed))
        let dictEnd = region.byteRange[2] + 1
        let literal = [0x28] + Self.signed[sigDict..<dictEnd] + [0x29]
        #expect(verify(other + Array("\n".utf8) + literal) == .unsigned)
    }

    @Test func otherSignersAndTransplantedSignatures() throws {
        let byImpostor = try ReceiptSigner(identity: Self.impostor).sign(Self.receipt())
        #expect(verify(byImpostor) == .unknownSigner)
        #expect(SignedReceiptCheck.verify(bytes: byImpostor, trusted: Self.impostor.certificate) == Self.authentic)
        #expect(try SignedReceiptCheck.verify(bytes: Self.signed, trusted: Self.identity.certificateDER) == Self.authentic)
        #expect(throws: SigningError.self) { try SignedReceiptCheck.verify(bytes: Self.signed, trusted: Array("not DER".utf8)) }
        #expect(pdfsigValid(byImpostor))  // valid for a PDF reader, just not ours

        // The genuine signature of one receipt pasted into another of the same layout (one
        // whose compressed page has the same length, so that the byte ranges are the same).
        let r1 = try PDFSignatureScanner.scan(Self.signed).get()
        let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        let signer = ReceiptSigner(identity: Self.identity)
        let others = try (0..<1024).lazy.map { k in
            try signer.sign(Self.receipt(id: "JO-7K2M9QX" + String([alphabet[k / 32], alphabet[k % 32]]) + "T"))
        }.filter { $0 != Self.signed }
        let other = try #require(others.first { (try? PDFSignatureScanner.scan($0).get().byteRange) == r1.byteRange })
        #expect(verify(other) == Self.authentic)
        let r2 = try PDFSignatureScanner.scan(other).get()
        var pasted = other
        pasted.replaceSubrange(r2.byteRange[1]..<r2.byteRange[2], with: Self.signed[r1.byteRange[1]..<r1.byteRange[2]])
        #expect(verify(pasted) == .altered(.signature))
    }

    func pdfsigValid(_ bytes: [UInt8]) -> Bool {
        guard let path = try? file(bytes), let out = try? exec("pdfsig", [path]).output else { return false }
        return out.contains("Signature is Valid.")
    }

    @Test func truncatedEmptyAndHugeInputs() throws {
        let s = Self.signed
        #expect(verify(Array(s.dropLast())) == .altered(.truncated))
        for n in [0, 1, 8, 100, 1_000, 3_000, s.count / 2, s.count - 7, s.count - 1] {
            #expect(verify(Array(s.prefix(n))) != Self.authentic, "\(n)")
        }
        #expect(verify([]) == .unsigned)
        #expect(verify(ReceiptRenderer.pdf(Self.receipt())) == .unsigned)
        let clock = ContinuousClock()
        let t0 = clock.now
        #expect(verify([UInt8](repeating: 0, count: PDFSignatureScanner.maximumSize + 1)) == .tooLarge)
        #expect(clock.now - t0 < .milliseconds(100))
        #expect(verify([UInt8](repeating: 0x28, count: 80_000)) == .unsigned)
    }

    // MARK: Cost

    /// Manual micro-benchmark (not run by default):
    ///   MES_SIGNING_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter signingCostPerReceipt
    @Test(.enabled(if: ProcessInfo.processInfo.environment["MES_SIGNING_BENCH"] != nil))
    func signingCostPerReceipt() throws {
        let count = Int(ProcessInfo.processInfo.environment["MES_SIGNING_BENCH_COUNT"] ?? "") ?? 10_000
        let receipts = (0..<count).map { Self.receipt(id: "JO-\(100_000_000 + $0)", name: "NOM\($0) Prénom", greeting: "Prénom Nom\($0)") }
        let signer = ReceiptSigner(identity: Self.identity)
        let cms = try CMSSigner(identity: Self.identity)
        var sink = 0
        /// Wall-clock and this thread's CPU time per receipt, in µs (the machine may be shared:
        /// CPU time is the steadier figure).
        func measure(_ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
            func now(_ clock: clockid_t) -> Double {
                var ts = timespec()
                clock_gettime(clock, &ts)
                return Double(ts.tv_sec) * 1e6 + Double(ts.tv_nsec) / 1e3
            }
            let (w0, c0) = (now(CLOCK_MONOTONIC), now(CLOCK_THREAD_CPUTIME_ID))
            try body()
            return ((now(CLOCK_MONOTONIC) - w0) / Double(count), (now(CLOCK_THREAD_CPUTIME_ID) - c0) / Double(count))
        }
        let unsigned = measure { for r in receipts { sink &+= ReceiptRenderer.pdf(r).count } }
        let signed = try measure { for r in receipts { sink &+= try signer.sign(r).count } }
        let piece = Array(Self.signed.prefix(5_000))
        let cmsOnly = try measure { for _ in receipts { sink &+= try cms.signDetached(piece).count } }
        func row(_ name: String, _ m: (wall: Double, cpu: Double)) -> String {
            name.padding(toLength: 20, withPad: " ", startingAt: 0) + String(format: "%7.1f µs wall %7.1f µs CPU", m.wall, m.cpu)
        }
        print("signing benchmark, \(count) receipts (sink \(sink)), per receipt:")
        print(row("  unsigned PDF", unsigned))
        print(row("  signed PDF", signed))
        print(row("  CMS only (5 KB)", cmsOnly))
    }

    /// What a repair takes for whole: the page this signer renders, any complete signature value.
    @Test func aWholeReceiptIsToldFromADamagedOne() throws {
        let signer = ReceiptSigner(identity: Self.identity)
        let r = Self.receipt()
        #expect(signer.isWhole(Self.signed, of: r))
        #expect(signer.isWhole(try signer.sign(r), of: r), "another signature value of the same receipt")
        #expect(!signer.isWhole(Array(Self.signed.prefix(Self.signed.count - 10)), of: r), "cut short")
        #expect(!signer.isWhole([], of: r))
        #expect(!signer.isWhole([UInt8](repeating: 0, count: Self.signed.count), of: r), "zeros")
        var flipped = Self.signed
        flipped[100] ^= 1
        #expect(!signer.isWhole(flipped, of: r), "a byte of the page")
        // Zeros over the signature value (a block lost in a crash).
        let text = String(decoding: Self.signed, as: UTF8.self)
        let start = try #require(text.range(of: "/Contents <")).upperBound.utf16Offset(in: text)
        var zeroed = Self.signed
        for k in start..<(start + 1500) { zeroed[k] = 0x30 }
        #expect(!signer.isWhole(zeroed, of: r))
        #expect(!signer.isWhole(Self.signed, of: Self.receipt(id: "JO-OTHER")), "another receipt")
    }
}
