/// The abbreviations of the postal address norm (AFNOR NF Z 10-011, annex; the same table as
/// Etalab's `normadresse`): used on a street or complement line only when it is longer than
/// 38 characters, in this order (the type of way first, then complements, titles, saints),
/// and only until the line fits.
extension PostalAddress {
    /// Word (in unaccented capitals, without spaces or hyphens) → abbreviation, by priority.
    static let abbreviations: [[(String, String)]] = [
        [("BOULEVARD", "BD"), ("AVENUE", "AV"), ("ALLEE", "ALL"), ("CHEMIN", "CHE"), ("CHAUSSEE", "CHS"),
         ("CARREFOUR", "CAR"), ("CORNICHE", "COR"), ("COURS", "CRS"), ("DOMAINE", "DOM"), ("ESPLANADE", "ESP"),
         ("FAUBOURG", "FG"), ("HAMEAU", "HAM"), ("IMPASSE", "IMP"), ("LIEUDIT", "LD"), ("LOTISSEMENT", "LOT"),
         ("MONTEE", "MTE"), ("PASSAGE", "PAS"), ("PLACE", "PL"), ("PROMENADE", "PRO"), ("QUARTIER", "QUA"),
         ("RESIDENCE", "RES"), ("ROUTE", "RTE"), ("RUELLE", "RLE"), ("SENTIER", "SEN"), ("SQUARE", "SQ"),
         ("TRAVERSE", "TRA"), ("VILLAGE", "VLGE")],
        [("APPARTEMENT", "APP"), ("BATIMENT", "BAT"), ("ESCALIER", "ESC"), ("ETAGE", "ETG"), ("IMMEUBLE", "IMM"),
         ("ENTREE", "ENT")],
        [("DOCTEUR", "DR"), ("GENERAL", "GAL"), ("MARECHAL", "MAL"), ("PRESIDENT", "PDT"), ("PROFESSEUR", "PR"),
         ("COMMANDANT", "CDT"), ("CAPITAINE", "CAP"), ("LIEUTENANT", "LT"), ("COLONEL", "COL"), ("MONSEIGNEUR", "MGR"),
         ("NOTREDAME", "ND")],
        [("SAINT", "ST"), ("SAINTE", "STE")],
    ]

    /// `line` shortened by the norm's abbreviations, group by group, until it has at most 38
    /// characters (or every abbreviation is used).
    static func abbreviated(_ line: String) -> String {
        var words = line.split(separator: " ").map(String.init)
        for group in abbreviations {
            let table = Dictionary(uniqueKeysWithValues: group)
            for (i, word) in words.enumerated() {
                let key = capitals(word).filter { $0 != " " }
                if let short = table[key] { words[i] = short }
            }
            let shortened = words.joined(separator: " ")
            if shortened.count <= maxLineLength { return shortened }
        }
        return words.joined(separator: " ")
    }
}
