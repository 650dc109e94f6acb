import Foundation
import Testing
@testable import MESCLI

/// Every command's `--json` output validates against its JSON Schema in schemas/ (draft 2020-12,
/// checked by Python's jsonschema), and every command that prints JSON has one.
@Suite(.serialized) struct SchemaTests {
    /// The schema of a command path: `nir check` → `nir-check`.
    static func schemaName(_ path: [String]) -> String { path.joined(separator: "-") }

    /// Commands whose output is not JSON (scripts and documents for people).
    static let notJSON: Set<String> = ["completions", "manpage"]

    @Test func everyCommandHasASchema() throws {
        for c in CommandTable.all where !Self.notJSON.contains(c.name) {
            let file = packageRoot.appendingPathComponent("schemas/\(Self.schemaName(c.path)).schema.json").path
            #expect(FileManager.default.fileExists(atPath: file), "\(c.name) has no schema")
        }
    }

    @Test func everyOutputValidates() throws {
        let s = try Scenario()
        var outputs: [(String, String)] = []
        func json(_ schema: String, _ args: [String], stdin: String = "", allowFailure: Bool = false) throws -> RunResult {
            let r = try runBinary(args + ["--json"], stdin: Data(stdin.utf8), env: ["MES_HOME": s.store, "MES_NOW": s.now])
            if !allowFailure { #expect(r.status == 0 || r.status == 65, "\(args): \(r.stderr)") }
            if !r.stdout.isEmpty { outputs.append((schema, r.stdout)) }
            if !r.stderr.isEmpty && r.stderr.hasPrefix("{") { outputs.append(("error", r.stderr)) }
            return r
        }
        let dir = s.dir.path
        _ = try json("version", ["--version"])
        _ = try json("schema", ["schema", "--list"])
        // A schema printed (several lines): validated as one document.
        let printed = try runBinary(["schema", "batch-oppose", "--json"])
        let schemaDocument = try JSONSerialization.data(withJSONObject: try JSONSerialization.jsonObject(with: Data(printed.stdout.utf8)))
        outputs.append(("schema", String(decoding: schemaDocument, as: UTF8.self)))
        _ = try json("nir-check", ["nir", "check", "116304403801618", "1163044038016"])
        _ = try json("nir-format", ["nir", "format", "116304403801618"])
        _ = try json("nir-key", ["nir", "key", "1163044038016"])
        _ = try json("nir-generate", ["nir", "generate", "--count", "3", "--seed", "1"])
        _ = try json("nir-generate", ["nir", "generate", "--count", "3", "--seed", "1", "--invalid"])
        _ = try json("vitale-check", ["vitale", "check", "--card", "photo", "01024576124"])
        _ = try json("vitale-generate", ["vitale", "generate", "--card", "plain", "--count", "3", "--seed", "1"])
        _ = try json("vitale-generate", ["vitale", "generate", "--card", "photo", "--count", "4", "--seed", "1", "--invalid"])
        _ = try json("nir-check", ["nir", "check", "--rules", "cnam", "1163044038016", "11630440380161"])
        _ = try json("init", ["init"])
        _ = try json("fixtures", ["fixtures", "--count", "5", "--seed", "s", "--roster", dir + "/r.csv"])
        let code = try json("code-generate", ["code", "generate"] + Scenario.martine + Scenario.martineBirth)
        #expect(code.status == 0)
        _ = try json("outbox-list", ["outbox", "list"])
        let shown = try json("outbox-show", ["outbox", "show", "last"])
        let id = try json("identify", ["identify", "--code", shown.json["code"] as? String ?? ""] + Scenario.martine)
        let token = id.json["session"] as? String ?? ""
        _ = try json("profiles-list", ["profiles", "list", "--session", token])
        _ = try json("contacts-show", ["contacts", "show", "--session", token])
        _ = try json("contacts-show", ["contacts", "show"] + Scenario.martine + Scenario.martineBirth)
        _ = try json("activate", ["activate", "--session", token, "--accept-cgu"])
        _ = try json("oppose", ["oppose", "--session", token, "--yes", "--receipt", dir + "/j.pdf"])
        _ = try json("oppose", ["oppose", "--session", token, "--yes"])
        _ = try json("profiles-oppose", ["profiles", "oppose", "--session", token, "--profile", "3", "--legal-representative", "--yes"])
        _ = try json("profiles-activate", ["profiles", "activate", "--session", token, "--profile", "4", "--legal-representative",
                                           "--accept-cgu", "--yes"])
        _ = try json("receipt", ["receipt", "--session", token, "-o", dir + "/dup.pdf"])
        _ = try json("receipt-document", ["receipt", "--session", token, "--format", "json"])
        _ = try json("receipt-verify", ["receipt", "verify", dir + "/j.pdf"])
        _ = try json("key-export", ["key", "export"])
        _ = try json("advisers-add", ["advisers", "add", "B7"])
        _ = try json("advisers-list", ["advisers", "list"])
        _ = try json("history", ["history"])
        _ = try json("activate", ["activate", "--session", token, "--accept-cgu", "--email", "m@example.fr"])
        s.advance(seconds: 60)
        let otp = try s.lastCode()
        let pw = dir + "/pw.txt"
        try "Soleil#2022x\nSoleil#2022x\n".write(toFile: pw, atomically: true, encoding: .utf8)
        let t2 = try s.martineSession()
        _ = try json("activate", ["activate", "--session", t2, "--accept-cgu", "--email", "m@example.fr", "--email-otp", otp,
                                  "--username", "martine.l", "--password-file", pw], allowFailure: true)
        _ = try json("login", ["login", "--username", "martine.l", "--password-file", pw])
        _ = try json("login", ["login", "--username", "martine.l", "--otp", try s.lastCode()])
        let card = ["--nir", "116304403801618", "--birth-date", "08/06/1988", "--card", "plain", "--serial", "953701166"]
        _ = try json("recover-identifier", ["recover", "identifier"] + card)
        try (try s.lastCode()).write(toFile: dir + "/otp.txt", atomically: true, encoding: .utf8)
        _ = try json("recover-identifier", ["recover", "identifier", "--otp-file", dir + "/otp.txt"] + card)
        _ = try json("recover-password", ["recover", "password", "--username", "martine.l"])
        try (try s.lastCode()).write(toFile: dir + "/otp.txt", atomically: true, encoding: .utf8)
        _ = try json("recover-password", ["recover", "password", "--username", "martine.l", "--otp-file", dir + "/otp.txt",
                                          "--password-file", pw])
        _ = try json("logout", ["logout", "--session", t2], allowFailure: true)
        _ = try json("notify", ["notify", "--no-send"])
        _ = try json("outbox-send", ["outbox", "send"])
        _ = try json("outbox-export", ["outbox", "export", "--maildir", dir + "/Maildir"])
        _ = try json("outbox-show", ["outbox", "show", "last"])
        _ = try json("outbox-letters", ["outbox", "letters", "--pdf", dir + "/lettres.pdf"])
        _ = try json("outbox-letters", ["outbox", "letters", "--pdf", dir + "/encore.pdf"])
        _ = try json("outbox-letters", ["outbox", "letters", "--posted", dir + "/lettres.pdf"])
        _ = try json("outbox-list", ["outbox", "list", "--status", "sent"])
        _ = try json("sweep", ["sweep", "--dry-run"])
        let token3 = try s.martineSession()
        _ = try json("close", ["close", "--session", token3, "--yes"], allowFailure: true)
        _ = try json("import", ["import", dir + "/r.csv"], allowFailure: true)
        let members = dir + "/m.csv"
        try "nir;date_naissance;type_carte;numero_serie;code\n116304403801618;08/06/1988;sans photo;953701166;AAAAAAAAAAAA\n123;01/01/2000;plain;1;\n"
            .write(toFile: members, atomically: true, encoding: .utf8)
        _ = try json("batch-oppose", ["batch", "oppose", members, "--receipts", dir + "/rec"], allowFailure: true)
        // A code by letter for a member without one (code_requested, code_expires_at), certified row by row.
        let members2 = dir + "/m2.csv"
        try "nir;date_naissance;type_carte;numero_serie;code;representant_legal;signataire\n152072A00401765;03/07/1952;plain;87654321;;oui;Paul\n"
            .write(toFile: members2, atomically: true, encoding: .utf8)
        let requested = try json("batch-oppose", ["batch", "oppose", members2, "--receipts", dir + "/rec2", "--request-codes",
                                                  "--report", dir + "/rapport.csv"])
        #expect(requested.stdout.contains("\"code_expires_at\""), "\(requested.stdout)")
        _ = try json("history", ["history", "--channel", "batch", "--since", "2022-02-01", "--until", "2022-02-03T10:00:00Z", "--limit", "5"])
        _ = try json("history", ["history", "--channel", "phone", "--actor", "adviser:nobody"])
        // An adviser starting an activation (its own store: no other code asked in the last 30 s).
        let a = try Scenario()
        let started = try runBinary(["activate", "--assisted", "--adviser", "A042", "--last-name", "Leguellec", "--nir", "116304403801618",
                                     "--birth-date", "08/06/1988", "--json"], env: ["MES_HOME": a.store, "MES_NOW": a.now])
        #expect(started.status == 0, "\(started.stderr)")
        outputs.append(("activate", started.stdout))
        let d = try Scenario(demo: false)
        let demo = try runBinary(["demo", "--json"], env: ["MES_HOME": d.store, "MES_NOW": d.now])
        outputs.append(("demo", demo.stdout))
        // Errors: a usage error, an invalid NIR, an import refused row by row.
        let bad = dir + "/bad.csv"
        try "nir,birth_date,first_name,last_name,card_type,serial\n1,2,3,4,5,6\n".write(toFile: bad, atomically: true, encoding: .utf8)
        _ = try json("none", ["import", bad], allowFailure: true)
        _ = try json("none", ["nir", "format", "123"], allowFailure: true)
        _ = try json("none", ["opose"], allowFailure: true)
        // The fixtures' data files as JSON Lines (on standard output, no summary then), and the summary with members.
        _ = try json("fixtures-roster-row", ["fixtures", "--count", "40", "--seed", "s", "--roster", "-", "--format", "jsonl"])
        _ = try json("fixtures-members-row", ["fixtures", "--count", "400", "--seed", "t", "--roster", dir + "/r4.csv", "--members", "-",
                                              "--format", "jsonl"])
        _ = try json("fixtures", ["fixtures", "--count", "40", "--seed", "u", "--roster", dir + "/r5.csv", "--members", dir + "/m5.csv"])

        // One Python run validates everything: each document, or each line of JSON Lines.
        let list = dir + "/outputs.json"
        try JSONSerialization.data(withJSONObject: outputs.filter { $0.0 != "none" }.map { [$0.0, $0.1] })
            .write(to: URL(fileURLWithPath: list))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", """
            import json, sys
            from jsonschema import Draft202012Validator
            root, outputs = sys.argv[1], json.load(open(sys.argv[2]))
            failures, count, closed = [], 0, 0
            for name, text in outputs:
                schema = json.load(open(f"{root}/schemas/{name}.schema.json"))
                v = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
                for line in text.splitlines():
                    if not line.strip(): continue
                    count += 1
                    document = json.loads(line)
                    for e in v.iter_errors(document):
                        failures.append(f"{name}: {e.message} at {list(e.absolute_path)} in {line[:200]}")
                    # Closed: the same document with one field more is refused (a printed schema is open by nature).
                    if name != "schema":
                        document["unexpected_field"] = 1
                        if v.is_valid(document):
                            failures.append(f"{name}: an extra field is accepted in {line[:200]}")
                        closed += 1
            print(json.dumps({"count": count, "closed": closed, "failures": failures}))
            """, packageRoot.path, list]
        let out = dir + "/validation.json", err = dir + "/validation.err"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        _ = FileManager.default.createFile(atPath: err, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        try p.run()
        p.waitUntilExit()
        let data = try Data(contentsOf: URL(fileURLWithPath: out))
        let result = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
            ?? ["failures": ["python: " + ((try? String(contentsOfFile: err, encoding: .utf8)) ?? "")]]
        #expect((result["count"] as? Int ?? 0) >= 45, "\(result)")
        #expect((result["closed"] as? Int ?? 0) >= 40, "\(result)")
        #expect((result["failures"] as? [String] ?? ["python failed"]).isEmpty, "\(result["failures"] ?? "")")
        #expect(Set(outputs.map(\.0)).isSuperset(of: ["error", "oppose", "batch-oppose", "nir-check", "history", "demo"]))
    }
}
