/// A synthetic insured population, reproducible from a seed, in the proportions of the real
/// service: families (holders with children attached to their card, some twins, some adult
/// dependants), births in Corsica (4%), overseas (5%) and abroad (4%, a third of them with a
/// pseudo-month), the rest in metropolitan France, temporary NIRs (1%: sex 3, 4, 7, 8), both card models (60% with photo),
/// 9% of people without e-mail (seed 003), 5% with neither e-mail nor mobile (they get letters;
/// attached profiles share their holder's contacts), parents 17 to 45 years older than their
/// minor children, deceased people (1%) and decisions already taken: opposed
/// (4%), active (3%) and closed (0.5%), each with its date.
///
/// Stability: the same seed, date and version give the same people. Any change to a draw here
/// changes the bytes of every fixture file (README, "Stability").
///
/// Nothing is kept but the holders' NIRs (every family gets its own): 8 bytes a holder on a first
/// walk, and nothing on a later walk of the same population, which replays the first one's
/// `redraws` instead. So a population is walked as often as needed rather than kept.
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
    /// Metropolitan departments but Corsica: 01 to 95 (20 is 2A and 2B).
    static let metropolitan = Array(NIRGenerator.departments.prefix(94))
    /// INSEE's pseudo-months (birth month unknown), as the insee rules accept them.
    static let pseudoMonths = (0...99).filter(NIRValidator.isPseudoMonth)

    var rng: SeededGenerator
    var nirs: NIRGenerator
    /// NIRs already given to a holder (a first walk), or nil when a walk replays `redraws`.
    var given: NIRSet?
    /// The family of each holder whose NIR had to be drawn again because another holder had it
    /// already, in order (one entry per draw made again): recorded on a first walk, replayed on
    /// the next ones.
    public private(set) var redraws: [Int] = []
    /// How many of `redraws` a replaying walk has met.
    private var replayed = 0
    let today: CalendarDate
    /// When not empty, only the families with a member of one of these cases (`fixtures --case`).
    public var cases: Set<FixtureCase> = []

    /// A first walk: the holders' NIRs are kept to keep them apart. `expectedPeople` sizes that
    /// set at once (8 bytes a holder, 0.6 holder a person, at most 80% full: 64 MB for 10,000,000).
    public init(seed: UInt64, today: CalendarDate, expectedPeople: Int = 0) {
        rng = SeededGenerator(seed: seed)
        nirs = NIRGenerator(seed: seed ^ 0x5EED_F00D)
        self.today = today
        given = NIRSet(capacity: expectedPeople / 8 * 5)
    }

    /// A later walk of the population a first walk with this seed and date made: the same
    /// people, family by family, with no set (`redraws` is that walk's).
    public init(seed: UInt64, today: CalendarDate, replaying redraws: [Int]) {
        rng = SeededGenerator(seed: seed)
        nirs = NIRGenerator(seed: seed ^ 0x5EED_F00D)
        self.today = today
        self.redraws = redraws
    }

    /// Whether family `index`'s holder may have `nir` (no other holder has it); false means
    /// draw again.
    mutating func isFree(_ nir: NIR, family index: Int) -> Bool {
        if given != nil {
            if given!.insert(nir) { return true }
            redraws.append(index)
            return false
        }
        guard replayed < redraws.count, redraws[replayed] == index else { return true }
        replayed += 1
        return false
    }

    mutating func pick<T>(_ a: [T]) -> T { a[Int.random(in: 0..<a.count, using: &rng)] }
    /// True `permille` times in 1,000.
    mutating func chance(permille: Int) -> Bool { Int.random(in: 0..<1000, using: &rng) < permille }
    mutating func chance(_ percent: Int) -> Bool { chance(permille: percent * 10) }

    mutating func date(yearsAgo range: ClosedRange<Int>) -> CalendarDate {
        let days = Int.random(in: (range.lowerBound * 365)...(range.upperBound * 365 + 364), using: &rng)
        return CalendarDate(daysSinceEpoch: today.daysSinceEpoch - days)
    }

    mutating func serial(_ card: CardType) -> String { VitaleGenerator.serial(card, using: &rng) }

    /// A NIR for this sex and birth date, born in metropolitan France, Corsica, overseas or
    /// abroad (sometimes with a pseudo-month), sometimes temporary.
    mutating func nir(female: Bool, birth: CalendarDate) -> NIR {
        let r = Int.random(in: 0..<100, using: &rng)
        // The rest are born in metropolitan France (fixtures version 3: before, a share of them
        // was drawn among every department again, which made Corsica 7%, overseas 13%, abroad 6%).
        let dep = r < 4 ? pick(["2A", "2B"]) : r < 9 ? pick(["971", "972", "973", "974", "976"]) : r < 13 ? "99"
            : pick(Self.metropolitan)
        let temporary = chance(1)
        let sex = (female ? 2 : 1) + (temporary ? pick([2, 6]) : 0)
        let month = (dep == "99" || temporary) && chance(33) ? pick(Self.pseudoMonths) : birth.month
        return NIR(uncheckedCompact: NIR.completing(body: Array(nirs.body(sex: sex, year: birth.year % 100, month: month, department: dep).utf8))!)
    }

    /// E-mail and mobile: 9% without e-mail (seed 003: "comme pour 9% des Français"), of whom 5%
    /// have no mobile either and 4% a mobile only; 15% e-mail only; 76% both.
    mutating func contacts(login: String) -> (email: String?, mobile: String?) {
        let r = Int.random(in: 0..<100, using: &rng)
        let mobile = "06 " + (0..<4).map { _ in format2(Int.random(in: 0...99, using: &rng)) }.joined(separator: " ")
        return (r < 9 ? nil : login + "@example.fr", r < 5 || (9..<24).contains(r) ? nil : mobile)
    }

    /// How old a parent was when their child was born: 17 to 45, most often about 30 (the sum of
    /// two uniform draws), so that a parent is always at least 16 years older than their child.
    mutating func ageAtBirth() -> Int { 17 + Int.random(in: 0...14, using: &rng) + Int.random(in: 0...14, using: &rng) }

    /// A decision already taken (opposed 4%, active 3%, closed 0.5%) with its date in the last
    /// year, or pending. A deceased person is never active.
    mutating func state(deceased: Bool) -> (ProfileState, Instant?) {
        let r = Int.random(in: 0..<1000, using: &rng)
        let state: ProfileState = r < 40 ? .opposed : r < 70 ? .active : r < 75 ? .closed : .pending
        guard state != .pending, !(deceased && state != .opposed) else { return (.pending, nil) }
        let day = CalendarDate(daysSinceEpoch: today.daysSinceEpoch - Int.random(in: 1...365, using: &rng))
        return (state, Instant(date: day).adding(seconds: Int64(Int.random(in: 8 * 3600...20 * 3600, using: &rng))))
    }

    /// The next family: a holder and 0–4 attached profiles (children, some twins, some adult dependants).
    public mutating func family(index: Int) -> [Member] {
        let female = chance(50)
        let birth = date(yearsAgo: 19...85)
        let last = pick(Self.lastNames)
        let first = female ? pick(Self.femaleNames) : pick(Self.maleNames)
        let card: CardType = chance(60) ? .photo : .plain
        var nir = nir(female: female, birth: birth)
        while !isFree(nir, family: index) { nir = self.nir(female: female, birth: birth) }
        let serial = serial(card)
        let login = Names.ascii(first + "." + last) + "\(index)"
        let (email, mobile) = contacts(login: login)
        let deceased = chance(1)
        let (state, since) = state(deceased: deceased)
        let holder = Person(nir: nir, birthDate: birth, firstName: first, lastName: last, card: card, serial: serial,
                            email: email, mobile: mobile, address: "\(Int.random(in: 1...120, using: &rng)) rue de la République",
                            deceased: deceased, state: state, stateSince: since)
        var out = [Member(person: holder, holderBirthDate: nil)]
        guard chance(30) else { return out }
        var used = Set([first])
        func name(_ f: Bool) -> String {
            var name = f ? pick(Self.femaleNames) : pick(Self.maleNames)
            while used.contains(name) { name = f ? pick(Self.femaleNames) : pick(Self.maleNames) }
            used.insert(name)
            return name
        }
        let parentAge = birth.age(on: today)
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            // A minor born when the parent was 17 to 45 (none for a parent too old or too young).
            let childAge = parentAge - ageAtBirth()
            guard (0...17).contains(childAge) else { continue }
            let childBirth = date(yearsAgo: childAge...childAge)
            let twins = chance(5)
            for _ in 0..<(twins ? 2 : 1) {
                let f = chance(50)
                // A parent who opposed for themselves often did for their children too.
                let opposed = state == .opposed && chance(50)
                out.append(Member(person: Person(nir: nir, birthDate: childBirth, firstName: name(f), lastName: last, card: card,
                                                 serial: serial, email: email, mobile: mobile, deceased: chance(permille: 1),
                                                 state: opposed ? .opposed : .pending, stateSince: opposed ? since : nil),
                                  holderBirthDate: birth))
            }
        }
        if birth.age(on: today) >= 40 && chance(20) {  // an adult dependant (a student, 19 to 25)
            let f = chance(50)
            let adultBirth = date(yearsAgo: 19...24)
            let given = name(f)
            let (email, mobile) = contacts(login: Names.ascii(given + "." + last) + "\(index)")
            let (state, since) = self.state(deceased: false)
            out.append(Member(person: Person(nir: nir, birthDate: adultBirth, firstName: given, lastName: last, card: card, serial: serial,
                                             email: email, mobile: mobile, state: state, stateSince: since), holderBirthDate: birth))
        }
        return out
    }

    /// Walks the first `count` people, family by family in order (the last family cut to fit),
    /// from a generator that has drawn nothing yet; with `cases`, only the families that have a
    /// member of one of them.
    public mutating func forEachFamily(count: Int, _ body: ([Member]) throws -> Void) rethrows {
        var given = 0, index = 0
        while given < count {
            var family = self.family(index: index)
            if !cases.isEmpty && !family.contains(where: { tags($0, in: family).contains(where: cases.contains) }) {
                index += 1
                continue
            }
            if family.count > count - given { family.removeLast(family.count - (count - given)) }
            try body(family)
            given += family.count
            index += 1
        }
    }

    func format2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }

    /// The fixture codes this generator draws next (after a population: the members file's).
    public var codes: FixtureCodes { FixtureCodes(rng: rng) }
}

/// Deterministic 12-character codes (fixtures only: predictable from the seed by design).
public struct FixtureCodes: Sendable {
    var rng: SeededGenerator

    public mutating func next() -> String {
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
