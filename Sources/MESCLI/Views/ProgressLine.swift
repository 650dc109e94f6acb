import MESService
import MESSystem

/// The one line of progress a long command keeps rewriting on a terminal's standard error:
/// done/total, percentage, rate and time left ("12000/≈100000 lignes (12 %), 4000 lignes/s,
/// reste ~22 s"). A total read off a file as it goes is marked "≈". The line is wiped before
/// anything else is printed (`clear`), so a result never lands after it.
final class ProgressLine {
    private let stream: Output
    private var started: Double?
    private var shownUnit: Progress.Unit?
    private(set) var isShown = false

    init(_ stream: Output) { self.stream = stream }

    func show(_ p: Progress) {
        let now = Monotonic.seconds()
        if started == nil || shownUnit != p.unit { started = now; shownUnit = p.unit }
        stream.write("\r" + Self.text(p, elapsed: now - (started ?? now)) + "\u{1B}[K")
        stream.flush()
        isShown = true
    }

    /// Below this many seconds a rate says nothing (the first report would claim a million lines a second).
    static let rateAfter = 0.5

    /// "12000/≈100000 lignes (12 %)", then the rate and time left once `elapsed` (seconds) is
    /// at least `rateAfter`.
    static func text(_ p: Progress, elapsed: Double?) -> String {
        let word = words(p.unit)
        let rate = elapsed.flatMap { $0 >= rateAfter ? Double(p.done) / $0 : nil }
        var line = "\(p.done)"
        if let total = p.total, total > 0 {
            line += "/\(p.totalIsEstimate ? "≈" : "")\(total) \(word) (\(min(p.done * 100 / total, 100)) %)"
            if let rate {
                let left = rate > 0 ? Double(max(total - p.done, 0)) / rate : 0
                line += ", \(Int(rate)) \(rateWord(p.unit))/s, reste ~\(Int(left.rounded(.up))) s"
            }
        } else {
            line += " \(word)"
            if let rate { line += ", \(Int(rate)) \(rateWord(p.unit))/s" }
        }
        return line
    }

    /// Wipes the line (a no-op when nothing is shown).
    func clear() {
        guard isShown else { return }
        stream.write("\r\u{1B}[K")
        stream.flush()
        isShown = false
    }

    /// What a count is of, in French.
    static func words(_ unit: Progress.Unit) -> String {
        switch unit {
        case .rows: return "lignes"
        case .profiles: return "profils parcourus"
        case .people: return "personnes importées"
        case .members: return "membres écrits"
        case .messages: return "messages traités"
        case .letters: return "courriers mis en page"
        }
    }

    static func rateWord(_ unit: Progress.Unit) -> String {
        switch unit {
        case .rows: return "lignes"
        case .profiles: return "profils"
        case .people: return "personnes"
        case .members: return "membres"
        case .messages: return "messages"
        case .letters: return "courriers"
        }
    }
}
