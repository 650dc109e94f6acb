/// The address block of a letter, as La Poste reads it in the window of an envelope.
///
/// The rules, from La Poste's "norme d'adressage" (AFNOR NF Z 10-011, January 2013), the one
/// printed letters follow:
/// - at most 6 lines of at most 38 characters (spaces included), the addressee first and the
///   postcode and town last;
/// - the last line is the 5-digit postcode, a space and the town in capitals, holding only
///   capitals, digits and spaces: no accents (La Poste asks for unaccented capitals), no hyphen
///   or apostrophe (`L'Haÿ-les-Roses` → `L HAY LES ROSES`);
/// - when a line is too long, the norm's abbreviations shorten it (`BOULEVARD` → `BD`,
///   `SAINT` → `ST`…), and only then.
///
/// What is done to the stored free text: control and invisible characters go, runs of spaces
/// become one, the text is split into lines at its line breaks (or, on one line, at its commas),
/// pieces without a letter or digit go, a house number alone (`12, rue des Lilas`) joins its street (La Poste: no comma after the
/// number), and a postcode inside the last line (`12 rue des Lilas 44000 Nantes`) starts the
/// last line. Other punctuation of the name and the street lines is left as typed: in free text
/// a complement (lines 2–3, where the norm allows any sign) cannot be told from a street line.
///
/// Nothing meaningful is ever cut or dropped: an address that does not fit (a line still over 38
/// characters, more than 6 lines, no postcode and town) keeps every word, and says so in
/// `problems`, which the caller reports (the letter may still be printed: `LetterBook` fits any
/// block inside the window by reducing its size).
public struct PostalAddress: Sendable, Equatable {
    public static let maxLines = 6
    public static let maxLineLength = 38

    /// Why an address is not a standard block.
    public enum Problem: Sendable, Equatable {
        /// No address on file.
        case noAddress
        /// The last line is not a 5-digit postcode followed by a town.
        case noPostcodeAndTown
        /// More lines than the norm's 6 (the addressee's name included).
        case tooManyLines(Int)
        /// A line (1 = the name) longer than 38 characters after the norm's abbreviations.
        case lineTooLong(line: Int, length: Int)

        /// The problem in French, for an operator (names no part of the address).
        public var message: String {
            switch self {
            case .noAddress: return "aucune adresse postale"
            case .noPostcodeAndTown: return "la dernière ligne de l'adresse n'est pas un code postal à 5 chiffres suivi de la commune"
            case .tooManyLines(let n): return "adresse de \(n) lignes : la norme postale en admet \(PostalAddress.maxLines) au plus"
            case .lineTooLong(let line, let length):
                return "ligne \(line) de l'adresse de \(length) caractères : la norme postale en admet \(PostalAddress.maxLineLength) au plus"
            }
        }
    }

    /// The block, name first, postcode and town last (when found).
    public let lines: [String]
    /// Empty for a block that follows the norm.
    public let problems: [Problem]
    /// Whether the block follows the norm.
    public var isStandard: Bool { problems.isEmpty }

    /// The block addressed to `name` at `address` (the stored free text; nil or blank: none).
    /// `complement`: the norm's line 2, a complement of the addressee's identity (the child's
    /// name under "Aux représentants légaux de").
    public init(name: String, complement: String? = nil, address: String?) {
        var problems: [Problem] = []
        let nameLine = Self.cleanLine(name)
        var rest = Self.segments(address ?? "")
        if rest.isEmpty {
            problems.append(.noAddress)
        } else if let town = Self.postcodeAndTown(&rest) {
            rest.append(town)
        } else {
            problems.append(.noPostcodeAndTown)
        }
        var lines = [nameLine]
        if let complement, case let line = Self.cleanLine(complement), !line.isEmpty { lines.append(line) }
        for segment in rest { lines.append(segment.count > Self.maxLineLength ? Self.abbreviated(segment) : segment) }
        if lines.count > Self.maxLines { problems.append(.tooManyLines(lines.count)) }
        for (i, line) in lines.enumerated() where line.count > Self.maxLineLength {
            problems.append(.lineTooLong(line: i + 1, length: line.count))
        }
        self.lines = lines
        self.problems = problems
    }

    // MARK: cleaning

    /// Whether `u` ends a line (line feed, carriage return, vertical tab, form feed, NEL, U+2028/9).
    static func isLineBreak(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029: return true
        default: return false
        }
    }

    /// Whether `u` is a space of some width (tab, no-break and narrow spaces…).
    static func isSpace(_ u: Unicode.Scalar) -> Bool {
        u.value == 0x09 || u.properties.generalCategory == .spaceSeparator
    }

    /// Whether `u` is invisible and meaningless in an address: other controls, format characters
    /// (zero-width, bidirectional marks, soft hyphen), unassigned and private-use code points.
    static func isDropped(_ u: Unicode.Scalar) -> Bool {
        switch u.properties.generalCategory {
        case .control, .format, .unassigned, .privateUse, .surrogate: return true
        default: return false
        }
    }

    /// One line: in NFC, invisible characters dropped, spaces collapsed, trimmed.
    static func cleanLine(_ s: some StringProtocol) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for u in NameRepertoire.nfc(String(s)).unicodeScalars {
            if isSpace(u) || isLineBreak(u) { pendingSpace = !out.isEmpty; continue }
            if isDropped(u) { continue }
            if pendingSpace { out.append(" "); pendingSpace = false }
            out.append(u)
        }
        return String(out)
    }

    /// The address's lines: at its line breaks, or at its commas when it is one line; blank
    /// pieces dropped, a house number alone joined to the street after it.
    static func segments(_ address: String) -> [String] {
        let scalars = address.unicodeScalars
        let multiline = scalars.contains(where: isLineBreak)
        var raw: [String] = []
        var current = String.UnicodeScalarView()
        for u in scalars {
            if multiline ? isLineBreak(u) : u == "," {
                raw.append(String(current))
                current = String.UnicodeScalarView()
            } else {
                current.append(u)
            }
        }
        raw.append(String(current))
        var out: [String] = []
        var number: String?
        for piece in raw {
            var line = cleanLine(piece)
            // A piece without a letter or a digit (`,`, `-`) says nothing.
            if !line.unicodeScalars.contains(where: { $0.properties.isAlphabetic || ("0"..."9").contains($0) }) { continue }
            // `12, rue des Lilas` on one line: no comma after the number.
            if let space = line.firstIndex(of: " "), line[..<space].hasSuffix(","),
               isHouseNumber(String(line[..<line.index(before: space)])) {
                line.remove(at: line.index(before: space))
            }
            if let n = number {
                out.append(n + " " + line)
                number = nil
            } else if isHouseNumber(line) {
                number = line
            } else {
                out.append(line)
            }
        }
        if let number { out.append(number) }
        return out
    }

    /// `12`, `12B`, `12 bis`, `12-14`: a house number on its own.
    static func isHouseNumber(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, ("0"..."9").contains(first) else { return false }
        let words = s.split(separator: " ")
        guard words.count <= 2, !isPostcode(words[0]) else { return false }
        guard words[0].unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || $0 == "-" || ("A"..."Z").contains($0) || ("a"..."z").contains($0) }),
              words[0].unicodeScalars.filter({ !("0"..."9").contains($0) && $0 != "-" }).count <= 1 else { return false }
        if words.count == 2 { return ["bis", "ter", "quater", "quinquies"].contains(words[1].lowercased()) }
        return true
    }

    static func isPostcode(_ w: Substring) -> Bool {
        w.utf8.count == 5 && w.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    // MARK: the postcode and town line

    /// Takes the postcode and town off the end of `lines` and returns the last line of the block
    /// (`44000 NANTES`), or nil (and `lines` unchanged) when there is none.
    static func postcodeAndTown(_ lines: inout [String]) -> String? {
        guard let last = lines.last else { return nil }
        var words = last.split(separator: " ")
        // `44 000 Nantes`: a postcode written with a thousands space.
        if words.count >= 3, words[0].utf8.count == 2, words[1].utf8.count == 3,
           isPostcode(Substring(String(words[0]) + String(words[1]))) {
            words.replaceSubrange(0..<2, with: [Substring(String(words[0]) + String(words[1]))])
        }
        // `44000, Nantes`: the postcode alone on the line before the town.
        if lines.count >= 2, !last.unicodeScalars.contains(where: { ("0"..."9").contains($0) }),
           isPostcode(Substring(lines[lines.count - 2])) {
            let postcode = lines[lines.count - 2]
            lines.removeLast(2)
            return townLine(postcode: postcode, town: last)
        }
        // The last postcode followed by a word that starts with a letter.
        guard let at = words.indices.last(where: { i in
            isPostcode(words[i]) && i + 1 < words.count && words[i + 1].unicodeScalars.first!.properties.isAlphabetic
        }) else { return nil }
        let town = words[(at + 1)...].joined(separator: " ")
        let postcode = String(words[at])
        lines.removeLast()
        if at > 0 { lines.append(words[..<at].joined(separator: " ")) }
        return townLine(postcode: postcode, town: town)
    }

    /// `44000 NANTES`: capitals without accents, digits and single spaces; abbreviated (`SAINT`
    /// → `ST`) only when longer than 38 characters.
    static func townLine(postcode: String, town: String) -> String {
        var words = capitals(town).split(separator: " ").map(String.init)
        var line = ([postcode] + words).joined(separator: " ")
        if line.count > maxLineLength {
            words = words.map { $0 == "SAINT" ? "ST" : $0 == "SAINTE" ? "STE" : $0 }
            line = ([postcode] + words).joined(separator: " ")
        }
        return line
    }

    /// Capitals A–Z, digits and spaces: accents and strokes dropped (`Ł` → `L`, `Œ` → `OE`),
    /// any other sign a space.
    static func capitals(_ s: String) -> String {
        var out = ""
        for u in s.uppercased().unicodeScalars {
            if ("A"..."Z").contains(u) || ("0"..."9").contains(u) { out.unicodeScalars.append(u); continue }
            if let base = latinBase(u) { out += base; continue }
            out += " "
        }
        return out
    }

    /// The unaccented capitals of a Latin capital letter, from its Unicode name
    /// (`LATIN CAPITAL LETTER E WITH ACUTE` → `E`, `LATIN CAPITAL LIGATURE OE` → `OE`).
    static func latinBase(_ u: Unicode.Scalar) -> String? {
        guard let name = u.properties.name else { return nil }
        var rest: Substring
        if name.hasPrefix("LATIN CAPITAL LETTER ") { rest = name.dropFirst(21) }
        else if name.hasPrefix("LATIN CAPITAL LIGATURE ") { rest = name.dropFirst(23) }
        else { return nil }
        if let with = rest.range(of: " WITH ") { rest = rest[..<with.lowerBound] }
        switch rest {
        case "ETH", "AFRICAN D": return "D"
        case "THORN": return "TH"
        case "SHARP S": return "SS"
        default: break
        }
        guard rest.count <= 2, rest.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) }) else { return nil }
        return String(rest)
    }
}

private extension StringProtocol {
    func range(of needle: String) -> Range<Index>? {
        var i = startIndex
        while i < endIndex {
            if self[i...].hasPrefix(needle) { return i..<index(i, offsetBy: needle.count) }
            i = index(after: i)
        }
        return nil
    }
}
