import MESCore
import MESRender
import MESStore

/// Where a fixtures file goes.
public enum FixtureDestination: Sendable, Equatable {
    case file(String)
    /// Standard output (`-`): the bytes come back in `FixturesResult.standardOutput`.
    case standardOutput

    var path: String? { if case .file(let p) = self { return p } else { return nil } }
    /// The path, or `-`.
    public var name: String { path ?? "-" }
}

/// Synthetic fixtures to write.
public struct FixturesRequest: Sendable {
    public var count: Int
    public var seed: UInt64
    public var roster: FixtureDestination
    /// Also import the roster into the store and write the members file with notification codes.
    public var members: FixtureDestination?
    public var format: TableFormat
    /// Replace existing output files.
    public var force: Bool

    public init(count: Int, seed: UInt64, roster: FixtureDestination, members: FixtureDestination? = nil, format: TableFormat = .csv,
                force: Bool = false) {
        self.count = count
        self.seed = seed
        self.roster = roster
        self.members = members
        self.format = format
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
    /// How many members rows expect each batch status, by status (members file).
    public let expected: [(status: String, rows: Int)]
    /// The file that goes to standard output, if one does.
    public let standardOutput: [UInt8]
}

/// Writing fixtures: the roster needs no store; the members file imports it into the store in
/// `storeDirectory` (created if needed), gives every profile a code in the state its row
/// exercises (`MemberScenario`) and says what the batch will answer for each row.
public enum Fixtures {
    /// The roster's columns (`mes import` reads them).
    static let rosterKeys = Roster.header

    public static func write(_ r: FixturesRequest, clock: any Clock, storeDirectory: String) throws -> FixturesResult {
        let now = clock.now()
        if r.roster == .standardOutput && r.members == .standardOutput {
            throw MESError.usage("--roster and --members cannot both go to standard output (-)", field: "members")
        }
        try FileIO.checkOutputTarget(r.roster.path, force: r.force, storeDirectory: storeDirectory, field: "roster")
        try FileIO.checkOutputTarget(r.members?.path, force: r.force, storeDirectory: storeDirectory, field: "members")
        // The store the members file needs, checked before anything is written.
        let store: Store? = try r.members.map { _ in
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
        let roster = rosterFile(members, format: .csv).bytes
        let shown = r.format == .csv ? roster : rosterFile(members, format: r.format).bytes
        var standardOutput: [UInt8] = []
        if let path = r.roster.path {
            try FileIO.writeAtomically(path, shown, replace: r.force, field: "roster", storeDirectory: storeDirectory)
        } else {
            standardOutput = shown
        }
        guard let membersDestination = r.members, let store else {
            return FixturesResult(profiles: members.count, rosterPath: r.roster.name, membersPath: nil, codes: 0, expected: [],
                                  standardOutput: standardOutput)
        }
        let lastBefore = try store.lastPersonID()
        _ = try RosterImport.run(roster, into: store, today: now.parisDate)
        let file = try store.transaction { () -> FixtureMembers in
            var file = try FixtureMembers(members, store: store, after: lastBefore, now: now, format: r.format, codes: gen)
            try file.record()
            if let path = membersDestination.path {
                try FileIO.writeAtomically(path, file.table.bytes, replace: r.force, field: "members", storeDirectory: storeDirectory)
                store.noteCreated(path)
            }
            return file
        }
        if membersDestination == .standardOutput { standardOutput = file.table.bytes }
        return FixturesResult(profiles: members.count, rosterPath: r.roster.name, membersPath: membersDestination.name,
                              codes: file.codes, expected: file.expectedCounts, standardOutput: standardOutput)
    }

    /// The roster as `mes import` reads it (CSV), or as JSON Lines.
    static func rosterFile(_ members: [PopulationGenerator.Member], format: TableFormat) -> DataTable {
        var t = DataTable(keys: rosterKeys, format: format, capacity: members.count * 150)
        for m in members {
            let p = m.person
            t.append([p.nir.compact, p.birthDate.iso, p.firstName, p.lastName, p.card.rawValue, p.serial,
                      p.email ?? "", p.mobile ?? "", p.address ?? "", m.holderBirthDate?.iso ?? "",
                      p.deceased ? "oui" : "", p.state == .pending ? "" : p.state.rawValue, p.stateSince?.iso8601 ?? "", ""])
        }
        return t
    }
}
