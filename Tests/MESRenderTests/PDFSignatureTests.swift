import Foundation
import Testing
@testable import MESRender
import MESCore

/// The PDF side of signatures, with stand-in DER values (the real ones: MESServiceTests).
@Suite struct PDFWriterSignatureTests {
    func receipt() -> OppositionReceipt { PDFWriterTests().sample() }

    func page(capacity: Int = 64) -> ReceiptRenderer.SignedPage {
        ReceiptRenderer.SignedPage(signerName: "Signataire", capacity: capacity)
    }

    /// A DER SEQUENCE of `n` content bytes.
    func fakeDER(_ n: Int) -> [UInt8] {
        var d: [UInt8] = [0x30]
        if n < 0x80 { d.append(UInt8(n)) } else { d += [0x82, UInt8(n >> 8), UInt8(n & 0xFF)] }
        return d + (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) }
    }

    func signed(_ der: [UInt8], capacity: Int = 64) throws -> [UInt8] {
        var doc = ReceiptRenderer.pdf(receipt(), signed: page(capacity: capacity))
        try doc.embed(signature: der)
        return doc.bytes
    }

    func find(_ needle: String, in bytes: [UInt8], from: Int = 0) -> Int? {
        let n = Array(needle.utf8)
        guard bytes.count >= n.count else { return nil }
        return (from...(bytes.count - n.count)).first { bytes[$0..<$0 + n.count].elementsEqual(n) }
    }

    @Test func slotLayoutAndByteRange() throws {
        let doc = ReceiptRenderer.pdf(receipt(), signed: page(capacity: 100))
        let text = String(decoding: doc.bytes, as: UTF8.self)
        // The dictionaries are in the object stream; the signature's is at the top level.
        let packed = String(decoding: try #require(ReceiptReader.expanded(doc.bytes)), as: UTF8.self)
        #expect(packed.contains("<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] /SigFlags 3 >> >>"))
        #expect(packed.contains("/Contents 5 0 R /Annots [6 0 R] >>"))
        #expect(packed.contains("<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature) /V 7 0 R /Rect [0 0 0 0] /F 132 /P 4 0 R >>"))
        #expect(packed.contains("/ReceiptLayout 2 >>"))
        #expect(text.contains("7 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 "))
        #expect(text.contains(" /M (D:20210928100000+02'00') >>"))
        #expect(!text.contains("/Name") && !text.contains("/Reason"))
        #expect(doc.capacity == 100 && doc.contents.count == 202)
        #expect(doc.bytes[doc.contents.lowerBound] == 0x3C && doc.bytes[doc.contents.upperBound - 1] == 0x3E)
        let (a, b) = (doc.contents.lowerBound, doc.contents.upperBound)
        #expect(doc.byteRange == [0, a, b, doc.bytes.count - b])
        #expect(text.contains("/ByteRange [0 \(a) \(b) \(doc.bytes.count - b)]"))
        #expect(doc.signedPieces.map(\.count) == [a, doc.bytes.count - b])
        // The unsigned receipt has none of it, and the signed one has the same page plus the notice.
        let plain = String(decoding: ReceiptReader.expanded(ReceiptRenderer.pdf(receipt()))!, as: UTF8.self)
        #expect(!plain.contains("/AcroForm") && !plain.contains("/Sig"))
        #expect(packed.contains("(Document sign\u{E9} \u{E9}lectroniquement par Signataire ;) Tj")
                || ReceiptReader.firstIndex(of: WinAnsi.encode("(Document signé électroniquement par Signataire ;) Tj"),
                                            in: ReceiptReader.expanded(doc.bytes)!) != nil)
        // The cross-reference stream still points at every object.
        let objects = try #require(PDFStructure.objects(doc.bytes))
        #expect(objects.count == 9)
    }

    @Test func embedWritesUpperCaseHexAndTheScannerReadsItBack() throws {
        let der = fakeDER(40)
        let bytes = try signed(der)
        let r = try PDFSignatureScanner.scan(bytes).get()
        #expect(r.der == der)
        #expect(r.signedPieces.count == 2 && r.signedPieces[0].count == r.byteRange[1] && r.byteRange[2] + r.byteRange[3] == bytes.count)
        let hex = String(decoding: bytes[(r.byteRange[1] + 1)..<(r.byteRange[1] + 5)], as: UTF8.self)
        #expect(hex == "3028")
        // Re-embedding a shorter value leaves no trace of the longer one.
        var doc = ReceiptRenderer.pdf(receipt(), signed: page())
        try doc.embed(signature: fakeDER(60))
        try doc.embed(signature: fakeDER(3))
        #expect(try PDFSignatureScanner.scan(doc.bytes).get().der == fakeDER(3))
        // Exactly full, then one byte too many.
        try doc.embed(signature: fakeDER(62))
        #expect(try PDFSignatureScanner.scan(doc.bytes).get().der.count == 64)
        #expect(throws: PDFSignatureError.signatureTooLarge(size: 65, capacity: 64)) { try doc.embed(signature: fakeDER(63)) }
        // Long-form lengths.
        #expect(try PDFSignatureScanner.scan(try signed(fakeDER(300), capacity: 400)).get().der == fakeDER(300))
    }

    @Test func failuresAreTyped() throws {
        let good = try signed(fakeDER(20))
        let a = try PDFSignatureScanner.scan(good).get().byteRange[1]
        func scan(_ b: [UInt8]) -> PDFScanFailure? {
            if case let .failure(f) = PDFSignatureScanner.scan(b) { return f }
            return nil
        }
        #expect(scan([]) == .notSigned)
        #expect(scan(ReceiptRenderer.pdf(receipt())) == .notSigned)
        #expect(scan(ReceiptRenderer.pdf(receipt(), signed: page()).bytes) == .malformed)  // still zeros
        #expect(scan(good + Array("\n% more\n".utf8)) == .doesNotCoverWholeFile)
        #expect(scan(Array(good.dropLast())) == .truncated)
        #expect(scan(Array(good.prefix(a + 10))) == .truncated)
        // Lower-case hex, non-zero padding, a gap that is not the /Contents string.
        var lower = good
        let firstLetter = try #require((a + 1..<a + 44).first { lower[$0] >= 0x41 && lower[$0] <= 0x46 })
        lower[firstLetter] |= 0x20
        #expect(scan(lower) == .byteRangeInvalid)
        var padded = good
        padded[a + 100] = 0x31
        #expect(scan(padded) == .malformed)
        var renamed = good
        let contents = try #require(find("/Contents <", in: renamed))
        renamed[contents + 1] = UInt8(ascii: "K")
        #expect(scan(renamed) == .byteRangeInvalid)
        var noDER = good
        noDER[a + 1] = UInt8(ascii: "2")  // 0x30 -> 0x20
        #expect(scan(noDER) == .malformed)
        // Byte ranges that are not [0 a b c] of plain integers covering the file.
        let br = try #require(find("/ByteRange [", in: good)) + "/ByteRange ".count
        func withByteRange(_ s: String) -> [UInt8] {
            var b = good
            let text = Array(s.utf8) + [UInt8](repeating: 0x20, count: 36 - s.utf8.count)
            b.replaceSubrange(br..<br + 36, with: text)
            return b
        }
        let r = try PDFSignatureScanner.scan(good).get().byteRange
        #expect(scan(withByteRange("[0 \(r[1]) \(r[2]) \(r[3])]")) == nil)
        #expect(scan(withByteRange("[1 \(r[1]) \(r[2]) \(r[3])]")) == .byteRangeInvalid)
        #expect(scan(withByteRange("[0 \(r[1]) \(r[2]) \(r[3]) 0]")) == .byteRangeInvalid)
        #expect(scan(withByteRange("[0 \(r[1]) \(r[2])]")) == .byteRangeInvalid)
        #expect(scan(withByteRange("[0 -\(r[1]) \(r[2]) \(r[3])]")) == .byteRangeInvalid)
        #expect(scan(withByteRange("[0 \(r[1]).0 \(r[2]) \(r[3])]")) == .byteRangeInvalid)
        #expect(scan(withByteRange("[0 \(r[1] + 1) \(r[2]) \(r[3])]")) == .byteRangeInvalid)
        #expect(scan(withByteRange("[0 \(r[1]) \(r[2] - 2) \(r[3] + 2)]")) == .byteRangeInvalid)
        #expect(scan(withByteRange("[0 \(r[1]) \(r[2]) \(r[3] - 1)]")) == .doesNotCoverWholeFile)
        #expect(scan(withByteRange("[0 \(r[1]) \(r[2]) 99999999999]")) == .byteRangeInvalid)
        #expect(scan(withByteRange("12 0 R")) == .byteRangeInvalid)
        #expect(scan(withByteRange("[0 \(r[2]) \(r[1]) \(r[3])]")) == .byteRangeInvalid)
    }

    /// Only real PDF tokens count: `/ByteRange` in comments, strings or streams is not a signature.
    @Test func byteRangesOutsideTokensAreIgnoredAndSecondOnesRefused() throws {
        let good = try signed(fakeDER(20))
        let r = try PDFSignatureScanner.scan(good).get()
        let forged = "/ByteRange [0 \(r.byteRange[1]) \(r.byteRange[2]) \(r.byteRange[3])]"
        let plain = ReceiptRenderer.pdf(receipt())
        for hidden in ["%\(forged)\n", "(\(forged))", "(a \\) ( \(forged) ))", "<< /Length 40 >>\nstream\n\(forged)\nendstream\n"] {
            #expect(PDFSignatureScanner.scan(plain + Array(hidden.utf8)).failure == .notSigned, "\(hidden)")
        }
        #expect(PDFSignatureScanner.scan(good + Array("\n9 0 obj << \(forged) >> endobj\n".utf8)).failure == .multipleSignatures)
        #expect(PDFSignatureScanner.scan(Array(forged.utf8) + good).failure == .multipleSignatures)
    }

    /// Bounded and linear: hostile inputs of the largest accepted size scan fast; larger ones are
    /// refused unread.
    @Test(.timeLimit(.minutes(1))) func hostileInputsScanInLinearTime() {
        let max = PDFSignatureScanner.maximumSize
        #expect(PDFSignatureScanner.scan([UInt8](repeating: 0, count: max + 1)).failure == .tooLarge)
        let clock = ContinuousClock()
        // The brief's case: 80,000 opening parentheses (an unclosed string opened at each).
        let t = clock.now
        #expect(PDFSignatureScanner.scan([UInt8](repeating: 0x28, count: 80_000)).failure == .notSigned)
        #expect(clock.now - t < .milliseconds(250))
        // Every pattern filling the largest accepted size: a quadratic scan would take hours; a
        // linear one takes well under a second even in a debug build.
        for (pattern, expected) in [("(", PDFScanFailure.notSigned), ("<", .notSigned), ("/", .notSigned), ("\\(", .notSigned),
                                    ("%", .notSigned), ("stream\n", .notSigned), ("<<", .notSigned), ("(<", .notSigned),
                                    ("/ByteRange [0 1 2 3] ", .multipleSignatures), ("/ByteRange ", .multipleSignatures),
                                    ("/ByteRange [0 0000000001 ", .multipleSignatures)] {
            let big = Array(pattern.utf8).repeated(toFill: max)
            let t0 = clock.now
            #expect(PDFSignatureScanner.scan(big).failure == expected, "\(pattern)")
            #expect(clock.now - t0 < .seconds(3), "\(pattern)")
        }
    }
}

extension Result {
    var failure: Failure? { if case let .failure(f) = self { f } else { nil } }
}

extension Array where Element == UInt8 {
    /// The pattern repeated up to `count` bytes.
    func repeated(toFill count: Int) -> [UInt8] {
        var out = self
        while out.count * 2 <= count { out += out }
        out += out.prefix((count - out.count) / self.count * self.count)
        return out
    }
}
