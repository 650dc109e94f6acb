/// Who acted, as the audit trail names them: a kind (`Actor`) and, for advisers and
/// associations, an id. Each kind's ids are its own: an association cannot take a name that
/// reads as another kind's (`adviser:A1`), and a filter names a kind, or a kind and an id.
public enum ActorName {
    /// The name a batch records when none is given (`batch oppose` without `--association`):
    /// messages then say "une association", naming none.
    public static let unnamedAssociation = "association"

    /// An association's name as it files (`batch oppose --association`): trimmed, in Unicode NFC,
    /// 1 to 100 characters, none of them a control, format or separator character (tab, line
    /// break, bidirectional control, zero-width), only characters a receipt prints exactly (the
    /// letters of `NameRepertoire`: receipts and letters name the association), and not
    /// starting with another kind (`adviser:…`, `self:…`).
    public static func association(_ raw: String) throws -> String {
        func refuse(_ why: String) -> MESError { MESError(.associationInvalid, "Nom d'association refusé : \(why).", field: "association") }
        // Control characters are refused where they stand, trailing ones too (a line break).
        if raw.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw refuse("caractère de contrôle (tabulation, retour à la ligne…)")
        }
        let name = raw.trimmingSpaces
        guard !name.isEmpty else { throw refuse("il est vide") }
        guard name.count <= 100 else { throw refuse("100 caractères au plus") }
        if let bad = name.unicodeScalars.first(where: { s in
            switch s.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned: return true
            default: return false
            }
        }) {
            throw refuse("caractère non imprimable (U+\(String(bad.value, radix: 16, uppercase: true)))")
        }
        if let bad = NameRepertoire.firstRefused(in: name) { throw refuse(NameRepertoire.refusal(bad)) }
        if let colon = name.firstIndex(of: ":"), let kind = Actor(rawValue: String(name[..<colon]).lowercased()), kind != .association {
            throw refuse("il ne peut pas commencer par un autre type d'acteur (« \(name[..<colon]): »)")
        }
        return NameRepertoire.nfc(name)
    }

    /// A filter on who acted: a kind (`adviser`), or a kind and an id (`adviser:A042`,
    /// `association:Les Amis`). A bare id is refused: it would match several kinds.
    public static func filter(_ text: String) throws -> (kind: Actor, id: String?) {
        let t = text.trimmingSpaces
        if let kind = Actor(rawValue: t) { return (kind, nil) }
        if let colon = t.firstIndex(of: ":"), let kind = Actor(rawValue: String(t[..<colon])) {
            let id = String(t[t.index(after: colon)...])
            guard !id.isEmpty else { return (kind, nil) }
            return (kind, id)
        }
        let kinds = Actor.allCases.map(\.rawValue).joined(separator: ", ")
        throw MESError(.actorInvalid, "Acteur inconnu : « \(t) ». Indiquez un type (\(kinds)) ou un type et un identifiant "
                       + "(adviser:A042, association:NOM).", field: "actor")
    }
}
