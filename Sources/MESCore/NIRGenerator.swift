/// One generated NIR: valid, or deliberately invalid with the reason it fails.
public struct GeneratedNIR: Sendable, Equatable {
    /// The input: 15 characters when valid; invalid, as `NIRGenerator.broken` and `typed` write it
    /// (any length, other scripts' digits, separators).
    public let text: String
    /// nil when valid under the `insee` rules; else the reason they give (`nir check`'s `reason`).
    public let reason: NIRReason?

    /// The error code `nir check` gives with the reason (`nir_length`, `nir_character`, `nir_format`).
    public var code: ErrorCode? { reason?.code }
}

/// Makes realistic NIRs (and labelled invalid ones) reproducibly from a seed.
public struct NIRGenerator {
    public private(set) var rng: SeededGenerator

    public init(seed: UInt64) { rng = SeededGenerator(seed: seed) }

    static let departments: [String] = (1...95).filter { $0 != 20 }.map { $0 < 10 ? "0\($0)" : "\($0)" }
        + ["2A", "2B", "971", "972", "973", "974", "976", "99"]

    /// The 13-character body of a valid NIR for the given parts (random where nil).
    public mutating func body(sex: Int? = nil, year: Int? = nil, month: Int? = nil, department: String? = nil) -> String {
        let s = sex ?? (Int.random(in: 0..<100, using: &rng) < 97 ? Int.random(in: 1...2, using: &rng) : 7)
        let y = year ?? Int.random(in: 0...99, using: &rng)
        let m = month ?? Int.random(in: 1...12, using: &rng)
        let dep: String
        if let department { dep = department } else {
            let r = Int.random(in: 0..<100, using: &rng)
            dep = r < 85 ? Self.departments[Int.random(in: 0..<94, using: &rng)]
                : Self.departments[Int.random(in: 94..<Self.departments.count, using: &rng)]
        }
        let place: String
        if dep.count == 3 { place = dep + pad(Int.random(in: 1...99, using: &rng), 2) }
        else { place = dep + pad(Int.random(in: 1...(dep == "99" ? 990 : 999), using: &rng), 3) }
        let order = pad(Int.random(in: 1...999, using: &rng), 3)
        return "\(s)\(pad(y % 100, 2))\(pad(m, 2))\(place)\(order)"
    }

    /// A valid NIR (compact form).
    public mutating func valid() -> String {
        let b = body()
        return b + pad(NIR.key(forBody: Array(b.utf8))!, 2)
    }

    /// The reasons `invalid()` draws from, each as often: every reason but `empty` (an empty
    /// input is asked for by name: on standard input it is a blank line, which `nir check` skips).
    public static let drawnReasons: [NIRReason] = [.length, .character, .sex, .month, .department, .commune, .order, .key]

    /// An invalid NIR failing for one reason under the insee rules (chosen at random when nil),
    /// drawn from every value `broken(_:_:)` makes; one in four is written as people type NIRs
    /// (`typed`), which the rules ignore.
    public mutating func invalid(_ wanted: NIRReason? = nil) -> GeneratedNIR {
        let reason = wanted ?? Self.drawnReasons[Int.random(in: 0..<Self.drawnReasons.count, using: &rng)]
        // The faults that depend on where the birth was: each kind of department in turn.
        var department: String?
        if reason == .commune || (reason == .key && Int.random(in: 0..<3, using: &rng) == 0) {
            department = ["44", "2A", "2B", "971", "988", "99"][Int.random(in: 0..<6, using: &rng)]
        }
        let b = body(department: department)
        var g = broken(b + pad(NIR.key(forBody: Array(b.utf8))!, 2), reason)
        if reason != .empty && Int.random(in: 0..<4, using: &rng) == 0 { g = GeneratedNIR(text: typed(g.text), reason: reason) }
        return g
    }

    /// `nir` (a valid NIR, 15 characters) broken for `reason` under the insee rules, one of the
    /// ways drawn at random:
    /// - `empty`: nothing, or separators only;
    /// - `length`: 1 to 30 digits but 15 (its beginning, or more digits after it);
    /// - `character`: a letter in upper or lower case where a digit goes, `A` or `B` after a
    ///   department digit other than 2, digits of another script (Arabic-Indic, extended
    ///   Arabic-Indic, Devanagari, full-width: one, or all of them full-width), or groups
    ///   joined by a separator the rules refuse (`/`, `_`, `,`, no-break spaces, an en dash, a middle dot);
    /// - `sex`: 0, 5, 6 or 9;
    /// - `month`: any month the rules refuse (`NIRValidator.isAllowedMonth`): 00, 13 to 19, 21 to 29, 43 to 49;
    /// - `department`: 00, or an overseas code INSEE does not allocate (970, 979, 980 to 983, 985);
    /// - `commune`: 000 (00 overseas); `order`: 000;
    /// - `key`: 00, 98 or 99 (never a key), another key, two digits of the order number swapped,
    ///   and for Corsica a key computed with 2A or 2B read as 20, or the department in lower case
    ///   (`2a`, which the rules read as `2A`) with another key.
    /// The other parts keep their values (the key made again for the structure's reasons), so
    /// the input fails for that reason only.
    public mutating func broken(_ nir: String, _ reason: NIRReason) -> GeneratedNIR {
        var b = Array(nir.utf8)
        precondition(b.count == 15, "NIRGenerator.broken: not a compact NIR")
        func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &rng)] }
        func text(_ bytes: [UInt8]) -> GeneratedNIR { GeneratedNIR(text: String(decoding: bytes, as: UTF8.self), reason: reason) }
        func rekeyed() -> GeneratedNIR { text(Array(b[0..<13]) + Array(pad(NIR.key(forBody: b[0..<13])!, 2).utf8)) }
        let corsica = b[6] == 0x41 || b[6] == 0x42
        let overseas = b[5] == 0x39 && (b[6] == 0x37 || b[6] == 0x38)
        switch reason {
        case .empty:
            return GeneratedNIR(text: pick(["", ".", "..", ". .", " . ", " - ", ". - ."]), reason: .empty)
        case .length:
            let length = pick(Array(1...14) + Array(16...30))
            if length < 15 { return text(Array(b.prefix(length))) }
            return text(b + (15..<length).map { _ in UInt8(0x30 + Int.random(in: 0...9, using: &rng)) })
        case .character:
            return characterFault(b)
        case .sex:
            b[0] = pick(Array("0569".utf8))
            return rekeyed()
        case .month:
            b.replaceSubrange(3..<5, with: Array(pad(pick(Self.refusedMonths), 2).utf8))
            return rekeyed()
        case .department:
            let code = pick(["00"] + Self.refusedOverseas.map(String.init))
            b.replaceSubrange(5..<(5 + code.count), with: Array(code.utf8))
            return rekeyed()
        case .commune:
            if overseas { b.replaceSubrange(8..<10, with: Array("00".utf8)) } else { b.replaceSubrange(7..<10, with: Array("000".utf8)) }
            return rekeyed()
        case .order:
            b.replaceSubrange(10..<13, with: Array("000".utf8))
            return rekeyed()
        case .key:
            let good = NIR.key(forBody: b[0..<13])!
            var kinds = ["never", "other", "swapped"]
            if corsica { kinds += ["corsica-20", "lower-case"] }
            switch pick(kinds) {
            case "never": return text(Array(b[0..<13]) + Array(pick(["00", "98", "99"]).utf8))
            case "swapped" where b[10] != b[11]:
                b.swapAt(10, 11)
                return text(b)
            case "swapped" where b[11] != b[12]:
                b.swapAt(11, 12)
                return text(b)
            case "corsica-20":
                var read20 = Array(b[0..<13])
                read20[6] = 0x30
                return text(Array(b[0..<13]) + Array(pad(NIR.key(forBody: read20)!, 2).utf8))
            case "lower-case":
                b[6] += 0x20
                return text(Array(b[0..<13]) + Array(pad((good + Int.random(in: 0...95, using: &rng)) % 97 + 1, 2).utf8))
            default:
                // Another key from 01 to 97: `good` shifted by 1 to 96.
                return text(Array(b[0..<13]) + Array(pad((good + Int.random(in: 0...95, using: &rng)) % 97 + 1, 2).utf8))
            }
        }
    }

    /// Months the insee rules refuse.
    public static let refusedMonths = (0...99).filter { !NIRValidator.isAllowedMonth($0) }
    /// Codes 970 to 989 that are no overseas department or collectivity (`NIRValidator.overseas`).
    public static let refusedOverseas = (970...989).filter { !NIRValidator.overseas.contains($0) }

    /// Other scripts' zeros (Arabic-Indic, extended Arabic-Indic, Devanagari, full-width).
    static let foreignZeros: [UInt32] = [0x0660, 0x06F0, 0x0966, 0xFF10]
    /// Separators the rules refuse between groups: slash, underscore, comma, no-break space,
    /// narrow no-break space, en dash, middle dot.
    static let refusedSeparators = ["/", "_", ",", "\u{A0}", "\u{202F}", "\u{2013}", "\u{B7}"]

    /// A character fault in a valid NIR's bytes.
    private mutating func characterFault(_ nir: [UInt8]) -> GeneratedNIR {
        var b = nir
        func done(_ s: String) -> GeneratedNIR { GeneratedNIR(text: s, reason: .character) }
        switch Int.random(in: 0..<5, using: &rng) {
        case 0, 1:
            // A letter, upper case then lower case, anywhere; never the 2A or 2B of Corsica.
            let i = Int.random(in: 0..<15, using: &rng)
            var letter = UInt8(0x41 + Int.random(in: 0..<26, using: &rng))
            if i == 6 && b[5] == 0x32 && (letter == 0x41 || letter == 0x42) { letter += 2 }
            b[i] = b[i] == letter ? letter + 1 : letter
            if Bool.random(using: &rng) { b[i] += 0x20 }
            return done(String(decoding: b, as: UTF8.self))
        case 2:
            // A or B after a department digit other than 2.
            b[5] = UInt8(0x30 + [0, 1, 3, 4, 5, 6, 7, 8, 9][Int.random(in: 0..<9, using: &rng)])
            b[6] = Bool.random(using: &rng) ? 0x41 : 0x42
            return done(String(decoding: b, as: UTF8.self))
        case 3:
            // Digits of another script: one of them, or all full-width.
            let zero = Self.foreignZeros[Int.random(in: 0..<Self.foreignZeros.count, using: &rng)]
            let all = zero == 0xFF10 && Bool.random(using: &rng)
            let digits = b.indices.filter { b[$0] >= 0x30 && b[$0] <= 0x39 }
            let one = digits[Int.random(in: 0..<digits.count, using: &rng)]
            var s = String.UnicodeScalarView()
            for (i, c) in b.enumerated() {
                let foreign = (all || i == one) && c >= 0x30 && c <= 0x39
                s.append(foreign ? Unicode.Scalar(zero + UInt32(c - 0x30))! : Unicode.Scalar(c))
            }
            return done(String(s))
        default:
            // The groups joined by a separator the rules refuse.
            let separator = Self.refusedSeparators[Int.random(in: 0..<Self.refusedSeparators.count, using: &rng)]
            return done(Self.grouped(Array(String(decoding: b, as: UTF8.self)).map(String.init), by: { _ in separator }))
        }
    }

    /// A coin toss from the generator's draws.
    public mutating func heads() -> Bool { Bool.random(using: &rng) }

    /// `text` as people type a NIR, with separators the rules ignore: grouped by spaces, dots,
    /// dashes or a mix of them, or with spaces, dots or dashes before or after (never a dash
    /// first: on a command line it would read as an option).
    public mutating func typed(_ text: String) -> String {
        let chars = Array(text).map(String.init)
        let ignored = [" ", ".", "-"]
        switch Int.random(in: 0..<5, using: &rng) {
        case 0: return Self.grouped(chars, by: { _ in " " })
        case 1: return Self.grouped(chars, by: { _ in "." })
        case 2: return Self.grouped(chars, by: { _ in "-" })
        case 3:
            var marks: [String] = []
            for _ in 0..<6 { marks.append([" ", ".", "-", "  ", " - "][Int.random(in: 0..<5, using: &rng)]) }
            return Self.grouped(chars, by: { marks[$0] })
        default:
            let before = ["", " ", "  ", ".", " ."][Int.random(in: 0..<5, using: &rng)]
            let after = [" ", "  ", ".", "-", " -", ". "][Int.random(in: 0..<6, using: &rng)]
            let middle = Bool.random(using: &rng) ? Self.grouped(chars, by: { k in ignored[k % 3] }) : text
            return before + middle + after
        }
    }

    /// Characters in a NIR's groups (`s yy mm dd ccc ooo kk`), joined by `separator(k)` (k from 0).
    static func grouped(_ chars: [String], by separator: (Int) -> String) -> String {
        var out = ""
        var k = 0
        for (i, c) in chars.enumerated() {
            if [1, 3, 5, 7, 10, 13].contains(i) { out += separator(k); k += 1 }
            out += c
        }
        return out
    }

    private func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}

extension NIRGenerator {
    /// A valid NIR of `kind` (one of `FixtureCase.nirCases`), the other parts drawn as usual.
    public mutating func valid(_ kind: FixtureCase) -> String {
        var sex: Int?, year: Int?, month: Int?, department: String?
        switch kind {
        case .corsica: department = ["2A", "2B"][Int.random(in: 0...1, using: &rng)]
        case .overseas: department = ["971", "972", "973", "974", "976"][Int.random(in: 0..<5, using: &rng)]
        case .abroad: department = "99"
        case .algeriaMoroccoTunisia:
            let d = Int.random(in: 91...96, using: &rng)
            department = String(d)
            year = Int.random(in: 20...(FixtureCase.lastYearBeforeIndependence(d)! % 100), using: &rng)
        case .temporary: sex = [3, 4, 7, 8][Int.random(in: 0..<4, using: &rng)]
        case .pseudoMonth: month = PopulationGenerator.pseudoMonths[Int.random(in: 0..<PopulationGenerator.pseudoMonths.count, using: &rng)]
        case .twins, .deceased, .minor, .adultDependant: break
        }
        let b = body(sex: sex, year: year, month: month, department: department)
        return b + String(NIR.key(forBody: Array(b.utf8))!).leftPadded(2)
    }
}
