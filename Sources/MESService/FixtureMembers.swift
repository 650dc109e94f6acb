import MESCore
import MESRender
import MESStore

/// The members file of `mes fixtures --members` and the store's side of it: each row's code
/// recorded in the state its `MemberScenario` asks for (live, expired, used, superseded, a
/// locked card), and the status `mes batch oppose` will give the row, run on this store at
/// this clock without `--legal-representative` or `--request-codes` (`expected_status`, with
/// the error code in `expected_reason`).
struct FixtureMembers {
    /// The members file's columns, and the keys of its JSON Lines.
    static let header = ["nir", "date_naissance", "type_carte", "numero_serie", "code", "nom", "prenom", "expected_status", "expected_reason"]
    static let keys = ["nir", "birth_date", "card_type", "serial", "code", "last_name", "first_name", "expected_status", "expected_reason"]

    let members: [PopulationGenerator.Member]
    let ids: [Int64?]
    let store: Store
    let now: Instant
    let policy = Policy.standard
    private(set) var table: DataTable
    private(set) var codes = 0
    private var counts: [String: Int] = [:]

    /// Finds the ids the import gave (one query rather than one per member).
    init(_ members: [PopulationGenerator.Member], store: Store, after lastID: Int64, now: Instant, format: TableFormat,
         codes gen: PopulationGenerator) throws {
        var byIdentity: [String: Int64] = [:]
        byIdentity.reserveCapacity(members.count)
        try store.forEachIdentity(after: lastID) { id, nir, birth, first in byIdentity[nir + "|" + birth + "|" + first] = id }
        ids = members.map { byIdentity[$0.person.nir.compact + "|" + $0.person.birthDate.iso + "|" + $0.person.firstName] }
        self.members = members
        self.store = store
        self.now = now
        table = DataTable(keys: Self.keys, header: Self.header, format: format, separator: ";", bom: true, capacity: members.count * 110)
        self.gen = gen
    }

    /// Draws the codes (fixture codes: predictable from the seed by design).
    private var gen: PopulationGenerator

    /// Statuses and how many rows expect each, in the batch's order of statuses.
    var expectedCounts: [(status: String, rows: Int)] {
        BatchOpposition.Status.allCases.compactMap { s in counts[s.rawValue].map { (s.rawValue, $0) } }
    }

    /// Records every row's code in the store (inside the caller's transaction) and writes its row.
    mutating func record() throws {
        var start = 0
        while start < members.count {
            var end = start + 1
            while end < members.count, members[end].holderBirthDate != nil { end += 1 }
            try family(start..<end)
            start = end
        }
    }

    /// One card's rows: their codes, then (a locked card) five wrong codes, then the rows.
    private mutating func family(_ rows: Range<Int>) throws {
        let scenarios = rows.map(MemberScenario.forRow)
        let locked = scenarios.contains(.lockedCard)
        let validity = policy.notificationValidity
        var onRow: [String?] = []
        for (i, scenario) in zip(rows, scenarios) {
            guard let id = ids[i] else { onRow.append(nil); continue }
            let code = gen.fixtureCode()
            var shown = code
            let p = members[i].person
            switch scenario {
            case .expiredCode:
                try store.recordCode(code, for: id, kind: .notification, now: now.adding(seconds: -validity - 3_600), validity: validity)
            case .supersededCode:
                try store.recordCode(code, for: id, kind: .notification, now: now.adding(seconds: -3_600), validity: validity)
                try store.recordCode(gen.fixtureCode(), for: id, kind: .notification, now: now, validity: validity)
            case .usedCode:
                // The member identified on the web with it: the code is spent, nothing decided.
                try store.recordCode(code, for: id, kind: .notification, now: now.adding(seconds: -3_600), validity: validity)
                guard case .identified = try store.identify(code: code, nir: p.nir, card: p.card, serial: p.serial, now: now, policy: policy) else {
                    throw MESError(.internal, "Fixtures : le code d'essai n'a pas été accepté", field: "members")
                }
            case .wrongCode:
                try store.recordCode(code, for: id, kind: .notification, now: now, validity: validity)
                shown = gen.fixtureCode()
            default:
                try store.recordCode(code, for: id, kind: .notification, now: now, validity: validity)
            }
            try store.markNotified(id, at: now)
            codes += 1
            onRow.append(shown)
        }
        if locked, let p = rows.first.map({ members[$0].person }) {
            for _ in 0..<policy.maxFailures {
                _ = try store.identify(code: gen.fixtureCode(), nir: p.nir, card: p.card, serial: p.serial, now: now, policy: policy)
            }
        }
        for (k, i) in rows.enumerated() {
            guard let code = onRow[k] else { continue }
            let (status, reason) = expected(scenarios[k], members[i].person, locked: locked)
            counts[status, default: 0] += 1
            let cells = scenarios[k].cells(members[i].person, code: code, today: now.parisDate) + [status, reason ?? ""]
            table.append(cells, extra: scenarios[k] == .extraField ? [("extra", "en trop")] : [], asTyped: scenarios[k] == .strayQuote)
        }
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
                return (BatchOpposition.status(for: e).rawValue, e.code.rawValue)
            } catch {
                return (S.invalid.rawValue, ErrorCode.internal.rawValue)
            }
        }
    }
}
