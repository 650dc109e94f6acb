import MESCore
import MESRender
import MESStore

/// `mes fixtures`: a synthetic roster (and members file with notification codes) for tests.
enum FixturesCommand {
    static var spec: CommandSpec {
        CommandSpec(
            ["fixtures"], summary: "Write a synthetic, reproducible roster (and a members CSV with codes).",
            discussion: "Writes --roster FILE, a CSV that 'mes import' loads: COUNT profiles in families (holders and children attached to their card, some twins), births in Corsica, overseas and abroad, both card models, some people with no e-mail or mobile. The same --seed and --now give the same file. With --members FILE it also imports the roster into the store, issues every profile a notification code (valid 6 weeks) and writes the association's members CSV (';', UTF-8 with BOM, as French spreadsheets export it) with the plaintext codes: the store keeps only their keyed digests. Fixture codes are derived from the seed (predictable by design): never use fixtures for real people.",
            options: [.value("count", "N", "How many profiles (1 to 5000000).", required: true),
                      .value("seed", "S", "Seed (a number or any text).", required: true),
                      .value("roster", "FILE", "Where to write the roster CSV.", file: true, required: true),
                      .value("members", "FILE", "Also import and write the members CSV with notification codes.", file: true),
                      .flag("force", "Replace existing output files.")],
            examples: ["mes fixtures --count 1000 --seed 42 --roster roster.csv",
                       "mes fixtures --count 100000 --seed 1 --roster roster.csv --members members.csv"],
            run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let now = try ctx.now()
        let count = try inv.integer("count", default: 1, range: 1...5_000_000)
        let seed = seedValue(try inv.required("seed"))
        let rosterPath = try inv.required("roster")
        let membersPath = inv.value("members")
        let force = inv.flag("force")
        try FileIO.refuseExisting(rosterPath, force: force, field: "roster")
        try FileIO.refuseExisting(membersPath, force: force, field: "members")
        var gen = PopulationGenerator(seed: seed, today: now.parisDate)
        var members: [PopulationGenerator.Member] = []
        members.reserveCapacity(count)
        var index = 0
        while members.count < count {
            members += gen.family(index: index).prefix(count - members.count)
            index += 1
        }
        var roster = Array(CSVWriter.line(Roster.header).utf8)
        roster.reserveCapacity(count * 140)
        for m in members {
            let p = m.person
            roster += Array(CSVWriter.line([p.nir.compact, p.birthDate.iso, p.firstName, p.lastName, p.card.rawValue, p.serial,
                                            p.email ?? "", p.mobile ?? "", p.address ?? "", m.holderBirthDate?.iso ?? "",
                                            "", "", "", ""]).utf8)
        }
        try FileIO.writeAtomically(rosterPath, roster, overwrite: force, field: "roster")
        var issued = 0
        if let membersPath {
            let (store, _) = try Store.create(ctx.storeDirectory)
            let lastBefore = try store.lastPersonID()
            _ = try RosterImport.run(roster, into: store, today: now.parisDate)
            // The ids the import gave, read at once (one query rather than one per member).
            var ids: [String: Int64] = [:]
            ids.reserveCapacity(members.count)
            try store.forEachIdentity(after: lastBefore) { id, nir, birth, first in ids[nir + "|" + birth + "|" + first] = id }
            var out: [UInt8] = [0xEF, 0xBB, 0xBF]
            out += Array(CSVWriter.line(["nir", "date_naissance", "type_carte", "numero_serie", "code", "nom", "prenom"], separator: ";").utf8)
            try store.transaction {
                for m in members {
                    let p = m.person
                    guard let id = ids[p.nir.compact + "|" + p.birthDate.iso + "|" + p.firstName] else { continue }
                    let code = gen.fixtureCode()
                    try store.recordCode(code, for: id, kind: .notification, now: now, validity: CodePolicy.standard.notificationValidity)
                    try store.markNotified(id, at: now)
                    out += Array(CSVWriter.line([p.nir.formatted, p.birthDate.french, p.card == .photo ? "avec photo" : "sans photo",
                                                 p.serial, code, p.lastName, p.firstName], separator: ";").utf8)
                    issued += 1
                }
                try FileIO.writeAtomically(membersPath, out, overwrite: force, field: "members")
                store.noteCreated(membersPath)
            }
        }
        ctx.emit(SimpleReport(
            text: "\(members.count) profils écrits dans \(rosterPath)" + (membersPath.map { "\n\(issued) membres avec leur code dans \($0)" } ?? ""),
            json: .obj([("schema_version", 1), ("status", "written"), ("profiles", .int(members.count)), ("roster", .string(rosterPath)),
                        ("members", JSON.str(membersPath)), ("codes", .int(issued))])))
    }
}
