/// What a spreadsheet does to a members file or a roster when it saves it as CSV, each named
/// with its cause and its fix: the one place that lists them. Each is a row's `reason` of its
/// own (an `ErrorCode`), so that a run can count each kind once ("300 lignes ont des années sur
/// deux chiffres") and the volunteer fixes the export, not the rows.
///
/// Every trap is refused when the row is read, before anything else is done with it: a serial
/// that lost its leading zero never reaches identification, so it uses up no attempt. A
/// message describes the cell's shape, never the member's data (the NIR is never in it); only
/// a day number is read back, to give the date it stands for.
public enum ExportTrap: String, CaseIterable, Sendable {
    /// `2,01126E+14`: the column was a number, shown in scientific notation; the digits are lost.
    case scientificNotation
    /// `150109612345640.0`: the column was a number with decimals.
    case decimalSuffix
    /// A serial one digit short whose `0`-prefixed form is a valid serial for its card: the
    /// column was a number, and the leading zero went. (A NIR cannot lose one: none starts with 0.)
    case leadingZeroLost
    /// `25/12/01`: a date column exported with two-digit years.
    case twoDigitYear
    /// `44595`: a date column exported as the spreadsheet's day number (03/02/2022).
    case dayNumber
    /// Characters that could not be decoded (`TextTranscoder`: mixed encodings, bytes invalid in
    /// the file's encoding), or a U+FFFD an earlier conversion left.
    case encodingInvalid

    /// Its stable code (the row's `reason`).
    public var code: ErrorCode {
        switch self {
        case .scientificNotation: return .exportScientificNotation
        case .decimalSuffix: return .exportDecimalSuffix
        case .leadingZeroLost: return .exportLeadingZeroLost
        case .twoDigitYear: return .exportTwoDigitYear
        case .dayNumber: return .exportDayNumber
        case .encodingInvalid: return .encodingInvalid
        }
    }

    /// The trap a code names, nil for any other code.
    public init?(code: ErrorCode) {
        guard let trap = Self.allCases.first(where: { $0.code == code }) else { return nil }
        self = trap
    }

    /// What happened to one row, and to several (French, after "1 ligne a" / "300 lignes ont").
    public var happened: (one: String, many: String) {
        switch self {
        case .scientificNotation: return ("un nombre en notation scientifique (1,23457E+14), dont des chiffres sont perdus",
                                          "des nombres en notation scientifique (1,23457E+14), dont des chiffres sont perdus")
        case .decimalSuffix: return ("un numéro devenu un nombre à décimales (« ,0 » ou « .0 » à la fin)",
                                     "des numéros devenus des nombres à décimales (« ,0 » ou « .0 » à la fin)")
        case .leadingZeroLost: return ("un numéro de série auquel manque le zéro initial", "des numéros de série auxquels manque le zéro initial")
        case .twoDigitYear: return ("une date dont l'année n'a que deux chiffres", "des dates dont l'année n'a que deux chiffres")
        case .dayNumber: return ("une date écrite comme un numéro de jour du tableur (44595 pour le 03/02/2022)",
                                 "des dates écrites comme des numéros de jour du tableur (44595 pour le 03/02/2022)")
        case .encodingInvalid: return ("des caractères illisibles (encodages mélangés ou octets invalides)",
                                       "des caractères illisibles (encodages mélangés ou octets invalides)")
        }
    }

    /// The fix, in French: what to change in the spreadsheet or its export.
    public var fix: String {
        switch self {
        case .scientificNotation:
            return "formatez la colonne en texte avant d'exporter (ou passez directement le classeur .xlsx ou .ods, qui garde tous les chiffres)"
        case .decimalSuffix:
            return "formatez la colonne en texte avant d'exporter (ou passez directement le classeur .xlsx ou .ods)"
        case .leadingZeroLost:
            return "formatez la colonne en texte, rétablissez le 0 initial des numéros, puis exportez (un numéro saisi comme nombre perd son 0)"
        case .twoDigitYear:
            return "les dates doivent avoir une année sur quatre chiffres : formatez la colonne en date JJ/MM/AAAA (ou en texte) avant d'exporter"
        case .dayNumber:
            return "formatez la colonne en date JJ/MM/AAAA (ou en texte) avant d'exporter"
        case .encodingInvalid:
            return "enregistrez le fichier en UTF-8 (« CSV UTF-8 » dans Excel, jeu de caractères « Unicode (UTF-8) » dans LibreOffice) et vérifiez les lignes concernées"
        }
    }

    /// `fix` as a sentence of its own (capital letter, full stop).
    public var fixSentence: String { fix.prefix(1).uppercased() + fix.dropFirst() + "." }

    /// The line a run's summary gives a trap: "Export du tableur : 300 lignes ont des années
    /// sur deux chiffres (colonne birth_date) : …" with the fix. Nil for a code that is no trap.
    public static func summaryLine(code: ErrorCode, rows: Int, column: String) -> String? {
        ExportTrap(code: code)?.summaryLine(rows: rows, column: column)
    }

    /// `summaryLine(code:rows:column:)` of this trap. French plurals: "1 ligne a", "2 lignes ont"
    /// (0 and 1 in the singular).
    public func summaryLine(rows: Int, column: String) -> String {
        let what = rows > 1 ? "\(rows) lignes ont \(happened.many)" : "\(rows) ligne a \(happened.one)"
        return "Export du tableur : \(what) (colonne \(column)) : \(fix)."
    }

    /// The row's error for the column `field` (its canonical name): what happened to the
    /// cell (`detail`, else `happened.one`), then the fix.
    func error(field: String, detail: String? = nil) -> MESError {
        let what = detail ?? happened.one
        let message = what.prefix(1).uppercased() + what.dropFirst() + ". " + fixSentence
        return .invalid(code, message, field: field)
    }

    // MARK: - Recognising them (on a cell that failed its own validation)

    /// A NIR or serial cell the spreadsheet wrote as a number: `scientificNotation` or `decimalSuffix`.
    public static func numberCell(_ text: String) -> ExportTrap? {
        let b = Array(text.utf8.filter { $0 != 0x20 })
        var i = 0
        func digits() -> Int {
            let from = i
            while i < b.count && b[i] >= 0x30 && b[i] <= 0x39 { i += 1 }
            return i - from
        }
        if i < b.count && (b[i] == 0x2B || b[i] == 0x2D) { i += 1 }
        guard digits() > 0 else { return nil }
        if i < b.count && (b[i] == 0x2C || b[i] == 0x2E) {
            i += 1
            let fractionStart = i
            let fraction = digits()
            if i == b.count { return fraction > 0 && b[fractionStart..<i].allSatisfy { $0 == 0x30 } ? .decimalSuffix : nil }
        }
        guard i < b.count, b[i] == 0x45 || b[i] == 0x65 else { return nil }
        i += 1
        if i < b.count && (b[i] == 0x2B || b[i] == 0x2D) { i += 1 }
        guard digits() > 0, i == b.count else { return nil }
        return .scientificNotation
    }

    /// A serial cell refused for `card`: a number (`numberCell`) or a lost leading zero.
    public static func serialCell(_ text: String, card: CardType) -> ExportTrap? {
        if let t = numberCell(text) { return t }
        let compact = text.filter { $0 != " " && $0 != "\u{A0}" }
        guard !compact.isEmpty, compact.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        if case .success = VitaleSerial.parse("0" + compact, card: card) { return .leadingZeroLost }
        return nil
    }

    /// A birth date cell that did not read as a date: two-digit years (`25/12/01`, `1-2-85`,
    /// `25.12.01`), or a day number of the 1900 date system from 10000 (18/05/1927) to today's,
    /// with the date it stands for.
    public static func dateCell(_ text: String, today: CalendarDate) -> (trap: ExportTrap, date: CalendarDate?)? {
        let b = Array(text.trimmingSpaces.utf8)
        guard !b.isEmpty else { return nil }
        if b.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            guard b.count == 5, let n = Int(String(decoding: b, as: UTF8.self)), n >= 10_000 else { return nil }
            let date = dayNumberDate(n)
            return date <= today ? (.dayNumber, date) : nil
        }
        // d{1,2} sep d{1,2} sep d{2}, one separator throughout.
        let parts = b.split(separator: b.first { $0 == 0x2F || $0 == 0x2D || $0 == 0x2E } ?? 0x2F, omittingEmptySubsequences: false)
        guard parts.count == 3,
              parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }),
              (1...2).contains(parts[0].count), (1...2).contains(parts[1].count), parts[2].count == 2 else { return nil }
        return (.twoDigitYear, nil)
    }

    /// The date of day number `n` in the 1900 date system (Excel, LibreOffice's default): day 1
    /// is 01/01/1900 and day 60 the 29/02/1900 that never was, so from day 61 on it is
    /// 30/12/1899 plus `n` days.
    public static func dayNumberDate(_ n: Int) -> CalendarDate {
        CalendarDate(daysSinceEpoch: n - 25_569)
    }

    /// The error of a NIR cell that a spreadsheet spoilt, nil when it is not one of them.
    public static func nirError(_ text: String, field: String = "nir") -> MESError? {
        numberCell(text).map { $0.error(field: field) }
    }

    /// The error of a serial cell that a spreadsheet spoilt, nil when it is not one of them.
    public static func serialError(_ text: String, card: CardType, field: String = "serial") -> MESError? {
        guard let trap = serialCell(text, card: card) else { return nil }
        if trap == .leadingZeroLost {
            let count = text.filter { $0 != " " && $0 != "\u{A0}" }.count
            let expected = card == .photo ? "11 pour une carte avec photo" : "8 à 13 pour une carte sans photo"
            return trap.error(field: field, detail: "numéro de série de \(count) chiffres (\(expected)) : "
                                  + "le zéro initial a été perdu, le tableur ayant lu le numéro comme un nombre")
        }
        return trap.error(field: field)
    }

    /// The error of a birth date cell that a spreadsheet spoilt, nil when it is not one of them.
    public static func dateError(_ text: String, today: CalendarDate, field: String) -> MESError? {
        guard let (trap, date) = dateCell(text, today: today) else { return nil }
        if let date {
            return trap.error(field: field, detail: "numéro de jour du tableur à la place de la date (\(text.trimmingSpaces) est le "
                                  + "\(date.french) dans le calendrier 1900 des tableurs)")
        }
        return trap.error(field: field)
    }

    /// The error of a cell holding U+FFFD (what `TextTranscoder` makes of what it cannot decode).
    public static func encodingError(field: String) -> MESError {
        ExportTrap.encodingInvalid.error(field: field,
                                         detail: "caractères illisibles : le fichier mélange des encodages ou contient des octets invalides")
    }

    /// Whether `bytes` hold U+FFFD (EF BF BD), or are not valid UTF-8 (bytes handed over without
    /// a `TextTranscoder`).
    public static func holdsReplacement(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = bytes.count
        while i < n {
            if bytes[i] < 0x80 { i += 1; continue }
            let r = TextTranscoder.sequence(bytes, at: i)
            guard r > 0 else { return true }
            if bytes[i] == 0xEF && bytes[i + 1] == 0xBF && bytes[i + 2] == 0xBD { return true }
            i += r
        }
        return false
    }

    /// Whether `text` holds U+FFFD.
    public static func holdsReplacement(_ text: String) -> Bool {
        var t = text
        return t.withUTF8 { holdsReplacement($0) }
    }
}

extension ErrorCode {
    /// Whether the code is a spreadsheet export's trap (`ExportTrap`).
    public var isExportTrap: Bool { ExportTrap(code: self) != nil }
}
