import Foundation
import Testing
@testable import MESRender

/// JSON string literals: every control, quote, backslash and DEL escaped, everything else as
/// it is, whatever runs of plain bytes lie between them; Foundation's parser reads back the text.
@Suite struct JSONStringTests {
    func literal(_ s: String) -> String {
        var out: [UInt8] = []
        JSON.writeString(s, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func escapesAreExactAndRunsAreKept() {
        #expect(literal("abc") == "\"abc\"")
        #expect(literal("") == "\"\"")
        #expect(literal("a\"b\\c") == #""a\"b\\c""#)
        #expect(literal("\u{1B}[31m\u{7F}\n\r\t") == #""\u001b[31m\u007f\n\r\t""#)
        #expect(literal("\"") == #""\"""#)
        #expect(literal("é\"ü") == "\"é\\\"ü\"")
        #expect(literal("x\u{0}y\u{1F}z") == #""x\u0000y\u001fz""#)
    }

    @Test func everyByteStringReadsBack() throws {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let scalars = (0..<Int.random(in: 0...60, using: &rng)).map { _ in
                Unicode.Scalar(UInt8.random(in: 0...127, using: &rng))
            }
            var text = String(String.UnicodeScalarView(scalars))
            if Bool.random(using: &rng) { text += "é€😀" }
            let parsed = try JSONSerialization.jsonObject(with: Data(literal(text).utf8), options: .fragmentsAllowed) as? String
            #expect(parsed == text, "\(text.debugDescription)")
        }
    }

    func repaired(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        bytes.withUnsafeBufferPointer { JSON.writeString(repairing: $0, into: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Input lines (`nir check` echoes them) are escaped in the same pass that finds them ASCII;
    /// a line with other bytes is read as UTF-8 with U+FFFD for what is not, and gives what the
    /// String path gives, whatever comes before in the buffer.
    @Test func inputBytesAreEscapedInOnePassAndRepairedWhenNotUTF8() throws {
        #expect(repaired(Array("1 16 30".utf8)) == "\"1 16 30\"")
        #expect(repaired(Array("a\"b\\c\u{1B}\u{7F}".utf8)) == #""a\"b\\c\u001b\u007f""#)
        #expect(repaired([0x41, 0xFF, 0x22, 0x42]) == "\"A\u{FFFD}\\\"B\"")
        #expect(repaired(Array("é\"".utf8)) == literal("é\""))
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let bytes = (0..<Int.random(in: 0...80, using: &rng)).map { _ in
                Bool.random(using: &rng) ? UInt8.random(in: 0x20...0x7E, using: &rng) : UInt8.random(in: 0...255, using: &rng)
            }
            var out = Array("prefix".utf8)
            bytes.withUnsafeBufferPointer { JSON.writeString(repairing: $0, into: &out) }
            #expect(out == Array("prefix".utf8) + Array(literal(String(decoding: bytes, as: UTF8.self)).utf8), "\(bytes)")
        }
    }
}
