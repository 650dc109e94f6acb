import Foundation
import Testing
import TestSupport
import MESCore
import MESCrypto
@testable import MESRender
import MESService

/// Receipts hold every name the register takes: each one printed exactly on the signed page
/// (in the embedded font when the standard ones lack a letter), read back by `pdftotext` and
/// by `receipt verify`, and judged authentic, for oppositions and closures alike.
@Suite struct ReceiptNamesTests {
    static let identity = ReceiptSigningTests.identity

    static let people: [(first: String, last: String)] = [
        ("Łukasz", "Mercier"), ("Ayşe", "Yılmaz"), ("Đorđe", "Đorđević"), ("Thị Minh Khai", "Nguyễn"), ("Þórunn", "Jónsdóttir"),
        ("Zoë", "Lœuillet"), ("Seán", "O'Brien-Núñez"), ("Şahin", "Öztürk"), ("Małgorzata", "Wąsik"), ("Jiří", "Dvořák"),
        ("Văn Minh", "Dương"), ("Ştefan", "Ţurcanu"), ("Ștefan", "Țurcanu"), ("Mārtiņš", "Ķēniņš"), ("Gražina", "Žemaitė"),
        ("Ryōko", "Ōtaka"), ("Ġużeppi", "Ħamrun"), ("Gökçe", "Ağaoğlu"), ("Éléonore", "d’Aubigné-Œuvrard"), ("Ævar Þór", "Ásgeirsson"),
    ]

    static func receipt(_ p: (first: String, last: String), kind: ReceiptKind) -> OppositionReceipt {
        let id = (kind == .closure ? "JC-" : "JO-") + "7K2M9QXD4T"
        return ReceiptSigningTests.receipt(id: id, name: p.last.uppercased() + " " + p.first, greeting: p.first + " " + p.last)
    }

    func tool(_ name: String) throws -> String {
        try #require(findProgram(name), "\(name) is not in PATH (apt-get install qpdf poppler-utils)")
    }

    @Test(arguments: ReceiptKind.allCases) func everyNameIsPrintedExactlyAndVerifies(kind: ReceiptKind) throws {
        let dir = temporaryDirectory("mes-names-\(kind.rawValue)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let signer = ReceiptSigner(identity: Self.identity)
        for p in Self.people {
            let r = Self.receipt(p, kind: kind)
            let bytes = try signer.sign(r)
            #expect(SignedReceiptCheck.verify(bytes: bytes, trusted: Self.identity.certificate)
                    == .authentic(signer: "Mon espace santé (mes)"), "\(p)")
            // The fields read back are the register's, character for character (NFC).
            let fields = try #require(ReceiptReader.read(bytes), "\(p)")
            #expect(Array(fields.name.unicodeScalars) == Array(r.name.unicodeScalars), "\(fields.name) ≠ \(r.name)")
            #expect(Array(fields.greeting.unicodeScalars) == Array(r.greeting.unicodeScalars))
            let path = dir.appendingPathComponent("\(p.first).pdf").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let text = try runProgram(try tool("pdftotext"), [path, "-"])
            #expect(text.output.contains("Nom de l'assuré : \(r.name)"), "\(text.output)")
            #expect(text.output.contains("Bonjour \(r.greeting),"), "\(text.output)")
            #expect(!text.output.contains("?"), "\(text.output)")
            let sig = try runProgram(try tool("pdfsig"), [path])
            #expect(sig.output.contains("Signature Validation: Signature is Valid."), "\(sig.output)")
            #expect(sig.output.contains("Total document signed"), "\(sig.output)")
            let check = try runProgram(try tool("qpdf"), ["--check", path])
            #expect(check.status == 0 && check.output.contains("No syntax or stream encoding errors"), "\(check.output)")
        }
    }

    /// Attack finding F5: a name holding the words of the decision's sentence does not stand
    /// for its date.
    @Test func aNameHoldingTheSentencesWordsIsNotItsDate() throws {
        let r = ReceiptSigningTests.receipt(name: "PRISE EN COMPTE LE 01/01/2020 Anne", greeting: "Anne prise en compte le 01/01/2020")
        let bytes = try ReceiptSigner(identity: Self.identity).sign(r)
        let fields = try #require(ReceiptReader.read(bytes))
        #expect(fields.decidedOn == "2022-02-03" && fields.greeting == r.greeting)
        #expect(SignedReceiptCheck.verify(bytes: bytes, trusted: Self.identity.certificate) == .authentic(signer: "Mon espace santé (mes)"))
    }

    /// Attack finding F3: the longest names the register takes stay within the page (set
    /// smaller), in the standard fonts and in the embedded one, and still verify.
    @Test func theLongestNamesStayOnThePage() throws {
        let room = PDFWriter.pageWidth - 144
        for (last, first) in [(String(repeating: "W", count: 100), String(repeating: "M", count: 100)),
                              (String(repeating: "Ŵ", count: 100), String(repeating: "Æ", count: 60))] {
            let r = ReceiptSigningTests.receipt(name: last + " " + first, greeting: first + " " + last)
            for run in ReceiptRenderer.variableRuns(r) {
                let width = run.font == .latin ? LatinFont.shared.width(run.text, size: run.size) : PDFWriter.width(bytes: run.bytes, size: run.size, font: run.font)
                #expect(run.x + width <= PDFWriter.pageWidth - 72 + 0.5, "\(run.text.prefix(30))…: \(width) > \(room)")
            }
            let bytes = try ReceiptSigner(identity: Self.identity).sign(r)
            #expect(SignedReceiptCheck.verify(bytes: bytes, trusted: Self.identity.certificate) == .authentic(signer: "Mon espace santé (mes)"))
            #expect(ReceiptReader.read(bytes)?.name == r.name)
        }
        // A French name of ordinary length keeps 11 points.
        let ordinary = ReceiptRenderer.variableRuns(ReceiptSigningTests.receipt())
        #expect(ordinary.allSatisfy { $0.size == 11 || $0.size == 9 })
    }

    /// A name the standard fonts print embeds no font: the receipt keeps its size.
    @Test func frenchNamesEmbedNoFont() throws {
        let french = try ReceiptSigner(identity: Self.identity).sign(ReceiptSigningTests.receipt())
        #expect(!String(decoding: ReceiptReader.expanded(french)!, as: UTF8.self).contains("/FontFile2"))
        let polish = try ReceiptSigner(identity: Self.identity).sign(Self.receipt(("Łukasz", "Mercier"), kind: .opposition))
        // The font's dictionaries are in the object stream.
        let text = String(decoding: ReceiptReader.expanded(polish)!, as: UTF8.self)
        #expect(text.contains("/FontFile2") && text.contains("/ToUnicode") && text.contains("+DejaVuSans"))
        // Only the glyphs the page draws: a few kilobytes, not the whole font.
        #expect(polish.count < french.count + 8_000, "\(polish.count) vs \(french.count)")
    }

    /// The embedded font draws every character a name may hold, capitals included.
    @Test func theFontCoversTheWholeRepertoire() {
        var missing: [String] = []
        for range in [0x20...0x7E, 0xA0...0xFF] + NameRepertoire.extendedRanges.map({ Int($0.lowerBound)...Int($0.upperBound) }) {
            for v in range {
                guard let u = Unicode.Scalar(v), NameRepertoire.allows(u) else { continue }
                if !LatinFont.shared.covers(String(u)) { missing.append(String(v, radix: 16)) }
            }
        }
        for v in NameRepertoire.winAnsiHigh where !LatinFont.shared.covers(String(Unicode.Scalar(v)!)) { missing.append(String(v, radix: 16)) }
        #expect(missing.isEmpty, "\(missing)")
    }
}
