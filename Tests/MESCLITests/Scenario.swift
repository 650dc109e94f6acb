import Foundation
import Testing
@testable import MESCLI
@testable import MESStore

/// A store in a temporary directory and a fixed clock, driven through the built binary.
final class Scenario {
    let dir: URL
    var now: String
    /// More environment for every run (a transport: `deliverToMaildir()`).
    var environment: [String: String] = [:]

    init(demo: Bool = true, now: String = "2022-02-03T10:00:00Z") throws {
        dir = temporaryDirectory("mes-e2e")
        self.now = now
        if demo { _ = try run(["init", "--demo"]) }
    }

    /// A scenario on a copy of `template`'s folder (its store and files), at its clock.
    private init(copying template: Scenario) throws {
        dir = temporaryDirectory("mes-e2e")
        now = template.now
        try FileManager.default.removeItem(at: dir)
        try FileManager.default.copyItem(at: template.dir, to: dir)
    }

    deinit { try? FileManager.default.removeItem(at: dir) }

    var store: String { dir.appendingPathComponent("store").path }

    /// Runs `mes` with this store and clock.
    @discardableResult
    func run(_ args: [String], stdin: String = "") throws -> RunResult {
        try runBinary(args, stdin: Data(stdin.utf8), env: environment.merging(["MES_HOME": store, "MES_NOW": now]) { $1 })
    }

    /// From now on e-mails are delivered into a local Maildir (`MES_MAIL_URL=maildir:…`), which
    /// counts as sending: a notification's window starts when it lands there.
    @discardableResult
    func deliverToMaildir() -> String {
        let maildir = dir.appendingPathComponent("maildir").path
        environment["MES_MAIL_URL"] = "maildir:" + maildir
        return maildir
    }

    /// Prints the letters waiting in the outbox into one PDF and records them as posted now
    /// (their windows start).
    func printAndPostLetters() throws {
        let pdf = dir.appendingPathComponent("letters-\(now.filter(\.isNumber)).pdf").path
        let printed = try run(["outbox", "letters", "--pdf", pdf])
        #expect(printed.status == 0, "\(printed.stderr)")
        guard FileManager.default.fileExists(atPath: pdf) else { return }
        let posted = try run(["outbox", "letters", "--posted", pdf])
        #expect(posted.status == 0, "\(posted.stderr)")
    }

    /// Moves the clock.
    func advance(seconds: Int) {
        now = Instant.parse(now)!.adding(seconds: Int64(seconds)).iso8601
    }

    /// The code carried by the last delivered message (read as a script would).
    func lastCode() throws -> String {
        let r = try run(["outbox", "show", "last", "--json"])
        return r.json["code"] as? String ?? ""
    }

    /// Every file of the store with its bytes (to prove a failed command changed nothing). With
    /// `databaseContent`, the database is taken as its schema and every row of every table
    /// instead: an import into an empty register switches the journal and back, which rewrites
    /// the file header (change counter, journal mode) without changing any content.
    func snapshot(databaseContent byContent: Bool = false) -> [String: Data] {
        var out: [String: Data] = [:]
        let e = FileManager.default.enumerator(atPath: store)
        while let rel = e?.nextObject() as? String {
            let p = store + "/" + rel
            var isDir: ObjCBool = false
            if rel == "mes.db" && byContent { out[rel] = databaseContent() }
            else if FileManager.default.fileExists(atPath: p, isDirectory: &isDir), !isDir.boolValue {
                out[rel] = FileManager.default.contents(atPath: p)
            } else { out[rel + "/"] = Data() }
        }
        return out
    }

    /// The schema, user version and rows of the store's database, as text (read from a copy, so
    /// that reading leaves no file behind in the store).
    func databaseContent() -> Data {
        let copy = temporaryDirectory("mes-db-copy")
        defer { try? FileManager.default.removeItem(at: copy) }
        try? FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: store + "/mes.db" + suffix) {
            try? FileManager.default.copyItem(atPath: store + "/mes.db" + suffix, toPath: copy.path + "/mes.db" + suffix)
        }
        guard let db = try? Database(path: copy.path + "/mes.db", create: false) else { return Data("unreadable".utf8) }
        var text = "user_version \((try? db.first("PRAGMA user_version")?.int(0)) ?? -1)\n"
        let tables = (try? db.query("SELECT name, sql FROM sqlite_master ORDER BY name")) ?? []
        for t in tables {
            text += "\(t.text(1) ?? t.text(0) ?? "")\n"
            guard let sql = t.text(1), sql.hasPrefix("CREATE TABLE"), let name = t.text(0) else { continue }
            for row in (try? db.query("SELECT * FROM \(name) ORDER BY rowid")) ?? [] { text += "\(row.values)\n" }
        }
        return Data(text.utf8)
    }

    /// Everything under the store except the outbox, as bytes.
    func bytesOutsideOutbox() -> [(String, Data)] {
        snapshot().filter { !$0.key.hasPrefix("outbox/") }.map { ($0.key, $0.value) }
    }

    // The demo people.
    static let martine = ["--nir", "1 16 30 44 038 016 18", "--card", "plain", "--serial", "953701166"]
    static let martineBirth = ["--birth-date", "08/06/1988"]

    /// Writes a synthetic roster of `count` people (`mes fixtures`, `seed`) and imports it into
    /// this store, which must exist.
    func importSynthetic(count: Int, seed: String) throws {
        let roster = dir.appendingPathComponent("r.csv").path
        #expect(try run(["fixtures", "--count", String(count), "--seed", seed, "--roster", roster]).status == 0)
        #expect(try run(["import", roster]).status == 0)
    }

    /// Martine, activated as `martine.l` with `Soleil#2022x` (e-mail dlfr-…@atos.net): her
    /// session token and the password file (both lines).
    func activeMartine() throws -> (token: String, password: String) {
        let token = try martineSession()
        let pw = dir.appendingPathComponent("pw-\(UUID().uuidString)").path
        try "Soleil#2022x\nSoleil#2022x\n".write(toFile: pw, atomically: true, encoding: .utf8)
        let r = try run(["activate", "--session", token, "--accept-cgu", "--username", "martine.l", "--password-file", pw])
        #expect(r.status == 0, "\(r.stderr)")
        return (token, pw)
    }

    /// Generates a code for Martine, reads it from the outbox and identifies: returns the session token.
    func martineSession() throws -> String {
        try run(["code", "generate"] + Self.martine + Self.martineBirth)
        let code = try lastCode()
        let r = try run(["identify", "--json", "--code", code] + Self.martine)
        return r.json["session"] as? String ?? ""
    }
}

import MESCore

extension Scenario {
    /// `mes fixtures --members` cut down to its first `count` rows expected `opposed` (adults
    /// with a live code; the file keeps its header, columns and order): a batch files each of
    /// them once. Returns the members file's path.
    func opposableMembers(count: Int, seed: String, name: String = "m.csv", minors: Bool = false) throws -> String {
        let roster = dir.appendingPathComponent("roster-" + name).path, members = dir.appendingPathComponent(name).path
        let r = try run(["fixtures", "--count", String(count * 2 + 100), "--seed", seed, "--roster", roster, "--members", members])
        precondition(r.status == 0, r.stderr)
        let lines = String(decoding: try Data(contentsOf: URL(fileURLWithPath: members)), as: UTF8.self).split(separator: "\n")
        // With `minors`, also the pending minors a legal representative must certify (the roster
        // says which profiles start pending; the file's exercise rows are left out either way).
        var pending = Set<String>()
        if minors {
            for row in String(decoding: try Data(contentsOf: URL(fileURLWithPath: roster)), as: UTF8.self).split(separator: "\n").dropFirst() {
                let f = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                precondition(!row.contains("\""), "a quoted roster cell")
                if f.count > 11, f[11].isEmpty, f[10].isEmpty { pending.insert(f[0] + "|" + f[1] + "|" + f[2]) }
            }
        }
        // expected_status and expected_reason are the 8th and 9th columns (person_id and tags follow).
        func expected(_ line: Substring) -> ArraySlice<Substring> { line.split(separator: ";", omittingEmptySubsequences: false)[7...8] }
        func isPendingMinor(_ line: Substring) -> Bool {
            guard expected(line) == ["refused", "legal_representative_required"] else { return false }
            let f = line.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
            let d = f[1].split(separator: "/")
            guard d.count == 3 else { return false }
            return pending.contains(f[0].replacingOccurrences(of: " ", with: "") + "|\(d[2])-\(d[1])-\(d[0])|" + f[6])
        }
        let kept = lines.dropFirst().filter { expected($0) == ["opposed", ""] || (minors && isPendingMinor($0)) }
        precondition(kept.count >= count)
        try ([lines[0]] + kept.prefix(count)).joined(separator: "\n").appending("\n")
            .write(toFile: members, atomically: true, encoding: .utf8)
        return members
    }
}

extension Scenario {
    /// A scenario on a private copy of a store prepared once per test process under `key`:
    /// the first call runs `prepare` on a fresh scenario (`demo` as in `init`), every call
    /// copies its folder. Tests that need the same large store (thousands of imported people)
    /// pay for the import once. `prepare` must leave no process running on the store; files it
    /// writes in `dir` are copied too (paths under the copy's `dir`).
    static func prepared(_ key: String, demo: Bool = true, _ prepare: (Scenario) throws -> Void) throws -> Scenario {
        let template = try Templates.shared.template(key) {
            let s = try Scenario(demo: demo)
            try prepare(s)
            return s
        }
        return try Scenario(copying: template)
    }
}

extension Scenario {
    /// A private copy of a store holding 3,000 members a batch files (`opposableMembers`, seed
    /// "kill"), prepared once per test run; the members file is `m.csv` in `dir`. Returns the
    /// scenario and the members file's path.
    static func withOpposableMembers() throws -> (Scenario, String) {
        let s = try prepared("opposable-3000", demo: false) { _ = try $0.opposableMembers(count: 3000, seed: "kill") }
        return (s, s.dir.appendingPathComponent("m.csv").path)
    }
}

/// The prepared templates of `Scenario.prepared`, built once each (concurrent callers of one
/// key wait for the first; different keys build side by side). They live as long as the
/// test process and are removed when it exits.
final class Templates: @unchecked Sendable {
    static let shared: Templates = {
        atexit { Templates.shared.removeAll() }
        return Templates()
    }()
    private let lock = NSLock()
    private var entries: [String: Entry] = [:]

    final class Entry: @unchecked Sendable {
        let lock = NSLock()
        var scenario: Scenario?
    }

    func template(_ key: String, build: () throws -> Scenario) throws -> Scenario {
        let entry = lock.withLock { () -> Entry in
            if let e = entries[key] { return e }
            let e = Entry()
            entries[key] = e
            return e
        }
        entry.lock.lock()
        defer { entry.lock.unlock() }
        if let s = entry.scenario { return s }
        let s = try build()
        entry.scenario = s
        return s
    }

    private func removeAll() {
        lock.withLock { entries.values.forEach { $0.scenario = nil } }
    }
}
