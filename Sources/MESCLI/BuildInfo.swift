/// The commit `mes --version --json` gives: "unknown" in a plain `swift build`. scripts/release
/// writes this file again, with `git rev-parse HEAD`, in its own copy of the sources.
enum BuildInfo {
    /// The git commit this binary was built from ("-dirty": with uncommitted changes).
    static let commit = "unknown"
}
