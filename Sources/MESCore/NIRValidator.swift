/// Which rule set a NIR is checked against (`--rules`).
public enum NIRRules: String, CaseIterable, Sendable, Codable {
    /// The structure INSEE allocates, plus the key (default).
    case insee
    /// Exactly python-stdnum's `stdnum.fr.nir.is_valid` verdict.
    case stdnum
    /// What the official enrolment app accepts.
    case app
    /// Exactly the verdict of the Assurance Maladie's PHP validator (`CnamRules`).
    case cnam
}

/// Why a NIR was rejected. The raw value is the stable `reason` of the JSON output.
public enum NIRReason: String, CaseIterable, Sendable, Codable {
    case empty, length, character, sex, month, department, commune, order, key

    /// The stable error code of SPEC §9 this reason belongs to.
    public var code: ErrorCode {
        switch self {
        case .length, .empty: return .nirLength
        case .character: return .nirCharacter
        default: return .nirFormat
        }
    }

    /// The French message shown to people, in the service's wording.
    public var message: String {
        switch self {
        case .empty, .length: return Messages.nirLength
        case .character: return Messages.nirFormat + " (caractère non autorisé)"
        case .sex: return Messages.nirFormat + " (sexe)"
        case .month: return Messages.nirFormat + " (mois de naissance)"
        case .department: return Messages.nirFormat + " (département de naissance)"
        case .commune: return Messages.nirFormat + " (commune ou pays de naissance)"
        case .order: return Messages.nirFormat + " (numéro d'ordre)"
        case .key: return Messages.nirFormat + " (clé de contrôle)"
        }
    }
}

/// The verdict on one input.
public enum NIRVerdict: Sendable, Equatable {
    case valid(NIR)
    case invalid(NIRReason)

    public var nir: NIR? { if case .valid(let n) = self { return n } else { return nil } }
    public var reason: NIRReason? { if case .invalid(let r) = self { return r } else { return nil } }
}

/// Validates NIRs under one rule set. Works on bytes so that millions of lines stay cheap.
public struct NIRValidator: Sendable {
    public let rules: NIRRules

    public init(rules: NIRRules = .insee) { self.rules = rules }

    /// Validates text as typed by a person (separators allowed).
    public func validate(_ input: String) -> NIRVerdict {
        if rules == .stdnum { return StdnumCleaning.validate(input) }
        if rules == .cnam { return CnamRules.validate(input) }
        var bytes = Array(input.utf8)
        return bytes.withUnsafeMutableBufferPointer { validate(bytes: UnsafeBufferPointer($0)) }
    }

    /// Validates raw input bytes (one line, no newline).
    public func validate(bytes input: UnsafeBufferPointer<UInt8>) -> NIRVerdict {
        switch rules {
        case .cnam:
            return CnamRules.validate(bytes: input)
        case .stdnum:
            if let cleaned = StdnumCleaning.cleanASCII(input) { return Self.stdnumVerdict(cleaned) }
            return StdnumCleaning.validate(String(decoding: input, as: UTF8.self))
        case .insee, .app:
            var buf = (UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0),
                       UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0))
            return withUnsafeMutableBytes(of: &buf) { raw -> NIRVerdict in
                let out = raw.bindMemory(to: UInt8.self)
                var n = 0
                var badCharacter = false
                for var c in trimmed(input) {
                    if c == 32 || c == 0x2E || c == 0x2D { continue }  // space . -
                    if c >= 0x61 && c <= 0x7A { c -= 32 }
                    let ok = (c >= 0x30 && c <= 0x39) || ((c == 0x41 || c == 0x42) && n == 6)
                    if !ok {
                        // INSEE rules: a wrong character is the reason whatever follows (a long
                        // garbage line stops here).
                        if rules == .insee { return .invalid(.character) }
                        badCharacter = true
                    }
                    if n < 15 { out[n] = c }
                    n += 1
                    // The app's rules: a 16th character is the reason whatever follows.
                    if rules == .app && n > 15 { return .invalid(.length) }
                }
                if rules == .app {
                    if n != 15 { return .invalid(n == 0 ? .empty : .length) }
                    if badCharacter { return .invalid(.character) }
                } else {
                    if n == 0 { return .invalid(.empty) }
                    if badCharacter { return .invalid(.character) }
                    if n != 15 { return .invalid(.length) }
                }
                if (out[6] == 0x41 || out[6] == 0x42) && out[5] != 0x32 { return .invalid(.character) }
                let b = UnsafeBufferPointer(out)
                if let reason = rules == .app ? Self.appStructure(b) : Self.inseeStructure(b) {
                    return .invalid(reason)
                }
                guard let key = NIR.key(forBody: b[0..<13]),
                      key == Int(b[13] - 0x30) * 10 + Int(b[14] - 0x30)
                else { return .invalid(.key) }
                return .valid(NIR(uncheckedCompact: String(decoding: b, as: UTF8.self)))
            }
        }
    }

    private func trimmed(_ b: UnsafeBufferPointer<UInt8>) -> Slice<UnsafeBufferPointer<UInt8>> {
        var lo = 0, hi = b.count
        while lo < hi, b[lo] == 9 || b[lo] == 13 { lo += 1 }
        while hi > lo, b[hi - 1] == 9 || b[hi - 1] == 13 { hi -= 1 }
        return b[lo..<hi]
    }

    @inline(__always) private static func num(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ n: Int) -> Int {
        var v = 0
        for k in i..<(i + n) { v = v * 10 + Int(b[k] &- 0x30) }
        return v
    }

    /// The overseas departments and collectivities of INSEE's official geographic code
    /// (Guadeloupe 971 … Saint-Martin 978; TAAF 984, Wallis-et-Futuna 986, French Polynesia
    /// 987, New Caledonia 988, Clipperton 989).
    public static let overseas: Set<Int> = [971, 972, 973, 974, 975, 976, 977, 978, 984, 986, 987, 988, 989]

    /// Whether the insee rules allow a NIR's two month digits: 01 to 12, or a pseudo-month.
    public static func isAllowedMonth(_ month: Int) -> Bool { (1...12).contains(month) || isPseudoMonth(month) }

    /// INSEE's pseudo-months (the month of birth unknown): 20, 30 to 42 and 50 to 99.
    public static func isPseudoMonth(_ month: Int) -> Bool { month == 20 || (30...42).contains(month) || (50...99).contains(month) }

    /// The structure INSEE allocates; nil when it holds.
    static func inseeStructure(_ b: UnsafeBufferPointer<UInt8>) -> NIRReason? {
        switch b[0] {
        case 0x31, 0x32, 0x33, 0x34, 0x37, 0x38: break
        default: return .sex
        }
        if !isAllowedMonth(num(b, 3, 2)) { return .month }
        if b[6] == 0x41 || b[6] == 0x42 {
            if num(b, 7, 3) == 0 { return .commune }
        } else {
            let dep = num(b, 5, 2)
            switch dep {
            case 1...96:
                // 91 to 94 were also Algeria's, 95 Morocco's and 96 Tunisia's until their
                // independence: births there before it keep those numbers.
                if num(b, 7, 3) == 0 { return .commune }
            case 97, 98:
                // INSEE's overseas codes: 971 to 978, 984, 986 to 989.
                guard Self.overseas.contains(num(b, 5, 3)) else { return .department }
                if num(b, 8, 2) == 0 { return .commune }
            case 99:
                if num(b, 7, 3) == 0 { return .commune }
            default:
                return .department
            }
        }
        if num(b, 10, 3) == 0 { return .order }
        return nil
    }

    /// What the official app checks: sex 1 or 2, month 01–12, department 2 digits or 2A/2B.
    static func appStructure(_ b: UnsafeBufferPointer<UInt8>) -> NIRReason? {
        if b[0] != 0x31 && b[0] != 0x32 { return .sex }
        if !(1...12).contains(num(b, 3, 2)) { return .month }
        return nil
    }

    /// stdnum: 15 characters, digits except 2A/2B at the department, and the key.
    /// (stdnum itself reports short inputs as a format error; the verdict is the same.)
    static func stdnumVerdict(_ b: [UInt8]) -> NIRVerdict {
        if b.isEmpty { return .invalid(.empty) }
        for (i, c) in b.enumerated() {
            let ok = (c >= 0x30 && c <= 0x39) || ((c == 0x41 || c == 0x42) && i == 6 && b[5] == 0x32)
            if !ok { return .invalid(.character) }
        }
        if b.count != 15 { return .invalid(.length) }
        guard let key = NIR.key(forBody: b[0..<13]),
              key == Int(b[13] - 0x30) * 10 + Int(b[14] - 0x30)
        else { return .invalid(.key) }
        return .valid(NIR(uncheckedCompact: String(decoding: b, as: UTF8.self)))
    }
}
