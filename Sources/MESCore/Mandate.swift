/// A minor's mandate as an association files it: who signed for the child.
public enum Mandate {
    /// The report's flag for a signatory who is not the child's card holder (still recorded:
    /// the other parent, a guardian, may sign).
    public static let signatoryNotHolder = "signataire_different_du_titulaire"

    /// Whether `signatory` names the card holder: their last name and their first first name
    /// both appear in it, as words (case, accents, hyphens and order ignored).
    public static func names(_ signatory: String, holder: Person) -> Bool {
        let words = Set(Self.words(signatory))
        guard let first = Self.words(holder.firstName).first else { return false }
        let last = Self.words(holder.lastName)
        return words.contains(first) && !last.isEmpty && last.allSatisfy(words.contains)
    }

    /// Folded words of a name: lower-case ASCII, split at spaces, hyphens and apostrophes.
    static func words(_ s: String) -> [String] {
        Roster.foldValue(s).split(whereSeparator: { $0 == " " || $0 == "-" || $0 == "'" || $0 == "’" || $0 == "_" }).map(String.init)
    }
}
