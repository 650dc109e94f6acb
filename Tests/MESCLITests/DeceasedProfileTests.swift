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

/// What to have at hand (seeds 000, 002, 003) opens `mes demo` and the help of `identify`, and
/// the demo names its guide without the word "seed" (issue 29).
@Suite struct WhatToHaveAtHandTests {
    static let line = "Pour l'activer ou m'y opposer j'ai besoin d'avoir : le code provisoire reçu par e-mail ou courrier, ma carte Vitale, 5 minutes de mon temps."

    @Test func theDemoAndIdentifysHelpSayWhatToHave() throws {
        let s = try Scenario(demo: false)
        let demo = try s.run(["demo"])
        #expect(demo.status == 0, "\(demo.stderr)")
        let head = demo.stdout.split(separator: "\n").prefix(3).joined(separator: "\n")
        #expect(head.contains(Self.line) && head.contains("« Comment refuser Mon espace santé ? »"), "\(head)")
        #expect(!demo.stdout.lowercased().contains("seed"), "\(demo.stdout)")
        let help = try s.run(["identify", "--help"]).stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains(Self.line), "\(help)")
    }
}

/// After an opposition, the text says what seed 003 says becomes of the DMP (issue 29).
@Suite struct AfterAnOppositionTests {
    @Test func theTextSaysWhatBecomesOfTheDMP() throws {
        let s = try Scenario()
        try s.run(["code", "generate", "--nir", "116304403801618", "--birth-date", "08/06/1988", "--card", "plain", "--serial", "953701166"])
        let r = try s.run(["oppose", "--code", try s.lastCode(), "--nir", "116304403801618", "--card", "plain", "--serial", "953701166", "--yes"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Votre dossier médical partagé (DMP) n'est pas supprimé, mais il n'est plus possible d'y accéder depuis le site dmp.fr"),
                "\(r.stdout)")
    }
}
