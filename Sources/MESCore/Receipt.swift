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

    /// "Votre demande … a bien été prise en compte le JJ/MM/AAAA."; for a minor (`child`: the
    /// name), "… Mon espace santé pour votre enfant Paul-Antoine Dupont a bien été…".
    public func sentence2(on date: String, child: String? = nil) -> String {
        let about = child.map { " " + Messages.forYourChild($0) } ?? ""
        switch self {
        case .opposition: return "Votre demande d'opposition à la création de Mon espace santé\(about) a bien été prise en compte le \(date)."
        case .closure: return "Votre demande de clôture de Mon espace santé\(about) a bien été prise en compte le \(date)."
        }
    }

    /// The first words of `sentence2(on:child:)` before the child's name.
    public var sentence2ChildPrefix: String {
        String(sentence2(on: "", child: "").dropLast(" a bien été prise en compte le .".count))
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
    /// "Martine Julie Leguellec" (Bonjour …,); for a minor, the child named in sentence 2.
    public let greeting: String
    /// The day the opposition was taken into account (Paris time).
    public let decidedOn: CalendarDate
    /// When this copy was issued.
    public let issuedAt: Instant
    /// Short keyed code printed on the page: `ABCD-EFGH-JKMN`.
    public let verification: String
    /// 1 for the receipt given at opposition time; 2… for re-issued duplicates.
    public let copy: Int
    /// The person was a minor on the day of the decision: the page speaks to the legal
    /// representative ("Bonjour," … "pour votre enfant …"), not to the child.
    public let forMinor: Bool
    /// The association that filed the decision (`batch oppose --association`), named on the
    /// page ("à la demande de l'association « … »"); nil when the person (or an adviser) did.
    public let association: String?

    public init(id: String, nir: NIR, name: String, greeting: String, decidedOn: CalendarDate, issuedAt: Instant,
                verification: String, copy: Int, forMinor: Bool = false, association: String? = nil) {
        self.id = id
        self.nir = nir
        self.name = name
        self.greeting = greeting
        self.decidedOn = decidedOn
        self.issuedAt = issuedAt
        self.verification = verification
        self.copy = copy
        self.forMinor = forMinor
        self.association = association
    }

    /// Whether the page says more than the first receipts did (a minor, an association): its
    /// verification code covers that too (`canonical`), and its layout is not the fixed one.
    public var isAddressed: Bool { forMinor || association != nil }

    /// The same receipt as copy `copy`, issued at `issuedAt`.
    public func copy(_ copy: Int, issuedAt: Instant) -> OppositionReceipt {
        OppositionReceipt(id: id, nir: nir, name: name, greeting: greeting, decidedOn: decidedOn, issuedAt: issuedAt,
                          verification: verification, copy: copy, forMinor: forMinor, association: association)
    }

    public var isDuplicate: Bool { copy > 1 }

    /// What the receipt proves (its reference's prefix).
    public var kind: ReceiptKind { ReceiptKind(reference: id) }

    /// The receipt as first given (copy 1), for a record read back with its count of copies.
    public var original: OppositionReceipt { copy(1, issuedAt: issuedAt) }

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

    /// The canonical text the verification code is computed over: `mes-receipt-v1` and the
    /// fields, or for a receipt about a minor or filed by an association, `mes-receipt-v2`, the
    /// same fields, then who the page speaks to and who asked (receipts of the first kind keep
    /// their codes).
    public static func canonical(id: String, nir: String, name: String, greeting: String, decidedOn: String,
                                 forMinor: Bool = false, association: String? = nil) -> String {
        let addressed = forMinor || association != nil
        var text = addressed ? "mes-receipt-v2" : "mes-receipt-v1"
        text.reserveCapacity(40 + id.utf8.count + nir.utf8.count + name.utf8.count + greeting.utf8.count + decidedOn.utf8.count
                             + (association?.utf8.count ?? 0))
        var parts = [id, nir, name, greeting, decidedOn]
        if addressed { parts += [forMinor ? "minor" : "adult", association.map { "association " + $0 } ?? "no association"] }
        for part in parts {
            text += "\n"
            text += part
        }
        return text
    }

    public static let closing = ["Avec toute mon attention,", "Votre conseiller Mon espace santé"]

    /// "Bonjour Martine Julie Leguellec,", or "Bonjour," to a minor's legal representative.
    public var salutation: String { forMinor ? Self.plainSalutation : "Bonjour \(greeting)," }
    public static let plainSalutation = "Bonjour,"
    /// Sentence 2: what was taken into account, when (and for which child).
    public var acknowledgement: String { kind.sentence2(on: decidedOn.french, child: forMinor ? greeting : nil) }
    /// "Elle a été enregistrée à la demande de l'association « … »." (nil: no association).
    public var filedBy: String? { association.map(Self.filedBy(association:)) }
    public static func filedBy(association name: String) -> String { filedByStart + Messages.atTheRequestOf(association: name) + "." }
    /// The words `filedBy` starts with.
    public static let filedByStart = "Elle a été enregistrée "

    /// The association a `filedBy` sentence names, or nil when `sentence` is not one.
    public static func association(filedBy sentence: String) -> String? {
        if sentence == filedBy(association: ActorName.unnamedAssociation) { return ActorName.unnamedAssociation }
        let parts = filedBy(association: "\u{0}").split(separator: "\u{0}")
        let (prefix, suffix) = (String(parts[0]), String(parts[1]))
        guard sentence.count >= prefix.count + suffix.count, sentence.hasPrefix(prefix), sentence.hasSuffix(suffix) else { return nil }
        return String(sentence.dropFirst(prefix.count).dropLast(suffix.count))
    }

    /// The sentences of the page, in order (shared by the PDF, text and e-mail renderers): the
    /// title, the salutation, the acknowledgement, who asked (when an association did), what
    /// comes next, the closing.
    public var sentences: [String] {
        [kind.title, salutation, acknowledgement] + (filedBy.map { [$0] } ?? []) + [kind.sentence3] + Self.closing
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
