import MESCore

/// How stored values become the text of a cell: numbers as the file stores them (exact
/// integers written in digits), dates as dd/mm/yyyy, booleans as TRUE/FALSE.
enum CellValues {
    /// A number as stored, except that an exact integer written with a decimal point or an
    /// exponent (`123.0`, `1.0E+14`, `2.01126E+14`) becomes its digits. Anything that is not a
    /// plain decimal number is returned unchanged.
    static func number(_ stored: String) -> String {
        // Plain digits without a leading zero (the usual case) are already as they should be.
        let u = stored.utf8
        if let first = u.first, first != UInt8(ascii: "0") || u.count == 1, u.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            return stored
        }
        return integerDigits(stored) ?? stored
    }

    /// The digits of an exact integer written in decimal or scientific notation, or nil.
    static func integerDigits(_ s: String) -> String? {
        let u = Array(s.utf8)
        var i = 0
        var negative = false
        if i < u.count, u[i] == UInt8(ascii: "-") || u[i] == UInt8(ascii: "+") { negative = u[i] == UInt8(ascii: "-"); i += 1 }
        var digits: [UInt8] = []
        var integerCount = 0
        while i < u.count, u[i] >= 0x30, u[i] <= 0x39 { digits.append(u[i]); i += 1 }
        integerCount = digits.count
        if i < u.count, u[i] == UInt8(ascii: ".") {
            i += 1
            while i < u.count, u[i] >= 0x30, u[i] <= 0x39 { digits.append(u[i]); i += 1 }
        }
        guard !digits.isEmpty else { return nil }
        var exponent = 0
        if i < u.count, u[i] == UInt8(ascii: "e") || u[i] == UInt8(ascii: "E") {
            i += 1
            var expNegative = false
            if i < u.count, u[i] == UInt8(ascii: "-") || u[i] == UInt8(ascii: "+") { expNegative = u[i] == UInt8(ascii: "-"); i += 1 }
            let start = i
            while i < u.count, u[i] >= 0x30, u[i] <= 0x39, i - start < 6 { exponent = exponent * 10 + Int(u[i] - 0x30); i += 1 }
            guard i > start else { return nil }
            if expNegative { exponent = -exponent }
        }
        guard i == u.count else { return nil }
        let point = integerCount + exponent  // digits before the decimal point
        // Every digit after the point must be zero.
        if point < digits.count {
            for k in max(point, 0)..<digits.count where digits[k] != 0x30 { return nil }
        }
        var whole = point <= 0 ? [] : Array(digits.prefix(point))
        if point > digits.count { whole += [UInt8](repeating: 0x30, count: point - digits.count) }
        while whole.first == 0x30 { whole.removeFirst() }
        guard whole.count <= 40 else { return nil }
        if whole.isEmpty { return "0" }
        return (negative ? "-" : "") + String(decoding: whole, as: UTF8.self)
    }

    // MARK: Dates

    /// Days from 1970-01-01 to a civil date (proleptic Gregorian): MESCore's `CalendarDate`.
    static func days(year: Int, month: Int, day: Int) -> Int {
        CalendarDate(year: year, month: month, day: day)!.daysSinceEpoch
    }

    /// The civil date of a day counted from 1970-01-01: MESCore's `CalendarDate`.
    static func civil(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let d = CalendarDate(daysSinceEpoch: days)
        return (d.year, d.month, d.day)
    }

    static func format(day: Int, month: Int, year: Int) -> String {
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        return "\(pad(day, 2))/\(pad(month, 2))/\(pad(year, 4))"
    }

    /// An Excel serial day as dd/mm/yyyy: the 1900 system (with Excel's 29/02/1900, serial 60)
    /// or the 1904 one. Nil for what is not a date serial (negative, past 31/12/9999, not a number).
    static func excelDate(_ stored: String, date1904: Bool) -> String? {
        guard let serial = Double(stored), serial.isFinite, serial >= 0, serial < 2_958_466 else { return nil }
        let day = Int((serial + 0.5 / 86_400_000).rounded(.down))  // the time of day is dropped
        if date1904 {
            let (y, m, d) = civil(days(year: 1904, month: 1, day: 1) + day)
            return format(day: d, month: m, year: y)
        }
        if day == 0 { return "00/01/1900" }
        if day == 60 { return "29/02/1900" }
        let (y, m, d) = civil(days(year: 1899, month: 12, day: day < 60 ? 31 : 30) + day)
        return format(day: d, month: m, year: y)
    }

    /// An ISO 8601 date or date-time (`2023-01-15`, `2023-01-15T10:30:00`) as dd/mm/yyyy, or nil.
    static func isoDate(_ s: String) -> String? {
        let u = Array(s.utf8)
        guard u.count >= 10, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-"),
              u.count == 10 || u[10] == UInt8(ascii: "T") || u[10] == UInt8(ascii: " ") else { return nil }
        func int(_ r: Range<Int>) -> Int? {
            var n = 0
            for i in r { guard u[i] >= 0x30, u[i] <= 0x39 else { return nil }; n = n * 10 + Int(u[i] - 0x30) }
            return n
        }
        guard let y = int(0..<4), let m = int(5..<7), let d = int(8..<10), (1...12).contains(m), (1...31).contains(d) else { return nil }
        return format(day: d, month: m, year: y)
    }

    // MARK: Number formats

    /// Excel's built-in date and time formats.
    static let builtInDateFormats: Set<Int> = Set(14...22).union(45...47)

    /// Whether a custom number format shows a date: d, m or y outside quotes, brackets
    /// (`[Red]`, `[$-40C]`) and escaped characters.
    static func isDateFormat(_ code: String) -> Bool {
        var inQuotes = false, inBrackets = false, escaped = false
        for c in code.unicodeScalars {
            if escaped { escaped = false; continue }
            if inQuotes { if c == "\"" { inQuotes = false }; continue }
            if inBrackets { if c == "]" { inBrackets = false }; continue }
            switch c {
            case "\"": inQuotes = true
            case "[": inBrackets = true
            case "\\", "_", "*": escaped = true  // \x literal, _x space as wide as x, *x fill
            case "d", "D", "m", "M", "y", "Y": return true
            default: break
            }
        }
        return false
    }

    // MARK: Text

    /// OOXML's escapes of characters XML cannot hold (`_x000D_` is a carriage return,
    /// `_x005F_` a literal underscore), decoded.
    static func decodeOOXMLEscapes(_ s: String) -> String {
        guard s.utf8.contains(UInt8(ascii: "_")) else { return s }
        let u = Array(s.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < u.count {
            if u[i] == "_", i + 6 < u.count, u[i + 1] == "x" || u[i + 1] == "X", u[i + 6] == "_",
               u[(i + 2)..<(i + 6)].allSatisfy(\.properties.isASCIIHexDigit),
               let code = UInt32(String(String.UnicodeScalarView(u[(i + 2)..<(i + 6)])), radix: 16),
               let scalar = Unicode.Scalar(code) {
                out.append(scalar)
                i += 7
            } else {
                out.append(u[i])
                i += 1
            }
        }
        return String(out)
    }
}

extension String {
    /// Without leading and trailing ASCII spaces, tabs and line breaks.
    var trimmingSpaces: String {
        let u = utf8
        guard let first = u.firstIndex(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }),
              let last = u.lastIndex(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) else { return "" }
        return String(self[first...last])
    }
}

extension SheetError {
    /// Hands `body` the UTF-8 bytes of `s` (`String.withUTF8` does not keep `body`'s error type).
    static func withBytes<R>(of s: String, _ body: (UnsafeBufferPointer<UInt8>) throws(SheetError) -> R) throws(SheetError) -> R {
        try Array(s.utf8).withUnsafeBufferPointer { (b) throws(SheetError) -> R in try body(b) }
    }
}
