import Foundation
import Testing
@testable import MESRender
import MESCore
import TestSupport

/// A book of letters checked with the tools a print shop would use: `qpdf --check`, `pdfinfo`,
/// and `pdftotext` for where each word is.
@Suite struct LetterBookTests {
    static let names = ["Martine Leguellec", "Łukasz Kowalski", "Søren Ørsted", "Antonín Dvořák", "Zoé Lefèvre-Cœur",
                        "Ştefan Ionescu", "Đorđe Petrović", "Jean-Baptiste Poquelin", "Marie-Françoise Élisabeth de La Rochefoucauld-Montbel",
                        "Ewa Wąsowska"]
    static let addresses: [String?] = [
        "12 rue des Lilas, 44000 Nantes",
        "Appartement 4, escalier B\n12 rue des Lilas\n44000 Nantes",
        "1 place Bellevue, 94240 L'Haÿ-les-Roses",
        "12 boulevard du Maréchal Jean-Marie de Lattre de Tassigny, 75016 Paris",
        "12 rue de la République",
        "Chez M. X\nAppartement 4\nEscalier B\nRésidence Les Pins\nBâtiment C\n12 rue des Lilas\n44000 Nantes",
        "BP 12, 75009 Paris Cedex 09",
        "7 quai de l'Œuvre, 29200 Brest",
        "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW, 44000 Nantes",
    ]

    /// A letter's text: the notification, for one or several profiles; every third one long
    /// enough for a second page, with « », œ, a list and a word longer than a line.
    static func text(_ i: Int, name: String) -> String {
        let codes = (0..<(1 + i % 3)).map { k in (name: k == 0 ? name : "Enfant \(k) de \(name)", code: "AB\(i)CD\(k)EF") }
        var text = MessageTemplates.notification(codes: codes, letter: true)
        if i % 3 == 2 {
            text += "\nVotre sœur, votre cœur : « Mon espace santé » répond à vos questions.\n"
            for k in 0..<12 {
                text += "\n- point \(k) d'une liste dont la ligne est assez longue pour passer à la ligne suivante et s'aligner après le tiret ;"
            }
            text += "\n\n" + String(repeating: "https://www.monespacesante.fr/", count: 6) + "\n\n" + MessageTemplates.benefits + "\n"
        }
        return text
    }

    static func letter(_ i: Int) -> PrintedLetter {
        let name = names[i % names.count]
        let block = PostalAddress(name: name, address: addresses[i % addresses.count])
        return PrintedLetter(addressLines: block.lines, text: text(i, name: name), reference: "Lettre n° \(i + 1)")
    }

    /// Where each letter starts and how many pages of text it has.
    struct Written {
        var path: String
        var starts: [(page: Int, textPages: Int)] = []
        var pages = 0
    }

    static func write(_ count: Int, to path: String, sides: LetterBook.Sides = .duplex, pagesPerNode: Int = 4096) throws -> Written {
        var book = LetterBook(sides: sides)
        book.pagesPerNode = pagesPerNode
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let file = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? file.close() }
        var written = Written(path: path)
        try file.write(contentsOf: book.begin())
        for i in 0..<count {
            let before = book.pageCount
            let letter = letter(i)
            try file.write(contentsOf: book.add(letter))
            written.starts.append((before, LetterLayout.pages(of: letter.text, font: .shared).count))
        }
        try book.finish { try file.write(contentsOf: $0) }
        written.pages = book.pageCount
        #expect(book.letterCount == count)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? UInt64 == book.size)
        return written
    }

    func tool(_ name: String) throws -> String {
        try #require(findProgram(name), "\(name) is not in PATH (apt-get install qpdf poppler-utils)")
    }

    /// A word as `pdftotext -bbox` gives it, in points from the page's top-left corner.
    struct Word { var text: String; var xMin, yMin, xMax, yMax: Double }

    func words(_ path: String) throws -> [[Word]] {
        let html = path + ".html"
        let run = try runProgram(try tool("pdftotext"), ["-bbox", path, html])
        #expect(run.status == 0, "\(run.output)")
        var pages: [[Word]] = []
        for line in try String(contentsOfFile: html, encoding: .utf8).split(separator: "\n") {
            if line.contains("<page ") { pages.append([]); continue }
            guard line.contains("<word "), let close = line.range(of: "\">"), let end = line.range(of: "</word>") else { continue }
            func value(_ key: String) -> Double {
                let r = line.range(of: key + "=\"")!
                return Double(line[r.upperBound...].prefix { $0 != "\"" })!
            }
            let text = String(line[close.upperBound..<end.lowerBound]).replacingOccurrences(of: "&amp;", with: "&")
                .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&quot;", with: "\"")
                .replacingOccurrences(of: "&apos;", with: "'")
            pages[pages.count - 1].append(Word(text: text, xMin: value("xMin"), yMin: value("yMin"), xMax: value("xMax"), yMax: value("yMax")))
        }
        return pages
    }

    static let mm = 72 / 25.4

    @Test func twoHundredLettersPassTheChecksAndEachAddressIsInTheWindow() throws {
        let dir = try TempDir("letters")
        defer { if ProcessInfo.processInfo.environment["KEEP"] == nil { dir.remove() } else { print(dir.path) } }
        let written = try Self.write(200, to: dir.file("letters.pdf"))
        let path = written.path

        let check = try runProgram(try tool("qpdf"), ["--check", path])
        #expect(check.status == 0 && check.output.contains("No syntax or stream encoding errors found"), "\(check.output)")
        #expect(!check.output.contains("WARNING"), "\(check.output)")
        let info = try runProgram(try tool("pdfinfo"), [path])
        #expect(info.output.contains("Page size:       595.28 x 841.89 pts (A4)"), "\(info.output)")
        #expect(info.output.contains("Pages:           \(written.pages)\n"), "\(info.output)")
        #expect(written.starts.contains { $0.textPages == 2 } && written.starts.contains { $0.textPages == 1 })
        let fonts = try runProgram(try tool("pdffonts"), [path])
        #expect(fonts.output.contains("CID TrueType") && fonts.output.contains(#/Identity-H +yes yes yes/#), "\(fonts.output)")

        let pages = try words(path)
        #expect(pages.count == written.pages)
        let zone = LetterLayout.addressZone
        let (left, right, top, bottom) = (zone.left * Self.mm, zone.right * Self.mm, zone.top * Self.mm, zone.bottom * Self.mm)
        for (i, start) in written.starts.enumerated() {
            let letter = Self.letter(i)
            // Duplex: every letter starts on a front (an odd page), and takes whole sheets.
            #expect(start.page % 2 == 0)
            let next = i + 1 < written.starts.count ? written.starts[i + 1].page : written.pages
            #expect(next - start.page == (start.textPages + 1) / 2 * 2)
            for blank in (start.page + start.textPages)..<next { #expect(pages[blank].isEmpty, "page \(blank + 1)") }
            // The address block: the words right of the sender block and above the first fold,
            // every one inside the window zone, reading back the lines given.
            let first = pages[start.page]
            let block = first.filter { $0.xMin > 100 * Self.mm && $0.yMax < 99 * Self.mm }
            #expect(block.map(\.text).joined(separator: " ") == letter.addressLines.joined(separator: " "), "letter \(i + 1)")
            for w in block {
                #expect(w.xMin >= left - 0.01 && w.xMax <= right + 0.01 && w.yMin >= top - 0.01 && w.yMax <= bottom + 0.01,
                        "letter \(i + 1): \(w)")
            }
            #expect(first.filter { $0.xMax > left && $0.yMax > top && $0.yMin < bottom }.count == block.count)
            // Every word of the text inside the column; the reference at the foot of each page.
            for p in start.page..<(start.page + start.textPages) {
                for w in pages[p] where !block.contains(where: { $0.xMin == w.xMin && $0.yMin == w.yMin }) {
                    #expect(w.xMin >= 20 * Self.mm - 0.01 && w.xMax <= 190 * Self.mm + 0.01, "letter \(i + 1): \(w)")
                }
                let foot = pages[p].filter { $0.yMin > 280 * Self.mm }.map(\.text).joined(separator: " ")
                let expected = letter.reference + (start.textPages > 1 ? " · page \(p - start.page + 1)/\(start.textPages)" : "")
                #expect(foot == expected)
            }
        }

        let layout = try runProgram(try tool("pdftotext"), ["-layout", path, "-"]).output
        for needle in ["Łukasz Kowalski", "Søren Ørsted", "Antonín Dvořák", "Zoé Lefèvre-Cœur", "Ştefan Ionescu", "Đorđe Petrović",
                       "Ewa Wąsowska", "94240 L HAY LES ROSES", "Mon espace santé", "Votre sœur, votre cœur : « Mon espace santé »",
                       "Vous allez bénéficier de Mon espace santé.", "Code provisoire pour Łukasz Kowalski : AB1CD0EF",
                       "Lettre n° 3 · page 2/2"] {
            #expect(layout.contains(needle), "\(needle)")
        }
        #expect(!layout.contains("?"))
    }

    @Test func listItemsHangAndLongWordsAreCut() {
        let font = LetterFont.shared
        let pages = LetterLayout.pages(of: Self.text(2, name: "Łukasz Kowalski"), font: font)
        let lines = pages.flatMap { $0 }
        let left = LetterLayout.x(LetterLayout.textLeft)
        let dash = font.width(font.entries("- a")[0..<2], size: LetterLayout.textSize)
        // A list item's second line starts after the dash and its space.
        #expect(lines.contains { abs($0.x - (left + dash)) < 0.001 })
        #expect(lines.allSatisfy { abs($0.x - left) < 0.001 || abs($0.x - (left + dash)) < 0.001 })
        // The long address is cut where it reaches the edge: no line is wider than the column.
        let width = LetterLayout.textWidth * LetterLayout.pt
        #expect(lines.allSatisfy { $0.x - left + font.width($0.entries, size: LetterLayout.textSize) <= width + 0.001 })
        #expect(pages.count == 2)
        // An empty text still gives a page.
        #expect(LetterLayout.pages(of: "", font: font).count == 1)
    }

    @Test func aManyNodedPageTreeAndSimplexPagesPassTheChecks() throws {
        let dir = try TempDir("letters-tree")
        defer { dir.remove() }
        for sides in [LetterBook.Sides.duplex, .simplex] {
            let written = try Self.write(30, to: dir.file("book-\(sides).pdf"), sides: sides, pagesPerNode: 7)
            let check = try runProgram(try tool("qpdf"), ["--check", written.path])
            #expect(check.status == 0 && !check.output.contains("WARNING"), "\(check.output)")
            let count = try runProgram(try tool("qpdf"), ["--show-npages", written.path])
            #expect(count.output == "\(written.pages)\n")
            let textPages = written.starts.map(\.textPages).reduce(0, +)
            #expect(written.pages == (sides == .simplex ? textPages : written.starts.map { ($0.textPages + 1) / 2 * 2 }.reduce(0, +)))
            // Every offset of the cross-reference table points at its object.
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: written.path)))
            let text = String(decoding: bytes.suffix(64), as: UTF8.self)
            let tail = text.components(separatedBy: "startxref\n")[1]
            let xref = Int(tail.prefix { $0.isNumber })!
            let table = String(decoding: bytes[xref...], as: UTF8.self).split(separator: "\n")
            let size = Int(table[1].split(separator: " ")[1])!
            for n in 1..<size {
                let offset = Int(table[2 + n].prefix(10))!
                #expect(String(decoding: bytes[offset..<offset + "\(n) 0 obj".utf8.count], as: UTF8.self) == "\(n) 0 obj")
            }
        }
    }

    @Test func charactersTheFontLacksAreQuestionMarksAndFrenchSpacesDoNotBreak() {
        let font = LetterFont.shared
        #expect(font.entries("😀 李") == font.entries("? ?"))
        // The narrow no-break space before « : » is drawn as a no-break space: no line ends there.
        #expect(font.entries("a\u{202F}:") == font.entries("a\u{A0}:"))
        #expect(font.entries("a\u{202F}:") != font.entries("a :"))
        // Controls and invisible characters go; runs of spaces and tabs are one space.
        #expect(font.entries("\u{200B}a \t  b\u{AD}\u{7} ") == font.entries("a b"))
        #expect(font.lines("a\n\nb").count == 3)
    }

    @Test func theSameLettersGiveTheSameBytes() {
        func book() -> [UInt8] {
            var b = LetterBook(createdAt: Instant.parse("2026-01-05T09:00:00Z"))
            var out = b.begin()
            for i in 0..<5 { out += b.add(Self.letter(i)) }
            return out + b.finish()
        }
        let a = book()
        #expect(a == book())
        #expect(String(decoding: a, as: UTF8.self).contains("/CreationDate (D:20260105100000+01'00')"))
    }
}
