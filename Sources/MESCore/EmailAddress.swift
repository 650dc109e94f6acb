/// What an e-mail address must be for `mes` to take it: an RFC 5321 mailbox that any SMTP
/// server accepts as it stands — a dot-string local part of at most 64 octets, `@`, and a
/// domain name of letters, digits and hyphens (at least two labels of 1 to 63, 253 octets at
/// most). Refused, each with its French reason: quoted local parts, address literals
/// (`h@[127.0.0.1]`), and anything outside ASCII (`i@éxample.fr`: the domain must be written in
/// its `xn--` form, since `mes` sends without SMTPUTF8).
public enum EmailAddress {
    /// Why an address is refused (nil: it is a mailbox).
    public static func problem(_ s: String) -> String? {
        var s = s
        return s.withUTF8 { problem(bytes: $0) }
    }

    /// `problem` on the bytes of a valid UTF-8 string.
    public static func problem(bytes b: UnsafeBufferPointer<UInt8>) -> String? {
        guard let at = b.firstIndex(of: 0x40) else { return "adresse e-mail invalide : @ manquant" }
        if b[(at + 1)...].contains(0x40) { return "adresse e-mail invalide : un seul @ attendu" }
        if b.contains(where: { $0 >= 0x80 }) {
            return "adresse e-mail invalide : caractères non ASCII (écrivez le domaine sous sa forme xn--…)"
        }
        guard b.count <= 254 else { return "adresse e-mail invalide : 254 caractères au plus" }
        let local = b[..<at], domain = b[(at + 1)...]
        guard !local.isEmpty, local.count <= 64 else { return "adresse e-mail invalide : partie avant @ vide ou trop longue (64 caractères au plus)" }
        var previous: UInt8 = 0x2E
        for c in local {
            if c == 0x2E {
                if previous == 0x2E { return "adresse e-mail invalide : point en début, en fin ou doublé avant @" }
            } else if !isAtext(c) {
                return "adresse e-mail invalide : caractère « \(Character(Unicode.Scalar(c))) » non autorisé avant @"
            }
            previous = c
        }
        if previous == 0x2E { return "adresse e-mail invalide : point en début, en fin ou doublé avant @" }
        if domain.first == 0x5B { return "adresse e-mail invalide : adresse IP entre crochets refusée, indiquez un nom de domaine" }
        guard !domain.isEmpty, domain.count <= 253 else { return "adresse e-mail invalide : domaine vide ou trop long" }
        var labels = 0, length = 0, first: UInt8 = 0, last: UInt8 = 0, allDigits = true
        func closeLabel() -> Bool {
            defer { labels += 1 }
            return length >= 1 && length <= 63 && first != 0x2D && last != 0x2D
        }
        for c in domain {
            if c == 0x2E {
                guard closeLabel() else { return "adresse e-mail invalide : domaine mal formé" }
                length = 0; allDigits = true
                continue
            }
            guard isLetterOrDigit(c) || c == 0x2D else {
                return "adresse e-mail invalide : caractère « \(Character(Unicode.Scalar(c))) » non autorisé dans le domaine"
            }
            if length == 0 { first = c }
            last = c
            length += 1
            if !(c >= 0x30 && c <= 0x39) { allDigits = false }
        }
        guard closeLabel(), labels >= 2, !allDigits else { return "adresse e-mail invalide : domaine mal formé" }
        return nil
    }

    /// Whether `s` is a mailbox `mes` takes.
    public static func isValid(_ s: String) -> Bool { problem(s) == nil }

    @inline(__always)
    static func isLetterOrDigit(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39)
    }

    /// RFC 5322 atext.
    @inline(__always)
    static func isAtext(_ c: UInt8) -> Bool {
        if isLetterOrDigit(c) { return true }
        switch c {
        case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2F, 0x3D, 0x3F, 0x5E, 0x5F, 0x60, 0x7B, 0x7C, 0x7D, 0x7E: return true
        default: return false
        }
    }
}
