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

    /// Validates one row read as bytes and makes its entry.
    public static func entry(_ record: CSVReader.RawRecord, header: Header, today: CalendarDate) -> Result<Entry, Problem> {
        validate(record, header: header, today: today).map(\.entry)
    }

    /// An e-mail address `mes` takes (`EmailAddress`: an RFC 5321 mailbox in ASCII).
    public static func plausibleEmail(_ s: String) -> Bool { EmailAddress.isValid(s) }

    /// `plausibleEmail` on the bytes of a valid UTF-8 string.
    static func plausibleEmail(bytes: UnsafeBufferPointer<UInt8>) -> Bool { EmailAddress.problem(bytes: bytes) == nil }
}
