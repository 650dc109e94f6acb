#if canImport(Glibc)
import Glibc
#endif

/// Reads one worksheet of an .xlsx package (Office Open XML), parsing its XML as it is inflated.
enum XLSXReader {
    /// The worksheet named `wanted` (or the first one), every cell as text.
    /// `onBlock`: where rows go as they are read (see `RowCollector`); the rows not handed on are returned.
    /// The shared strings are read on a thread of their own when their part is compressed to
    /// `threadThreshold` bytes or more.
    static func read(_ zip: inout ZipArchive, sheet wanted: String?, onBlock: ((SheetText) -> Bool)? = nil,
                     threadThreshold: Int = SharedStringsTask.threadThreshold) throws(SheetError) -> SheetText {
        let limits = zip.limits
        let bookPath = try XLSXParts.workbookPath(in: &zip)
        guard let bookBytes = try zip.data(bookPath) else {
            throw .unreadable("il manque la partie \(SheetError.quoted(bookPath)) (la liste des feuilles)")
        }
        let book = try XLSXParts.workbook(bookBytes, part: bookPath, limits: limits)
        let relationships = try XLSXParts.relationships(of: bookPath, in: &zip)
        let worksheets = book.sheets.compactMap { s -> (name: String, target: String)? in
            guard let r = relationships[s.relationship], r.type.hasSuffix("/worksheet") else { return nil }
            return (s.name, r.target)
        }
        let chosen = wanted.map { name in worksheets.first { $0.name == name } } ?? worksheets.first
        guard let chosen else { throw .notFound(wanted ?? "", present: worksheets.map(\.name)) }

        func part(_ type: String) -> String? {
            relationships.values.filter { $0.type.hasSuffix(type) }.map(\.target).sorted().first
        }
        // The shared strings are read while the sheet is; its cells name them by index.
        let shared = part("/sharedStrings").map { SharedStringsTask(zip, part: $0, threshold: threadThreshold) } ?? SharedStringsTask()
        let rest: SheetText
        do throws(SheetError) {
            var dateStyles: [Bool] = []
            if let path = part("/styles"), let bytes = try zip.data(path) {
                dateStyles = try XLSXParts.dateStyles(bytes, part: path, limits: limits)
            }
            let context = Context(dateStyles: dateStyles, date1904: book.date1904, limits: limits)
            let reader = WorksheetReader(context: context, name: chosen.name)
            reader.collector.shared = shared
            if let onBlock {
                // Rows go on as they are read only when no merged range (listed after them) can blank them.
                guard let bytes = try zip.data(chosen.target) else { throw missing(chosen) }
                reader.collector.onBlock = onBlock
                reader.collector.mayHandOn = !contains(bytes, "mergeCell")
                try SAXParser.parse(bytes, part: chosen.target, handler: reader)
            } else {
                guard try SAXParser.parse(&zip, entry: chosen.target, handler: reader) else { throw missing(chosen) }
            }
            rest = try reader.collector.finish(merging: reader.merges)
        } catch {
            // The shared strings' refusal first, as when they were read before the sheet.
            throw shared.failure() ?? error
        }
        try zip.count(inflated: shared.wait().inflated)
        return rest
    }

    static func missing(_ sheet: (name: String, target: String)) -> SheetError {
        .unreadable("il manque la partie \(SheetError.quoted(sheet.target)) (la feuille \(SheetError.quoted(sheet.name)))")
    }

    /// Whether `bytes` hold `word` anywhere.
    static func contains(_ bytes: [UInt8], _ word: StaticString) -> Bool {
        bytes.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return false }
            let n = word.utf8CodeUnitCount, first = Int32(word.utf8Start[0])
            var at = 0
            while at + n <= b.count, let found = memchr(base + at, first, b.count - at - n + 1) {
                if memcmp(found, word.utf8Start, n) == 0 { return true }
                at = UnsafeRawPointer(found) - UnsafeRawPointer(base) + 1
            }
            return false
        }
    }

    struct Context {
        var dateStyles: [Bool]
        var date1904: Bool
        var limits: SheetLimits
    }

    /// A cell's type (`t=`); anything unknown reads as a number, as `n` does.
    enum CellType {
        case shared, inlineString, string, error, boolean, date, number

        init(_ b: UnsafeBufferPointer<UInt8>?) {
            guard let b, !b.isEmpty else { self = .number; return }
            if b.count == 1 {
                switch b[0] {
                case UInt8(ascii: "s"): self = .shared
                case UInt8(ascii: "e"): self = .error
                case UInt8(ascii: "b"): self = .boolean
                case UInt8(ascii: "d"): self = .date
                default: self = .number
                }
            } else if b.elementsEqual("str".utf8) {
                self = .string
            } else {
                self = b.elementsEqual("inlineStr".utf8) ? .inlineString : .number
            }
        }
    }

    /// The column (0-based) of a cell reference such as `AB12`, or nil when it has no letters.
    static func column(of reference: String) -> Int? {
        var reference = reference
        return reference.withUTF8 { column(of: $0) }
    }

    /// `column(of:)` over the reference's bytes.
    static func column(of reference: UnsafeBufferPointer<UInt8>) -> Int? {
        var n = 0, letters = 0
        for c in reference {
            let upper = c & ~0x20
            guard upper >= UInt8(ascii: "A"), upper <= UInt8(ascii: "Z") else { break }
            letters += 1
            guard letters <= 4 else { return Int.max }
            n = n * 26 + Int(upper - UInt8(ascii: "A") + 1)
        }
        return letters == 0 ? nil : n - 1
    }

    /// A `A1:C3` range as 1-based rows and 0-based columns.
    static func range(_ ref: String) -> (top: Int, left: Int, bottom: Int, right: Int)? {
        let ends = ref.split(separator: ":")
        guard ends.count == 2, let left = column(of: String(ends[0])), let right = column(of: String(ends[1])),
              let top = Int(ends[0].drop { $0.isLetter }), let bottom = Int(ends[1].drop { $0.isLetter }) else { return nil }
        return (min(top, bottom), min(left, right), max(top, bottom), max(left, right))
    }

    /// Without leading and trailing ASCII spaces, tabs and line breaks.
    static func trimmed(_ b: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        func space(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
        var start = 0, end = b.count
        while start < end && space(b[start]) { start += 1 }
        while end > start && space(b[end - 1]) { end -= 1 }
        return UnsafeBufferPointer(rebasing: b[start..<end])
    }

    /// Hands `body` a cell's text from its type (`t=`, not a shared string), style (`s=`) and
    /// stored value (`<v>`, or the text of `<is>` for an inline string). Plain values go through as bytes.
    static func withText<R>(type: CellType, style: Int, value: UnsafeBufferPointer<UInt8>, context: Context,
                            _ body: (UnsafeBufferPointer<UInt8>) throws(SheetError) -> R) throws(SheetError) -> R {
        func string(_ s: String) throws(SheetError) -> R { try SheetError.withBytes(of: s, body) }
        switch type {
        case .shared:
            preconditionFailure("a shared string is named by index (RowCollector.set(column:shared:))")
        case .inlineString, .string, .error:
            if !value.contains(UInt8(ascii: "_")) { return try body(value) }
            return try string(CellValues.decodeOOXMLEscapes(String(decoding: value, as: UTF8.self)))
        case .boolean:
            let v = String(decoding: value, as: UTF8.self)
            return try string(v == "1" ? "TRUE" : v == "0" ? "FALSE" : v)
        case .date:
            let v = String(decoding: value, as: UTF8.self)
            return try string(CellValues.isoDate(v) ?? v)
        case .number:
            let v = trimmed(value)
            if v.isEmpty { return try body(v) }
            if style >= 0, style < context.dateStyles.count, context.dateStyles[style],
               let date = CellValues.excelDate(String(decoding: v, as: UTF8.self), date1904: context.date1904) {
                return try string(date)
            }
            // Plain digits without a leading zero (the usual case) are already as they should be.
            if v[0] != UInt8(ascii: "0") || v.count == 1, v.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return try body(v) }
            return try string(CellValues.number(String(decoding: v, as: UTF8.self)))
        }
    }
}
