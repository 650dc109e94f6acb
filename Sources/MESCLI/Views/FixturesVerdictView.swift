import MESCore
import MESRender
import MESService

/// `fixtures verify`'s verdict: French for people (the first 20 differences), JSON for scripts
/// (the first 1000, and how many in all).
struct FixturesVerdictView: Report {
    let verdict: FixturesVerdict
    static let textLimit = 20

    var text: String {
        let v = verdict
        guard !v.passed else {
            return v.rows == 1 ? "Conforme : la ligne a le statut et le motif attendus."
                : "Conforme : les \(v.rows) lignes ont le statut et le motif attendus."
        }
        var lines = ["Non conforme : \(plural(v.differenceCount, "écart", "écarts")) sur \(plural(v.rows, "ligne", "lignes")) "
                     + "(\(v.asExpected) conforme\(v.asExpected > 1 ? "s" : ""))."]
        for d in v.differences.prefix(Self.textLimit) { lines.append("  " + Self.describe(d)) }
        if v.differenceCount > Self.textLimit {
            lines.append("  … et \(v.differenceCount - Self.textLimit) autres (--json en donne \(min(v.differenceCount, FixturesVerification.listed))).")
        }
        return lines.joined(separator: "\n")
    }

    /// A status and its reason, as the members file writes them: `identity_mismatch (identity_not_found)`.
    static func outcome(_ status: String?, _ reason: String?) -> String {
        let s = TextEscaping.terminalSafe(status ?? "")
        guard let reason, !reason.isEmpty else { return s }
        return s + " (" + TextEscaping.terminalSafe(reason) + ")"
    }

    static func describe(_ d: FixtureDifference) -> String {
        let row = d.row.map { "ligne \($0)" } ?? ""
        let at = d.line.map { "résultats, ligne \($0)" } ?? ""
        switch d.kind {
        case .mismatch:
            return "\(row) : attendu \(outcome(d.expectedStatus, d.expectedReason)), obtenu \(outcome(d.status, d.reason))"
        case .missing:
            return "\(row) : aucun résultat (attendu \(outcome(d.expectedStatus, d.expectedReason)))"
        case .duplicate:
            return "\(row) : un second résultat (\(at) : \(outcome(d.status, d.reason)))"
        case .unexpected:
            return "\(row) : un résultat pour une ligne absente du fichier des membres (\(at) : \(outcome(d.status, d.reason)))"
        case .unreadable:
            return "\(at) : illisible (ni une ligne de batch oppose, ni son résumé)"
        }
    }

    /// A reason, left out when there is none (an empty expected_reason, a result without one).
    static func code(_ reason: String?) -> JSON? { reason.flatMap { $0.isEmpty ? nil : .string($0) } }

    var json: JSON {
        let v = verdict
        return .obj([("status", .string(v.passed ? "as_expected" : "different")), ("rows", .int(v.rows)), ("as_expected", .int(v.asExpected)),
                     ("difference_count", .int(v.differenceCount)),
                     ("differences", .array(v.differences.map { d in
                         .obj([("kind", .string(d.kind.rawValue)), ("row", d.row.map { .int($0) }), ("line", d.line.map { .int($0) }),
                               ("expected_status", d.expectedStatus.map { .string($0) }), ("expected_reason", Self.code(d.expectedReason)),
                               ("status", d.status.map { .string($0) }), ("reason", Self.code(d.reason))])
                     }))])
    }
}
