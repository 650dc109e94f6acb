/// The cases a CI user can ask `nir generate --case` and `fixtures --case` for, and the tags
/// every generated row carries: what its NIR's structure says (a birth in Corsica, overseas,
/// abroad, in Algeria, Morocco or Tunisia before their independence; a temporary number; a
/// pseudo-month) and, for a person, what the family and the dates say.
public enum FixtureCase: String, CaseIterable, Sendable, Comparable {
    /// Department 2A or 2B.
    case corsica
    /// An overseas department or collectivity (97x, 98x).
    case overseas
    /// Born abroad: department 99 (a country code follows).
    case abroad
    /// Department 91 to 94 (Algeria) before 1963, 95 (Morocco) or 96 (Tunisia) before 1957,
    /// the years before their independence (1962, 1956, 1956). A NIR alone gives the year in two
    /// digits: it is read as 19YY.
    case algeriaMoroccoTunisia = "algeria-morocco-tunisia"
    /// A temporary number: sex 3, 4, 7 or 8.
    case temporary
    /// A pseudo-month (birth month unknown): 20, 30 to 42 or 50 to 99.
    case pseudoMonth = "pseudo-month"
    /// Two children of one holder born the same day.
    case twins
    case deceased
    /// Under 18 at the fixtures' date.
    case minor
    /// An adult attached to a holder's card (a student).
    case adultDependant = "adult-dependant"

    /// The cases a NIR alone shows (`nir generate --case`).
    public static let nirCases: [FixtureCase] = [.corsica, .overseas, .abroad, .algeriaMoroccoTunisia, .temporary, .pseudoMonth]

    public static func < (a: FixtureCase, b: FixtureCase) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// The last birth year (19YY) before independence of a department of North Africa.
    static func lastYearBeforeIndependence(_ department: Int) -> Int? {
        switch department {
        case 91...94: return 1962
        case 95, 96: return 1956
        default: return nil
        }
    }

    /// What a NIR's characters show (any text: an invalid NIR keeps what its characters say,
    /// read as the insee rules read them: spaces, dots and dashes left out, letters upper-cased),
    /// `birthYear` the full year when known (else 19YY).
    public static func tags(nir text: String, birthYear: Int? = nil) -> [FixtureCase] {
        // One element per character (a digit of another script is one, and no digit).
        let c: [UInt32] = text.unicodeScalars.compactMap { s in
            s == " " || s == "." || s == "-" ? nil : (s.value >= 0x61 && s.value <= 0x7A ? s.value - 32 : s.value)
        }
        guard c.count >= 7 else { return [] }
        func digits(_ r: Range<Int>) -> Int? {
            var v = 0
            for b in c[r] { guard b >= 0x30 && b <= 0x39 else { return nil }; v = v * 10 + Int(b - 0x30) }
            return v
        }
        var tags: [FixtureCase] = []
        let department = (c[5], c[6])
        if department == (0x32, 0x41) || department == (0x32, 0x42) { tags.append(.corsica) }
        if department == (0x39, 0x37) || department == (0x39, 0x38) { tags.append(.overseas) }
        if department == (0x39, 0x39) { tags.append(.abroad) }
        if let d = digits(5..<7), let last = lastYearBeforeIndependence(d), let yy = digits(1..<3), (birthYear ?? 1900 + yy) <= last {
            tags.append(.algeriaMoroccoTunisia)
        }
        if let sex = digits(0..<1), [3, 4, 7, 8].contains(sex) { tags.append(.temporary) }
        if let month = digits(3..<5), NIRValidator.isPseudoMonth(month) { tags.append(.pseudoMonth) }
        return tags
    }
}

extension PopulationGenerator {
    /// A member's tags: its NIR's, then twins, deceased, minor or adult dependant.
    public func tags(_ m: Member, in family: [Member]) -> [FixtureCase] { Self.tags(m, in: family, today: today) }

    /// A member's tags as a fixtures file's `tags` cell: separated by spaces (empty: none).
    public static func tagsCell(_ m: Member, in family: [Member], today: CalendarDate) -> String {
        tags(m, in: family, today: today).map(\.rawValue).joined(separator: " ")
    }

    /// A member's tags, as of `today`.
    public static func tags(_ m: Member, in family: [Member], today: CalendarDate) -> [FixtureCase] {
        let p = m.person
        var tags = FixtureCase.tags(nir: p.nir.compact, birthYear: p.birthDate.year)
        if m.holderBirthDate != nil,
           family.contains(where: { $0.holderBirthDate != nil && $0.person.birthDate == p.birthDate && $0.person.firstName != p.firstName }) {
            tags.append(.twins)
        }
        if p.deceased { tags.append(.deceased) }
        let adult = p.birthDate.age(on: today) >= 18
        if !adult { tags.append(.minor) }
        if m.holderBirthDate != nil && adult { tags.append(.adultDependant) }
        return tags
    }
}

extension String {
    /// Zeros on the left up to `width` characters.
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
