/// Helpers for fields read as bytes (CSV hot paths): no `String` until a value is kept.
extension UnsafeBufferPointer where Element == UInt8 {
    /// Without leading and trailing spaces, tabs and line ends (as `String.trimmingSpaces`).
    public var trimmingSpaces: UnsafeBufferPointer<UInt8> {
        var lo = 0, hi = count
        @inline(__always) func isSpace(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 10 || c == 13 }
        while lo < hi, isSpace(self[lo]) { lo += 1 }
        while hi > lo, isSpace(self[hi - 1]) { hi -= 1 }
        return UnsafeBufferPointer(rebasing: self[lo..<hi])
    }

    /// Every byte below 0x80.
    public var isASCII: Bool {
        for c in self where c >= 0x80 { return false }
        return true
    }

    /// The bytes as text (invalid UTF-8 repaired with U+FFFD).
    public var string: String { String(decoding: self, as: UTF8.self) }

    /// Equal to an ASCII literal.
    public func equals(_ s: StaticString) -> Bool {
        guard s.utf8CodeUnitCount == count else { return false }
        let p = s.utf8Start
        for i in 0..<count where self[i] != p[i] { return false }
        return true
    }
}

extension CalendarDate {
    /// Parses `JJ/MM/AAAA` or `AAAA-MM-JJ` from bytes (surrounding spaces ignored).
    public static func parse(bytes: UnsafeBufferPointer<UInt8>) -> CalendarDate? {
        let b = bytes.trimmingSpaces
        guard b.count == 10 else { return nil }
        func n(_ from: Int, _ to: Int) -> Int? {
            var v = 0
            for i in from..<to {
                let c = b[i]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            return v
        }
        if b[2] == 0x2F, b[5] == 0x2F, let d = n(0, 2), let m = n(3, 5), let y = n(6, 10) {
            return CalendarDate(year: y, month: m, day: d)
        }
        if b[4] == 0x2D, b[7] == 0x2D, let y = n(0, 4), let m = n(5, 7), let d = n(8, 10) {
            return CalendarDate(year: y, month: m, day: d)
        }
        return nil
    }

    /// Writes `AAAA-MM-JJ` (10 bytes) into `out` (for binding without building a `String`).
    public func writeISO(into out: UnsafeMutableBufferPointer<UInt8>) {
        Self.put(year, out, 0, 4); out[4] = 0x2D; Self.put(month, out, 5, 2); out[7] = 0x2D; Self.put(day, out, 8, 2)
    }

    /// Writes `JJ/MM/AAAA` (10 bytes) into `out`.
    public func writeFrench(into out: UnsafeMutableBufferPointer<UInt8>) {
        Self.put(day, out, 0, 2); out[2] = 0x2F; Self.put(month, out, 3, 2); out[5] = 0x2F; Self.put(year, out, 6, 4)
    }

    /// Writes `v` in `width` decimal digits (leading zeros) at `at`.
    private static func put(_ v: Int, _ out: UnsafeMutableBufferPointer<UInt8>, _ at: Int, _ width: Int) {
        var v = v
        for k in stride(from: at + width - 1, through: at, by: -1) { out[k] = UInt8(0x30 + v % 10); v /= 10 }
    }
}

extension CardType {
    /// `CardType(flexible:)` on bytes: the four usual spellings without a `String`.
    public init?(flexibleBytes b: UnsafeBufferPointer<UInt8>) {
        if b.equals("photo") || b.equals("avec photo") { self = .photo; return }
        if b.equals("plain") || b.equals("sans photo") { self = .plain; return }
        self.init(flexible: b.string)
    }
}

extension VitaleSerial {
    /// `parse(_:card:)` on bytes; plain digits (the usual case) need no `String` work.
    public static func parse(bytes b: UnsafeBufferPointer<UInt8>, card: CardType) -> Result<VitaleSerial, MESError> {
        var digits = true
        for c in b where c < 0x30 || c > 0x39 { digits = false; break }
        guard digits, !b.isEmpty else { return parse(b.string, card: card) }
        switch card {
        case .photo where b.count != 11: return parse(b.string, card: card)
        case .plain where !(8...13).contains(b.count): return parse(b.string, card: card)
        default: return .success(VitaleSerial(card: card, digits: b.string))
        }
    }
}
