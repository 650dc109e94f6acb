/// What a data directory holds: the one list of the store's own files, with what each is for.
/// The store recognises its files by it, the file checks refuse to write over them, and the
/// man page's FILES section is made from it.
public enum StoreLayout {
    /// One file or folder of the data directory.
    public struct Entry: Sendable {
        /// Its name (a folder's ends with `/`).
        public let name: String
        /// What it holds, for the man page; nil for the files that only come and go with another
        /// (SQLite's journals, the locks).
        public let about: String?
    }

    public static let entries: [Entry] = [
        Entry(name: "mes.db", about: "The SQLite database: the register, codes, decisions, receipts, the signing identity (its key sealed), the queued messages (sealed) and the audit trail (WAL mode: mes.db-wal and mes.db-shm beside it while in use)."),
        Entry(name: "mes.db-wal", about: nil),
        Entry(name: "mes.db-shm", about: nil),
        Entry(name: "mes.db-journal", about: nil),
        Entry(name: "secret.key", about: "The store's 32-byte key for the keyed digests of codes, one-time codes and session tokens, and for the sealing of keys and messages. Without it nothing in mes.db can be checked: back it up with the database (mes backup carries it), and keep it as private."),
        Entry(name: DeliverySettings.fileName, about: "Optional delivery settings: KEY=value lines of the MES_MAIL_* and MES_SMS_* keys (see ENVIRONMENT, which wins over it). It must be the user's own and readable by nobody else (else 78, secret_file_exposed). mes backup carries it."),
        Entry(name: "signing.key", about: "The signing key of versions before 0.2.0 (PKCS#8 PEM), with signing.crt its certificate: the first open by a newer version takes the pair into mes.db and removes the files."),
        Entry(name: "signing.crt", about: nil),
        Entry(name: "outbox/", about: "Messages queued by versions before schema 8, as files (e-mails as RFC 5322 .eml, SMS and letters as text). Newer messages are rows of mes.db, sealed (mes outbox list, mes outbox show, mes outbox export)."),
        Entry(name: "receipts/", about: "Receipts written where no --receipt names a file (STORE/receipts/ID.pdf)."),
        Entry(name: ".signing-lock", about: nil),
        Entry(name: ".sending-lock", about: nil),
    ]

    /// The names of the store's own files (not its folders).
    public static let fileNames: Set<String> = Set(entries.map(\.name).filter { !$0.hasSuffix("/") })

    /// The names of the store's own files and folders (folders without their `/`).
    public static let names: Set<String> = Set(entries.map { $0.name.hasSuffix("/") ? String($0.name.dropLast()) : $0.name })
}
