import MESCore
import MESRender
import MESStore
import MESSystem

/// Where a fixtures file goes.
public enum FixtureDestination: Sendable, Equatable {
    case file(String)
    /// Standard output (`-`): the bytes go to the `standardOutput` sink of `Fixtures.write`.
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
    /// The date the population is made at: `Fixtures.fixedNow` (the default, whatever the
    /// day), or the clock `Fixtures.write` is given (`--now`).
    public var date: FixturesDate
    /// When not empty, only families with a member of one of these cases (`--case`).
    public var cases: Set<FixtureCase>

    public init(count: Int, seed: UInt64, roster: FixtureDestination, members: FixtureDestination? = nil, format: TableFormat = .csv,
                force: Bool = false, date: FixturesDate = .fixed, cases: Set<FixtureCase> = []) {
        self.cases = cases
        self.count = count
        self.seed = seed
        self.roster = roster
        self.members = members
        self.format = format
        self.force = force
        self.date = date
    }
}

/// Which date fixtures are made at (ages, states and their dates, the codes' validity).
public enum FixturesDate: Sendable, Equatable {
    /// `Fixtures.fixedNow`: the same bytes on any day for a seed.
    case fixed
    /// The clock given to `Fixtures.write` (`--now`, `MES_NOW`).
    case clock
}

extension FixturesRequest {
    /// Whether the roster and the members file go to two different places (at most one to
    /// standard output, never one file twice): `Fixtures.write` needs it, the caller checks it.
    public var twoDestinations: Bool {
        guard let members else { return true }
        if roster == .standardOutput && members == .standardOutput { return false }
        if let a = roster.path, let b = members.path, FileIO.sameTarget(a, b) { return false }
        return true
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
    /// The date the population was made at (the batch on the members file runs at it: `--now`).
    public var now: Instant = Fixtures.fixedNow
    /// What became of the store's population (members file).
    public var population: FixturesPopulation? = nil
}

/// With `--members`: the seed's population imported into the store, the one it already held
/// reused as it was, or an earlier one of the seed replaced (`--force`).
public enum FixturesPopulation: String, Sendable {
    case imported, reused, replaced
}

/// Bytes handed over as they are made (a file written to standard output); throws to stop.
public typealias ByteSink = ([UInt8]) throws -> Void

/// Writing fixtures: the roster needs no store; the members file imports it into the store in
/// `storeDirectory` (created if needed), gives every profile a code in the state its row
/// exercises (`MemberScenario`) and says what the batch will answer for each row.
///
/// Memory stays flat in the count: no person is kept. Each file goes out as its rows are made, and
/// the population is walked again for each use (`PopulationGenerator`): once for the roster file,
/// once as the import's source (CSV), once for the members file, whose ids are read from the
/// store in step with it (`FixtureMembers`). With `--members` the import, the codes and both
/// files land together or not at all.
public enum Fixtures {
    /// The roster's columns (`mes import` reads them).
    static let rosterKeys = Roster.header

    /// The date fixtures are made at without `--now`, so that a seed gives the same bytes
    /// whatever the day (documented in mes(1), FIXTURES).
    public static let fixedNow = Instant.parse("2026-01-01T10:00:00Z")!

    /// Writes the files; the one going to `-` is handed to `standardOutput` piece by piece. The
    /// roster and the members file are two destinations (`FixturesRequest.twoDestinations`; the command line says which flags clash).
    /// `progress`: told how many people were imported, then how many members written.
    public static func write(_ r: FixturesRequest, clock: any Clock, storeDirectory: String,
                             progress: ((Progress) -> Void)? = nil, standardOutput: @escaping ByteSink) throws -> FixturesResult {
        let progress = ProgressThrottle(progress)
        let clock: any Clock = r.date == .fixed ? FixedClock(fixedNow) : clock
        let now = clock.now()
        guard r.twoDestinations else {
            throw MESError(.conflictingOptions, "Le registre et le fichier des membres doivent aller à deux endroits différents.", field: "members")
        }
        try FileIO.checkOutputTarget(r.roster.path, force: r.force, storeDirectory: storeDirectory, field: "roster")
        try FileIO.checkOutputTarget(r.members?.path, force: r.force, storeDirectory: storeDirectory, field: "members")
        // The store the members file needs, checked before anything is written.
        let store: Store? = try r.members.map { _ in
            let (store, created) = try Store.create(storeDirectory)
            if created { try store.enableTestClock() }  // a fixtures store is a test store
            // Its codes are drawn from the seed, predictable by design: never in a real register.
            guard store.allowsTestClock else {
                throw MESError(.storeNotForTests, "Les fixtures de membres portent des codes prévisibles (tirés de la graine) : elles ne "
                               + "s'écrivent que dans une base faite pour les tests (mes init --test-clock), pas dans celle-ci.",
                               field: "members")
            }
            try Service.requireClockAllowed(clock, by: store)
            return store
        }
        let today = now.parisDate
        let roster = try FixtureOutput(r.roster, replace: r.force, field: "roster", storeDirectory: storeDirectory,
                                       standardOutput: standardOutput)
        let first = try writeRoster(r, today: today, into: roster)
        guard let membersDestination = r.members, let store else {
            try roster.commit()
            return FixturesResult(profiles: r.count, rosterPath: r.roster.name, membersPath: nil, codes: 0, expected: [], now: now)
        }
        let (seed, count) = (r.seed, r.count)
        let population = try populationPlan(r, now: now, store: store)
        /// The members file from the population's walk (recording its codes in the store, or
        /// not when the store holds them already).
        func writeMembers(after lastBefore: Int64, recording: Bool) throws -> (FixtureMembers, FixtureOutput) {
            let output = try FixtureOutput(membersDestination, replace: r.force, field: "members", storeDirectory: storeDirectory,
                                           standardOutput: standardOutput)
            var file = FixtureMembers(store: store, after: lastBefore, now: now, format: r.format, codes: first.codes, recording: recording)
            var again = PopulationGenerator(seed: seed, today: today, replaying: first.redraws)
            again.cases = r.cases
            var written = 0
            try again.forEachFamily(count: count) { family in
                try file.record(family)
                try output.write(&file.table)
                written += family.count
                progress.report(Progress(.members, done: written, total: count))
            }
            try output.finish(&file.table)
            progress.report(Progress(.members, done: count, total: count), force: true)
            return (file, output)
        }
        if population == .reused {
            // The same population, untouched since: the same rows, and the store as it is.
            let (file, output) = try writeMembers(after: 0, recording: false)
            try roster.commit()
            try output.commit()
            return FixturesResult(profiles: r.count, rosterPath: r.roster.name, membersPath: membersDestination.name,
                                  codes: file.codes, expected: file.expectedCounts, now: now, population: .reused)
        }
        // One transaction: the import, every code and both files land, or none does (a kill
        // leaves the store as it was, so the same command can run again).
        let file = try store.loadTransaction { () -> FixtureMembers in
            if population == .replaced { try store.clearRegister() }
            let lastBefore = try store.lastPersonID()
            do {
                _ = try RosterImport.load({ feed in
                    var again = PopulationGenerator(seed: seed, today: today, replaying: first.redraws)
                    again.cases = r.cases
                    var csv = DataTable(keys: rosterKeys, format: .csv)
                    var id = 0
                    try again.forEachFamily(count: count) { family in
                        for m in family {
                            id += 1
                            csv.append(rosterCells(m, id: id, family: family, today: today))
                        }
                        try csv.flush(atLeast: FixtureOutput.piece) { try $0.withUnsafeBufferPointer(feed) }
                    }
                    try csv.flush { try $0.withUnsafeBufferPointer(feed) }
                }, into: store, today: today, progress: progress.isActive ? { rows, _ in
                    progress.report(Progress(.people, done: rows, total: count))
                } : nil)
            } catch let e as MESError where e.code == .rosterInvalid {
                throw importRefused(e, seed: seed)
            }
            let (file, output) = try writeMembers(after: lastBefore, recording: true)
            try store.recordFixtures(seed: seed, .init(count: count, now: now.seconds, version: Versions.fixtures, cases: r.cases,
                                                       mark: try store.changeMark()))
            for (destination, written) in [(r.roster, roster), (membersDestination, output)] {
                try written.commit()
                if let path = destination.path { store.noteCreated(path) }
            }
            return file
        }
        return FixturesResult(profiles: r.count, rosterPath: r.roster.name, membersPath: membersDestination.name,
                              codes: file.codes, expected: file.expectedCounts, now: now, population: population)
    }

    /// How many of an import's row errors a refusal lists (it counts them all).
    static let listedErrors = 20

    /// What to do with the population of `r.seed` the store may hold already: reuse it when it
    /// was made with the same count, clock and fixtures version and nothing was added to or
    /// removed from the store since; else replace it with `--force` when the store holds nothing
    /// else; else refuse, saying why.
    static func populationPlan(_ r: FixturesRequest, now: Instant, store: Store) throws -> FixturesPopulation {
        guard let record = try store.fixturesRecord(seed: r.seed) else { return .imported }
        let same = record.count == r.count && record.now == now.seconds && record.version == Versions.fixtures && record.cases == r.cases
        let unchanged = try store.changeMark() == record.mark
        if same && unchanged { return .reused }
        let made = "\(record.count) profils au \(Instant(seconds: record.now).iso8601), fixtures version \(record.version)"
            + (record.cases.isEmpty ? "" : ", --case " + record.cases.sorted().map(\.rawValue).joined(separator: " --case "))
        let people = try store.counts().people
        guard r.force else {
            let why = same ? "elle a changé depuis (un lot, une identification…) : les statuts attendus ne seraient plus justes"
                : "faite avec d'autres paramètres (\(made))"
            throw MESError(.fixturesPresent, "La base contient déjà une population de la graine \(r.seed), mais \(why). --force la remplace par "
                           + "celle-ci ; ou faites les fixtures dans une autre base (--store).", field: "members")
        }
        guard people == record.count else {
            throw MESError(.fixturesPresent, "La base contient \(people) personnes, pas seulement la population de la graine \(r.seed) "
                           + "(\(made)) : --force ne remplace qu'une base qui ne tient que cette population. Faites les fixtures dans "
                           + "une autre base (--store).", field: "members")
        }
        return .replaced
    }

    /// An import of the population refused row by row: the first `listedErrors` row errors and
    /// how many in all; people already in the store say where they come from.
    static func importRefused(_ e: MESError, seed: UInt64) -> MESError {
        let present = e.details.filter { $0.code == .personPresent }.count
        var message = present > 0
            ? "La base contient déjà \(present) des personnes de la graine \(seed) (fixtures d'une version antérieure, ou d'une autre graine) : "
              + "faites les fixtures dans une autre base (--store). "
            : ""
        message += "Import refusé : \(e.details.count) \(e.details.count > 1 ? "erreurs" : "erreur"), rien n'a été importé."
        message += e.details.prefix(listedErrors).map { "\n  ligne \($0.line.map(String.init) ?? "?"), \($0.field) : \($0.message)" }.joined()
        if e.details.count > listedErrors { message += "\n  … et \(e.details.count - listedErrors) autres" }
        var capped = MESError(.rosterInvalid, message, field: e.field)
        capped.details = Array(e.details.prefix(listedErrors))
        return capped
    }

    /// Writes the roster into `output` (not put in place yet) from the population's first walk,
    /// which keeps the holders' NIRs apart (then let go); returns what the later walks need: its
    /// redraws, and the codes drawn next.
    static func writeRoster(_ r: FixturesRequest, today: CalendarDate,
                            into output: FixtureOutput) throws -> (redraws: [Int], codes: FixtureCodes) {
        var gen = PopulationGenerator(seed: r.seed, today: today, expectedPeople: r.count)
        gen.cases = r.cases
        var table = DataTable(keys: rosterKeys, format: r.format)
        var id = 0
        try gen.forEachFamily(count: r.count) { family in
            for m in family {
                id += 1
                table.append(rosterCells(m, id: id, family: family, today: today))
            }
            try output.write(&table)
        }
        try output.finish(&table)
        return (gen.redraws, gen.codes)
    }

    /// A roster row, in the order of `rosterKeys`: the person, its number in the file
    /// (`person_id`, 1 for the first row: the members file's row of the same number is this
    /// person's) and its cases (`tags`, space-separated).
    static func rosterCells(_ m: PopulationGenerator.Member, id: Int, family: [PopulationGenerator.Member], today: CalendarDate) -> [String] {
        let p = m.person
        return [p.nir.compact, p.birthDate.iso, p.firstName, p.lastName, p.card.rawValue, p.serial,
                p.email ?? "", p.mobile ?? "", p.address ?? "", m.holderBirthDate?.iso ?? "",
                p.deceased ? "oui" : "", p.state == .pending ? "" : p.state.rawValue, p.stateSince?.iso8601 ?? "", "",
                String(id), PopulationGenerator.tagsCell(m, in: family, today: today)]
    }
}

/// A fixtures file going out as its rows are made: into a file put in place whole by `commit`
/// (`FileIO.AtomicFile`: nothing at its path before, nothing half-written after a failure or a
/// kill), or to standard output.
final class FixtureOutput {
    /// What is handed over at a time.
    static let piece = 1 << 16
    private let file: FileIO.AtomicFile?
    private let standardOutput: ByteSink

    init(_ destination: FixtureDestination, replace: Bool, field: String, storeDirectory: String,
         standardOutput: @escaping ByteSink) throws {
        file = try destination.path.map { try FileIO.AtomicFile($0, replace: replace, field: field, storeDirectory: storeDirectory) }
        self.standardOutput = standardOutput
    }

    /// Writes out what `table` holds once it is a piece.
    func write(_ table: inout DataTable) throws { try table.flush(atLeast: Self.piece, to: put) }

    /// Writes out the rest.
    func finish(_ table: inout DataTable) throws { try table.flush(to: put) }

    /// Puts the file in place (standard output: nothing to do).
    func commit() throws { try file?.commit() }

    private func put(_ bytes: [UInt8]) throws {
        if let file { try file.write(bytes) } else { try standardOutput(bytes) }
    }
}
