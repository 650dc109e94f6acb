import Foundation
import Testing
import TestSupport
import MESCore
import MESCrypto
@testable import MESRender
import MESService

/// Signed receipts in one 4 KiB block (issue 31), with the store's own kind of identity: the
/// largest a register name, a child's name and an association's name can make them, the
/// signature slot exactly as large as the signer's largest signature, and what a change of one
/// byte, or one byte less, is judged.
@Suite struct ReceiptSizeTests {
    /// What `Store.signingIdentity` makes: P-256, "mes XXXXXXXX", the service's organization.
    static let identity = try! SigningIdentity.generate(commonName: "mes ZCYHV1Y9", organization: "Mon espace santé (mes)",
                                                        validityDays: 36_500, now: 1_632_816_000)
    static var signer: ReceiptSigner { ReceiptSigner(identity: identity) }
    static let block = 4096

    /// Letters a deflate stream cannot shorten much (no repeats), from the register's repertoire.
    static func letters(_ n: Int, seed: UInt64, upper: Bool) -> String {
        let alphabet = Array(upper ? "ABCDEFGHIJKLMNOPQRSTUVWXYZÉÈÀÇÔÏ" : "abcdefghijklmnopqrstuvwxyzéèàçôï")
        var x = seed
        return String((0..<n).map { _ -> Character in
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return alphabet[Int(x >> 33) % alphabet.count]
        })
    }

    static func receipt(name: String, greeting: String, forMinor: Bool = false, association: String? = nil, copy: Int = 1,
                        kind: ReceiptKind = .opposition) -> OppositionReceipt {
        OppositionReceipt(id: kind.prefix + "7K2M9QXD4T", nir: NIRValidator().validate("116304403801618").nir!, name: name, greeting: greeting,
                          decidedOn: CalendarDate(year: 2022, month: 2, day: 3)!, issuedAt: Instant.parse("2022-02-03T10:00:00Z")!,
                          verification: "ABCD-EFGH-JKMN", copy: copy, forMinor: forMinor, association: association)
    }

    /// The longest names the register takes (100 characters each, `RosterValidation`), the
    /// longest association name (100, `ActorName`), a duplicate, a child: every variable line at
    /// its largest.
    static var largest: [OppositionReceipt] {
        let last = letters(100, seed: 1, upper: true), first = letters(100, seed: 2, upper: false)
        let association = letters(100, seed: 3, upper: false)
        return ReceiptKind.allCases.flatMap { kind in
            [receipt(name: last + " " + first, greeting: first + " " + last, association: association, copy: 99, kind: kind),
             receipt(name: last + " " + first, greeting: first + " " + last, forMinor: true, association: association, copy: 99, kind: kind)]
        }
    }

    @Test func everyReceiptOfLatinNamesFitsOneBlock() throws {
        var sizes: [Int] = []
        for r in [Self.receipt(name: "LEGUELLEC Martine Julie", greeting: "Martine Julie Leguellec")] + Self.largest {
            let bytes = try Self.signer.sign(r)
            sizes.append(bytes.count)
            #expect(bytes.count <= Self.block, "\(r.name.prefix(20))…: \(bytes.count) bytes")
            #expect(SignedReceiptCheck.verify(bytes: bytes, trusted: Self.identity.certificate) == .authentic(signer: "mes ZCYHV1Y9"))
            let fields = try #require(ReceiptReader.read(bytes))
            #expect(fields.name == r.name && fields.greeting == r.greeting && fields.association == r.association)
        }
        print("receipt sizes (ordinary, then the largest): \(sizes)")
    }

    /// Names beyond WinAnsi embed a font subset: above one block (figures in the README).
    @Test func namesBeyondWinAnsiStillVerify() throws {
        for (first, last) in [("Łukasz", "Wąsik"), ("Thị Minh Khai", "Nguyễn")] {
            let r = Self.receipt(name: last.uppercased() + " " + first, greeting: first + " " + last)
            let bytes = try Self.signer.sign(r)
            #expect(SignedReceiptCheck.verify(bytes: bytes, trusted: Self.identity.certificate) == .authentic(signer: "mes ZCYHV1Y9"))
            #expect(ReceiptReader.read(bytes)?.name == r.name)
            print("receipt for \(first) \(last): \(bytes.count) bytes")
        }
    }

    /// The slot holds the signer's largest signature exactly: every signature fits, the file
    /// has one size whatever the signature, and one that fills the slot to its last digit
    /// (no zero padding) verifies.
    @Test func theSlotIsExactlyTheLargestSignature() throws {
        let r = Self.receipt(name: "LEGUELLEC Martine Julie", greeting: "Martine Julie Leguellec")
        var sizes = Set<Int>(), derSizes = Set<Int>()
        var full: [UInt8]?
        for _ in 0..<64 {
            let bytes = try Self.signer.sign(r)
            sizes.insert(bytes.count)
            let region = try PDFSignatureScanner.scan(bytes).get()
            let capacity = (region.byteRange[2] - region.byteRange[1] - 2) / 2
            derSizes.insert(region.der.count)
            #expect(region.der.count <= capacity)
            if region.der.count == capacity { full = bytes }
        }
        #expect(sizes.count == 1)
        #expect(derSizes.count >= 2 && derSizes.max()! - derSizes.min()! <= 3, "\(derSizes)")
        let exactlyFull = try #require(full, "no signature filled the slot in 64 (r takes a leading zero half of the time)")
        #expect(SignedReceiptCheck.verify(bytes: exactlyFull, trusted: Self.identity.certificate) == .authentic(signer: "mes ZCYHV1Y9"))
    }

    @Test func oneByteLessOrChangedIsNotAuthentic() throws {
        let bytes = try Self.signer.sign(Self.largest[0])
        let trusted = Self.identity.certificate
        #expect(SignedReceiptCheck.verify(bytes: Array(bytes.dropLast()), trusted: trusted) == .altered(.truncated))
        let region = try PDFSignatureScanner.scan(bytes).get()
        // A byte of the compressed page (signed), and a digit of the signature value (not signed).
        let stream = try #require(ReceiptReader.firstIndex(of: Array("stream\n".utf8), in: bytes)) + 40
        var page = bytes
        page[stream] ^= 0x01
        #expect(SignedReceiptCheck.verify(bytes: page, trusted: trusted) == .altered(.signature))
        var value = bytes
        value[region.byteRange[1] + 101] = value[region.byteRange[1] + 101] == 0x41 ? 0x42 : 0x41
        #expect(SignedReceiptCheck.verify(bytes: value, trusted: trusted) != .authentic(signer: "mes ZCYHV1Y9"))
        // A layout this version does not know is not read (its signature still is).
        let future = String(decoding: ReceiptReader.expanded(bytes)!, as: UTF8.self)
        #expect(future.contains("/ReceiptLayout 2 >>"))
        #expect(ReceiptReader.pageText(bytes) != nil)
    }

    /// Names holding what a PDF string must escape print and read back whole; control
    /// characters (which the register refuses: `RosterValidation`, `MemberRow`) cannot break
    /// out of their string either: the file stays one signed, valid PDF.
    @Test func namesWithDelimitersAndControlsStayInTheirString() throws {
        let r = Self.receipt(name: "O'BRIEN (DIT) \\ Paul)", greeting: "Paul (dit) \\ O'Brien")
        let bytes = try Self.signer.sign(r)
        #expect(bytes.count <= Self.block)
        #expect(SignedReceiptCheck.verify(bytes: bytes, trusted: Self.identity.certificate) == .authentic(signer: "mes ZCYHV1Y9"))
        let fields = try #require(ReceiptReader.read(bytes))
        #expect(fields.name == r.name && fields.greeting == r.greeting, "\(fields.name.debugDescription)")
        let controls = try Self.signer.sign(Self.receipt(name: "TAB\tZOÉ\r\n) Tj ET", greeting: "Zoé\u{7} \u{1B}[31m"))
        #expect(SignedReceiptCheck.verify(bytes: controls, trusted: Self.identity.certificate) == .authentic(signer: "mes ZCYHV1Y9"))
        let url = temporaryDirectory("mes-receipt-controls").appendingPathComponent("r.pdf")
        try Data(controls).write(to: url)
        let check = try runProgram(try #require(findProgram("qpdf")), ["--check", url.path])
        #expect(check.status == 0, "\(check.output)")
        let sig = try runProgram(try #require(findProgram("pdfsig")), [url.path])
        #expect(sig.output.contains("Signature is Valid.") && sig.output.contains("Total document signed"), "\(sig.output)")
    }

    /// pdfsig, qpdf and pdftotext on the largest receipt: valid, whole, its sentences on the page.
    @Test func theLargestReceiptIsValidForPDFTools() throws {
        let r = Self.largest[1]
        let bytes = try Self.signer.sign(r)
        let url = temporaryDirectory("mes-receipt-size").appendingPathComponent("r.pdf")
        try Data(bytes).write(to: url)
        let sig = try runProgram(try #require(findProgram("pdfsig")), [url.path])
        #expect(sig.output.contains("Signature is Valid.") && sig.output.contains("Total document signed"), "\(sig.output)")
        let check = try runProgram(try #require(findProgram("qpdf")), ["--check", url.path])
        #expect(check.status == 0 && check.output.contains("No syntax or stream encoding errors"), "\(check.output)")
        let text = try runProgram(try #require(findProgram("pdftotext")), [url.path, "-"]).output
            .split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
        #expect(text.contains(Messages.dmpAfterOpposition), "\(text)")
        #expect(text.contains("Duplicata n° 99"))
    }

    /// pyHanko (strict reading) on an ordinary receipt, the largest and one for Łukasz: intact,
    /// valid, trusted, covering the entire file; and on a forged page: not intact.
    @Test func pyHankoValidatesThemAndRefusesAForgedPage() throws {
        let dir = temporaryDirectory("mes-receipt-pyhanko")
        defer { try? FileManager.default.removeItem(at: dir) }
        let cert = dir.appendingPathComponent("cert.der")
        try Data(Self.identity.certificateDER).write(to: cert)
        let ordinary = try Self.signer.sign(Self.receipt(name: "LEGUELLEC Martine Julie", greeting: "Martine Julie Leguellec"))
        let files: [(String, [UInt8])] = [
            ("ordinary", ordinary), ("largest", try Self.signer.sign(Self.largest[1])),
            ("lukasz", try Self.signer.sign(Self.receipt(name: "WĄSIK Łukasz", greeting: "Łukasz Wąsik"))),
            ("forged", try #require(forgingPage(ordinary) { replacingFirst(Array("LEGUELLEC".utf8), with: Array("LEGUELLEX".utf8), in: $0) })),
        ]
        var paths: [String] = []
        for (name, bytes) in files {
            let url = dir.appendingPathComponent(name + ".pdf")
            try Data(bytes).write(to: url)
            paths.append(url.path)
        }
        let script = """
            import sys, warnings
            warnings.simplefilter("ignore")
            from pyhanko.pdf_utils.reader import PdfFileReader
            from pyhanko.sign.validation import validate_pdf_signature
            from pyhanko_certvalidator import ValidationContext
            from pyhanko.keys import load_cert_from_pemder
            cert = load_cert_from_pemder(sys.argv[1])
            for f in sys.argv[2:]:
                with open(f, "rb") as fh:
                    sig = PdfFileReader(fh, strict=True).embedded_signatures[0]
                    s = validate_pdf_signature(sig, ValidationContext(trust_roots=[cert]))
                    print(f.rsplit("/", 1)[1], s.intact, s.valid, s.trusted, s.coverage.name)
            """
        let python = try #require(findProgram("python3"))
        let run = try runProgram(python, ["-c", script, cert.path] + paths)
        try #require(run.status == 0, "pyHanko is needed (scripts/test installs it in .build/venv): \(run.output)")
        for name in ["ordinary", "largest", "lukasz"] {
            #expect(run.output.contains("\(name).pdf True True True ENTIRE_FILE"), "\(run.output)")
        }
        #expect(run.output.contains("forged.pdf False "), "\(run.output)")  // not intact
    }
}
