/// What a receipt proves: an opposition (`JO-…`) or a closure (`JC-…`). The kind is the
/// reference's prefix, so the verification code and the signature, which cover the reference,
/// bind it too.
public enum ReceiptKind: String, Sendable, CaseIterable {
    case opposition, closure

    /// The reference's prefix.
    public var prefix: String {
        switch self {
        case .opposition: return "JO-"
        case .closure: return "JC-"
        }
    }

    /// The kind a reference names (an unknown prefix reads as an opposition, the older kind).
    public init(reference: String) {
        self = reference.hasPrefix(ReceiptKind.closure.prefix) ? .closure : .opposition
    }

    public var title: String {
        switch self {
        case .opposition: return "Votre justificatif d'opposition"
        case .closure: return "Votre justificatif de clôture"
        }
    }

    /// The document's subject (PDF metadata and signature reason).
    public var subject: String {
        switch self {
        case .opposition: return "Justificatif d'opposition à la création de Mon espace santé"
        case .closure: return "Justificatif de clôture de Mon espace santé"
        }
    }

    /// "Votre demande … a bien été prise en compte le JJ/MM/AAAA."
    public func sentence2(on date: String) -> String {
        switch self {
        case .opposition: return "Votre demande d'opposition à la création de Mon espace santé a bien été prise en compte le \(date)."
        case .closure: return "Votre demande de clôture de Mon espace santé a bien été prise en compte le \(date)."
        }
    }

    /// What the person can do next.
    public var sentence3: String {
        switch self {
        case .opposition: return "Vous pouvez revenir à tout moment sur votre décision en vous connectant sur monespacesante.fr."
        case .closure: return "Vous pourrez à tout moment changer d'avis et activer de nouveau Mon espace santé sur monespacesante.fr."
        }
    }
}

/// A receipt ("justificatif d'opposition", or "de clôture" for a closure): the fields the page
/// shows and the verification code that binds them to the store that issued it.
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

    /// What the receipt proves (its reference's prefix).
    public var kind: ReceiptKind { ReceiptKind(reference: id) }

    /// The receipt as first given (copy 1), for a record read back with its count of copies.
    public var original: OppositionReceipt {
        OppositionReceipt(id: id, nir: nir, name: name, greeting: greeting, decidedOn: decidedOn, issuedAt: issuedAt,
                          verification: verification, copy: 1)
    }

    /// The file name of the receipt in a batch's folder: its reference and the first word of
    /// the register name (the last name) in upper-case ASCII letters, digits and dashes; never
    /// the NIR. `JO-…_ASSURE.pdf` when nothing is left of the name.
    public var batchFileName: String {
        var last: [UInt8] = []
        for b in name.utf8 {
            if b == 0x20 { break }
            if b >= 0x80 { last = []; break }  // not ASCII: the general rule below
            last.append(b)
        }
        var safe: [UInt8] = []
        if !last.isEmpty {
            for b in last {
                switch b {
                case 0x61...0x7A: safe.append(b - 0x20)
                case 0x41...0x5A, 0x30...0x39, 0x2D: safe.append(b)
                default: continue
                }
            }
        } else {
            let word = name.split(separator: " ").first.map(String.init) ?? ""
            safe = Array(Names.ascii(word).uppercased().filter { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" }.utf8)
        }
        return id + "_" + (safe.isEmpty ? "ASSURE" : String(decoding: safe, as: UTF8.self)) + ".pdf"
    }

    /// The canonical text the verification code is computed over.
    public static func canonical(id: String, nir: String, name: String, greeting: String, decidedOn: String) -> String {
        var text = "mes-receipt-v1"
        text.reserveCapacity(20 + id.utf8.count + nir.utf8.count + name.utf8.count + greeting.utf8.count + decidedOn.utf8.count)
        for part in [id, nir, name, greeting, decidedOn] {
            text += "\n"
            text += part
        }
        return text
    }

    public static let closing = ["Avec toute mon attention,", "Votre conseiller Mon espace santé"]

    /// The sentences of the page, in order (shared by the PDF and text renderers).
    public var sentences: [String] {
        [kind.title, "Bonjour \(greeting),", kind.sentence2(on: decidedOn.french), kind.sentence3] + Self.closing
    }
}

/// Crockford base32 (no I, L, O, U), for short codes people can read aloud.
public enum Base32 {
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    public static func encode(_ bytes: [UInt8], count: Int) -> String {
        String(decoding: encodeBytes(bytes, count: count), as: UTF8.self)
    }

    /// The first `count` characters of the encoding, as ASCII bytes.
    public static func encodeBytes(_ bytes: [UInt8], count: Int) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(count)
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
        return out
    }
}
