/// A point in time, whole seconds since 1970-01-01T00:00:00Z (UTC).
public struct Instant: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let seconds: Int64

    public init(seconds: Int64) { self.seconds = seconds }

    /// Parses `2022-02-03T10:00:00Z` (also with `+hh:mm` offsets or fractional seconds, which are
    /// dropped). Without a zone (`2022-03-27T22:30:00`) the time is Paris time, as every date
    /// `mes` shows; a time the clocks skip (02:30 on the last Sunday of March) is read with the
    /// offset before the change.
    public static func parse(_ text: String) -> Instant? {
        let b = Array(text.utf8)
        guard b.count >= 19, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54 || b[10] == 0x20,
              b[13] == 0x3A, b[16] == 0x3A else {
            if let d = CalendarDate.parse(text) { return Instant(date: d) }
            return nil
        }
        func n(_ r: Range<Int>) -> Int? {
            var v = 0
            for c in b[r] { guard c >= 0x30 && c <= 0x39 else { return nil }; v = v * 10 + Int(c - 0x30) }
            return v
        }
        guard let y = n(0..<4), let mo = n(5..<7), let d = n(8..<10), let h = n(11..<13), let mi = n(14..<16),
              let s = n(17..<19), h < 24, mi < 60, s < 61, let date = CalendarDate(year: y, month: mo, day: d)
        else { return nil }
        var i = 19
        if i < b.count, b[i] == 0x2E { i += 1; while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 { i += 1 } }
        var offset = 0
        var zoned = true
        if i == b.count - 1, b[i] == 0x5A { i += 1 } else if i + 6 == b.count, b[i] == 0x2B || b[i] == 0x2D, b[i + 3] == 0x3A,
            let oh = n((i + 1)..<(i + 3)), let om = n((i + 4)..<(i + 6)) {
            offset = (oh * 3600 + om * 60) * (b[i] == 0x2B ? 1 : -1)
            i += 6
        } else {
            zoned = false
        }
        guard i == b.count else { return nil }
        let local = Int64(date.daysSinceEpoch) * 86400 + Int64(h * 3600 + mi * 60 + s - offset)
        return zoned ? Instant(seconds: local) : parisLocal(local)
    }

    /// The instant whose Paris wall-clock time is `local` (seconds as if Paris were UTC): summer
    /// time where it gives that wall clock (the first of the autumn's repeated hour), else
    /// winter time (which also reads a time the spring change skips).
    static func parisLocal(_ local: Int64) -> Instant {
        let summer = Instant(seconds: local - 7200)
        return summer.parisOffset == 7200 ? summer : Instant(seconds: local - 3600)
    }

    /// The first second of a day in France's time zone.
    public static func parisMidnight(_ d: CalendarDate) -> Instant {
        let utc = Instant(date: d)
        // Midnight in Paris is 22:00 or 23:00 UTC the day before; the offset an hour before
        // midnight UTC is the one in force then (the clocks change at 01:00 UTC).
        return Instant(seconds: utc.seconds - utc.adding(seconds: -3600).parisOffset)
    }

    /// A bound of a period typed by a person: an instant (`2022-02-03T10:00:00Z`, or with an
    /// offset `+01:00`), or a date (`2022-02-03` or `03/02/2022`) meaning that whole day in
    /// Paris: its first second as a start, its last (`endOfDay`) as an end. Nil otherwise.
    public static func bound(_ text: String, endOfDay: Bool) -> Instant? {
        let t = text.trimmingSpaces
        if let d = CalendarDate.parse(t) {
            return endOfDay ? parisMidnight(CalendarDate(daysSinceEpoch: d.daysSinceEpoch + 1)).adding(seconds: -1) : parisMidnight(d)
        }
        return t.utf8.count >= 19 ? parse(t) : nil
    }

    /// Midnight UTC on a date.
    public init(date: CalendarDate) { seconds = Int64(date.daysSinceEpoch) * 86400 }

    /// The UTC calendar date.
    public var date: CalendarDate {
        CalendarDate(daysSinceEpoch: Int((seconds >= 0 ? seconds : seconds - 86399) / 86400))
    }

    /// The date in France's time zone (CET/CEST, EU summer-time rule), as the service shows it.
    public var parisDate: CalendarDate { Instant(seconds: seconds + parisOffset).date }

    /// Offset of Europe/Paris from UTC at this instant, in seconds.
    public var parisOffset: Int64 {
        let y = date.year
        // Outside the years a calendar date can hold (1–9999), winter time.
        guard (1...9999).contains(y) else { return 3600 }
        func lastSunday(_ month: Int) -> Int64 {
            let last = CalendarDate(year: y, month: month, day: 31)!
            let dow = (last.daysSinceEpoch + 4) % 7  // 0 = Sunday (1970-01-01 was a Thursday)
            return Int64(last.daysSinceEpoch - (dow < 0 ? dow + 7 : dow)) * 86400 + 3600
        }
        return seconds >= lastSunday(3) && seconds < lastSunday(10) ? 7200 : 3600
    }

    /// `2022-02-03T10:00:00Z`.
    public var iso8601: String {
        let d = date
        let s = Int(((seconds % 86400) + 86400) % 86400)
        func p(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(d.iso)T\(p(s / 3600)):\(p(s / 60 % 60)):\(p(s % 60))Z"
    }

    public var description: String { iso8601 }

    public func adding(seconds s: Int64) -> Instant { Instant(seconds: seconds + s) }

    /// The same time of day, `months` calendar months later (UTC); a day the month lacks becomes
    /// its last (31/05 + 1 month is 30/06).
    public func adding(months: Int) -> Instant {
        let d = date
        let timeOfDay = seconds - Int64(d.daysSinceEpoch) * 86400
        let index = d.year * 12 + (d.month - 1) + months
        let (year, month) = (index >= 0 ? index / 12 : (index - 11) / 12, ((index % 12) + 12) % 12 + 1)
        guard let target = CalendarDate(year: year, month: month, day: min(d.day, CalendarDate.daysIn(month: month, year: year))) else {
            return months > 0 ? Instant(seconds: .max / 2) : Instant(seconds: .min / 2)
        }
        return Instant(date: target).adding(seconds: timeOfDay)
    }

    public static func < (l: Instant, r: Instant) -> Bool { l.seconds < r.seconds }
}
