/// Trimming as `mes` needs it, in the standard library alone (no Foundation), over Unicode
/// scalars as Foundation's character sets did: a combining mark after a space stays.
extension StringProtocol {
    /// Without the spaces and tabs at either end (Unicode's space separators, Zs, and U+0009:
    /// Foundation's `.whitespaces`).
    public func trimmingSpaces() -> String {
        trimmingScalars { $0 == "\t" || $0.properties.generalCategory == .spaceSeparator }
    }

    /// Without the white space and line breaks at either end (Unicode's White_Space property:
    /// Foundation's `.whitespacesAndNewlines`).
    public func trimmingWhitespace() -> String { trimmingScalars { $0.properties.isWhitespace } }

    /// Without the scalars at either end for which `drop` holds.
    public func trimmingScalars(_ drop: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !drop($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !drop($0) })!
        var kept = String.UnicodeScalarView()
        kept.append(contentsOf: scalars[first...last])
        return String(kept)
    }
}
