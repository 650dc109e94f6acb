/// Trimming as `mes` needs it, in the standard library alone (no Foundation).
extension StringProtocol {
    /// Without the spaces and tabs (Unicode horizontal white space) at either end.
    public func trimmingSpaces() -> String { trimming { $0.isWhitespace && !$0.isNewline } }

    /// Without the white space and line breaks at either end.
    public func trimmingWhitespace() -> String { trimming(\.isWhitespace) }

    /// Without the characters at either end for which `drop` holds.
    public func trimming(_ drop: (Character) -> Bool) -> String {
        guard let first = firstIndex(where: { !drop($0) }) else { return "" }
        let last = lastIndex(where: { !drop($0) })!
        return String(self[first...last])
    }
}
