import Foundation
import Testing
import TestSupport

/// Seeds 000, 002 and 003 (issue 29): help for someone stuck. A failed identification and every
/// serial error show where the serial is on that card and whom to call, in text and as JSON's
/// `help`; a failed sign-in says how to activate.
@Suite struct HelpWhenStuckTests {
    static let photoHelp = "Carte Vitale avec photo : le numéro de série se situe en haut à droite de votre carte Vitale"
    static let plainHelp = "Carte Vitale sans photo : le numéro de série se situe au dos en haut à gauche de votre carte Vitale"
    static let call = "contactez le 3422 (service gratuit + prix d'un appel), du lundi au vendredi de 8h30 à 17h30."

    @Test func aFailedIdentificationSaysWhereTheSerialIs() throws {
        let s = try Scenario()
        let text = try s.run(["identify", "--code", "BBBBBBBBBBBB", "--nir", "116304403801618", "--card", "plain", "--serial", "953701166"])
        #expect(text.status == 77)
        #expect(text.stderr.contains("Où trouver mon numéro de série de carte Vitale ?") && text.stderr.contains(Self.plainHelp)
                && text.stderr.contains(Self.call), "\(text.stderr)")
        let json = try s.run(["--json", "identify", "--code", "BBBBBBBBBBBB", "--nir", "285059710512311", "--card", "photo",
                              "--serial", "04512378963"])
        let help = json.errorJSON["help"] as? String ?? ""
        #expect(json.errorJSON["code"] as? String == "identity_not_found" && help.contains(Self.photoHelp) && help.contains("3422"), "\(json.stderr)")
    }

    @Test func everySerialErrorSaysWhereTheSerialIs() throws {
        let s = try Scenario()
        for (card, serial, code) in [("photo", "123", "serial_photo_length"), ("plain", "12a45678", "serial_digits"), ("plain", "1234", "serial_plain_length")] {
            let r = try s.run(["--json", "code", "generate", "--nir", "116304403801618", "--birth-date", "08/06/1988", "--card", card, "--serial", serial])
            #expect(r.errorJSON["code"] as? String == code, "\(r.stderr)")
            let help = r.errorJSON["help"] as? String ?? ""
            #expect(help.contains(card == "photo" ? Self.photoHelp : Self.plainHelp) && help.contains(Self.call), "\(card) \(serial): \(help)")
        }
        let text = try s.run(["vitale", "check", "--card", "photo", "123"])
        #expect(text.stderr.contains(Self.photoHelp) || text.stdout.contains(Self.photoHelp), "\(text.stdout) \(text.stderr)")
    }

    @Test func aFailedSignInSaysHowToActivate() throws {
        let s = try Scenario()
        let r = try s.run(["--json", "login", "--username", "personne.inconnue"], stdin: "Soleil#2022x\n")
        #expect(r.errorJSON["code"] as? String == "identity_not_found", "\(r.stderr)")
        #expect((r.errorJSON["help"] as? String ?? "").contains("Pas encore de profil ? Activez-le dès maintenant"), "\(r.stderr)")
    }
}
