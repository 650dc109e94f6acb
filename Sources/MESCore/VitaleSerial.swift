/// The two Carte Vitale models: with photo (serial top right) or without (serial on the back).
public enum CardType: String, CaseIterable, Sendable, Codable {
    case photo, plain

    /// Accepts `photo`/`plain` and the French labels `avec photo`/`sans photo`.
    public init?(flexible text: String) {
        switch text {
        case "photo", "avec photo": self = .photo; return
        case "plain", "sans photo": self = .plain; return
        default: break
        }
        let t = text.lowercased().split(whereSeparator: { $0 == " " || $0 == "_" || $0 == "-" }).joined(separator: " ")
        switch t {
        case "photo", "avec photo", "carte vitale avec photo", "avec": self = .photo
        case "plain", "sans photo", "carte vitale sans photo", "sans": self = .plain
        default: return nil
        }
    }

    /// How the service names it.
    public var label: String { self == .photo ? "Carte Vitale avec photo" : "Carte Vitale sans photo" }
}

/// A Carte Vitale serial number as the person types it. No check digit exists:
/// the match with the person is checked against the insurer's register.
public struct VitaleSerial: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The fixed prefix printed before the 11 digits a photo card's holder types.
    public static let photoPrefix = "8025000002"

    public let card: CardType
    /// Digits only.
    public let digits: String

    public var description: String { digits }

    /// Parses a serial: spaces are ignored; digits only; 11 digits (photo) or 8 to 13 (plain).
    public static func parse(_ text: String, card: CardType) -> Result<VitaleSerial, MESError> {
        checked(text, card: card).mapError { $0.helped(Messages.serialHelp(card)) }
    }

    private static func checked(_ text: String, card: CardType) -> Result<VitaleSerial, MESError> {
        let compact = text.utf8.contains(0x20) || text.utf8.contains(0xC2) ? text.filter { $0 != " " && $0 != "\u{A0}" } : text
        if compact.isEmpty {
            return .failure(.invalid(.serialRequired, Messages.fieldRequired, field: "serial"))
        }
        guard compact.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            return .failure(.invalid(.serialDigits, Messages.serialDigits, field: "serial"))
        }
        switch card {
        case .photo where compact.utf8.count != 11:
            return .failure(.invalid(.serialPhotoLength, Messages.serialPhotoLength, field: "serial"))
        case .plain where !(8...13).contains(compact.utf8.count):
            return .failure(.invalid(.serialPlainLength, Messages.serialPlainLength, field: "serial"))
        default:
            return .success(VitaleSerial(card: card, digits: compact))
        }
    }

    /// The serial as printed on the card (photo cards carry the fixed prefix).
    public var printed: String { card == .photo ? Self.photoPrefix + digits : digits }
}
