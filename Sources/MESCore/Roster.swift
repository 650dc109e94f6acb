/// The insurer's register as a CSV file (`mes import`, `mes fixtures`): header names with
/// French aliases, one person per row, every row validated.
public enum Roster {
    /// Canonical column → accepted header names (compared case- and accent-insensitively).
    public static let columns: [(String, [String])] = [
        ("nir", ["nir", "numero_securite_sociale", "numero_ss", "nss"]),
        ("birth_date", ["birth_date", "date_naissance", "date_de_naissance", "naissance"]),
        ("first_name", ["first_name", "prenom", "prenoms"]),
        ("last_name", ["last_name", "nom", "nom_de_famille"]),
        ("card_type", ["card_type", "type_carte", "carte", "card"]),
        ("serial", ["serial", "numero_serie", "numero_de_serie", "serie"]),
        ("email", ["email", "courriel", "e_mail", "mail"]),
        ("mobile", ["mobile", "telephone", "portable", "tel"]),
        ("address", ["address", "adresse"]),
        ("holder_birth_date", ["holder_birth_date", "date_naissance_titulaire"]),
        ("deceased", ["deceased", "decede"]),
        ("state", ["state", "etat"]),
        ("state_since", ["state_since", "etat_depuis"]),
        ("notified_at", ["notified_at", "notifie_le"]),
    ]

    public static let required = ["nir", "birth_date", "first_name", "last_name", "card_type", "serial"]

    /// The header written by `mes fixtures`.
    public static let header = columns.map(\.0)

    /// One rejected row or header.
    public struct Problem: Error, Equatable, Sendable, CustomStringConvertible {
        public let line: Int
        public let field: String
        public let message: String
        public var description: String { "ligne \(line), \(field) : \(message)" }
        public init(line: Int, field: String, message: String) {
            self.line = line
            self.field = field
            self.message = message
        }
    }

    /// Several problems at once.
    public struct Problems: Error, Sendable { public let list: [Problem] }

    /// A validated row, before it gets an id.
    public struct Entry: Sendable {
        public var person: Person
        public var holderBirthDate: CalendarDate?
        public let line: Int
    }

    /// Folds a header name: lower case, no accents, spaces and dashes as underscores.
    public static func fold(_ s: String) -> String {
        var out = ""
        for u in s.trimmingSpaces.lowercased().unicodeScalars {
            switch u {
            case "é", "è", "ê", "ë": out += "e"
            case "à", "â": out += "a"
            case "ô": out += "o"
            case "î", "ï": out += "i"
            case "û", "ù": out += "u"
            case "ç": out += "c"
            case " ", "-", ".": out += "_"
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }

    /// Maps header names to canonical columns; unknown or missing required columns are problems.
    public static func mapHeader(_ fields: [String], line: Int = 1) -> Result<[String: Int], Problems> {
        var map: [String: Int] = [:]
        var problems: [Problem] = []
        for (i, name) in fields.enumerated() {
            let f = fold(name)
            guard let col = columns.first(where: { $0.1.contains(f) })?.0 else {
                problems.append(Problem(line: line, field: name, message: "colonne inconnue"))
                continue
            }
            if map[col] != nil { problems.append(Problem(line: line, field: name, message: "colonne en double")) }
            map[col] = i
        }
        for r in required where map[r] == nil {
            problems.append(Problem(line: line, field: r, message: "colonne obligatoire absente"))
        }
        return problems.isEmpty ? .success(map) : .failure(Problems(list: problems))
    }

    /// The header as field positions, one slot per entry of `columns` (fast per-row lookups).
    public struct Header: Sendable {
        let slots: [Int?]
        public init(_ map: [String: Int]) { slots = Roster.columns.map { map[$0.0] } }
    }

    /// Validates one row.
    public static func entry(_ record: CSVReader.Record, header map: [String: Int], today: CalendarDate) -> Result<Entry, Problem> {
        entry(record, header: Header(map), today: today)
    }

    /// Validates one row.
    public static func entry(_ record: CSVReader.Record, header: Header, today: CalendarDate) -> Result<Entry, Problem> {
        record.withRaw { entry($0, header: header, today: today) }
    }

    /// Validates one row read as bytes (`mes import`): the fields every row has are checked as
    /// bytes; strings are made only for the values kept.
    public static func entry(_ record: CSVReader.RawRecord, header: Header, today: CalendarDate) -> Result<Entry, Problem> {
        func bytes(_ c: Int) -> UnsafeBufferPointer<UInt8>? {
            guard let i = header.slots[c], i < record.count else { return nil }
            let v = record[i].trimmingSpaces
            return v.isEmpty ? nil : v
        }
        func value(_ c: Int) -> String? { bytes(c)?.string }
        func problem(_ field: String, _ message: String) -> Result<Entry, Problem> {
            .failure(Problem(line: record.line, field: field, message: message))
        }
        for (r, c) in zip(required, 0...) where bytes(c) == nil { return problem(r, Messages.fieldRequired) }
        let nirVerdict = NIRValidator(rules: .insee).validate(bytes: bytes(0)!)
        guard let nir = nirVerdict.nir else { return problem("nir", nirVerdict.reason!.message) }
        guard let birth = CalendarDate.parse(bytes: bytes(1)!), birth <= today else {
            return problem("birth_date", Messages.birthDateInvalid)
        }
        guard let card = CardType(flexibleBytes: bytes(4)!) else { return problem("card_type", "photo ou plain attendu") }
        let serial: VitaleSerial
        switch VitaleSerial.parse(bytes: bytes(5)!, card: card) {
        case .success(let s): serial = s
        case .failure(let e): return problem("serial", e.message)
        }
        let email = value(6)
        if let email, !Self.plausibleEmail(email) { return problem("email", "adresse e-mail invalide") }
        var mobile: String?
        if let m = bytes(7) {
            guard plausibleMobile(m) else { return problem("mobile", "numéro de mobile invalide") }
            mobile = m.string
        }
        var holder: CalendarDate?
        if let h = bytes(9) {
            guard let d = CalendarDate.parse(bytes: h) else { return problem("holder_birth_date", Messages.birthDateInvalid) }
            holder = d
        }
        var deceased = false
        if let d = value(10) {
            switch d.lowercased() {
            case "1", "true", "oui", "yes", "o": deceased = true
            case "0", "false", "non", "no", "n": deceased = false
            default: return problem("deceased", "oui ou non attendu")
            }
        }
        var state = ProfileState.pending
        if let s = value(11) {
            guard let st = ProfileState(rawValue: s) else { return problem("state", "pending, opposed, active ou closed attendu") }
            state = st
        }
        var since: Instant?
        if let s = value(12) {
            guard let i = Instant.parse(s) else { return problem("state_since", "date invalide") }
            since = i
        }
        var notified: Instant?
        if let s = value(13) {
            guard let i = Instant.parse(s) else { return problem("notified_at", "date invalide") }
            notified = i
        }
        for (col, c, limit) in [("first_name", 2, 100), ("last_name", 3, 100), ("address", 8, 300)] {
            guard let v = bytes(c) else { continue }
            // A character takes at least one byte: only long values need counting.
            if v.count > limit, v.string.count > limit { return problem(col, "trop long (\(limit) caractères au plus)") }
            if v.contains(where: { $0 < 0x20 }) { return problem(col, Messages.codeCharacter) }
        }
        let person = Person(nir: nir, birthDate: birth, firstName: value(2)!, lastName: value(3)!, card: card,
                            serial: serial.digits, email: email, mobile: mobile, address: value(8), deceased: deceased,
                            state: state, stateSince: since ?? (state == .pending ? nil : Instant(date: today)), notifiedAt: notified)
        return .success(Entry(person: person, holderBirthDate: holder, line: record.line))
    }

    /// A mobile number: at least 9 digits; only digits, spaces, `+` and `.`.
    static func plausibleMobile(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard b.isASCII else {  // other scripts' digits count too (Character.isNumber)
            let s = b.string
            return s.filter(\.isNumber).count >= 9 && s.allSatisfy { $0.isNumber || $0 == " " || $0 == "+" || $0 == "." }
        }
        var digits = 0
        for c in b {
            if c >= 0x30 && c <= 0x39 { digits += 1 } else if c != 0x20 && c != 0x2B && c != 0x2E { return false }
        }
        return digits >= 9
    }

    /// A plausible e-mail address: one @, a dot after it, no spaces or control characters.
    public static func plausibleEmail(_ s: String) -> Bool {
        var ats = 0, atIndex = -1, dotAfterAt = false, n = 0
        for c in s.utf8 {
            if c == 0x40 { ats += 1; atIndex = n } else if c == 0x2E && ats == 1 { dotAfterAt = true }
            if c == 0x20 || c < 0x20 { return false }
            n += 1
        }
        return ats == 1 && atIndex > 0 && dotAfterAt && n <= 254
    }
}
