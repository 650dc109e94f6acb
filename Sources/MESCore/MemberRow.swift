/// One row of an association's members file (`mes batch oppose`): what a member can give.
public struct MemberRow: Sendable, Equatable {
    /// The row in the file, as a spreadsheet numbers it (`CSVReader.Record.row`).
    public var line: Int
    public var nir: NIR
    public var birthDate: CalendarDate?
    public var card: CardType
    public var serial: String
    public var code: String?
    public var lastName: String?
    public var firstName: String?
    /// Where to send the member's receipt (`batch oppose --mail-receipts`).
    public var email: String?
    /// The row's certification that a legal representative consented (`legal_representative`:
    /// oui/non); nil when the column is absent or the cell empty.
    public var legalRepresentative: Bool?
    /// Who signed that certification (`signatory`), as the association wrote it.
    public var signatory: String?

    /// Header names (case and accents ignored) → canonical column.
    public static let columns: [(String, [String])] = [
        ("nir", ["nir", "numero_securite_sociale", "numero_ss", "nss", "numero_de_securite_sociale"]),
        ("birth_date", ["birth_date", "date_naissance", "date_de_naissance", "naissance"]),
        ("card_type", ["card_type", "type_carte", "type_de_carte", "carte", "card"]),
        ("serial", ["serial", "numero_serie", "numero_de_serie", "serie", "numero_carte_vitale", "numero_serie_carte", "numero_carte"]),
        ("code", ["code", "code_provisoire"]),
        ("last_name", ["last_name", "nom", "nom_de_famille"]),
        ("first_name", ["first_name", "prenom", "prenoms"]),
        ("email", ["email", "courriel", "mail", "e_mail", "adresse_email", "adresse_mail"]),
        ("legal_representative", ["legal_representative", "representant_legal", "representante_legale", "certification_representant_legal"]),
        ("signatory", ["signatory", "signataire", "nom_du_signataire", "signe_par", "signataire_du_mandat", "mandat_signe_par"]),
        // What `mes fixtures --members` expects of the row and says of its person: read by
        // tests, ignored by the batch (`fixtureColumns`).
        ("expected_status", ["expected_status"]),
        ("expected_reason", ["expected_reason"]),
        ("person_id", ["person_id"]),
        ("tags", ["tags"]),
    ]
    /// The columns of a fixtures members file that only tests read: the batch ignores them, never
    /// names them to people, and lets `--keep-column` keep them.
    public static let fixtureColumns: Set<String> = ["expected_status", "expected_reason", "person_id", "tags"]
    public static let required = ["nir", "card_type", "serial"]

    /// The canonical columns and their aliases, folded (`Roster.fold`).
    static let foldedColumns: [(String, Set<String>)] = columns.map { ($0.0, Set($0.1.map(Roster.fold))) }

    /// The columns a person may be told about (not the test-only `fixtureColumns`).
    static let shownColumns = columns.map(\.0).filter { !fixtureColumns.contains($0) }

    /// Maps the header. Names are compared folded (`Roster.fold`: case, accents, "N°",
    /// punctuation and little words ignored, so "N° de série" is `serial`); an empty header
    /// cell is ignored. Unknown columns are an error (a typo must not silently drop data):
    /// all of them at once, each with the closest known name.
    public static func mapHeader(_ fields: [String]) -> Result<[String: Int], MESError> {
        mapHeader(fields, keep: []).map(\.map)
    }

    /// A header read: each canonical column's index, and the association's own columns
    /// (`keep`, compared folded), carried unchanged into the report.
    public struct Mapped: Sendable {
        public var map: [String: Int] = [:]
        /// The kept columns, as the header writes them, and their indices.
        public var kept: [(name: String, index: Int)] = []
    }

    /// Maps the header, keeping the columns named in `keep` (each must be in the header). An
    /// unknown column is an error that lists them all, each with the closest known name and
    /// how to keep it instead (`--keep-column`).
    public static func mapHeader(_ fields: [String], keep: [String]) -> Result<Mapped, MESError> {
        var out = Mapped()
        var unknown: [String] = []
        for (i, name) in fields.enumerated() where ExportTrap.holdsReplacement(name) {
            return .failure(.invalid(.encodingInvalid, "En-tête illisible (colonne \(i + 1)) : le fichier mélange des encodages ou contient des octets "
                                     + "invalides. " + ExportTrap.encodingInvalid.fixSentence, field: "header"))
        }
        let keepFolded = keep.map(Roster.fold)
        if let e = keptColumnError(keep) { return .failure(e) }
        var keptFound = Set<String>()
        for (i, name) in fields.enumerated() {
            let f = Roster.fold(name)
            if f.isEmpty { continue }
            if keepFolded.contains(f) {
                guard !keptFound.contains(f) else { return .failure(.invalid(.columnDuplicate, "Colonne en double : « \(name) »", field: name)) }
                keptFound.insert(f)
                out.kept.append((name, i))
                continue
            }
            guard let col = foldedColumns.first(where: { $0.1.contains(f) })?.0 else {
                unknown.append("« \(name) »" + (suggestion(for: f).map { " (vouliez-vous dire « \($0) » ?)" } ?? ""))
                continue
            }
            guard out.map[col] == nil else { return .failure(.invalid(.columnDuplicate, "Colonne en double : « \(name) »", field: name)) }
            out.map[col] = i
        }
        // The test-only columns belong to a fixtures members file, known by its expected_status:
        // in an association's own file a column named "tags" or "person_id" is theirs, and
        // unknown like any other (kept with --keep-column, never silently dropped).
        var strayFixtureColumns: [String] = []
        if out.map["expected_status"] == nil {
            for col in ["expected_reason", "person_id", "tags"] {
                if let i = out.map.removeValue(forKey: col) {
                    unknown.append("« \(fields[i]) »")
                    strayFixtureColumns.append(fields[i])
                }
            }
        }
        if let missing = keep.first(where: { !keptFound.contains(Roster.fold($0)) }) {
            return .failure(.invalid(.columnMissing, "Colonne à conserver absente de l'en-tête : « \(missing) » (--keep-column)", field: "keep-column"))
        }
        if !unknown.isEmpty {
            // A first line that is not a header holds members' data: never echoed.
            if let e = notAHeader(fields) { return .failure(e) }
            let lead: String = unknown.count == 1 ? "Colonne inconnue : " : "Colonnes inconnues : "
            let known: String = shownColumns.map { frenchNames[$0] ?? $0 }.joined(separator: ", ")
            let message: String = lead + unknown.joined(separator: ", ") + ". Colonnes reconnues : " + known
                + ". Pour garder une colonne de l'association dans le rapport : --keep-column NOM"
            let first: String? = fields.first { name in
                let f = Roster.fold(name)
                return !f.isEmpty && !keepFolded.contains(f) && (!foldedColumns.contains { $0.1.contains(f) } || strayFixtureColumns.contains(name))
            }
            return .failure(.invalid(.columnUnknown, message, field: first ?? "header"))
        }
        for r in required where out.map[r] == nil {
            return .failure(.invalid(.columnMissing, "Colonne obligatoire absente : \(frenchNames[r] ?? r)", field: r))
        }
        return .success(out)
    }

    /// A `--keep-column` that names a column the batch reads (64): kept, it would no longer be
    /// read (a minor's `non` ignored, a code or a whole NIR copied into the report). The
    /// test-only `fixtureColumns`, which the batch ignores, may be kept.
    public static func keptColumnError(_ keep: [String]) -> MESError? {
        for name in keep {
            let folded = Roster.fold(name)
            if let col = foldedColumns.first(where: { !fixtureColumns.contains($0.0) && $0.1.contains(folded) })?.0 {
                return .usage("--keep-column « \(name) » names the column \(frenchNames[col] ?? col), which mes reads: "
                              + "it cannot also be kept. Remove this --keep-column.", field: "keep-column")
            }
        }
        return nil
    }

    /// A first line that is members' data rather than a header (a file saved without its
    /// header, or with Macintosh line ends, a lone carriage return, that read as one line):
    /// refused without a word of its cells, which hold NIRs, dates, codes and names.
    /// `known`: the columns to name in the message (default: a members file's).
    static func notAHeader(_ fields: [String], known: String? = nil) -> MESError? {
        let known = known ?? shownColumns.map { frenchNames[$0] ?? $0 }.joined(separator: ", ")
        let loneCR = fields.contains { f in
            let u = Array(f.utf8)
            return u.indices.contains { u[$0] == 0x0D && ($0 + 1 == u.count || u[$0 + 1] != 0x0A) }
        }
        if loneCR {
            return .invalid(.csvHeader, "La première ligne n'est pas un en-tête lisible : le fichier a des fins de ligne Macintosh "
                            + "(retour chariot seul) et se lit comme une seule ligne. Enregistrez-le en « CSV UTF-8 » (Excel) ou en "
                            + "texte CSV avec des fins de ligne Windows ou Unix (LibreOffice), puis relancez.", field: "header")
        }
        func isData(_ cell: String) -> Bool {
            let v = cell.trimmingSpaces
            let digits = v.utf8.filter { $0 >= 0x30 && $0 <= 0x39 }.count
            return NIRValidator(rules: .insee).validate(v).nir != nil || CalendarDate.parse(v) != nil || v.contains("@")
                || (digits >= 6 && v.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x20 || $0 == 0x2E })
        }
        guard let i = fields.firstIndex(where: isData) else { return nil }
        return .invalid(.csvHeader, "La première ligne n'est pas un en-tête : sa colonne \(i + 1) contient des données de personne "
                        + "(NIR, date, numéro ou adresse e-mail). Ajoutez en première ligne le nom de chaque colonne (\(known)), puis relancez.",
                        field: "header")
    }

    /// How each column is usually written in French (what errors suggest).
    static let frenchNames: [String: String] = [
        "nir": "NIR", "birth_date": "Date de naissance", "card_type": "Type de carte", "serial": "N° de série", "code": "Code provisoire",
        "last_name": "Nom", "first_name": "Prénom", "email": "Courriel", "legal_representative": "Représentant légal", "signatory": "Signataire",
    ]

    /// The known column closest to a folded name (at most a third of its letters away), never a test-only one.
    static func suggestion(for folded: String) -> String? {
        var best: (String, Int)?
        for (col, names) in foldedColumns where !fixtureColumns.contains(col) {
            for n in names {
                let d = editDistance(Array(folded.utf8), Array(n.utf8))
                if d <= max(1, n.utf8.count / 3), best == nil || d < best!.1 { best = (frenchNames[col] ?? col, d) }
            }
        }
        return best?.0
    }

    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        var prev = Array(0...b.count), cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in 1...max(1, b.count) where j <= b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[b.count]
    }

    /// A mapped header resolved to one field index per canonical column (looked up once per
    /// file, not once per row).
    public struct Header: Sendable {
        let slots: [Int?]
        /// How many columns the header has.
        public let count: Int
        /// The header's cells as the file writes them (what reports call a column).
        public let names: [String]
        /// The association's own columns kept for the report: their names and indices.
        public let kept: [(name: String, index: Int)]
        public init(_ map: [String: Int], names: [String] = [], kept: [(name: String, index: Int)] = []) {
            slots = MemberRow.columns.map { map[$0.0] }
            count = map.count + kept.count
            self.names = names
            self.kept = kept
        }

        /// A header read with `mapHeader(_:keep:)`, from its cells.
        public init(_ mapped: Mapped, names: [String]) { self.init(mapped.map, names: names, kept: mapped.kept) }

        /// The cell of canonical `column` in `record`, trimmed (nil: no such column, or empty).
        public func cell(_ column: String, in record: CSVReader.Record) -> String? {
            guard let slot = MemberRow.columns.firstIndex(where: { $0.0 == column }), let i = slots[slot], i < record.fields.count else { return nil }
            let v = record.fields[i].trimmingSpaces
            return v.isEmpty ? nil : v
        }

        /// How the file names canonical `column` (its header cell), else the canonical name.
        public func name(of column: String) -> String {
            guard let slot = MemberRow.columns.firstIndex(where: { $0.0 == column }), let i = slots[slot], i < names.count else { return column }
            return names[i].trimmingSpaces
        }

        /// The kept columns' cells in `record`, in order.
        public func keptCells(in record: CSVReader.Record) -> [String] {
            kept.map { $0.index < record.fields.count ? record.fields[$0.index] : "" }
        }
    }

    /// Validates one record against a header map.
    public static func parse(_ record: CSVReader.Record, header: [String: Int], today: CalendarDate) -> Result<MemberRow, MESError> {
        parse(record, header: Header(header), today: today)
    }

    /// Validates one record; the error names the field (never echoing the member's data). A
    /// cell a spreadsheet's export spoilt is refused with its `ExportTrap` (its code and fix),
    /// characters that could not be decoded first of all (`encoding_invalid`).
    public static func parse(_ record: CSVReader.Record, header: Header, today: CalendarDate) -> Result<MemberRow, MESError> {
        let fields = record.fields
        func value(_ slot: Int) -> String? {
            guard let i = header.slots[slot], i < fields.count else { return nil }
            let v = fields[i].trimmingSpaces
            return v.isEmpty ? nil : v
        }
        // The positions of the columns in `columns`.
        let (nirSlot, birthSlot, cardSlot, serialSlot, codeSlot, lastSlot, firstSlot, emailSlot) = (0, 1, 2, 3, 4, 5, 6, 7)
        let (certificationSlot, signatorySlot) = (8, 9)
        if record.malformed {
            return .failure(.invalid(.csvMalformedRow, "Ligne CSV mal formée (guillemet mal placé)", field: "row"))
        }
        for (slot, i) in header.slots.enumerated() {
            if let i, i < fields.count, ExportTrap.holdsReplacement(fields[i]) {
                return .failure(ExportTrap.encodingError(field: columns[slot].0))
            }
        }
        for (slot, r) in [(nirSlot, "nir"), (cardSlot, "card_type"), (serialSlot, "serial")] where value(slot) == nil {
            return .failure(.invalid(.fieldRequired, Messages.fieldRequired, field: r))
        }
        if record.fields.count > header.count, record.fields[header.count...].contains(where: { !$0.trimmingSpaces.isEmpty }) {
            return .failure(.invalid(.csvExtraField, "Plus de champs que de colonnes", field: "row"))
        }
        let nirVerdict = NIRValidator(rules: .insee).validate(value(nirSlot)!)
        guard let nir = nirVerdict.nir else {
            if let trap = ExportTrap.nirError(value(nirSlot)!) { return .failure(trap) }
            let r = nirVerdict.reason!
            return .failure(.invalid(r.code, r.message, field: "nir"))
        }
        var birth: CalendarDate?
        if let b = value(birthSlot) {
            switch BirthDateRule.validate(b, today: today) {
            case .success(let d): birth = d
            case .failure(let f):
                if f == .unreadable, let trap = ExportTrap.dateError(b, today: today, field: "birth_date") { return .failure(trap) }
                return .failure(f.error(field: "birth_date"))
            }
        }
        guard let card = CardType(flexible: value(cardSlot)!) else {
            return .failure(.invalid(.cardTypeInvalid, "Type de carte : photo, plain, avec photo ou sans photo", field: "card_type"))
        }
        let serial: String
        switch VitaleSerial.parse(value(serialSlot)!, card: card) {
        case .success(let s): serial = s.digits
        case .failure(let e): return .failure(ExportTrap.serialError(value(serialSlot)!, card: card) ?? e)
        }
        var code: String?
        if let c = value(codeSlot) {
            switch ProvisionalCode.parse(c) {
            case .success(let v): code = v
            case .failure(let e): return .failure(e)
            }
        }
        let (last, first, signatory) = (value(lastSlot), value(firstSlot), value(signatorySlot))
        for (v, col) in [(last, "last_name"), (first, "first_name"), (signatory, "signatory")] {
            if let v, v.count > 100 || v.unicodeScalars.contains(where: { $0.value < 0x20 }) {
                return .failure(.invalid(.nameInvalid, "Nom invalide (100 caractères au plus, sans caractère de contrôle)", field: col))
            }
            // What a receipt cannot print (line separators, bidirectional controls, other scripts).
            if let v, let bad = NameRepertoire.firstRefused(in: v) {
                return .failure(.invalid(.nameInvalid, "Nom invalide : " + NameRepertoire.refusal(bad), field: col))
            }
        }
        let email = value(emailSlot)
        if let email, email.count > 254 || !Roster.plausibleEmail(email) {
            return .failure(.invalid(.emailInvalid, "Adresse e-mail invalide", field: "email"))
        }
        var certified: Bool?
        if let c = value(certificationSlot) {
            guard let yes = Certification.parse(c) else {
                return .failure(.invalid(.legalRepresentativeInvalid, Certification.invalidMessage, field: "legal_representative"))
            }
            certified = yes
        }
        return .success(MemberRow(line: record.row, nir: nir, birthDate: birth, card: card, serial: serial, code: code,
                                  lastName: last, firstName: first, email: email, legalRepresentative: certified, signatory: signatory))
    }
}

/// A yes-or-no cell certifying that a member's legal representative consented (the
/// `legal_representative` column of a members file).
public enum Certification {
    /// `oui`/`non` as the service writes them; also `yes`/`no`, `true`/`false`, `vrai`/`faux`
    /// (what a French spreadsheet exports for a checkbox) and `1`/`0`, in any case. Nil for
    /// anything else: a typo must not silently certify or withhold.
    public static func parse(_ text: String) -> Bool? {
        switch Roster.foldValue(text) {
        case "oui", "o", "yes", "y", "true", "vrai", "1": return true
        case "non", "n", "no", "false", "faux", "0": return false
        default: return nil
        }
    }

    static let invalidMessage = "Colonne legal_representative (représentant légal) : indiquez oui ou non"
}
