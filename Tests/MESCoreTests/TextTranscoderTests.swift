import Testing
@testable import MESCore

/// CSV files in the encodings spreadsheets save them in, decoded to UTF-8 whatever the chunks.
@Suite struct TextTranscoderTests {
    /// Decodes `bytes` fed in chunks of `size` (all at once when nil): the text and the encoding.
    func decode(_ bytes: [UInt8], chunk size: Int? = nil, as encoding: TextEncoding? = nil) -> (String, TextEncoding?) {
        var t = encoding.map(TextTranscoder.init(encoding:)) ?? TextTranscoder()
        var out: [UInt8] = []
        let step = size ?? max(1, bytes.count)
        var i = 0
        while i < bytes.count {
            let piece = Array(bytes[i..<min(bytes.count, i + step)])
            piece.withUnsafeBufferPointer { t.feed($0) { out += $0 } }
            i += step
        }
        t.finish { out += $0 }
        #expect(String(validating: out, as: UTF8.self) != nil, "the output is always valid UTF-8")
        return (String(decoding: out, as: UTF8.self), t.encoding)
    }

    func utf16(_ s: String, bigEndian: Bool, bom: Bool) -> [UInt8] {
        var out: [UInt8] = bom ? (bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE]) : []
        for u in s.utf16 { out += bigEndian ? [UInt8(u >> 8), UInt8(u & 0xFF)] : [UInt8(u & 0xFF), UInt8(u >> 8)] }
        return out
    }

    /// Windows-1252's 0x80–0x9F as the code page defines them (nil: undefined).
    static let high: [UInt32?] = [
        0x20AC, nil, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, nil, 0x017D, nil,
        nil, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, nil, 0x017E, 0x0178,
    ]

    @Test func everyWindows1252ByteIsMapped() {
        for b in 0...255 {
            // Between ASCII letters, after an invalid UTF-8 start that decides Windows-1252.
            let (text, encoding) = decode([0xE9, 0x3B] + Array("abcdefgh".utf8) + [UInt8(b), 0x61])
            #expect(encoding == .windows1252)
            let expected: UInt32
            switch b {
            case 0x80...0x9F: expected = Self.high[b - 0x80] ?? 0xFFFD
            default: expected = UInt32(b)
            }
            #expect(Array(text.unicodeScalars.map(\.value)) == [0xE9, 0x3B] + "abcdefgh".unicodeScalars.map(\.value) + [expected, 0x61], "byte \(b)")
        }
        #expect(decode(Array("Pr".utf8) + [0xE9] + Array("nom;Ana".utf8) + [0xEF] + Array("s L".utf8) + [0x9C] + Array("uvre ".utf8) + [0x80, 0x92]).0
                == "Prénom;Anaïs Lœuvre €’")
    }

    @Test func utf16WithAndWithoutBOMInBothOrders() {
        let text = "nir;prénom\n1;Anaïs Lœuvre 😀\n"
        for bigEndian in [false, true] {
            for bom in [false, true] {
                let bytes = utf16(text, bigEndian: bigEndian, bom: bom)
                for size in [nil, 1, 2, 3, 5, 7] as [Int?] {
                    let (out, e) = decode(bytes, chunk: size)
                    #expect(out == text, "BE \(bigEndian) BOM \(bom) chunk \(String(describing: size))")
                    #expect(e == (bigEndian ? .utf16BE : .utf16LE))
                }
            }
        }
    }

    /// Half a code unit, or half a surrogate pair, at a chunk's end; a multi-byte UTF-8 sequence
    /// cut anywhere; a Windows-1252 file's UTF-8 look-alike cut: every chunk size gives the whole.
    @Test func chunkBoundariesInTheMiddleOfACharacter() {
        let inputs: [[UInt8]] = [
            utf16("a😀é€b", bigEndian: false, bom: true),
            utf16("nom;prénom\na😀é€b\n", bigEndian: true, bom: false),
            Array("aé€😀b;Lœuvre\n".utf8),
            [0xE9, 0x61, 0xE9, 0x61, 0xE9, 0xC3, 0xA9, 0x62, 0xE2, 0x80, 0x99, 0x63, 0xC3],  // Windows-1252 holding UTF-8 pieces
        ]
        for (k, bytes) in inputs.enumerated() {
            let whole = decode(bytes)
            #expect(whole.1 == [.utf16LE, .utf16BE, .utf8, .windows1252][k])
            for size in 1...9 { #expect(decode(bytes, chunk: size) == whole, "\(bytes) by \(size)") }
        }
        #expect(decode(Array("aé€😀b".utf8), chunk: 1).0 == "aé€😀b")
    }

    @Test func detection() {
        func detect(_ b: [UInt8], complete: Bool = true) -> TextEncoding { b.withUnsafeBufferPointer { TextTranscoder.detect($0, complete: complete) } }
        #expect(detect(Array("nir;nom\n1;Dupont\n".utf8)) == .utf8)
        #expect(detect([]) == .utf8)
        #expect(detect([0xEF, 0xBB, 0xBF]) == .utf8)
        #expect(detect([0xFF, 0xFE]) == .utf16LE)
        #expect(detect([0xFE, 0xFF]) == .utf16BE)
        #expect(detect(utf16("nir;nom", bigEndian: false, bom: false)) == .utf16LE)
        #expect(detect(utf16("nir;nom", bigEndian: true, bom: false)) == .utf16BE)
        #expect(detect([UInt8](repeating: 0, count: 4096)) == .utf8, "/dev/zero is no UTF-16")
        #expect(detect(Array("Pr".utf8) + [0xE9] + Array("nom".utf8)) == .windows1252)
        #expect(detect(Array("Prénom;Anaïs;".utf8) + [0xE9]) == .utf8, "mostly UTF-8: a stray byte is refused, the rest kept")
        #expect(detect(Array("Pr".utf8) + [0xE9, 0xE9] + Array("Prénom".utf8)) == .windows1252)
        // A sequence cut by the probe's end is no proof; cut by the file's end, it is.
        #expect(detect(Array("abc".utf8) + [0xC3], complete: false) == .utf8)
        #expect(detect(Array("abc".utf8) + [0xC3], complete: true) == .windows1252)
    }

    /// What cannot be decoded becomes U+FFFD (which rows refuse), never a silent wrong letter.
    @Test func whatCannotBeDecodedIsMarked() {
        // UTF-16: a lone high surrogate, a lone low one, an odd last byte.
        #expect(decode([0xFF, 0xFE, 0x3D, 0xD8, 0x61, 0x00]).0 == "\u{FFFD}a")
        #expect(decode([0xFF, 0xFE, 0x00, 0xDC, 0x61, 0x00]).0 == "\u{FFFD}a")
        #expect(decode([0xFF, 0xFE, 0x61, 0x00, 0x62]).0 == "a\u{FFFD}")
        #expect(decode([0xFF, 0xFE, 0x61, 0x00, 0x3D, 0xD8]).0 == "a\u{FFFD}", "a high surrogate at the end")
        // UTF-8 decided: a Windows-1252 byte further on (mixed), an overlong form, a surrogate,
        // a sequence cut by the end.
        let start = [UInt8](repeating: 0x61, count: TextTranscoder.probeBytes)
        let (late, e) = decode(start + Array(";Ana".utf8) + [0xEF] + Array("s\n".utf8), chunk: 4096)
        #expect(e == .utf8 && late.hasSuffix(";Ana\u{FFFD}s\n"))
        #expect(decode(Array("é".utf8) + [0xC0, 0xAF], as: .utf8).0 == "é\u{FFFD}\u{FFFD}")
        #expect(decode([0xED, 0xA0, 0x80], as: .utf8).0 == "\u{FFFD}\u{FFFD}\u{FFFD}")
        #expect(decode(Array("é".utf8) + [0xE2, 0x82], as: .utf8).0 == "é\u{FFFD}")
        // Windows-1252 decided: the undefined bytes, and UTF-8 pieces (Ã© for é, â€™ for ’).
        #expect(decode([0xE9, 0x81, 0x8D, 0x8F, 0x90, 0x9D]).0 == "é\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}")
        #expect(decode([0xE9, 0xE9, 0xE9, 0x3B] + Array("Anaïs l’a".utf8)).0 == "ééé;Ana\u{FFFD}s l\u{FFFD}a")
        // But Windows-1252 letters next to symbols are letters: É then », Â then a space.
        #expect(decode([0xE9, 0xC9, 0xBB, 0xC2, 0x20, 0xE2, 0x41]).0 == "éÉ»Â âA")
    }

    /// Attacks: an input of only a byte-order mark, of NULs (/dev/zero), an empty one.
    @Test func degenerateInputs() {
        #expect(decode([0xEF, 0xBB, 0xBF]) == ("\u{FEFF}", .utf8), "the CSV reader drops a UTF-8 BOM")
        #expect(decode([0xFF, 0xFE]) == ("", .utf16LE))
        #expect(decode([0xFE, 0xFF]) == ("", .utf16BE))
        #expect(decode([0xFF, 0xFE, 0x61]) == ("\u{FFFD}", .utf16LE), "UTF-16 of an odd byte count")
        #expect(decode([]) == ("", .utf8))
        let zeros = [UInt8](repeating: 0, count: 200_000)
        let (text, e) = decode(zeros, chunk: 65_536)
        #expect(e == .utf8 && text.utf8.count == zeros.count, "NULs pass through: the CSV reader's record limit stops them")
        #expect(TextEncoding.utf8.notice == nil)
        for e in [TextEncoding.windows1252, .utf16LE, .utf16BE] {
            #expect(e.notice?.hasPrefix("Fichier enregistré en ") == true && e.notice?.contains("Enregistrez-le en UTF-8") == true)
        }
        #expect(TextEncoding.windows1252.notice?.hasPrefix("Fichier enregistré en Windows-1252 (ANSI) : lu comme tel.") == true)
    }

    /// A file decided on its start: a shorter one at its end, a longer one at the probe's size.
    @Test func theDecisionWaitsForTheProbe() {
        var t = TextTranscoder()
        var out: [UInt8] = []
        let head = [UInt8](repeating: 0x61, count: TextTranscoder.probeBytes - 1)
        head.withUnsafeBufferPointer { t.feed($0) { out += $0 } }
        #expect(t.encoding == nil && out.isEmpty)
        [0x80].withUnsafeBufferPointer { t.feed($0) { out += $0 } }
        #expect(t.encoding == .windows1252 && out.count == head.count + 3, "€")
    }
}
