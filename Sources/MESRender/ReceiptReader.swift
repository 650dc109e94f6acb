import MESCore

/// The fields a receipt file shows, read back for `mes receipt verify`.
public struct ReceiptFields: Equatable, Sendable {
    public var id: String
    public var nir: String
    public var name: String
    public var greeting: String
    /// ISO date.
    public var decidedOn: String
    public var verification: String
    /// The page speaks to a minor's legal representative (`greeting` is then the child's name
    /// in sentence 2).
    public var forMinor = false
    /// The association the page names as having filed it.
    public var association: String?
}

/// Reads the visible fields of a receipt file (PDF written by `mes`, its text form, or its JSON form).
///
/// Linear in the input's size, and bounded: an input over `InputLimits.receiptFile` (4 Mio) is
/// not read (`read` returns nil, `parse` throws 65 `file_too_large`).
public enum ReceiptReader {
    /// The largest input read (`InputLimits.receiptFile`).
    public static let maximumSize = InputLimits.receiptFile

    /// The fields, or nil when `bytes` is not a receipt (or is over `maximumSize`).
    public static func read(_ bytes: [UInt8]) -> ReceiptFields? {
        guard bytes.count <= maximumSize else { return nil }
        if bytes.starts(with: Array("%PDF".utf8)) { return pageText(bytes).flatMap { fields(lines: pdfTextLines($0)) } }
        if bytes.first == 0x7B { return fromJSON(bytes) }
        return fields(lines: String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init))
    }

    /// `read`, refusing an input over `maximumSize` with 65 (`file_too_large`) naming `path`.
    public static func parse(_ bytes: [UInt8], path: String = "-", field: String = "FILE") throws -> ReceiptFields? {
        guard bytes.count <= maximumSize else { throw InputLimits.fileTooLarge(path, limit: maximumSize, field: field) }
        return read(bytes)
    }

    /// The bytes whose text operators show a receipt's page, by the receipt's layout: the file
    /// itself for layout 1 (nothing compressed); from layout 2 on, its streams inflated
    /// (`expanded`), which say the layout (`/ReceiptLayout` is in the object stream). Nil for a
    /// layout this version of `mes` does not know, or a damaged stream.
    static func pageText(_ bytes: [UInt8]) -> [UInt8]? {
        guard firstIndex(of: Array("/FlateDecode".utf8), in: bytes) != nil else { return layout(bytes) == 1 ? bytes : nil }
        guard let text = expanded(bytes), layout(text) == ReceiptRenderer.layoutVersion else { return nil }
        return text
    }

    /// The receipt layout that `b` says (`/ReceiptLayout n`, in a receipt's document information);
    /// 1 when it says none (the first receipts), 0 when the number is unreadable.
    static func layout(_ b: [UInt8]) -> Int {
        let key = Array(("/" + PDFWriter.receiptLayoutKey + " ").utf8)
        guard let at = firstIndex(of: key, in: b) else { return 1 }
        var v = 0, k = at + key.count
        while k < b.count, k - at - key.count < 4, (0x30...0x39).contains(b[k]) { v = v * 10 + Int(b[k] - 0x30); k += 1 }
        return k > at + key.count ? v : 0
    }

    /// The text streams of a PDF written compressed (layout 2 on), inflated and put one after
    /// the other (the page, then the embedded font's `/ToUnicode` map); font programs are left
    /// out. Nil when a stream is damaged or all of them would take more than `maximumSize`.
    static func expanded(_ b: [UInt8]) -> [UInt8]? {
        let marker = Array(">>\nstream\n".utf8), lengthKey = Array("/Length ".utf8)
        var out: [UInt8] = []
        var from = 0
        while let at = firstIndex(of: marker, in: b, from: from) {
            // The stream's dictionary: back to its `<<` (stream dictionaries hold no other).
            var open = at
            while open > 0, at - open < 256, !(b[open] == 0x3C && b[open - 1] == 0x3C) { open -= 1 }
            guard open > 0, b[open] == 0x3C, b[open - 1] == 0x3C else { return nil }
            let dictionary = Array(b[open..<at])
            let dataStart = at + marker.count
            guard let l = firstIndex(of: lengthKey, in: dictionary) else { return nil }
            var length = 0, k = l + lengthKey.count
            while k < dictionary.count, (0x30...0x39).contains(dictionary[k]), length < maximumSize {
                length = length * 10 + Int(dictionary[k] - 0x30)
                k += 1
            }
            guard dataStart + length <= b.count else { return nil }
            from = dataStart + length
            // Font programs and the cross-reference table hold no text.
            if firstIndex(of: Array("/Length1".utf8), in: dictionary) != nil || firstIndex(of: Array("/XRef".utf8), in: dictionary) != nil {
                continue
            }
            guard firstIndex(of: Array("/FlateDecode".utf8), in: dictionary) != nil else { return nil }
            guard let text = Flate.inflate(b[dataStart..<dataStart + length], limit: maximumSize - out.count) else { return nil }
            out += text
            out.append(0x0A)
        }
        return out
    }

    /// Where `needle` first occurs in `b` at or after `from` (linear: a byte compared with the
    /// needle's first, the rest only on a match; the inputs hold at most 4 Mio).
    static func firstIndex(of needle: [UInt8], in b: [UInt8], from: Int = 0) -> Int? {
        let n = needle.count
        guard n > 0, from >= 0, from <= b.count - n else { return nil }
        return b.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { w in
                let first = w[0], last = hay.count - n
                var i = from
                while i <= last {
                    if hay[i] == first {
                        var k = 1
                        while k < n && hay[i + k] == w[k] { k += 1 }
                        if k == n { return i }
                    }
                    i += 1
                }
                return nil
            }
        }
    }

    /// The strings shown by `Tj` operators, in page order (uncompressed content streams).
    ///
    /// One pass: each literal string is read once, and the scan goes on after it (the writer
    /// escapes parentheses inside its strings, so a literal never holds another); a literal
    /// that is never closed ends the scan. (Rescanning from every `(` was quadratic: 80,000 `(`
    /// took 11 s.)
    static func pdfTextLines(_ b: [UInt8]) -> [String] {
        var lines: [String] = []
        var i = 0
        let n = b.count
        var toUnicode: [UInt16: String]?
        while i < n {
            // A hex string shown with Tj: glyph codes of the embedded font (`<0001 0002> Tj`),
            // read back through the document's /ToUnicode map.
            if b[i] == 0x3C, i > 0, b[i - 1] != 0x3C, i + 1 < n, b[i + 1] != 0x3C {
                var end = i + 1
                while end < n, end - i <= 4 * 1024, b[end] != 0x3E { end += 1 }
                guard end < n, b[end] == 0x3E else { i += 1; continue }
                if end + 3 < n, b[end + 1] == 0x20, b[end + 2] == 0x54, b[end + 3] == 0x6A {
                    if toUnicode == nil { toUnicode = unicodeMap(b) }
                    lines.append(decodeGlyphs(b[(i + 1)..<end], toUnicode!))
                    i = end + 4
                } else {
                    i = end + 1
                }
                continue
            }
            // Find "(" literal ")" " Tj"
            guard b[i] == 0x28, i > 0 else { i += 1; continue }
            guard let (text, end) = literal(b, from: i) else { break }
            if end + 3 < n, b[end + 1] == 0x20, b[end + 2] == 0x54, b[end + 3] == 0x6A {
                lines.append(WinAnsi.decode(text))
                i = end + 4
            } else {
                i = end + 1
            }
        }
        return lines
    }

    /// The glyph code → text entries of the document's `beginbfchar` blocks (the embedded
    /// font's /ToUnicode map, as `PDFWriter` writes it).
    static func unicodeMap(_ b: [UInt8]) -> [UInt16: String] {
        var map: [UInt16: String] = [:]
        let begin = Array("beginbfchar".utf8), end = Array("endbfchar".utf8)
        var i = 0
        func at(_ k: Int, _ word: [UInt8]) -> Bool { k + word.count <= b.count && b[k..<k + word.count].elementsEqual(word) }
        while i < b.count {
            guard at(i, begin) else { i += 1; continue }
            i += begin.count
            // Pairs "<code> <utf16>" until endbfchar.
            var hexes: [[UInt8]] = []
            while i < b.count, !at(i, end) {
                if b[i] == 0x3C {
                    var k = i + 1
                    var h: [UInt8] = []
                    while k < b.count, b[k] != 0x3E, h.count <= 64 { h.append(b[k]); k += 1 }
                    hexes.append(h)
                    i = k
                }
                i += 1
            }
            var k = 0
            while k + 1 < hexes.count {
                let code = hexValues(hexes[k][...], width: 4).first.map { UInt16($0) }
                let units = hexValues(hexes[k + 1][...], width: 4).map { UInt16($0) }
                if let code { map[code] = String(decoding: units, as: UTF16.self) }
                k += 2
            }
        }
        return map
    }

    /// The text of a hex string of two-byte glyph codes.
    static func decodeGlyphs(_ hex: ArraySlice<UInt8>, _ map: [UInt16: String]) -> String {
        hexValues(hex, width: 4).map { map[UInt16($0)] ?? "\u{FFFD}" }.joined()
    }

    /// Groups of `width` hex digits as numbers (white space skipped, a short tail dropped).
    static func hexValues(_ hex: ArraySlice<UInt8>, width: Int) -> [Int] {
        var out: [Int] = []
        var v = 0, digits = 0
        for c in hex {
            let d: Int
            switch c {
            case 0x30...0x39: d = Int(c) - 0x30
            case 0x41...0x46: d = Int(c) - 0x37
            case 0x61...0x66: d = Int(c) - 0x57
            default: continue
            }
            v = v << 4 | d
            digits += 1
            if digits == width { out.append(v); v = 0; digits = 0 }
        }
        return out
    }

    /// Decodes a PDF literal string starting at `start` (an opening parenthesis): its bytes and
    /// the index of its closing parenthesis, or nil when it is never closed.
    static func literal(_ b: [UInt8], from start: Int) -> ([UInt8], Int)? {
        var out: [UInt8] = []
        var depth = 0
        var i = start
        while i < b.count {
            let c = b[i]
            if c == 0x5C, i + 1 < b.count {
                let e = b[i + 1]
                switch e {
                case 0x6E: out.append(0x0A)
                case 0x72: out.append(0x0D)
                default: out.append(e)
                }
                i += 2
                continue
            }
            if c == 0x28 { depth += 1; if depth == 1 { i += 1; continue } }
            if c == 0x29 { depth -= 1; if depth == 0 { return (out, i) } }
            out.append(c)
            i += 1
        }
        return nil
    }

    static func fields(lines: [String]) -> ReceiptFields? {
        func after(_ label: String) -> String? {
            lines.first { $0.hasPrefix(label) }.map { String($0.dropFirst(label.count)).trimmingSpaces() }
        }
        guard let id = after(ReceiptRenderer.referenceLabel), let v = after(ReceiptRenderer.verificationLabel),
              let nirText = after(ReceiptRenderer.nirLabel), let name = after(ReceiptRenderer.nameLabel),
              let hello = lines.firstIndex(where: { $0 == OppositionReceipt.plainSalutation || ($0.hasPrefix("Bonjour ") && $0.hasSuffix(",")) })
        else { return nil }
        let kind = ReceiptKind(reference: id)
        let forMinor = lines[hello] == OppositionReceipt.plainSalutation
        // The sentences between the salutation and sentence 3 (or, in the pages of the first
        // receipts, which draw sentence 3 first, the footer), their lines joined with one space
        // (the page breaks them at single spaces only): the acknowledgement, then who asked.
        let layout = ReceiptRenderer.layout(kind)
        let ends = [layout.sentence3FirstLine, ReceiptRenderer.referenceLabel, ReceiptRenderer.verificationLabel]
            + (layout.dmpFirstLine.map { [$0] } ?? [])
        var block: [String] = []
        for line in lines[(hello + 1)...] {
            if ends.contains(where: { line.hasPrefix($0) }) { break }
            block.append(line)
        }
        let text = block.joined(separator: " ")
        // The acknowledgement ends at the first "… prise en compte le JJ/MM/AAAA." (a child's name
        // comes before it; an association's after).
        let marker = "prise en compte le "
        var searchFrom = text.startIndex, found: (date: CalendarDate, end: String.Index, marker: Range<String.Index>)?
        while found == nil, let r = text[searchFrom...].firstRange(of: marker) {
            let rest = text[r.upperBound...].prefix(11)  // bounded: the scan stays linear
            if rest.count == 11, rest.last == ".", let d = CalendarDate.parse(String(rest.prefix(10))) {
                found = (d, text.index(r.upperBound, offsetBy: 11), r)
            }
            searchFrom = r.upperBound
        }
        guard let (date, ackEnd, at) = found else { return nil }
        let greeting: String
        if forMinor {
            let prefix = kind.sentence2ChildPrefix, tail = " a bien été "
            guard text.hasPrefix(prefix), text[..<at.lowerBound].hasSuffix(tail) else { return nil }
            let nameStart = text.index(text.startIndex, offsetBy: prefix.count)
            let nameEnd = text.index(at.lowerBound, offsetBy: -tail.count)
            guard nameStart <= nameEnd else { return nil }
            greeting = String(text[nameStart..<nameEnd])
        } else {
            greeting = String(lines[hello].dropFirst(8).dropLast())
        }
        var association: String?
        let after = text[ackEnd...].drop(while: { $0 == " " })
        if !after.isEmpty {
            guard let named = OppositionReceipt.association(filedBy: String(after)) else { return nil }
            association = named
        }
        let nir = NIRValidator(rules: .insee).validate(nirText).nir?.compact ?? nirText.filter { $0 != " " }
        return ReceiptFields(id: id, nir: nir, name: name, greeting: greeting, decidedOn: date.iso, verification: v,
                             forMinor: forMinor, association: association)
    }

    static func fromJSON(_ bytes: [UInt8]) -> ReceiptFields? {
        guard let o = JSON.parse(bytes),
              let id = o["receipt"]?.string, let nir = o["nir"]?.string, let name = o["name"]?.string,
              let greeting = o["greeting"]?.string, let d = o["decided_on"]?.string, let v = o["verification"]?.string
        else { return nil }
        return ReceiptFields(id: id, nir: nir, name: name, greeting: greeting, decidedOn: d, verification: v,
                             forMinor: o["for_minor"]?.boolean ?? false, association: o["association"]?.string)
    }
}
