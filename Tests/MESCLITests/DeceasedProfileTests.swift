import Foundation
import Testing
import TestSupport

/// A deceased person's profile (issue 29): the family may oppose, and nothing offers or
/// promises an activation.
@Suite struct DeceasedProfileTests {
    @Test func aDeceasedPersonsProfileOffersNoActivation() throws {
        let s = try Scenario()
        let sent = try s.run(["code", "generate", "--nir", "138047505604231", "--birth-date", "19/04/1938", "--card", "plain", "--serial", "12345678"])
        try #require(sent.status == 0, "\(sent.stderr)")
        let r = try s.run(["identify", "--code", try s.lastCode(), "--nir", "138047505604231", "--card", "plain", "--serial", "12345678"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("(personne décédée)") && r.stdout.contains("Je m'oppose à la création de Mon espace santé"), "\(r.stdout)")
        #expect(!r.stdout.contains("l'activer") && !r.stdout.contains("J'active Mon espace santé"), "\(r.stdout)")
        #expect(r.stdout.contains("Le profil d'une personne décédée ne peut pas être activé."), "\(r.stdout)")
    }
}
