import MESCore
import MESStore

/// The people the guides show (seed 002: Martine Julie Leguellec and the Capanelli profiles),
/// plus the hard cases of SPEC §5: SMS-only contact, twins, Corsica with a letter, a deceased
/// person, an active space.
enum DemoData {
    static func nir(_ body: String) -> NIR {
        let k = NIR.key(forBody: body)!
        return NIRValidator(rules: .insee).validate(body + (k < 10 ? "0\(k)" : "\(k)")).nir!
    }

    static let martineNIR = nir("1163044038016")
    /// The phone service's adviser of the guides' examples.
    static let adviser = "A042"
    static let martineBirthDate = CalendarDate(year: 1988, month: 6, day: 8)!

    /// Inserts the demo people into an empty store (inside the caller's transaction).
    static func seed(_ store: Store) throws {
        try store.addAdviser(adviser, now: Instant.parse("2021-09-01T08:00:00Z")!)
        let d = { (s: String) in CalendarDate.parse(s)! }
        let t = { (s: String) in Instant.parse(s)! }
        let martine = try store.insert(Person(
            nir: martineNIR, birthDate: d("08/06/1988"), firstName: "Martine Julie", lastName: "Leguellec", card: .plain,
            serial: "953701166", email: "dlfr-cn5-tma-support-cobra@atos.net", address: "12 rue des Lilas, 44000 Nantes",
            notifiedAt: t("2022-01-10T08:00:00Z")))  // within the 6 weeks before the README's clock (2022-02-03)
        let family: [(String, String, ProfileState, Instant?)] = [
            ("Virginie", "14/03/2008", .opposed, t("2021-12-07T09:30:00Z")),
            ("Jean-Jacques", "02/05/2010", .pending, nil),
            ("Gerard", "21/09/2012", .pending, nil),
            ("Brigitte", "30/01/2015", .pending, nil),
            ("Vincent", "11/11/2017", .pending, nil),
        ]
        for (first, birth, state, since) in family {
            try store.insert(Person(nir: martineNIR, birthDate: d(birth), firstName: first, lastName: "Capanelli", card: .plain,
                                    serial: "953701166", holderID: martine, state: state, stateSince: since))
        }
        try store.insert(Person(nir: nir("1850344109123"), birthDate: d("15/03/1985"), firstName: "Karim", lastName: "Benali",
                                card: .photo, serial: "01024576124", mobile: "06 63 78 13 77"))
        let sophie = try store.insert(Person(
            nir: nir("2850597105123"), birthDate: d("20/05/1985"), firstName: "Sophie", lastName: "Martin", card: .photo,
            serial: "04512378963", email: "sophie.martin@example.fr"))
        for first in ["Léa", "Lucas"] {
            try store.insert(Person(nir: nir("2850597105123"), birthDate: d("12/04/2016"), firstName: first, lastName: "Martin",
                                    card: .photo, serial: "04512378963", holderID: sophie))
        }
        try store.insert(Person(nir: nir("152072A004017"), birthDate: d("03/07/1952"), firstName: "Paul-Antoine", lastName: "Santoni",
                                card: .plain, serial: "87654321", address: "4 cours Napoléon, 20000 Ajaccio"))
        try store.insert(Person(nir: nir("1380475056042"), birthDate: d("19/04/1938"), firstName: "Henri", lastName: "Lefebvre",
                                card: .plain, serial: "12345678", email: "famille.lefebvre@example.fr", deceased: true))
        try store.insert(Person(nir: nir("2900631555101"), birthDate: d("27/06/1990"), firstName: "Claire", lastName: "Fontaine",
                                card: .photo, serial: "09876543210", email: "claire.fontaine@example.fr", mobile: "07 12 34 56 78",
                                state: .active, stateSince: t("2021-11-15T10:00:00Z")))
    }
}
