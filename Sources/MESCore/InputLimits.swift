/// The documented limits on what `mes` reads, in one place: nothing is read without a
/// bound, so a hostile or mistaken input (`/dev/zero`, an endless line, a huge file) ends
/// quickly with invalid data (65) naming the limit, instead of exhausting memory.
///
/// | input                                   | limit   | constant          |
/// |-----------------------------------------|---------|-------------------|
/// | receipt file (`mes receipt verify`)     | 4 Mio   | `receiptFile`     |
/// | password file (`--password-file`)       | 4 Kio   | `passwordFile`    |
/// | secret, code or token file (`secret.key`)| 4 Kio  | `secretFile`      |
/// | outbox message (one e-mail or SMS)      | 64 Kio  | `outboxMessage`   |
/// | one CSV field                           | 64 Kio  | `csvField`        |
/// | one CSV record                          | 1 Mio   | `csvRecord` (`CSVReader.maxRecordBytes`) |
/// | one line of NIRs (`mes nir check`)      | 4 Kio   | `nirLine`         |
/// | standard input read whole               | 4 Mio   | `standardInput`   |
///
/// Sizes are in bytes; "Kio"/"Mio" are the French binary units (KiB, MiB).
public enum InputLimits {
    /// A receipt file given to `mes receipt verify` (a receipt PDF is about 2 Kio).
    public static let receiptFile = 4 << 20
    /// A password file (`--password-file`): the password and its confirmation.
    public static let passwordFile = 4 << 10
    /// A file holding a secret, a code or a session token (the store's `secret.key`).
    public static let secretFile = 4 << 10
    /// One message of the outbox (an e-mail or SMS body, read back by `outbox show`).
    public static let outboxMessage = 64 << 10
    /// One field of a CSV file (not enforced by `CSVReader` yet: see `csvRecord`).
    public static let csvField = 64 << 10
    /// One record of a CSV file: the value `CSVReader.maxRecordBytes` defaults to (a test
    /// keeps the two equal).
    public static let csvRecord = 1 << 20
    /// One line read by `Input.forEachLine` (a NIR list for `mes nir check`, a typed answer).
    public static let nirLine = 4 << 10
    /// Standard input read whole (`Input.readAll`: a password, a file given as `-`).
    public static let standardInput = 4 << 20

    /// A size for people, in French binary units: "4 Mio", "64 Kio", "512 octets".
    public static func describe(_ bytes: Int) -> String {
        if bytes >= 1 << 20 && bytes % (1 << 20) == 0 { return "\(bytes >> 20) Mio" }
        if bytes >= 1 << 10 && bytes % (1 << 10) == 0 { return "\(bytes >> 10) Kio" }
        return "\(bytes) octets"
    }

    /// A file larger than its limit (65, `file_too_large`).
    public static func fileTooLarge(_ path: String, limit: Int, field: String) -> MESError {
        MESError(.fileTooLarge, "Fichier trop volumineux (plus de \(describe(limit))) : \(path)", field: field)
    }

    /// Standard input larger than its limit (65, `input_too_large`).
    public static func inputTooLarge(limit: Int, field: String = "stdin") -> MESError {
        MESError(.inputTooLarge, "Entrée standard trop volumineuse (plus de \(describe(limit)))", field: field)
    }

    /// A line longer than its limit (65, `line_too_long`), naming its number (1-based).
    public static func lineTooLong(line: Int, limit: Int, field: String = "stdin") -> MESError {
        MESError(.lineTooLong, "Ligne \(line) trop longue (plus de \(describe(limit)))", field: field)
    }
}
