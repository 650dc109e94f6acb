import MESCore
import MESRender
import MESStore

/// The members file of `mes fixtures --members` and the store's side of it: each row's code
/// recorded in the state its `MemberScenario` asks for (live, expired, used, superseded, a
/// locked card), and the status `mes batch oppose` will give the row, run on this store at
/// this clock without `--legal-representative` or `--request-codes` (`expected_status`, with
/// the error code in `expected_reason`), then the person's `person_id` and `tags` as in the
/// roster (the batch ignores all four).
struct FixtureMembers {
    /// The members file's columns, and the keys of its JSON Lines.
    static let header = ["nir", "date_naissance", "type_carte", "numero_serie", "code", "nom", "prenom", "expected_status", "expected_reason",
                         "person_id", "tags"]
    static let keys = ["nir", "birth_date", "card_type", "serial", "code", "last_name", "first_name", "expected_status", "expected_reason",
                       "person_id", "tags"]

    let store: Store
    let now: Instant
    /// False: the rows only, the store left as it is (a population recorded already, reused).
    let recording: Bool
    let policy = Policy.standard
    /// Identifies with the fixtures' codes as `identify` would (used codes, a locked card).
    var identification: IdentificationGate { IdentificationGate(store: store, policy: policy) }
    /// The rows made since the caller last took them out (`DataTable.flush`).
    var table: DataTable
    private(set) var codes = 0
    private var counts: [String: Int] = [:]
    /// Draws the codes (fixture codes: predictable from the seed by design).
    private var draws: FixtureCodes
    private var ids: ImportedIDs
    /// The next row of the file (0-based), which says its scenario.
    private var row = 0

    /// For the people an import added after `lastID`, in its order.
    init(store: Store, after lastID: Int64, now: Instant, format: TableFormat, codes: FixtureCodes, recording: Bool = true) {
        self.store = store
        self.now = now
        self.recording = recording
        table = DataTable(keys: Self.keys, header: Self.header, format: format, separator: ";", bom: true)
        draws = codes
        ids = ImportedIDs(store: store, after: lastID)
    }

    /// Statuses and how many rows expect each, in the batch's order of statuses.
    var expectedCounts: [(status: String, rows: Int)] {
        BatchOpposition.Status.allCases.compactMap { s in counts[s.rawValue].map { (s.rawValue, $0) } }
    }

    /// One card's rows, the next ones of the file (inside the caller's transaction): their codes
    /// recorded in the store, then (a locked card) five wrong codes, then the rows in `table`.
    mutating func record(_ family: [PopulationGenerator.Member]) throws {
        let first = row
        let scenarios = (row..<row + family.count).map(MemberScenario.forRow)
        row += family.count
        let locked = scenarios.contains(.lockedCard)
        let validity = policy.notificationValidity
        var onRow: [String] = []
        // Not recording, the same codes are drawn in the same order and nothing is written.
        let recording = self.recording
        for (m, scenario) in zip(family, scenarios) {
            let p = m.person
            let id = recording ? try ids.id(of: p) : 0
            func record(_ code: String, at: Instant) throws {
                if recording { try store.recordCode(code, for: id, kind: .notification, now: at, validity: validity) }
            }
            let code = draws.next()
            var shown = code
            switch scenario {
            case .expiredCode:
                try record(code, at: now.adding(seconds: -validity - 3_600))
            case .supersededCode:
                try record(code, at: now.adding(seconds: -3_600))
                try record(draws.next(), at: now)
            case .usedCode:
                // The member identified on the web with it: the code is spent, nothing decided.
                try record(code, at: now.adding(seconds: -3_600))
                if recording, case .identified = try identification.identify(code: code, card: CardIdentity(nir: p.nir, card: p.card, serial: p.serial), now: now) {
                } else if recording {
                    throw MESError(.internal, "Fixtures : le code d'essai n'a pas été accepté", field: "members")
                }
            case .wrongCode:
                try record(code, at: now)
                shown = draws.next()
            default:
                try record(code, at: now)
            }
            if recording { try store.markNotified(id, at: now) }
            codes += 1
            onRow.append(shown)
        }
        if locked, let p = family.first?.person {
            for _ in 0..<policy.maxFailures {
                let wrong = draws.next()
                if recording { _ = try identification.identify(code: wrong, card: CardIdentity(nir: p.nir, card: p.card, serial: p.serial), now: now) }
            }
        }
        for (k, m) in family.enumerated() {
            let (status, reason) = expected(scenarios[k], m.person, locked: locked)
            counts[status, default: 0] += 1
            let today = now.parisDate
            let cells = scenarios[k].cells(m.person, code: onRow[k], today: today, row: first + k) + [status, reason ?? ""]
                + [String(first + k + 1), PopulationGenerator.tagsCell(m, in: family, today: today)]
            let extra: [(String, String)] = scenarios[k] == .extraField ? [("extra", "en trop")] : []
            if table.format == .jsonl {
                table.append(Self.jsonForms(cells), extra: extra + [("provisional_code", cells[Self.codeColumn])])
            } else {
                table.append(cells, extra: extra, asTyped: scenarios[k] == .strayQuote)
            }
        }
    }

    static let codeColumn = keys.firstIndex(of: "code")!
    static let nirColumn = keys.firstIndex(of: "nir")!
    static let birthDateColumn = keys.firstIndex(of: "birth_date")!
    static let cardColumn = keys.firstIndex(of: "card_type")!

    /// A row as JSON gives it: a valid NIR compact, a valid date in ISO 8601, a card type as its
    /// enum word (`photo`, `plain`), as the roster's rows do. A value made invalid on purpose
    /// stays as the CSV writes it (what the batch would read). `provisional_code` comes beside
    /// `code`, its former name, kept for schema_version 2 readers.
    static func jsonForms(_ cells: [String]) -> [String] {
        var out = cells
        if let nir = NIRValidator(rules: .insee).validate(cells[nirColumn]).nir { out[nirColumn] = nir.compact }
        if let date = CalendarDate.parse(cells[birthDateColumn]) { out[birthDateColumn] = date.iso }
        if let card = CardType(flexible: cells[cardColumn]) { out[cardColumn] = card.rawValue }
        return out
    }

    /// The status and error code the batch gives a row, by the same rules it applies.
    func expected(_ scenario: MemberScenario, _ person: Person, locked: Bool) -> (String, String?) {
        typealias S = BatchOpposition.Status
        if let reason = scenario.invalidReason { return (S.invalid.rawValue, reason.rawValue) }
        if locked { return (S.locked.rawValue, ErrorCode.locked.rawValue) }
        switch scenario {
        case .wrongCode, .wrongBirthDate, .wrongSerial: return (S.identityMismatch.rawValue, ErrorCode.identityNotFound.rawValue)
        case .expiredCode: return (S.codeExpired.rawValue, ErrorCode.codeExpired.rawValue)
        // A used code typed again on a profile opposed already reports that opposition (see
        // `Service.spentOnOpposition`).
        case .usedCode where person.state == .opposed: return (S.alreadyOpposed.rawValue, nil)
        case .usedCode: return (S.codeUsed.rawValue, ErrorCode.codeUsed.rawValue)
        case .supersededCode: return (S.codeSuperseded.rawValue, ErrorCode.codeSuperseded.rawValue)
        default:
            do {
                let t = try ProfileRules.decide(.opposition, for: person, by: .association, certified: false, today: now.parisDate)
                return ((t == .already ? S.alreadyOpposed : S.opposed).rawValue, nil)
            } catch let e as MESError {
                return (BatchStatus(failure: e.code).rawValue, e.code.rawValue)
            } catch {
                return (S.invalid.rawValue, ErrorCode.internal.rawValue)
            }
        }
    }
}

/// The ids an import gave, read by id a page at a time in step with the population walked again:
/// the import keeps the roster's order (ids 1, 2, … in a bulk load), and each id is checked
/// against its member's identity. A member out of step is looked up by its identity instead
/// (`lookedUp` counts them); one the import did not add is an internal error.
struct ImportedIDs {
    let store: Store
    /// The last id before the import.
    let first: Int64
    private var after: Int64
    private var page: [(id: Int64, nir: String, birth: String, first: String)] = []
    private var next = 0
    private(set) var lookedUp = 0
    static let pageSize = 4_096

    init(store: Store, after lastID: Int64) {
        self.store = store
        first = lastID
        after = lastID
    }

    mutating func id(of p: Person) throws -> Int64 {
        if next == page.count {
            page.removeAll(keepingCapacity: true)
            next = 0
            try store.forEachIdentity(after: after, limit: Self.pageSize) { page.append(($0, $1, $2, $3)) }
            after = page.last?.id ?? after
        }
        if next < page.count, page[next].nir == p.nir.compact, page[next].birth == p.birthDate.iso, page[next].first == p.firstName {
            next += 1
            return page[next - 1].id
        }
        lookedUp += 1
        guard let id = try store.people(nir: p.nir).first(where: { $0.birthDate == p.birthDate && $0.firstName == p.firstName })?.id,
              id > first else {
            throw MESError(.internal, "Fixtures : \(p.firstName) \(p.lastName) (\(p.birthDate.iso)) n'a pas été importé", field: "members")
        }
        return id
    }
}
