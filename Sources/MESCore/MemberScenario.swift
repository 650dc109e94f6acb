/// What one row of the fixtures' members file exercises in `mes batch oppose`: the member's
/// live code (the state machine then decides: opposed, already_opposed, refused), a code the
/// store holds in another state, a wrong identity, or one field broken for one reason.
///
/// One row in `period` is an exercise row, cycling through `exercised` in order, so that a
/// file of `period × exercised.count` rows or more holds every one of them; a family (at most
/// 8 rows) never holds two.
public enum MemberScenario: String, CaseIterable, Sendable {
    case live
    // identity_mismatch
    case wrongCode, wrongBirthDate, wrongSerial
    // the code's state
    case expiredCode, usedCode, supersededCode
    /// Five wrong codes on the card before the batch: its live codes are locked (every row of the family).
    case lockedCard
    // invalid: one field broken
    case nirMissing, nirLength, nirCharacter, nirMonth, nirKey, birthDateInvalid, birthDateFuture, cardTypeInvalid,
         serialDigits, serialPhotoLength, serialPlainLength, codeMissing, codeLength, codeCharacter, nameInvalid, extraField
    /// A quote in the middle of the last name, written as typed (not quoted): the CSV row is malformed.
    case strayQuote

    public static let exercised = allCases.filter { $0 != .live }
    public static let period = 16

    /// The scenario of row `index` (0-based, in file order).
    public static func forRow(_ index: Int) -> MemberScenario {
        index % period == 5 ? exercised[(index / period) % exercised.count] : .live
    }

    /// The error of an invalid row (status `invalid`), nil for the others.
    public var invalidReason: ErrorCode? {
        switch self {
        case .live, .wrongCode, .wrongBirthDate, .wrongSerial, .expiredCode, .usedCode, .supersededCode, .lockedCard: return nil
        case .nirMissing: return .fieldRequired
        case .nirLength, .nirCharacter, .nirMonth, .nirKey: return nirReason!.code
        case .birthDateInvalid: return .birthDateInvalid
        case .birthDateFuture: return .birthDateFuture
        case .cardTypeInvalid: return .cardTypeInvalid
        case .serialDigits: return .serialDigits
        case .serialPhotoLength: return .serialPhotoLength
        case .serialPlainLength: return .serialPlainLength
        case .codeMissing: return .codeRequired
        case .codeLength: return .codeLength
        case .codeCharacter: return .codeCharacter
        case .nameInvalid: return .nameInvalid
        case .extraField: return .csvExtraField
        case .strayQuote: return .csvMalformedRow
        }
    }

    /// The cells of a members row as a member gives them (NIR grouped, birth date JJ/MM/AAAA,
    /// card in French), with this scenario's change. `code` is the code on the row; `today`
    /// dates a birth in the future; `row` (the row's index in the file) picks how a broken NIR
    /// is broken (`brokenNIR`).
    public func cells(_ p: Person, code: String, today: CalendarDate, row: Int = 0) -> [String] {
        var nir = p.nir.formatted
        var birth = p.birthDate.french
        var card = p.card == .photo ? "avec photo" : "sans photo"
        var serial = p.serial
        var code = code
        var last = p.lastName
        switch self {
        case .live, .wrongCode, .expiredCode, .usedCode, .supersededCode, .lockedCard: break
        case .wrongBirthDate: birth = CalendarDate(daysSinceEpoch: p.birthDate.daysSinceEpoch - 1).french
        case .wrongSerial: serial = String(serial.dropLast()) + (serial.last == "9" ? "0" : "9")
        case .nirMissing: nir = ""
        case .nirLength, .nirCharacter, .nirMonth, .nirKey: nir = brokenNIR(p.nir, row: row)!
        case .birthDateInvalid: birth = "31/02/" + String(p.birthDate.year)
        case .birthDateFuture: birth = CalendarDate(daysSinceEpoch: today.daysSinceEpoch + 30).french
        case .cardTypeInvalid: card = "carte grise"
        case .serialDigits: serial = String(serial.dropLast()) + "O"
        // One digit too many: one too few would be a lost leading zero (`export_leading_zero_lost`).
        case .serialPhotoLength: (card, serial) = ("avec photo", String(repeating: "7", count: 12))
        case .serialPlainLength: (card, serial) = ("sans photo", String(repeating: "7", count: 14))
        case .codeMissing: code = ""
        case .codeLength: code = String(code.dropLast())
        case .codeCharacter: code = String(code.dropLast()) + "!"
        case .nameInvalid: last = String(repeating: last, count: 101 / max(1, last.count) + 1)
        case .extraField: break
        case .strayQuote: last = String(last.prefix(1)) + "\"" + last.dropFirst()
        }
        return [nir, birth, card, serial, code, last, p.firstName]
    }

    /// The NIR reason a scenario breaks the member's NIR for, nil for the others.
    public var nirReason: NIRReason? {
        switch self {
        case .nirLength: return .length
        case .nirCharacter: return .character
        case .nirMonth: return .month
        case .nirKey: return .key
        default: return nil
        }
    }

    /// The member's NIR broken for this scenario's reason (`NIRGenerator.broken`, one time in two
    /// written as people type it), drawn from `row`: every way of `nir generate --invalid` but the
    /// few a spreadsheet's export would have made (`ExportTrap.nirError`: `1841275123456E8` reads
    /// as a number), which the batch reports as such. Nil for the other scenarios.
    public func brokenNIR(_ nir: NIR, row: Int) -> String? {
        guard let reason = nirReason else { return nil }
        var gen = NIRGenerator(seed: UInt64(row))
        while true {
            var text = gen.broken(nir.compact, reason).text
            if gen.heads() { text = gen.typed(text) }
            if ExportTrap.nirError(text) == nil { return text }
        }
    }
}
