import Foundation
import Testing

extension TerminalTests {
    /// The backup's passphrase is typed twice on a terminal and never echoed; a restore asks
    /// once; two different phrases write nothing.
    @Test func theBackupPassphraseIsTypedTwiceAndNeverEchoed() throws {
        let s = try Scenario()
        let phrase = "une phrase que personne ne voit"
        let file = s.dir.appendingPathComponent("t.mesbak").path
        let env = ["MES_HOME": s.store, "MES_NOW": s.now]
        let (status, screen, _) = try onTerminal(["backup", file], env: env, prompt: "Phrase de passe : ", input: phrase + "\n" + phrase + "\n")
        #expect(status == 0 && screen.contains("Confirmer la phrase de passe") && screen.contains("chiffrée"), "\(screen)")
        #expect(!screen.contains(phrase), "the passphrase was echoed: \(screen)")
        let target = s.dir.appendingPathComponent("r").path
        let (restored, restoreScreen, _) = try onTerminal(["restore", file, target], env: [:], prompt: "Phrase de passe : ", input: phrase + "\n")
        #expect(restored == 0 && !restoreScreen.contains(phrase), "\(restoreScreen)")
        let other = s.dir.appendingPathComponent("u.mesbak").path
        let (mismatch, mismatchScreen, _) = try onTerminal(["backup", other], env: env, prompt: "Phrase de passe : ",
                                                           input: phrase + "\n" + phrase + "!\n")
        #expect(mismatch == 65 && mismatchScreen.contains("diffèrent") && !FileManager.default.fileExists(atPath: other), "\(mismatchScreen)")
    }
}
