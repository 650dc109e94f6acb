import Testing
@testable import MESCore

/// Trimming without Foundation, as Foundation's `.whitespaces` and `.whitespacesAndNewlines`
/// trimmed: scalar by scalar, so a combining mark after a space is kept with its space.
@Suite struct TrimmingTests {
    @Test func spacesAreSpaceSeparatorsAndTabs() {
        #expect(" \t\u{A0}abc\u{2009} ".trimmingSpaces() == "abc")           // no-break and thin spaces are Zs
        #expect("\nabc\n".trimmingSpaces() == "\nabc\n")                     // line breaks are not spaces
        #expect("\u{2028}abc".trimmingSpaces() == "\u{2028}abc")             // nor the line separator (Zl)
        #expect("abc123 \u{301}".trimmingSpaces() == "abc123 \u{301}")       // a mark after a space stays
        #expect("   ".trimmingSpaces() == "" && "".trimmingSpaces() == "")
        #expect("a b"[...].trimmingSpaces() == "a b")
    }

    @Test func whitespaceIncludesLineBreaks() {
        #expect("\r\n\t token \u{85}\u{2028}\n".trimmingWhitespace() == "token")
        #expect("token \u{301}\n".trimmingWhitespace() == "token \u{301}")
        #expect("x.".trimmingScalars { $0 == "." } == "x" && "...".trimmingScalars { $0 == "." } == "")
    }
}
