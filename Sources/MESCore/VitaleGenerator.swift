/// Why a generated Carte Vitale serial is invalid. The raw value is the stable `reason` of
/// `mes vitale generate --invalid`.
public enum VitaleReason: String, CaseIterable, Sendable {
    /// A character other than a digit (a letter or a sign where a digit belongs).
    case digits
    /// The wrong number of digits for the card model (photo: 11; plain: 8 to 13).
    case length

    /// The error `vitale check` gives for it on this card model.
    public func code(card: CardType) -> ErrorCode {
        switch self {
        case .digits: return .serialDigits
        case .length: return card == .photo ? .serialPhotoLength : .serialPlainLength
        }
    }
}

/// One generated serial: valid for its card model, or invalid for one reason.
public struct GeneratedSerial: Sendable, Equatable {
    public let card: CardType
    /// The digits a person types (photo cards: the 11 after the printed prefix).
    public let text: String
    /// nil when valid.
    public let reason: VitaleReason?
}

/// Makes Carte Vitale serials (and labelled invalid ones) reproducibly from a seed.
public struct VitaleGenerator {
    public private(set) var rng: SeededGenerator

    public init(seed: UInt64) { rng = SeededGenerator(seed: seed) }

    /// A valid serial: 11 digits for a photo card, 8 to 13 for a plain one.
    public static func serial(_ card: CardType, using rng: inout SeededGenerator) -> String {
        let n = card == .photo ? 11 : Int.random(in: 8...13, using: &rng)
        return digits(n, using: &rng)
    }

    static func digits(_ n: Int, using rng: inout SeededGenerator) -> String {
        String((0..<n).map { _ in Character(String(Int.random(in: 0...9, using: &rng))) })
    }

    public mutating func valid(_ card: CardType) -> GeneratedSerial {
        GeneratedSerial(card: card, text: Self.serial(card, using: &rng), reason: nil)
    }

    /// An invalid serial failing for one reason (chosen at random when nil).
    public mutating func invalid(_ card: CardType, _ wanted: VitaleReason? = nil) -> GeneratedSerial {
        let reason = wanted ?? VitaleReason.allCases[Int.random(in: 0..<VitaleReason.allCases.count, using: &rng)]
        switch reason {
        case .digits:
            var s = Array(Self.serial(card, using: &rng))
            let signs = Array("AOXlo-/*#")
            s[Int.random(in: 0..<s.count, using: &rng)] = signs[Int.random(in: 0..<signs.count, using: &rng)]
            return GeneratedSerial(card: card, text: String(s), reason: .digits)
        case .length:
            let lengths = card == .photo ? [9, 10, 12, 13] : [5, 6, 7, 14, 15]
            return GeneratedSerial(card: card, text: Self.digits(lengths[Int.random(in: 0..<lengths.count, using: &rng)], using: &rng),
                                   reason: .length)
        }
    }
}
