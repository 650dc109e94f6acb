/// The identifier and password rules of the activation screen (seeds 002–004, the official app).
public enum Credentials {
    /// One unmet rule, with its stable code and the French wording shown to people.
    public struct Problem: Equatable, Sendable {
        public let code: ErrorCode
        public let message: String
    }

    static let identifierCharacters = Set("abcdefghijklmnopqrstuvwxyz0123456789.-_".utf8)

    /// Every rule the identifier breaks (empty when it is acceptable, uniqueness aside).
    public static func identifierProblems(_ id: String, nir: NIR) -> [Problem] {
        var out: [Problem] = []
        let n = id.utf8.count
        if n < 8 || n > 100 {
            out.append(Problem(code: .usernameLength, message: "L'identifiant doit contenir entre 8 et 100 caractères."))
        }
        if id.contains("@") {
            out.append(Problem(code: .usernameEmail, message: "Pour plus de sécurité, l'identifiant ne peut pas être une adresse e-mail."))
        }
        if !id.utf8.allSatisfy({ identifierCharacters.contains($0) }) {
            out.append(Problem(code: .usernameCharacter,
                               message: "L'identifiant ne peut contenir que des lettres minuscules sans accent, des chiffres, le point, le tiret et le tiret bas."))
        }
        let digits = id.filter(\.isNumber)
        if id.uppercased().contains(nir.compact) || (digits.count >= 13 && digits.contains(String(nir.compact.prefix(13)))) {
            out.append(Problem(code: .usernameNir, message: "L'identifiant ne peut pas être votre numéro de sécurité sociale."))
        }
        let lower = id.lowercased()
        if lower.hasPrefix("fr76") || (lower.count >= 14 && lower.prefix(2).allSatisfy(\.isLetter) && lower.dropFirst(2).prefix(2).allSatisfy(\.isNumber)
                                       && lower.dropFirst(4).allSatisfy { $0.isNumber || $0.isLetter } && lower.dropFirst(4).filter(\.isNumber).count >= 10) {
            out.append(Problem(code: .usernameIban, message: "L'identifiant ne peut pas être un numéro de compte bancaire (IBAN)."))
        }
        return out
    }

    /// The special characters of the official app; accented letters count as special too.
    public static let specials = Set("&~\"#('-_`{[|^@)=}+%*$£¨!§/:;.?,")

    /// Every rule the password breaks, all at once (seed 003 complains they show up too late).
    public static func passwordProblems(_ password: String, confirmation: String, person: Person) -> [Problem] {
        var out: [Problem] = []
        if password.count < 8 { out.append(Problem(code: .passwordLength, message: "8 caractères minimum")) }
        let hasSpecial = password.contains { specials.contains($0) || ($0.isLetter && !$0.isASCII) }
        if !hasSpecial { out.append(Problem(code: .passwordSpecial, message: "1 caractère spécial (!#@;%...)")) }
        if !password.contains(where: { $0.isASCII && $0.isNumber }) { out.append(Problem(code: .passwordDigit, message: "1 chiffre")) }
        if !password.contains(where: { $0.isUppercase }) { out.append(Problem(code: .passwordUpper, message: "1 majuscule")) }
        if !password.contains(where: { $0.isLowercase }) { out.append(Problem(code: .passwordLower, message: "1 minuscule")) }
        if password != confirmation {
            out.append(Problem(code: .passwordMismatch, message: "Les deux mots de passe saisis ne sont pas identiques."))
        }
        if containsPersonalData(password, person: person) {
            out.append(Problem(code: .passwordPersonal, message: Messages.passwordPersonal))
        }
        if isCommon(password) { out.append(Problem(code: .passwordCommon, message: Messages.passwordCommon)) }
        return out
    }

    /// The person's names (parts of 3 letters or more), NIR or birth date inside the password.
    public static func containsPersonalData(_ password: String, person: Person) -> Bool {
        let folded = Names.ascii(password)
        let parts = (person.firstName + " " + person.lastName).split(whereSeparator: { $0 == " " || $0 == "-" || $0 == "'" })
        for p in parts where p.count >= 3 && folded.contains(Names.ascii(String(p))) { return true }
        let digits = password.filter(\.isNumber)
        if digits.contains(String(person.nir.compact.prefix(13))) || password.uppercased().contains(person.nir.compact) { return true }
        let d = person.birthDate
        func p2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let forms = ["\(p2(d.day))\(p2(d.month))\(d.year)", "\(d.year)\(p2(d.month))\(p2(d.day))", "\(p2(d.day))\(p2(d.month))\(d.year % 100 < 10 ? "0" : "")\(d.year % 100)"]
        let compact = password.filter { $0 != "/" && $0 != "-" && $0 != "." && $0 != " " }
        return forms.contains { compact.contains($0) }
    }

    /// Whether the password is, once folded and stripped of trailing digits and symbols, a common one.
    public static func isCommon(_ password: String) -> Bool {
        let folded = Names.ascii(password)
        if CommonPasswords.set.contains(folded) { return true }
        var core = Substring(folded)
        while let last = core.last, !last.isLetter { core = core.dropLast() }
        while let first = core.first, !first.isLetter { core = core.dropFirst() }
        return core.count >= 4 && CommonPasswords.set.contains(String(core))
    }

    /// Free identifiers close to a taken one (the service suggests some).
    public static func suggestions(for id: String, birthYear: Int, isFree: (String) -> Bool) -> [String] {
        var base = String(id.prefix(90))
        if base.count < 8 { base += String(repeating: "0", count: 8 - base.count) }
        var out: [String] = []
        for candidate in [base + String(birthYear), base + ".\(birthYear % 100)", base + "_1", base + "-2", base + "3"]
        where out.count < 3 && isFree(candidate) && identifierCharacters.isSuperset(of: candidate.utf8) {
            out.append(candidate)
        }
        return out
    }
}
