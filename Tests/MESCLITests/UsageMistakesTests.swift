import Foundation
import Testing
@testable import MESCLI

/// Forty usage mistakes a newcomer makes (issue 30): each has its catalogue code and the
/// canonical option (or argument) as its field under --json, exits 64, and says it in French,
/// with the way to help, in text.
@Suite struct UsageMistakesTests {
    static let mistakes: [(args: [String], code: String, field: String)] = [
        (["opose"], "unknown_command", "command"),
        (["oppose", "--yse"], "unknown_option", "yse"),
        (["outbox"], "missing_command", "command"),
        (["nir"], "missing_command", "command"),
        (["nir", "chek", "1"], "unknown_command", "command"),
        (["--stor", "/tmp"], "unknown_option", "stor"),
        (["nir", "check", "--rules", "strict", "1"], "invalid_value", "rules"),
        (["nir", "generate", "--count", "x"], "invalid_value", "count"),
        (["nir", "generate", "--count", "-3"], "invalid_value", "count"),
        (["nir", "generate", "--count"], "missing_value", "count"),
        (["oppose", "--yes=oui"], "invalid_value", "yes"),
        (["vitale", "check", "123"], "missing_option", "card"),
        (["vitale", "check", "--card"], "missing_value", "card"),
        (["vitale", "check", "--card", "gold", "123"], "invalid_value", "card"),
        (["receipt", "verify"], "missing_argument", "file"),
        (["receipt", "verify", "a", "b"], "unexpected_argument", "argument"),
        (["identify", "--nir"], "missing_value", "nir"),
        (["code", "generate", "--card", "photo"], "missing_option", "nir"),
        (["fixtures", "--count", "10"], "missing_option", "seed"),
        (["fixtures", "--count", "10", "--seed", "1", "--roster", "-", "--members", "-"], "conflicting_options", "members"),
        (["batch", "oppose"], "missing_argument", "file"),
        (["batch", "oppose", "m.csv"], "missing_option", "receipts"),
        (["history", "--since", "hier"], "invalid_value", "since"),
        (["history", "--limit", "0"], "invalid_value", "limit"),
        (["history", "--channel", "pigeon"], "invalid_value", "channel"),
        (["--now", "demain", "history"], "invalid_value", "now"),
        (["--wait", "soon", "history"], "invalid_value", "wait"),
        (["-q", "-v", "history"], "conflicting_options", "quiet"),
        (["notify", "--via", "pigeon"], "invalid_value", "via"),
        (["outbox", "send", "--limit", "-1"], "invalid_value", "limit"),
        (["outbox", "letters"], "missing_option", "pdf"),
        (["sweep", "--window-days", "x"], "invalid_value", "window_days"),
        (["completions", "tcsh"], "invalid_value", "shell"),
        (["schema", "nope"], "invalid_value", "name"),
        (["import"], "missing_argument", "file"),
        (["import", "a.csv", "b.csv"], "unexpected_argument", "argument"),
        (["profiles"], "missing_command", "command"),
        (["key", "import"], "missing_argument", "key"),
        (["advisers", "add"], "missing_argument", "id"),
        (["login", "--username"], "missing_value", "username"),
    ]

    /// English a usage error must not show a person.
    static let english = ["unknown", "missing", "expected", "invalid", "required", "Try", "did you mean", "not a", "must be"]

    @Test(arguments: mistakes.indices)
    func aUsageMistakeHasItsCodeItsFieldAndFrenchWords(_ i: Int) throws {
        let (args, code, field) = Self.mistakes[i]
        let store = temporaryDirectory("mes-usage").path
        let env = ["MES_HOME": store]
        let json = mes(["--json"] + args, env: env)
        #expect(json.status == 64, "\(args): \(json.status) \(json.stderr)")
        #expect(json.stdout.isEmpty, "\(args): \(json.stdout)")
        #expect(json.errorJSON["code"] as? String == code && json.errorJSON["field"] as? String == field,
                "\(args): \(json.stderr)")
        #expect(json.errorJSON["exit"] as? Int == 64)
        let text = mes(args, env: env)
        #expect(text.status == 64)
        #expect(text.stderr.hasPrefix("mes: ") && text.stderr.contains("Aide : « mes --help » ou « mes help COMMANDE »"), "\(args): \(text.stderr)")
        // The message itself (what comes before the help line) is in French.
        let message = text.stderr.components(separatedBy: "\nAide :")[0]
        for word in Self.english {
            #expect(message.range(of: "\\b\(word)\\b", options: .regularExpression) == nil, "\(args): « \(word) » in \(message)")
        }
        // Nothing was created by a command that did not run.
        #expect(!FileManager.default.fileExists(atPath: store + "/mes.db"), "\(args)")
    }

    @Test func fortyMistakesOfEveryKind() {
        #expect(Self.mistakes.count >= 30)
        #expect(Set(Self.mistakes.map(\.code)).count >= 8)
    }
}
