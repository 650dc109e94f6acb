import MESCore
import MESRender
import MESStore

/// Synthetic fixtures to write.
public struct FixturesRequest: Sendable {
    public var count: Int
    public var seed: UInt64
    public var rosterPath: String
    /// Also import the roster into the store and write the members file with notification codes.
    public var membersPath: String?
    /// Replace existing output files.
    public var force: Bool

    public init(count: Int, seed: UInt64, rosterPath: String, membersPath: String? = nil, force: Bool = false) {
        self.count = count
        self.seed = seed
        self.rosterPath = rosterPath
        self.membersPath = membersPath
        self.force = force
    }
}

/// What `fixtures` wrote.
public struct FixturesResult: Sendable {
    public let profiles: Int
    public let rosterPath: String
    public let membersPath: String?
    /// Notification codes issued (members file).
    public let codes: Int
}

/// Writing fixtures: the roster needs no store; the members file imports it into the store in
/// `storeDirectory` (created if needed) and issues every profile a notification code.
public enum Fixtures {
    public static func write(_ r: FixturesRequest, clock: any Clock, storeDirectory: String) throws -> FixturesResult {
        let now = clock.now()
        try FileIO.checkOutputTarget(r.rosterPath, force: r.force, storeDirectory: storeDirectory, field: "roster")
        try FileIO.checkOutputTarget(r.membersPath, force: r.force, storeDirectory: storeDirectory, field: "members")
        // The store the members file needs, checked before anything is written.
        let store: Store? = try r.membersPath.map { _ in
            let (store, created) = try Store.create(storeDirectory)
            if created { try store.enableTestClock() }  // a fixtures store is a test store
            try Service.requireClockAllowed(clock, by: store)
            return store
        }
        var gen = PopulationGenerator(seed: r.seed, today: now.parisDate)
        var members: [PopulationGenerator.Member] = []
        members.reserveCapacity(r.count)
        var index = 0
        while members.count < r.count {
            members += gen.family(index: index).prefix(r.count - members.count)
            index += 1
        }
        var roster = Array(CSVWriter.line(Roster.header).utf8)
        roster.reserveCapacity(r.count * 140)
        for m in members {
            let p = m.person
            roster += Array(CSVWriter.line([p.nir.compact, p.birthDate.iso, p.firstName, p.lastName, p.card.rawValue, p.serial,
                                            p.email ?? "", p.mobile ?? "", p.address ?? "", m.holderBirthDate?.iso ?? "",
                                            "", "", "", ""]).utf8)
        }
        try FileIO.writeAtomically(r.rosterPath, roster, replace: r.force, field: "roster", storeDirectory: storeDirectory)
        guard let membersPath = r.membersPath, let store else {
            return FixturesResult(profiles: members.count, rosterPath: r.rosterPath, membersPath: nil, codes: 0)
        }
        let lastBefore = try store.lastPersonID()
        _ = try RosterImport.run(roster, into: store, today: now.parisDate)
        // The ids the import gave, read at once (one query rather than one per member).
        var ids: [String: Int64] = [:]
        ids.reserveCapacity(members.count)
        try store.forEachIdentity(after: lastBefore) { id, nir, birth, first in ids[nir + "|" + birth + "|" + first] = id }
        var out: [UInt8] = [0xEF, 0xBB, 0xBF]
        out += Array(CSVWriter.line(["nir", "date_naissance", "type_carte", "numero_serie", "code", "nom", "prenom"], separator: ";").utf8)
        var issued = 0
        try store.transaction {
            for m in members {
                let p = m.person
                guard let id = ids[p.nir.compact + "|" + p.birthDate.iso + "|" + p.firstName] else { continue }
                let code = gen.fixtureCode()
                try store.recordCode(code, for: id, kind: .notification, now: now, validity: Policy.standard.notificationValidity)
                try store.markNotified(id, at: now)
                out += Array(CSVWriter.line([p.nir.formatted, p.birthDate.french, p.card == .photo ? "avec photo" : "sans photo",
                                             p.serial, code, p.lastName, p.firstName], separator: ";").utf8)
                issued += 1
            }
            try FileIO.writeAtomically(membersPath, out, replace: r.force, field: "members", storeDirectory: storeDirectory)
            store.noteCreated(membersPath)
        }
        return FixturesResult(profiles: members.count, rosterPath: r.rosterPath, membersPath: membersPath, codes: issued)
    }
}
