import Foundation
import Testing

/// `MES_MAIL_FROM` sets the `From:` people see, display name and address, as a real SMTP server
/// receives it and a mail reader (Python's `email`, strict policy) shows it (issue 32, finding 8);
/// its address is the envelope sender.
@Suite(.serialized) struct FromHeaderEndToEndTests {
    /// What a reader shows of the `From:` of `eml`: display name, address, and the parser's defects.
    func shownFrom(_ eml: String) throws -> (name: String, address: String, defects: Int) {
        let o = try jsonObject(try python("""
            import email, json, sys
            from email import policy
            m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=policy.strict)
            a = m["From"].addresses
            print(json.dumps({"count": len(a), "name": a[0].display_name, "address": a[0].addr_spec,
                              "defects": len(m.defects) + len(m["From"].defects)}))
            """, [eml]))
        #expect(o["count"] as? Int == 1, "one mailbox: \(o)")
        return (o["name"] as? String ?? "?", o["address"] as? String ?? "?", o["defects"] as? Int ?? -1)
    }

    static let cases: [(setting: String, name: String)] = [
        ("Association X <x@example.org>", "Association X"),
        ("\"Les Amis (Paris), section \\\"Nord\\\"\" <x@example.org>", "Les Amis (Paris), section \"Nord\""),
        ("Les Amis (Paris), section Nord <x@example.org>", "Les Amis (Paris), section Nord"),
        ("CPAM 44 St. Nazaire: envois <x@example.org>", "CPAM 44 St. Nazaire: envois"),
        ("Amis de Léa – Nantes <x@example.org>", "Amis de Léa – Nantes"),
        ("\"Les \\\"Amis\\\" de Zoë\" <x@example.org>", "Les \"Amis\" de Zoë"),
        ("Association des amis de Léa – Nantes, Saint-Herblain (44) <x@example.org>", "Association des amis de Léa – Nantes, Saint-Herblain (44)"),
        ("Caisse primaire d'assurance maladie de Loire-Atlantique, service des envois <x@example.org>",
         "Caisse primaire d'assurance maladie de Loire-Atlantique, service des envois"),
        ("x@example.org", "Mon espace santé"),
        ("<x@example.org>", "Mon espace santé"),
    ]

    @Test func theFromPeopleSeeIsTheOneSet() throws {
        let server = try PythonServer("smtp_sink.py", label: "smtp-from")
        for (i, c) in Self.cases.enumerated() {
            let s = try DeliveryScenario(["MES_MAIL_URL": "smtp://127.0.0.1:\(server.port)", "MES_MAIL_FROM": c.setting])
            let r = try s.json(["code", "generate"] + DeliveryScenario.martine)
            #expect(r["delivery"] as? String == "sent", "\(c.setting): \(r)")
            let emls = server.files("eml")
            try #require(emls.count == i + 1, "\(emls)")
            let from = try shownFrom(emls[i])
            #expect(from.name == c.name && from.address == "x@example.org" && from.defects == 0, "\(c.setting) → \(from)")
            #expect(server.records()[i]["mail_from"] as? String == "x@example.org")
        }
        #expect(server.mailProblems().isEmpty, "\(server.mailProblems())")
    }

    /// The `From:` is part of the message as composed (its bytes are sealed in the queue): a
    /// message queued before `MES_MAIL_FROM` changed keeps the one it was composed with; the
    /// envelope sender is the setting at the sending.
    @Test func aQueuedMessageKeepsTheFromItWasComposedWith() throws {
        let server = try PythonServer("smtp_sink.py", label: "smtp-from-queued")
        let s = try DeliveryScenario(["MES_MAIL_FROM": "Service A <a@example.org>"])
        #expect(try s.run(["code", "generate", "--no-send"] + DeliveryScenario.martine).status == 0)
        let sent = try s.json(["outbox", "send"], env: ["MES_MAIL_URL": "smtp://127.0.0.1:\(server.port)", "MES_MAIL_FROM": "Service B <b@example.org>"])
        #expect(sent["sent"] as? Int == 1, "\(sent)")
        let from = try shownFrom(try #require(server.files("eml").first))
        #expect(from.name == "Service A" && from.address == "a@example.org", "\(from)")
        #expect(server.records().first?["mail_from"] as? String == "b@example.org")
    }
}
