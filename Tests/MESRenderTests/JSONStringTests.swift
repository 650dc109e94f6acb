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
}
