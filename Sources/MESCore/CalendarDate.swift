/// A calendar date with no time zone (birth dates, decision dates as shown to people).
public struct CalendarDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Makes a date when it exists in the proleptic Gregorian calendar (no 31/02).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= CalendarDate.daysIn(month: month, year: year) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Parses `JJ/MM/AAAA` or `AAAA-MM-JJ`; nil for anything else or an impossible date.
    public static func parse(_ text: String) -> CalendarDate? {
        var t = text
        return t.withUTF8 { parse(bytes: $0) }
    }

    /// `JJ/MM/AAAA`, as the service shows dates.
    public var french: String {
        guard (1000...9999).contains(year) else { return pad(day) + "/" + pad(month) + "/" + String(year) }
        return String(unsafeUninitializedCapacity: 10) { writeFrench(into: $0); return 10 }
    }
    /// `AAAA-MM-JJ`.
    public var iso: String {
        guard (1000...9999).contains(year) else { return String(year) + "-" + pad(month) + "-" + pad(day) }
        return String(unsafeUninitializedCapacity: 10) { writeISO(into: $0); return 10 }
    }
    public var description: String { iso }

    private func pad(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }

    /// Days since 1970-01-01 (may be negative).
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// The date of a day count since 1970-01-01.
    public init(daysSinceEpoch z0: Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.month = m
        self.day = d
    }

    /// Whole years of age on `date`.
    public func age(on date: CalendarDate) -> Int {
        var a = date.year - year
        if (date.month, date.day) < (month, day) { a -= 1 }
        return a
    }

    public static func < (l: CalendarDate, r: CalendarDate) -> Bool {
        (l.year, l.month, l.day) < (r.year, r.month, r.day)
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and line ends (no copy when there are none).
    public var trimmingSpaces: String {
        func isSpace(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 10 || c == 13 }
        guard let first = utf8.first, let last = utf8.last else { return self }
        if !isSpace(first) && !isSpace(last) { return self }
        let u = Array(utf8)
        var lo = 0, hi = u.count
        while lo < hi, isSpace(u[lo]) { lo += 1 }
        while hi > lo, isSpace(u[hi - 1]) { hi -= 1 }
        return String(decoding: u[lo..<hi], as: UTF8.self)
    }
}
