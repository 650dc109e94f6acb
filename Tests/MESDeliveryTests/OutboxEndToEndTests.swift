import Foundation
import Testing

/// A demo store driven through the binary, with delivery settings in its environment.
final class DeliveryScenario {
    let dir: TempDir
    var env: [String: String]

    init(_ extra: [String: String] = [:]) throws {
        dir = try TempDir("mes-delivery")
        env = ["MES_HOME": dir.file("store"), "MES_NOW": "2022-02-03T10:00:00Z", "PATH": "/usr/bin:/bin"].merging(extra) { $1 }
        #expect(try run(["init", "--demo"]).status == 0)
    }

    deinit { dir.remove() }

    @discardableResult
    func run(_ args: [String], env extra: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
        let r = try runCaptured(mesBinary, args, environment: env.merging(extra) { $1 })
        return (r.status, r.stdout, r.stderr)
    }

    func json(_ args: [String], env extra: [String: String] = [:]) throws -> [String: Any] {
        (try JSONSerialization.jsonObject(with: Data(try run(args + ["--json"], env: extra).out.utf8))) as? [String: Any] ?? [:]
    }

    /// Imports `count` people with e-mail addresses and notifies them without sending: returns
    /// how many e-mails wait in the queue.
    func queueNotifications(_ count: Int, sex: Int) throws -> Int {
        let roster = dir.file("r.csv")
        var csv = "nir,birth_date,first_name,last_name,card_type,serial,email\n"
        for i in 0..<count {
            let body = String(format: "\(sex)850375%03d%03d", i % 1000 + 1, i % 999 + 1)
            let key = 97 - Int(body)! % 97
            csv += "\(body)\(key < 10 ? "0" : "")\(key),15/03/1985,P\(i),Nom,plain,\(10_000_000 * sex + i),p\(i)@example.fr\n"
        }
        try csv.write(toFile: roster, atomically: true, encoding: .utf8)
        #expect(try run(["import", roster]).status == 0)
        #expect(try run(["notify", "--no-send"]).status == 0)
        return (try json(["outbox", "list"])["messages"] as? [[String: Any]] ?? []).filter { $0["channel"] as? String == "email" }.count
    }

    static let martine = ["--nir", "116304403801618", "--card", "plain", "--serial", "953701166", "--birth-date", "08/06/1988"]
    static let karim = ["--nir", "185034410912379", "--card", "photo", "--serial", "01024576124", "--birth-date", "15/03/1985"]
}

/// Codes and receipts reach people through real servers started on 127.0.0.1.
@Suite(.serialized) struct OutboxEndToEndTests {
    /// `MES_MAIL_RATE` paces a wave: 12 e-mails at 20 per second take at least 0.55 s through a
    /// sendmail that answers at once; without it they go as fast as it answers.
    @Test func aRateKeepsTheWaveAtTheTransportsPace() throws {
        let s = try DeliveryScenario()
        let queued = try s.queueNotifications(12, sex: 1)
        #expect(queued >= 12)
        let script = s.dir.file("sendmail.sh")
        try "#!/bin/sh\ncat >> \(s.dir.file("sent"))\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let start = Date()
        let paced = try s.json(["outbox", "send"], env: ["MES_MAIL_URL": "sendmail:" + script, "MES_MAIL_RATE": "20"])
        let seconds = Date().timeIntervalSince(start)
        #expect(paced["sent"] as? Int == queued, "\(paced)")
        #expect(seconds >= Double(queued - 1) / 20 - 0.01, "\(seconds) s for \(queued) messages at 20/s")
        let bad = try s.run(["outbox", "send"], env: ["MES_MAIL_URL": "sendmail:" + script, "MES_MAIL_RATE": "0"])
        #expect(bad.status == 64 && bad.err.contains("MES_MAIL_RATE"), "\(bad.err)")
    }

    /// Found by the second attack: two `outbox send` at once each read the same queued rows and
    /// sent them (275 duplicates in 600). One sender at a time: the second says another wave
    /// is under way (75) and leaves the queue to it; every message goes out once.
    @Test func twoSendersAtOnceSendEachMessageOnce() throws {
        let s = try DeliveryScenario()
        let queued = try s.queueNotifications(40, sex: 2)
        let sent = s.dir.file("sent"), script = s.dir.file("slow-sendmail.sh")
        try "#!/bin/sh\nsleep 0.05\ncat >> \(sent)\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let env = s.env.merging(["MES_MAIL_URL": "sendmail:" + script]) { $1 }
        func start() throws -> Process {
            let p = Process()
            p.executableURL = mesBinary
            p.arguments = ["outbox", "send", "--json"]
            p.environment = env
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            return p
        }
        let a = try start()
        usleep(300_000)
        let b = try start()
        a.waitUntilExit()
        b.waitUntilExit()
        #expect(a.terminationStatus == 0 && b.terminationStatus == 75, "\(a.terminationStatus) \(b.terminationStatus)")
        let ids = try String(contentsOfFile: sent, encoding: .utf8).split(separator: "\n").filter { $0.hasPrefix("Message-ID:") }
        #expect(ids.count == queued && Set(ids).count == ids.count, "\(ids.count) sent for \(queued), \(ids.count - Set(ids).count) twice")
    }

    @Test func aCodeEmailGoesThroughSMTPAndParsesCleanly() throws {
        let server = try PythonServer("smtp_sink.py", label: "smtp-e2e")
        let s = try DeliveryScenario(["MES_MAIL_URL": "smtp://127.0.0.1:\(server.port)"])
        let r = try s.json(["code", "generate"] + DeliveryScenario.martine)
        #expect(r["delivery"] as? String == "sent", "\(r)")
        let eml = try #require(server.files("eml").first)
        let parsed = try jsonObject(try python("""
            import email, json, sys
            from email import policy
            m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=policy.default)
            print(json.dumps({"to": m["To"], "subject": str(m["Subject"]), "body": m.get_body().get_content(), "defects": len(m.defects)}))
            """, [eml]))
        #expect(parsed["to"] as? String == "dlfr-cn5-tma-support-cobra@atos.net")
        #expect((parsed["subject"] as? String ?? "").contains("code provisoire"))
        #expect((parsed["body"] as? String ?? "").contains("Bonjour"))
        #expect(parsed["defects"] as? Int == 0)
        let code = try s.json(["outbox", "show", "last"])["code"] as? String ?? "?"
        #expect((parsed["body"] as? String ?? "").contains(code))
        let list = try s.json(["outbox", "list"])["messages"] as? [[String: Any]] ?? []
        #expect(list.last?["status"] as? String == "sent")
    }

    @Test func theSameThroughSendmailThatIsMsmtp() throws {
        let server = try PythonServer("smtp_sink.py", label: "smtp-msmtp")
        let rc = try server.dir.write("msmtprc", """
            defaults
            auth off
            tls off
            account default
            host 127.0.0.1
            port \(server.port)
            from ne-pas-repondre@monespacesante.fr
            """)
        let s = try DeliveryScenario(["MES_MAIL_URL": "sendmail:/usr/bin/msmtp?args=-C,\(rc)&timeout=20"])
        let r = try s.json(["code", "generate"] + DeliveryScenario.martine)
        #expect(r["delivery"] as? String == "sent", "\(r)")
        #expect(server.files("eml").count == 1)
    }

    @Test func anSMSGoesToTheGateway() throws {
        let server = try PythonServer("sms_sink.py", label: "sms-e2e")
        let token = try server.dir.write("token", "s3cr3t-token\n")
        let s = try DeliveryScenario(["MES_SMS_URL": "http://127.0.0.1:\(server.port)/sms", "MES_SMS_TOKEN_FILE": token])
        let r = try s.json(["code", "generate"] + DeliveryScenario.karim)
        #expect(r["delivery"] as? String == "sent", "\(r)")
        let rec = try #require(server.records().first)
        #expect((rec["authorization"] as? String ?? "").contains("s3cr3t-token"))
        let body = try jsonObject(rec["body"] as? String ?? "{}")
        #expect(body["to"] as? String == "+33663781377")
        let code = try s.json(["outbox", "show", "last"])["code"] as? String ?? "?"
        #expect((body["text"] as? String ?? "").contains(code))
    }

    @Test func aServerDownLeavesTheMessageQueuedThenSendDeliversItOnce() throws {
        let s = try DeliveryScenario(["MES_MAIL_URL": "smtp://127.0.0.1:9"])  // nothing listens on port 9
        let r = try s.json(["code", "generate"] + DeliveryScenario.martine)
        #expect(r["status"] as? String == "code_sent")
        #expect(r["delivery"] as? String == "queued", "\(r)")
        let text = try s.run(["code", "generate", "--no-send"] + DeliveryScenario.martine, env: ["MES_NOW": "2022-02-03T10:01:00Z"])
        #expect(text.status == 0 && text.out.contains("en attente"), "\(text.out)")
        let server = try PythonServer("smtp_sink.py", label: "smtp-late")
        // The first message waits for its next try (1 minute after the failure); the second is due.
        let later = ["MES_MAIL_URL": "smtp://127.0.0.1:\(server.port)", "MES_NOW": "2022-02-03T10:05:00Z"]
        let sent = try s.json(["outbox", "send"], env: later)
        #expect(sent["sent"] as? Int == 2, "\(sent)")
        #expect(try s.json(["outbox", "send"], env: later)["sent"] as? Int == 0)
        #expect(server.files("eml").count == 2)
    }

    @Test func aWaveKilledMidwayIsResumedWithNothingLostOrDuplicated() throws {
        let server = try PythonServer("smtp_sink.py", label: "smtp-kill")
        let s = try DeliveryScenario()
        // 300 people with e-mail addresses, notified without sending: 300+ queued messages.
        let queued = try s.queueNotifications(300, sex: 1)
        #expect(queued >= 300)
        let env = s.env.merging(["MES_MAIL_URL": "smtp://127.0.0.1:\(server.port)"]) { $1 }
        for delay in [150_000, 300_000] as [UInt32] {
            let p = Process()
            p.executableURL = mesBinary
            p.arguments = ["outbox", "send"]
            p.environment = env
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            usleep(delay)
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
        }
        let last = try s.run(["outbox", "send"], env: ["MES_MAIL_URL": "smtp://127.0.0.1:\(server.port)"])
        #expect(last.status == 0, "\(last.err)")
        let ids = try server.files("eml").map { path -> String in
            let text = try String(contentsOfFile: path, encoding: .utf8)
            return text.split(separator: "\r\n").first { $0.hasPrefix("Message-ID:") }.map(String.init) ?? path
        }
        #expect(Set(ids).count == queued, "every message delivered")
        #expect(ids.count - Set(ids).count <= 2, "at most the message in flight at each kill is sent again")
        let statuses = (try s.json(["outbox", "list"])["messages"] as? [[String: Any]] ?? []).filter { $0["channel"] as? String == "email" }
        #expect(statuses.allSatisfy { $0["status"] as? String == "sent" })
    }
}

extension OutboxEndToEndTests {
    /// The server dies in the middle of a wave: what it acknowledged is sent, the rest stays
    /// queued (tried again later), and a later `outbox send` delivers it, nothing lost or twice.
    @Test func aServerStoppedHalfwayLeavesTheRestQueued() throws {
        let s = try DeliveryScenario()
        let queued = try s.queueNotifications(300, sex: 2)
        let first = try PythonServer("smtp_sink.py", label: "smtp-half")
        let p = Process()
        p.executableURL = mesBinary
        p.arguments = ["outbox", "send"]
        p.environment = s.env.merging(["MES_MAIL_URL": "smtp://127.0.0.1:\(first.port)"]) { $1 }
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(20)
        while first.files("eml").count < 60 && Date() < deadline { usleep(2_000) }
        first.stop()
        p.waitUntilExit()
        let delivered = first.files("eml").count
        #expect(delivered >= 60 && delivered < queued, "\(delivered) of \(queued)")
        let list = try s.json(["outbox", "list"])["messages"] as? [[String: Any]] ?? []
        #expect(list.contains { $0["status"] as? String == "queued" && ($0["attempts"] as? Int ?? 0) >= 1 }, "failed tries are recorded")
        // Later, another server: the rest goes, once.
        let second = try PythonServer("smtp_sink.py", label: "smtp-half2")
        let later = try s.run(["outbox", "send"], env: ["MES_MAIL_URL": "smtp://127.0.0.1:\(second.port)", "MES_NOW": "2022-02-03T11:00:00Z"])
        #expect(later.status == 0, "\(later.err)")
        // (A file the server was writing when it was killed may be cut short: only whole messages count.)
        func ids(_ server: PythonServer) throws -> [String] {
            try server.files("eml").compactMap { try String(contentsOfFile: $0, encoding: .utf8).split(separator: "\r\n").first { $0.hasPrefix("Message-ID:") }.map(String.init) }
        }
        let all = try ids(first) + ids(second)
        #expect(Set(all).count == queued, "every message delivered")
        #expect(all.count - Set(all).count <= 1, "at most the one in flight when the server died is sent again")
    }
}

/// An association's members get their signed receipts by e-mail; the association a report.
@Suite(.serialized) struct MailedReceiptsEndToEndTests {
    @Test func threeHundredMembersGetTheirSignedReceiptAttached() throws {
        let server = try PythonServer("smtp_sink.py", label: "smtp-receipts")
        let s = try DeliveryScenario(["MES_MAIL_URL": "smtp://127.0.0.1:\(server.port)"])
        let roster = s.dir.file("r.csv"), members = s.dir.file("m.csv"), withMail = s.dir.file("mm.csv")
        let store2 = s.dir.file("store2")
        let env2 = ["MES_HOME": store2]
        #expect(try s.run(["fixtures", "--count", "800", "--seed", "mail", "--roster", roster, "--members", members], env: env2).status == 0)
        // The first 300 rows expected opposed.
        let all = try String(contentsOfFile: members, encoding: .utf8).split(separator: "\n").map(String.init)
        var lines = [all[0]] + all.dropFirst().filter { $0.split(separator: ";", omittingEmptySubsequences: false)[7...8] == ["opposed", ""] }.prefix(300)
        lines[0] += ";courriel"
        for i in 1..<lines.count where !lines[i].isEmpty { lines[i] += ";membre\(i)@example.fr" }
        try lines.joined(separator: "\n").write(toFile: withMail, atomically: true, encoding: .utf8)
        let receipts = s.dir.file("justificatifs"), report = s.dir.file("rapport.csv")
        let r = try s.run(["batch", "oppose", withMail, "--receipts", receipts, "--legal-representative", "--mail-receipts", "--report", report],
                          env: env2)
        #expect(r.status == 0, "\(r.err)")
        let rows = r.out.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let opposed = rows.filter { $0["status"] as? String == "opposed" }
        #expect(opposed.count == 300)
        let emls = server.files("eml")
        #expect(emls.count == 300)
        // Every attachment is the member's receipt file, byte for byte; a sample verifies authentic.
        let check = try python("""
            import email, json, os, sys
            out = {"pdf": 0, "same": 0, "defects": 0, "to_ok": 0, "sample": []}
            byref = {n.split("_")[0]: n for n in os.listdir(sys.argv[1])}
            for i, p in enumerate(sys.argv[2:]):
                m = email.message_from_binary_file(open(p, "rb"))
                out["defects"] += len(m.defects)
                for part in m.walk():
                    if part.get_content_disposition() != "attachment": continue
                    data = part.get_payload(decode=True)
                    if data.startswith(b"%PDF") and b"/ByteRange" in data: out["pdf"] += 1
                    path = os.path.join(sys.argv[1], byref[part.get_filename()[:-4]])
                    if open(path, "rb").read() == data: out["same"] += 1
                    if i % 30 == 0: out["sample"].append(path)
                if "@example.fr>" in m["To"]: out["to_ok"] += 1
            print(json.dumps(out))
            """, [receipts] + emls)
        let o = try jsonObject(check)
        #expect(o["pdf"] as? Int == 300 && o["same"] as? Int == 300 && o["defects"] as? Int == 0 && o["to_ok"] as? Int == 300, "\(o)")
        for path in o["sample"] as? [String] ?? [] {
            #expect(try s.run(["receipt", "verify", path], env: env2).out.hasPrefix("authentique"), "\(path)")
        }
        // The report: BOM, ';', one row per member, French status, delivery sent.
        let csv = try Data(contentsOf: URL(fileURLWithPath: report))
        #expect(csv.starts(with: [0xEF, 0xBB, 0xBF]))
        let text = String(decoding: csv.dropFirst(3), as: UTF8.self)
        let reportLines = text.split(whereSeparator: \.isNewline)
        let header = "ligne;nom;prenom;nir;statut;code;justificatif;envoi;prochaine_etape;message;colonne;"
            + "creation_automatique_le;code_valable_jusqu_au;depose_par;alertes"
        #expect(reportLines.first.map(String.init) == header)
        #expect(reportLines.count == 301)
        // Each mailed receipt: filed, its file, the mail sent, and nothing left to do.
        #expect(reportLines.dropFirst().allSatisfy {
            $0.contains(";opposition enregistrée;opposed;JO-") && $0.contains(";envoyé;Aucune : justificatif envoyé par e-mail au membre;")
        }, "\(reportLines.prefix(3))")
    }
}
