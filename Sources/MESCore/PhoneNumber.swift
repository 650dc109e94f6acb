/// French mobile numbers: as people write them (`grouped`), and in the international form SMS
/// gateways take (`e164`).
public enum PhoneNumber {
    /// `06 63 78 13 77`, `+33 6 63…`, `0033 6…` → `+33663781377`; other `+…` numbers kept with
    /// their digits only; nil when it is no phone number.
    public static func e164(_ text: String) -> String? {
        let plus = text.trimmingSpaces.hasPrefix("+")
        let digits = text.filter { $0.isASCII && $0.isNumber }
        if plus { return (8...15).contains(digits.count) ? "+" + digits : nil }
        if digits.hasPrefix("00") { return (10...17).contains(digits.count) ? "+" + digits.dropFirst(2) : nil }
        if digits.count == 10, digits.hasPrefix("0") { return "+33" + digits.dropFirst() }
        return nil
    }

    /// `0611121314`, `06.11.12.13.14` or `+33611121314` → `06 11 12 13 14`; anything that is
    /// not a French 10-digit number is given back as it is.
    public static func grouped(_ number: String) -> String {
        var digits = number.filter { $0.isASCII && $0.isNumber }
        if number.trimmingSpaces.hasPrefix("+33") && digits.count == 11 { digits = "0" + digits.dropFirst(2) }
        guard digits.count == 10, digits.first == "0", number.allSatisfy({ $0.isASCII && ($0.isNumber || " .-+".contains($0)) }) else {
            return number
        }
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && i % 2 == 0 { out += " " }
            out.append(d)
        }
        return out
    }
}
