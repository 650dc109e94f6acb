import MESCore

/// The command line's usage errors (exit 64), in French, each with its own code and the
/// canonical option name as `field`: what a script tests, and what a person reads.
enum Usage {
    static func unknownCommand(_ word: String, known: [String]) -> MESError {
        let hint = Suggestions.didYouMean(word, among: known)
        return MESError(.unknownCommand, "commande inconnue « \(word) »"
                        + (hint.isEmpty ? " (commandes possibles : \(known.joined(separator: ", ")))" : hint), field: "command")
    }

    static func missingCommand(after path: [String], known: [String]) -> MESError {
        MESError(.missingCommand, path.isEmpty ? "commande manquante (voir « mes --help »)"
                 : "sous-commande manquante après « mes \(path.joined(separator: " ")) » (une de : \(known.joined(separator: ", ")))",
                 field: "command")
    }

    /// An option the command does not have (`command`: nil at the top level).
    static func unknownOption(_ word: String, command: String?, hint: String) -> MESError {
        MESError(.unknownOption, "option inconnue « \(word) »" + (command.map { " pour « mes \($0) »" } ?? "") + hint,
                 field: word.hasPrefix("--") ? String(word.dropFirst(2).prefix { $0 != "=" }) : word)
    }

    /// A required option not given; `or`: the other ways to give it.
    static func missingOption(_ name: String, placeholder: String? = nil, or others: [String] = []) -> MESError {
        let alternatives = others.isEmpty ? "" : " (ou " + others.joined(separator: ", ou ") + ")"
        return MESError(.missingOption, "option obligatoire absente : --\(name)" + (placeholder.map { " \($0)" } ?? "") + alternatives, field: name)
    }

    static func missingValue(_ name: String, placeholder: String) -> MESError {
        MESError(.missingValue, "--\(name) attend une valeur (\(placeholder))", field: name)
    }

    static func flagWithValue(_ name: String) -> MESError {
        MESError(.invalidValue, "--\(name) ne prend pas de valeur", field: name)
    }

    /// A value refused: `expected` says what the option takes.
    static func invalidValue(_ name: String, expected: String, got value: String, hint: String = "") -> MESError {
        MESError(.invalidValue, "--\(name) : \(expected), pas « \(TextEscaping.terminalSafe(value)) »" + hint, field: name)
    }

    /// A value refused whose message is whole already.
    static func invalidValue(_ name: String, _ message: String) -> MESError {
        MESError(.invalidValue, message, field: name)
    }

    static func notTogether(_ a: String, _ b: String) -> MESError {
        MESError(.conflictingOptions, "--\(a) et --\(b) ne vont pas ensemble", field: b)
    }

    /// `name` only makes sense with `other`.
    static func goesWith(_ name: String, _ other: String) -> MESError {
        MESError(.conflictingOptions, "--\(name) va avec \(other)", field: name)
    }

    /// Options or arguments that cannot be combined so, explained.
    static func conflicting(_ field: String, _ message: String) -> MESError {
        MESError(.conflictingOptions, message, field: field)
    }

    static func missingArgument(_ name: String, command: String) -> MESError {
        MESError(.missingArgument, "argument manquant : \(name) pour « mes \(command) »", field: name)
    }

    static func unexpectedArgument(_ value: String, command: String, hint: String) -> MESError {
        MESError(.unexpectedArgument, "argument en trop : « \(TextEscaping.terminalSafe(value)) » pour « mes \(command) »" + hint, field: "argument")
    }
}
