import Foundation
import Testing
import TestSupport

/// The six weeks before an automatic creation run from the sending of the information
/// (art. R1111-28), through the built binary and a real SMTP server on 127.0.0.1 that refuses
/// some recipients for good (550) and accepts the others.
@Suite(.serialized) struct NotificationWindowEndToEndTests {
    static let t0 = "2022-02-03T10:00:00Z"

    /// A register of four, made with `init --test-clock` so that MES_NOW moves the clock.
    final class Register {
        let dir: TempDir
        var env: [String: String]

        init(mailURL: String) throws {
            dir = try TempDir("mes-window")
            env = ["MES_HOME": dir.file("store"), "MES_NOW": NotificationWindowEndToEndTests.t0, "PATH": "/usr/bin:/bin",
                   "MES_MAIL_URL": mailURL, "MES_MAIL_FROM": "Mon espace santé (test) <envoi@mes.example.fr>"]
            #expect(try run(["init", "--test-clock"]).status == 0)
        }

        deinit { dir.remove() }

        /// `count` people `P0…`, each line's e-mail and address given by `contact(i)`.
        func importPeople(_ contacts: [(email: String, address: String)]) throws {
            var csv = "nir,birth_date,first_name,last_name,card_type,serial,email,address\n"
            for (i, c) in contacts.enumerated() {
                let body = String(format: "1850375%03d%03d", i % 900 + 1, i / 900 + 1)
                let key = 97 - Int(body)! % 97
                csv += "\(body)\(key < 10 ? "0" : "")\(key),15/03/1985,P\(i),Nom,plain,\(20_000_000 + i),\(c.email),\"\(c.address)\"\n"
            }
            let roster = try dir.write("roster.csv", csv)
            let r = try run(["import", roster])
            #expect(r.status == 0, "\(r.err)")
        }

        func at(_ instant: String) -> Register { env["MES_NOW"] = instant; return self }

        @discardableResult
        func run(_ args: [String], env extra: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
            let r = try runCaptured(mesBinary, args, environment: env.merging(extra) { $1 })
            return (r.status, r.stdout, r.stderr)
        }

        func json(_ args: [String]) throws -> [String: Any] {
            let r = try run(args + ["--json"])
            #expect(r.status == 0, "\(args): \(r.err)")
            return (try? JSONSerialization.jsonObject(with: Data(r.out.utf8))) as? [String: Any] ?? [:]
        }
    }

    static func plus(_ days: Double, _ from: String = t0) -> String {
        let f = ISO8601DateFormatter()
        return f.string(from: f.date(from: from)!.addingTimeInterval(days * 86_400))
    }

    /// The acceptance of the window's start: delivered, refused with a postal address (a letter,
    /// posted later), refused without one (unreachable), and a letter printed but never posted.
    @Test func theWindowRunsFromTheSendingAndSweepCreatesOnlyWhatWasSent() throws {
        let server = try PythonServer("smtp_sink.py", label: "smtp-window")
        let r = try Register(mailURL: "smtp://127.0.0.1:\(server.port)")
        try r.importPeople([
            ("alice@example.fr", ""),                                      // P0: delivered
            ("reject.bruno@example.fr", "3 rue Crébillon, 44000 Nantes"),  // P1: refused, then a letter
            ("reject.chloe@example.fr", ""),                               // P2: refused, no address
            ("", "8 place Bellecour, 69002 Lyon"),                         // P3: a letter never posted
        ])
        // Queued at T0; the letter for P3 is printed the same day and never posted.
        #expect(try r.json(["notify", "--no-send"])["notified"] as? Int == 4)
        let printed = try r.json(["outbox", "letters", "--pdf", r.dir.file("t0.pdf")])
        #expect(printed["letters"] as? Int == 1)

        // Sent three days later: one acknowledged, two refused for good.
        let t1 = Self.plus(3)
        let sent = try r.at(t1).json(["outbox", "send"])
        #expect(sent["sent"] as? Int == 1 && sent["failed"] as? Int == 2, "\(sent)")
        #expect(sent["fallback_letters"] as? Int == 1 && sent["unreachable"] as? Int == 1, "\(sent)")
        #expect(server.files("eml").count == 1)
        let failed = try r.json(["outbox", "list", "--status", "failed"])["messages"] as? [[String: Any]] ?? []
        #expect(failed.count == 2 && failed.allSatisfy { ($0["last_error"] as? String ?? "").contains("550") }, "\(failed)")
        let text = try r.run(["outbox", "list", "--status", "failed"]).out
        #expect(text.split(separator: "\n").count == 2 && text.contains("550"), "\(text)")

        // The refused person with an address gets a letter, posted the day after.
        let t2 = Self.plus(4)
        let letters = try r.at(t2).json(["outbox", "letters", "--pdf", r.dir.file("t2.pdf")])
        #expect(letters["letters"] as? Int == 1)
        let pdfText = try runCaptured(URL(fileURLWithPath: "/usr/bin/pdftotext"), ["-layout", r.dir.file("t2.pdf"), "-"], environment: [:]).stdout
        #expect(pdfText.contains("3 rue Crébillon") && pdfText.contains("44000 NANTES"), "\(pdfText.prefix(600))")
        let posted = try r.json(["outbox", "letters", "--posted", r.dir.file("t2.pdf")])
        #expect(posted["windows_started"] as? Int == 1 && posted["posted_at"] as? String == t2, "\(posted)")

        let shown = try r.run(["outbox", "show", "1"]).out
        #expect(shown.contains("Délai de six semaines") && shown.contains("20/03/2022"), "\(shown)")

        // Six weeks after the queueing: nothing. The unposted and the unreachable are told apart.
        let early = try r.at(Self.plus(42.01)).json(["sweep"])
        #expect(early["created"] as? Int == 0, "\(early)")
        #expect(early["awaiting_sending"] as? Int == 1 && early["unreachable"] as? Int == 1, "\(early)")
        // Six weeks after the acknowledgement: the delivered one, to the minute.
        #expect(try r.at(Self.plus(42 - 1.0 / 1_440, t1)).json(["sweep"])["created"] as? Int == 0)
        #expect(try r.at(Self.plus(42 + 1.0 / 1_440, t1)).json(["sweep"])["created"] as? Int == 1)
        // Six weeks after the posting: the letter's.
        #expect(try r.at(Self.plus(42 - 1.0 / 1_440, t2)).json(["sweep"])["created"] as? Int == 0)
        #expect(try r.at(Self.plus(42 + 1.0 / 1_440, t2)).json(["sweep"])["created"] as? Int == 1)
        // A year on: never the unreachable nor the unposted.
        let late = try r.at(Self.plus(365)).json(["sweep"])
        #expect(late["created"] as? Int == 0 && late["awaiting_sending"] as? Int == 1 && late["unreachable"] as? Int == 1, "\(late)")

        // When each window started and ends, in history and on the message.
        let events = try r.json(["history"])["events"] as? [[String: Any]] ?? []
        let started = events.filter { $0["event"] as? String == "notification_sent" }
        #expect(started.count == 2, "\(started)")
        #expect(started.contains { ($0["detail"] as? String ?? "").contains("fin du délai le 2022-03-20") }, "\(started)")
        #expect(started.contains { ($0["detail"] as? String ?? "").contains("fin du délai le 2022-03-21") }, "\(started)")
        #expect(server.mailProblems().isEmpty, "\(server.mailProblems())")
        let record = try #require(server.records().first)
        #expect(record["mail_from"] as? String == "envoi@mes.example.fr")
        let eml = try String(contentsOfFile: try #require(server.files("eml").first), encoding: .utf8)
        #expect(eml.contains("Content-Transfer-Encoding: quoted-printable") && eml.contains("From: =?UTF-8?B?"), "\(eml.prefix(500))")
    }

    /// After an outage, `outbox send --retry-now` delivers every deferred message at once, each once.
    @Test func retryNowAfterAnOutageDeliversEveryDeferredMessageOnce() throws {
        let down = try LocalSocket(listening: false)
        let r = try Register(mailURL: "smtp://127.0.0.1:\(down.port)")
        try r.importPeople((0..<12).map { ("p\($0)@example.fr", "") })
        let first = try r.json(["notify"])
        #expect(first["notified"] as? Int == 12)
        #expect(try r.json(["outbox", "list", "--status", "queued"])["messages"].map { ($0 as? [Any])?.count } == 12)
        let server = try PythonServer("smtp_sink.py", label: "smtp-retry")
        r.env["MES_MAIL_URL"] = "smtp://127.0.0.1:\(server.port)"
        let waiting = try r.at(Self.plus(10.0 / 86_400)).json(["outbox", "send"])
        #expect(waiting["sent"] as? Int == 0 && waiting["queued"] as? Int == 12, "back-off: \(waiting)")
        let now = try r.json(["outbox", "send", "--retry-now"])
        #expect(now["sent"] as? Int == 12, "\(now)")
        #expect(try r.json(["outbox", "send", "--retry-now"])["sent"] as? Int == 0)
        let ids = server.records().compactMap { ($0["rcpt_tos"] as? [String])?.first }
        #expect(ids.count == 12 && Set(ids).count == 12, "each once: \(ids)")
        #expect(server.mailProblems().isEmpty, "\(server.mailProblems())")
    }

    /// A batch of 2,000 letters: one PDF that qpdf checks clean, in which `pdftotext -layout`
    /// finds every address block (name, street, postcode and town in capitals, without accents or
    /// hyphens, as La Poste's standard writes the last line). The same check on 10,000 and
    /// 1,000,000 letters is `bench/letters.py --check` (pdftotext alone took 16 s of the test
    /// run's CPU at 10,000).
    @Test func twoThousandLettersMakeOneCheckedPDFWithEveryAddressBlock() throws {
        let towns = [("75011", "Paris", "PARIS"), ("13001", "Marseille", "MARSEILLE"), ("97400", "Saint-Denis", "SAINT DENIS"),
                     ("20000", "Ajaccio", "AJACCIO"), ("29200", "Brest", "BREST"), ("67000", "Strasbourg", "STRASBOURG"),
                     ("69003", "Lyon", "LYON"), ("59800", "Lille", "LILLE"), ("06300", "Nice", "NICE"), ("44000", "Nantes", "NANTES")]
        let count = 2_000
        let r = try Register(mailURL: "")
        try r.importPeople((0..<count).map { i in
            let t = towns[i % towns.count]
            return ("", "\(i % 200 + 1) rue de l'Église, \(t.0) \(t.1)")
        })
        #expect(try r.json(["notify", "--no-send"])["letter"] as? Int == count)
        let pdf = r.dir.file("lettres.pdf")
        let printed = try r.json(["outbox", "letters", "--pdf", pdf])
        #expect(printed["letters"] as? Int == count && printed["non_standard_addresses"] as? Int == 0, "\(printed)")
        let check = try runCaptured(URL(fileURLWithPath: "/usr/bin/qpdf"), ["--check", pdf], environment: [:])
        #expect(check.status == 0 && check.stdout.contains("No syntax or stream encoding errors"), "\(check.stdout.suffix(500))\(check.stderr)")
        let text = try runCaptured(URL(fileURLWithPath: "/usr/bin/pdftotext"), ["-layout", pdf, "-"], environment: [:]).stdout
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var blocks: [Int: (String, String)] = [:]
        for (n, line) in lines.enumerated() where line.hasPrefix("P") && line.hasSuffix(" Nom") && n + 2 < lines.count {
            guard let i = Int(line.dropFirst().dropLast(4)) else { continue }
            blocks[i] = (lines[n + 1], lines[n + 2])
        }
        var wrong: [String] = []
        for i in 0..<count {
            let t = towns[i % towns.count]
            let expected = ("\(i % 200 + 1) rue de l'Église", "\(t.0) \(t.2)")
            if blocks[i]?.0 != expected.0 || blocks[i]?.1 != expected.1 { wrong.append("P\(i): \(blocks[i].map { "\($0)" } ?? "missing")") }
        }
        #expect(wrong.isEmpty, "\(wrong.count) address blocks not found: \(wrong.prefix(5))")
        #expect(try r.json(["outbox", "letters", "--posted", pdf])["windows_started"] as? Int == count)
    }
}
