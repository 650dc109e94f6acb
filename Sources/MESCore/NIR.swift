/// A valid French social-security number (NIR): 13 characters and a 2-digit key.
///
/// Values are only made by `NIRValidator`, so a `NIR` always passed the rules
/// it was checked with. `compact` is the 15-character form (`116304403801618`,
/// `253072B07300470`).
public struct NIR: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The 15 characters, no separators, Corsica in upper case.
    public let compact: String

    init(uncheckedCompact: String) { self.compact = uncheckedCompact }

    /// A NIR that was validated before it was stored (read back from the store). Not for input.
    public init(trusted compact: String) { self.compact = compact }

    /// The grouped form shown by the service: `1 16 30 44 038 016 18`.
    public var formatted: String { NIR.group(Array(compact.utf8)) }

    public var description: String { formatted }

    /// Sex digit: 1 male, 2 female; 3, 4, 7, 8 temporary numbers.
    public var sexDigit: Int { Int(digitsAt(0, 1))! }
    /// Two-digit year of birth.
    public var birthYear: String { substring(1, 3) }
    /// Month of birth (01–12, or an INSEE pseudo-month).
    public var birthMonth: String { substring(3, 5) }
    /// Department of birth: `44`, `2A`, `971`, or `99` for births abroad.
    public var department: String {
        let d = substring(5, 7)
        return (d == "97" || d == "98") ? substring(5, 8) : d
    }
    /// Commune of birth (3 digits, 2 overseas), or the country code for `99`.
    public var commune: String {
        let d = substring(5, 7)
        return (d == "97" || d == "98") ? substring(8, 10) : substring(7, 10)
    }
    /// Order number of the birth in the commune's register for that month.
    public var order: String { substring(10, 13) }
    /// The 2-digit check key.
    public var key: String { substring(13, 15) }

    private func substring(_ from: Int, _ to: Int) -> String {
        let bytes = Array(compact.utf8)
        return String(decoding: bytes[from..<to], as: UTF8.self)
    }
    private func digitsAt(_ from: Int, _ to: Int) -> String { substring(from, to) }

    /// Groups 15 compact characters as `s yy mm dd ccc ooo kk`.
    static func group(_ b: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity(21)
        for (i, c) in b.enumerated() {
            if i == 1 || i == 3 || i == 5 || i == 7 || i == 10 || i == 13 { out.append(32) }
            out.append(c)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The check key of the first 13 characters of a NIR (Corsica: 2A counts as 19, 2B as 18).
    ///
    /// `body` must be 13 ASCII bytes: digits, except `2A`/`2B` at offsets 5–6.
    /// Returns nil when it is not.
    public static func key(forBody body: some Collection<UInt8>) -> Int? {
        guard body.count == 13 else { return nil }
        var value: UInt64 = 0
        for (i, c) in body.enumerated() {
            var d: UInt64
            switch c {
            case 0x30...0x39: d = UInt64(c - 0x30)
            case 0x41 where i == 6: d = 9  // 2A -> 19
            case 0x42 where i == 6: d = 8  // 2B -> 18
            default: return nil
            }
            if i == 5, c == 0x32 {
                let next = body[body.index(body.startIndex, offsetBy: 6)]
                if next == 0x41 || next == 0x42 { d = 1 }
            }
            value = value * 10 + d
        }
        return 97 - Int(value % 97)
    }

    /// The 15 characters of the NIR whose 13-character body is `body`: the body and its key.
    public static func completing(body: some Collection<UInt8>) -> String? {
        guard let k = key(forBody: body) else { return nil }
        return String(decoding: body, as: UTF8.self) + (k < 10 ? "0\(k)" : "\(k)")
    }

    /// The key of a 13-character body given as text (separators allowed), or nil.
    public static func key(forBody text: String) -> Int? {
        var bytes = [UInt8]()
        for c in text.utf8 where c != 32 && c != 0x2E && c != 0x2D {
            bytes.append((c >= 0x61 && c <= 0x7A) ? c - 32 : c)
        }
        return key(forBody: bytes)
    }
}
