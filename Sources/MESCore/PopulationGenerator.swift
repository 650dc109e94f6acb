/// A synthetic insured population, reproducible from a seed: families (holders with children
/// attached to their card, some twins), births in Corsica, overseas and abroad, both card
/// models, some people with no e-mail or mobile (letters).
public struct PopulationGenerator {
    public struct Member: Sendable {
        public var person: Person
        /// For an attached profile: the holder's birth date.
        public var holderBirthDate: CalendarDate?
    }

    static let femaleNames = ["Martine", "Élodie", "Hélène", "Noémie", "Zoé", "Chloé", "Léa", "Inès", "Camille", "Manon",
                              "Sophie", "Anaïs", "Maëlle", "Françoise", "Océane", "Agnès", "Clémence", "Juliette", "Virginie", "Brigitte"]
    static let maleNames = ["François", "Jérôme", "Gaël", "Noël", "Loïc", "Théo", "Lucas", "Hugo", "Mathéo", "Karim",
                            "Jean-Jacques", "Gérard", "Vincent", "Benoît", "Raphaël", "Étienne", "Joël", "Nicolas", "Paul-Antoine", "Yanis"]
    static let lastNames = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
                            "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
                            "Morel", "Girard", "André", "Lefebvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez",
                            "Leguellec", "Capanelli", "Santoni", "N'Diaye", "Le Gall", "Benali", "Nguyen", "Da Silva", "Müller", "Château"]

    var rng: SeededGenerator
    var nirs: NIRGenerator
    /// NIRs already given to a holder: every family gets its own.
    var used = Set<String>()
    let today: CalendarDate

    public init(seed: UInt64, today: CalendarDate) {
        rng = SeededGenerator(seed: seed)
        nirs = NIRGenerator(seed: seed ^ 0x5EED_F00D)
        self.today = today
    }

    mutating func pick<T>(_ a: [T]) -> T { a[Int.random(in: 0..<a.count, using: &rng)] }
    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &rng) < percent }

    mutating func date(yearsAgo range: ClosedRange<Int>) -> CalendarDate {
        let days = Int.random(in: (range.lowerBound * 365)...(range.upperBound * 365 + 364), using: &rng)
        return CalendarDate(daysSinceEpoch: today.daysSinceEpoch - days)
    }

    mutating func serial(_ card: CardType) -> String { VitaleGenerator.serial(card, using: &rng) }

    /// A NIR consistent with sex and birth date, born in metropolitan France, Corsica, overseas or abroad.
    mutating func nir(female: Bool, birth: CalendarDate) -> NIR {
        let r = Int.random(in: 0..<100, using: &rng)
        let dep: String? = r < 4 ? pick(["2A", "2B"]) : r < 9 ? pick(["971", "972", "973", "974", "976"]) : r < 13 ? "99" : nil
        let body = nirs.body(sex: female ? 2 : 1, year: birth.year % 100, month: birth.month, department: dep)
        let k = NIR.key(forBody: Array(body.utf8))!
        return NIR(uncheckedCompact: body + (k < 10 ? "0\(k)" : "\(k)"))
    }

    /// The next family: a holder and 0–4 attached profiles (children, some twins).
    public mutating func family(index: Int) -> [Member] {
        let female = chance(50)
        let birth = date(yearsAgo: 19...85)
        let last = pick(Self.lastNames)
        let first = female ? pick(Self.femaleNames) : pick(Self.maleNames)
        let card: CardType = chance(60) ? .photo : .plain
        var nir = nir(female: female, birth: birth)
        while !used.insert(nir.compact).inserted { nir = self.nir(female: female, birth: birth) }
        let serial = serial(card)
        let login = Names.ascii(first + "." + last) + "\(index)"
        let email = chance(75) ? login + "@example.fr" : nil
        let mobile = chance(60) ? "06 " + (0..<4).map { _ in String(format2(Int.random(in: 0...99, using: &rng))) }.joined(separator: " ") : nil
        let holder = Person(nir: nir, birthDate: birth, firstName: first, lastName: last, card: card, serial: serial,
                            email: email, mobile: mobile, address: "\(Int.random(in: 1...120, using: &rng)) rue de la République")
        var out = [Member(person: holder, holderBirthDate: nil)]
        guard chance(30) else { return out }
        var used = Set([first])
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let childBirth = date(yearsAgo: 0...17)
            let twins = chance(5)
            for _ in 0..<(twins ? 2 : 1) {
                let f = chance(50)
                var name = f ? pick(Self.femaleNames) : pick(Self.maleNames)
                while used.contains(name) { name = f ? pick(Self.femaleNames) : pick(Self.maleNames) }
                used.insert(name)
                out.append(Member(person: Person(nir: nir, birthDate: childBirth, firstName: name, lastName: last, card: card,
                                                 serial: serial), holderBirthDate: birth))
            }
        }
        return out
    }

    func format2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }

    /// A deterministic 12-character code (fixtures only: predictable from the seed by design).
    public mutating func fixtureCode() -> String {
        String(decoding: (0..<ProvisionalCode.length).map { _ in ProvisionalCode.alphabet[Int.random(in: 0..<62, using: &rng)] },
               as: UTF8.self)
    }
}

/// Name helpers shared by generators and matching.
public enum Names {
    /// Lower-case ASCII for logins and comparisons: accents dropped, spaces and quotes removed.
    public static func ascii(_ s: String) -> String {
        var out = ""
        for u in s.lowercased().unicodeScalars {
            switch u {
            case "à", "â", "ä", "á", "ã": out += "a"
            case "ç": out += "c"
            case "é", "è", "ê", "ë": out += "e"
            case "î", "ï", "í", "ì": out += "i"
            case "ô", "ö", "ó", "ò", "õ": out += "o"
            case "ù", "û", "ü", "ú": out += "u"
            case "ÿ": out += "y"
            case "œ": out += "oe"
            case "æ": out += "ae"
            case " ", "'", "’": continue
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }

    /// Folded for comparison: also ignores dashes and dots.
    public static func fold(_ s: String) -> String { ascii(s).filter { $0 != "-" && $0 != "." } }

    /// Whether two typed names are the same person's (case, accents and separators ignored).
    public static func same(_ a: String, _ b: String) -> Bool { fold(a) == fold(b) }
}
