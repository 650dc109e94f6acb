import Foundation
import Testing
import TestSupport

/// What a newcomer reads (issue 30): French reasons for file errors (no English errno text), the
/// real cause of a path that cannot be written, plurals, and notify's breakdown by message.
@Suite struct NewcomerWordingTests {
    @Test func aMissingFolderIsNamedAsTheCause() throws {
        let s = try Scenario(demo: false)
        let r = try s.run(["fixtures", "--count", "3", "--seed", "1", "--roster", "/nonexistent/x.csv"])
        #expect(r.status == 73)
        #expect(r.stderr.contains("le dossier /nonexistent n'existe pas"), "\(r.stderr)")
        #expect(!r.stderr.contains("est un dossier") && !r.stderr.contains("No such file"), "\(r.stderr)")
        let demo = try Scenario()
        let missing = try demo.run(["import", demo.dir.appendingPathComponent("absent.csv").path])
        #expect(missing.stderr.contains("fichier ou dossier introuvable") && !missing.stderr.contains("No such file"), "\(missing.stderr)")
    }

    @Test func notifyCountsMessagesByChannel() throws {
        let s = try Scenario()
        let r = try s.run(["--json", "notify"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = r.json
        let messages = try s.run(["outbox", "list", "--json"]).json["messages"] as? [[String: Any]] ?? []
        let emails = messages.filter { $0["channel"] as? String == "email" }.count
        let letters = messages.filter { $0["channel"] as? String == "letter" }.count
        #expect(json["email_messages"] as? Int == emails && json["letter_messages"] as? Int == letters, "\(json) vs \(emails)/\(letters)")
        #expect(json["messages"] as? Int == emails + letters)
        let s2 = try Scenario()
        let text = try s2.run(["notify"]).stdout
        #expect(text.contains("en \(emails + letters) messages (\(emails) e-mail") && text.contains(" courrier"), "\(text)")
    }
}
