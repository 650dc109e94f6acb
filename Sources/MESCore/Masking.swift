/// How the service shows contact details and identifiers it must not reveal.
public enum Masking {
    /// `dlfr-cn5-tma-support-cobra@atos.net` → `dlf*****@atos.net`.
    public static func email(_ address: String) -> String {
        guard let at = address.firstIndex(of: "@") else { return "*****" }
        let local = address[..<at]
        return String(local.prefix(min(3, max(0, local.count - 1)))) + "*****" + address[at...]
    }

    /// `06 63 78 13 77` → `** ** ** *3 77` (the last three digits stay visible).
    public static func mobile(_ number: String) -> String {
        let digits = number.filter(\.isNumber)
        guard digits.count >= 3 else { return "** ** ** ** **" }
        let tail = Array(digits.suffix(3))
        return "** ** ** *\(tail[0]) \(tail[1])\(tail[2])"
    }

    /// How delivery logs and errors show a recipient, e-mail or E.164 number:
    /// `marie@example.fr` → `ma***@example.fr`, `+33612345678` → `+336******78` (first four and
    /// last two characters), anything of six characters or fewer → `***`. Shorter than `email`
    /// and `mobile`, which are what people are shown; this one only has to tell log lines apart.
    public static func recipient(_ s: String) -> String {
        if let at = s.firstIndex(of: "@") {
            return String(s[..<at].prefix(2)) + "***" + s[at...]
        }
        if s.count > 6 { return String(s.prefix(4)) + String(repeating: "*", count: s.count - 6) + String(s.suffix(2)) }
        return "***"
    }

    /// `1 16 30 44 038 016 18` → `1 16 30 ** *** *** **` (sex, year and month only).
    public static func nir(_ nir: NIR) -> String {
        let f = nir.formatted
        return String(f.prefix(7)) + " ** *** *** **"
    }
}
