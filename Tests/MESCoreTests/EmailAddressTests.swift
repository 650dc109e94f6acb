import Testing
@testable import MESCore

/// The addresses the register takes: mailboxes any SMTP server accepts as they stand.
@Suite struct EmailAddressTests {
    @Test(arguments: ["martine.leguellec@example.fr", "a@b.fr", "o'brien+mes@sub.example.co.uk", "x_y-z@xn--xample-9ua.fr",
                      "a!#$%&*/=?^`{|}~@example.com", String(repeating: "a", count: 64) + "@example.fr"])
    func mailboxesAreTaken(address: String) { #expect(EmailAddress.problem(address) == nil, "\(address)") }

    @Test(arguments: [
        ("a@b.fr>,<root", "non autorisé dans le domaine"),  // the header-smuggling row of the attack
        ("h@[127.0.0.1]", "adresse IP entre crochets"),
        ("i@éxample.fr", "non ASCII"), ("é@example.fr", "non ASCII"),
        ("a@@b.fr", "un seul @"), ("a@b@c.fr", "un seul @"), ("ab.fr", "@ manquant"),
        ("@b.fr", "partie avant @"), (String(repeating: "a", count: 65) + "@b.fr", "partie avant @"),
        (".a@b.fr", "point"), ("a.@b.fr", "point"), ("a..b@c.fr", "point"),
        ("\"a b\"@c.fr", "non autorisé avant @"), ("a b@c.fr", "non autorisé avant @"), ("a\u{7}@c.fr", "non autorisé avant @"),
        ("a@localhost", "domaine mal formé"), ("a@-b.fr", "domaine mal formé"), ("a@b-.fr", "domaine mal formé"),
        ("a@b..fr", "domaine mal formé"), ("a@b.fr.", "domaine mal formé"), ("a@1.2.3.4", "domaine mal formé"),
        ("a@" + String(repeating: "b", count: 64) + ".fr", "domaine mal formé"), ("a@b_c.fr", "non autorisé dans le domaine"),
    ])
    func othersAreRefusedWithTheirReason(address: String, reason: String) {
        let problem = EmailAddress.problem(address)
        #expect(problem?.contains(reason) == true, "\(address): \(problem ?? "accepted")")
        #expect(problem?.hasPrefix("adresse e-mail invalide") == true)
    }
}
