/// What a CI user pins: the version of `mes` (semantic versioning), and the version of the
/// generators' output. `fixturesVersion` changes whenever any seed's bytes change (fixtures,
/// `nir generate`, `vitale generate`); a test pins it to the bytes of reference seeds.
public enum Versions {
    /// `mes --version`.
    public static let mes = "0.3.0"
    /// The generated populations and identifiers: 2 since department 96 became valid and the
    /// invalid departments drawn became 00, 979 and 985; 3 since rosters end with person_id and
    /// tags, births outside Corsica, overseas and abroad are metropolitan (the documented 4, 5
    /// and 4%), `nir generate --json` lines carry tags, and the members file's serials of the
    /// wrong length have one digit too many (one too few is a lost leading zero,
    /// `export_leading_zero_lost`); 4 since the invalid NIRs cover every refused month, keys 00, 98
    /// and 99, letters in either case, other scripts' digits, lengths 1 to 30 and separators (in
    /// `nir generate --invalid` and the members file's broken NIRs), and the members file ends
    /// with person_id and tags.
    public static let fixtures = 4
    /// Each generator's own version (its output for a seed).
    public static let generators: [(String, Int)] = [("population", 4), ("nir", 4), ("vitale", 1)]
    /// The JSON contract (`schema_version` of every document).
    public static let json = 2
}
