/// One generated NIR: valid, or deliberately invalid with the reason it fails.
public struct GeneratedNIR: Sendable, Equatable {
    /// The 15 characters (or fewer/more for length failures), no separators.
    public let text: String
    /// nil when valid under the `insee` rules.
    public let reason: NIRReason?
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

    /// An invalid NIR failing for one reason (chosen at random when nil).
    public mutating func invalid(_ wanted: NIRReason? = nil) -> GeneratedNIR {
        let reasons: [NIRReason] = [.length, .character, .sex, .month, .department, .commune, .order, .key]
        let reason = wanted ?? reasons[Int.random(in: 0..<reasons.count, using: &rng)]
        var b = Array(body(department: [NIRReason.department, .commune].contains(reason) ? "44" : nil).utf8)
        switch reason {
        case .empty: return GeneratedNIR(text: "", reason: .empty)
        case .length:
            let v = b + Array(pad(NIR.key(forBody: b)!, 2).utf8)
            let short = Bool.random(using: &rng)
            let text = short ? String(decoding: v.dropLast(Int.random(in: 1...4, using: &rng)), as: UTF8.self)
                : String(decoding: v, as: UTF8.self) + String(Int.random(in: 0...9, using: &rng))
            return GeneratedNIR(text: text, reason: .length)
        case .character:
            let letters = Array("CDEFGHJKXYZ".utf8)
            b[Int.random(in: 7..<13, using: &rng)] = letters[Int.random(in: 0..<letters.count, using: &rng)]
            return GeneratedNIR(text: String(decoding: b, as: UTF8.self) + "00", reason: .character)
        case .sex: b[0] = Array("0569".utf8)[Int.random(in: 0..<4, using: &rng)]
        case .month:
            let m = [0, 13, 19, 25, 43, 49][Int.random(in: 0..<6, using: &rng)]
            b.replaceSubrange(3..<5, with: Array(pad(m, 2).utf8))
        case .department:
            // 00, or an overseas code INSEE does not allocate.
            let bad = ["00", "979", "985"][Int.random(in: 0..<3, using: &rng)]
            b.replaceSubrange(5..<(5 + bad.count), with: Array(bad.utf8))
        case .commune: b.replaceSubrange(7..<10, with: Array("000".utf8))
        case .order: b.replaceSubrange(10..<13, with: Array("000".utf8))
        case .key:
            let good = NIR.key(forBody: b)!
            let bad = (good + Int.random(in: 1...96, using: &rng) - 1) % 97 + 1
            return GeneratedNIR(text: String(decoding: b, as: UTF8.self) + pad(bad, 2), reason: .key)
        }
        return GeneratedNIR(text: String(decoding: b, as: UTF8.self) + pad(NIR.key(forBody: b)!, 2), reason: reason)
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
