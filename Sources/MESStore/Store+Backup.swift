#if canImport(Glibc)
import Glibc
#endif
import MESCore
import MESCrypto
import MESSystem

/// Backups and checks of the store: a consistent copy of the database taken while others
/// write, the files that must travel with it, and what `mes check` looks at.
extension Store {
    /// The store's files a backup carries besides the database, in this order (`mes.conf` and
    /// the identity only when present).
    /// (The signing identity is a row of the database.)
    public static let backupFiles = [secretFile, "mes.conf"]

    /// The files and folders of a data directory that are the store's own.
    static let ownFiles: Set<String> = StoreLayout.names

    /// Writes a consistent copy of the database to `path` (`VACUUM INTO`: one read transaction,
    /// so writers go on meanwhile and the copy holds every transaction committed before it began
    /// and nothing of the others) and counts what it holds.
    public func snapshot(into path: String) throws -> StoreCounts {
        // A small cache and no mapping for this one long read: the copy's memory stays flat
        // whatever the store's size (the connection serves the backup alone).
        try db.exec("PRAGMA mmap_size=0; PRAGMA cache_size=-8192")
        _ = try db.retryingBusy { try db.run("VACUUM INTO ?", .text(path)) }
        let copy = try Database(path: path, create: false, readOnly: true)
        return try Self.counts(copy)
    }

    /// What the database holds.
    public func counts() throws -> StoreCounts { try Self.counts(db) }

    static func counts(_ db: Database) throws -> StoreCounts {
        func count(_ table: String) throws -> Int { Int(try db.first("SELECT count(*) FROM \(table)")?.int(0) ?? 0) }
        var c = StoreCounts()
        c.people = try count("people")
        c.decisions = try count("decisions")
        c.receipts = try count("receipts")
        c.messages = try count("outbox")
        c.auditLines = try count("audit")
        c.schemaVersion = Int(try db.first("PRAGMA user_version")?.int(0) ?? 0)
        return c
    }

    /// The database's own checks: its pages (`integrity_check`), its references
    /// (`foreign_key_check`), each decision against its receipt record, the audit trail's order
    /// (on stores not made for tests, whose clock may move back), and every sealed message.
    public func checkDatabase() throws -> [StoreProblem] {
        var problems: [StoreProblem] = []
        let integrity = try db.query("PRAGMA integrity_check").compactMap { $0.text(0) }
        if integrity != ["ok"] {
            problems.append(StoreProblem("database_pages", "Pages de la base endommagées : \(integrity.prefix(3).joined(separator: " ; "))"))
            // Nothing else can be trusted in a damaged file.
            return problems
        }
        let orphans = try db.query("PRAGMA foreign_key_check")
        if !orphans.isEmpty {
            let tables = Set(orphans.compactMap { $0.text(0) }).sorted().joined(separator: ", ")
            problems.append(StoreProblem("foreign_keys", "\(orphans.count) référence(s) orpheline(s) (tables : \(tables))."))
        }
        for r in try db.query("SELECT d.id, d.kind FROM decisions d LEFT JOIN receipts r ON r.decision_id = d.id WHERE r.id IS NULL AND d.kind IN ('opposition', 'closure')") {
            problems.append(StoreProblem("decision_without_receipt", "La décision \(r.int(0) ?? 0) (\(r.text(1) ?? "")) n'a pas d'enregistrement de justificatif."))
        }
        for r in try db.query("SELECT r.id FROM receipts r LEFT JOIN decisions d ON d.id = r.decision_id WHERE d.id IS NULL") {
            problems.append(StoreProblem("receipt_without_decision", "Le justificatif \(r.text(0) ?? "") ne correspond à aucune décision."))
        }
        if !allowsTestClock, let r = try db.first("SELECT prev_id FROM (SELECT at, lag(at) OVER (ORDER BY id) AS prev_at, lag(id) OVER (ORDER BY id) AS prev_id FROM audit) WHERE at < prev_at LIMIT 1") {
            problems.append(StoreProblem("audit_order", "Le journal d'audit n'est pas dans l'ordre du temps après la ligne \(r.int(0) ?? 0)."))
        }
        // Each sealed message opened against its row, read a page at a time in one query.
        var after: Int64 = 0
        while true {
            let rows = try db.query(Self.bodyColumns + " WHERE b.id IS NOT NULL AND o.id > ? ORDER BY o.id LIMIT 10000", .int(after))
            guard let last = rows.last?.int(8) else { break }
            for r in rows where openedBody(r) == nil {
                problems.append(StoreProblem("message_unreadable",
                                             "Le message \(r.int(8) ?? 0) de la boîte d'envoi ne s'ouvre pas (déplacé, modifié, ou scellé par une autre clé)."))
            }
            after = last
        }
        return problems
    }

    /// The signing identity: its key opens and matches its certificate, and the certificate is
    /// one the store keeps for verification.
    public func checkSigningIdentity() -> [StoreProblem] {
        do {
            guard let identity = try loadSigningIdentity() else {
                return [StoreProblem("signing_identity", "La base n'a pas d'identité de signature.")]
            }
            let kept = try signingCertificates().map(\.fingerprint)
            if !kept.contains(identity.fingerprint) {
                return [StoreProblem("signing_identity", "Le certificat de signature (\(identity.fingerprint.prefix(23))…) n'est pas enregistré dans la base.")]
            }
            return []
        } catch let e as MESError {
            return [StoreProblem("signing_identity", e.message)]
        } catch {
            return [StoreProblem("signing_identity", "Identité de signature illisible.")]
        }
    }

    /// Files in the data directory that are not the store's (temporary files left by a killed
    /// process, or anything put there by hand).
    public func unknownFiles() -> [String] {
        FileIO.list(directory).filter { !Self.ownFiles.contains($0) && !$0.hasPrefix("mes.db.before-schema-") }.sorted()
    }

}
