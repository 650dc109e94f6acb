/// An opposition receipt ("justificatif d'opposition"): the fields the page shows and the
/// verification code that binds them to the store that issued it.
public struct OppositionReceipt: Sendable, Equatable {
    /// Random identifier, e.g. `JO-7K2M9QXD4T`.
    public let id: String
    public let nir: NIR
    /// "LEGUELLEC Martine Julie" (Nom de l'assuré).
    public let name: String
    /// "Martine Julie Leguellec" (Bonjour …,).
    public let greeting: String
    /// The day the opposition was taken into account (Paris time).
    public let decidedOn: CalendarDate
    /// When this copy was issued.
    public let issuedAt: Instant
    /// Short keyed code printed on the page: `ABCD-EFGH-JKMN`.
    public let verification: String
    /// 1 for the receipt given at opposition time; 2… for re-issued duplicates.
    public let copy: Int

    public init(id: String, nir: NIR, name: String, greeting: String, decidedOn: CalendarDate, issuedAt: Instant,
                verification: String, copy: Int) {
        self.id = id
        self.nir = nir
        self.name = name
        self.greeting = greeting
        self.decidedOn = decidedOn
        self.issuedAt = issuedAt
        self.verification = verification
        self.copy = copy
    }

    public var isDuplicate: Bool { copy > 1 }

    /// The canonical text the verification code is computed over.
    public static func canonical(id: String, nir: String, name: String, greeting: String, decidedOn: String) -> String {
        ["mes-receipt-v1", id, nir, name, greeting, decidedOn].joined(separator: "\n")
    }

    public static let title = "Votre justificatif d'opposition"
    public static let changeOfMind = "Vous pouvez revenir à tout moment sur votre décision en vous connectant sur monespacesante.fr."
    public static let closing = ["Avec toute mon attention,", "Votre conseiller Mon espace santé"]

    /// "Votre demande d'opposition … a bien été prise en compte le JJ/MM/AAAA."
    public static func sentence2(on date: String) -> String {
        "Votre demande d'opposition à la création de Mon espace santé a bien été prise en compte le \(date)."
    }

    /// The sentences of the page, in order (shared by the PDF and text renderers).
    public var sentences: [String] {
        [Self.title, "Bonjour \(greeting),", Self.sentence2(on: decidedOn.french), Self.changeOfMind] + Self.closing
    }
}

/// Crockford base32 (no I, L, O, U), for short codes people can read aloud.
public enum Base32 {
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    public static func encode(_ bytes: [UInt8], count: Int) -> String {
        var out = [UInt8]()
        var buffer = 0, bits = 0
        for b in bytes {
            buffer = (buffer << 8) | Int(b)
            bits += 8
            while bits >= 5 && out.count < count {
                out.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
            buffer &= (1 << bits) - 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
