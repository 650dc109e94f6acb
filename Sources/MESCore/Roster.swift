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
        // Written by `mes fixtures`, read and ignored: the person's number in the file (the join
        // with the members file's rows) and its cases (`FixtureCase`).
        ("person_id", ["person_id"]),
        ("tags", ["tags"]),
    ]

    public static let required = ["nir", "birth_date", "first_name", "last_name", "card_type", "serial"]

    /// The header written by `mes fixtures`.
    public static let header = columns.map(\.0)

    /// The catalogue code of an invalid value in each column.
    public static let invalidCodes: [String: ErrorCode] = [
        "nir": .nirInvalid, "birth_date": .birthDateInvalid, "first_name": .firstNameInvalid, "last_name": .lastNameInvalid,
        "card_type": .cardTypeInvalid, "serial": .serialInvalid, "email": .emailInvalid, "mobile": .mobileInvalid,
        "address": .addressInvalid, "holder_birth_date": .holderBirthDateInvalid, "deceased": .deceasedInvalid,
        "state": .stateInvalid, "state_since": .stateSinceInvalid, "notified_at": .notifiedAtInvalid,
    ]

    /// One rejected row or header.
    public struct Problem: Error, Equatable, Sendable, CustomStringConvertible {
        public let line: Int
        public let field: String
        public let code: ErrorCode
        public let message: String
        public var description: String { "ligne \(line), \(field) : \(message)" }
        public init(line: Int, field: String, code: ErrorCode, message: String) {
            self.line = line
            self.field = field
            self.code = code
            self.message = message
        }

        /// A row's invalid value in `column` (one of `columns`), with that column's code.
        public init(line: Int, column: String, message: String) {
            self.init(line: line, field: column, code: Roster.invalidCodes[column] ?? .rosterInvalid, message: message)
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
    /// A cell's value compared case- and accent-insensitively (a yes-or-no cell): lower case,
    /// accents dropped, nothing else changed ("-1" stays "-1").
    public static func foldValue(_ s: String) -> String {
        var out = ""
        for u in s.trimmingSpaces.lowercased().unicodeScalars {
            switch u {
            case "é", "è", "ê", "ë": out += "e"
            case "à", "â": out += "a"
            case "ô": out += "o"
            case "î", "ï": out += "i"
            case "û", "ù": out += "u"
            case "ç": out += "c"
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }

    /// A header name as compared with the known ones.
    public static func fold(_ s: String) -> String {
        // Letters and digits kept (accents dropped), any run of anything else one "_";
        // "N°", "Nº" and "No" before a word read as "numero"; "de", "du", "la", "le", "d'", "l'"
        // and "des" dropped; "e-mail" as "email"; "Vitale" dropped after another word ("N° de
        // série Vitale" is the serial). Aliases are compared folded too.
        var words: [String] = []
        var word = ""
        func flush() { if !word.isEmpty { words.append(word); word = "" } }
        for u in s.trimmingSpaces.lowercased().unicodeScalars {
            switch u {
            case "é", "è", "ê", "ë": word += "e"
            case "à", "â", "ä": word += "a"
            case "ô", "ö": word += "o"
            case "î", "ï": word += "i"
            case "û", "ù", "ü": word += "u"
            case "ç": word += "c"
            case "œ": word += "oe"
            case "°", "º": word += "°"
            default:
                if u.properties.isAlphabetic || ("0"..."9").contains(u) { word.unicodeScalars.append(u) } else { flush() }
            }
        }
        flush()
        var out: [String] = []
        for (i, w) in words.enumerated() {
            switch w {
            case "n°", "no", "n", "num", "numero°": if i + 1 < words.count { out.append("numero") } else { out.append(w) }
            case "de", "du", "la", "le", "d", "l", "des": continue
            case "e" where i + 1 < words.count && words[i + 1] == "mail": continue
            case "mail" where i > 0 && words[i - 1] == "e": out.append("email")
            case "vitale" where !out.isEmpty: continue
            default: out.append(w.hasSuffix("°") ? String(w.dropLast()) : w)
            }
        }
        return out.joined(separator: "_")
    }

    /// The canonical column a folded header name stands for.
    static func column(forFolded f: String) -> String? {
        foldedColumns.first { $0.1.contains(f) }?.0
    }

    static let foldedColumns: [(String, Set<String>)] = columns.map { ($0.0, Set($0.1.map(fold))) }

    /// Maps header names to canonical columns; unknown or missing required columns are problems.
    public static func mapHeader(_ fields: [String], line: Int = 1) -> Result<[String: Int], Problems> {
        // A first line that is people's data rather than a header: refused without its cells.
        if !fields.contains(where: { column(forFolded: fold($0)) != nil }),
           let e = MemberRow.notAHeader(fields, known: required.joined(separator: ", ")) {
            return .failure(Problems(list: [Problem(line: line, field: "header", code: .csvHeader, message: e.message)]))
        }
        var map: [String: Int] = [:]
        var problems: [Problem] = []
        for (i, name) in fields.enumerated() {
            let f = fold(name)
            if f.isEmpty { continue }  // an empty header cell: a column of notes, ignored
            if ExportTrap.holdsReplacement(name) {
                problems.append(Problem(line: line, field: name, code: .encodingInvalid,
                                        message: "en-tête illisible (encodages mélangés ou octets invalides) : " + ExportTrap.encodingInvalid.fix))
                continue
            }
            guard let col = column(forFolded: f) else {
                problems.append(Problem(line: line, field: name, code: .columnUnknown, message: "colonne inconnue"))
                continue
            }
            if map[col] != nil { problems.append(Problem(line: line, field: name, code: .columnDuplicate, message: "colonne en double")) }
            map[col] = i
        }
        for r in required where map[r] == nil {
            problems.append(Problem(line: line, field: r, code: .columnMissing, message: "colonne obligatoire absente"))
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
