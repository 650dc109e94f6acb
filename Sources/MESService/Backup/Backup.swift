#if canImport(Glibc)
import Glibc
#endif
import MESCore
import MESCrypto
import MESStore
import MESSystem

/// What `mes backup` wrote.
public struct BackupSummary: Sendable, Equatable {
    public let path: String
    public let counts: StoreCounts
    public let encrypted: Bool
    /// The store's files it holds besides the database.
    public let files: [String]
    public let takenAt: Instant
}

/// What `mes restore` made.
public struct RestoreSummary: Sendable, Equatable {
    public let directory: String
    public let counts: StoreCounts
    public let files: [String]
}

/// What `mes check` found.
public struct StoreCheckReport: Sendable, Equatable {
    public let problems: [StoreProblem]
    /// Receipt files looked at (`--receipts`).
    public let receiptFiles: Int
    public var isWhole: Bool { problems.isEmpty }
}

extension Service {
    /// Writes a backup of the store to `path`: a consistent copy of the database taken while
    /// other processes write (`Store.snapshot`), the store's key, its signing identity and
    /// `mes.conf`, in one file sealed under `passphrase` (nil: plain). Memory stays flat: the
    /// copy is streamed in 1 MiB pieces. Nothing is at `path` until the whole file is there.
    public func backup(to path: String, passphrase: [UInt8]?, replace: Bool) throws -> BackupSummary {
        let writer = try BackupWriter(path: path, passphrase: passphrase, replace: replace, storeDirectory: store.directory)
        Self.removeLeftovers(in: store.directory, prefix: ".mes-backup-")
        let copy = store.directory + "/.mes-backup-\(getpid())-\(Crypto.randomBytes(4).map { String($0, radix: 16) }.joined()).db"
        defer { FileIO.remove(copy) }
        let counts = try store.snapshot(into: copy)
        let now = clock.now()
        var files: [String] = []
        try writer.add("manifest", Array("""
            format=mes-backup-1
            taken_at=\(now.iso8601)
            schema_version=\(counts.schemaVersion)
            people=\(counts.people)
            decisions=\(counts.decisions)
            receipts=\(counts.receipts)
            messages=\(counts.messages)

            """.utf8))
        try writer.add("mes.db", file: copy)
        for name in Store.backupFiles where FileIO.exists(store.directory + "/" + name) {
            try writer.add(name, try FileIO.read(store.directory + "/" + name, field: "store"))
            files.append(name)
        }
        // Messages queued before schema 8 are files of outbox/.
        for name in FileIO.list(store.outboxDirectory).sorted() where FileIO.isRegularFile(store.outboxDirectory + "/" + name) {
            try writer.add("outbox/" + name, file: store.outboxDirectory + "/" + name)
            files.append("outbox/" + name)
        }
        try writer.commit()
        try store.transaction { try store.audit("backup_written", at: now, person: nil, detail: passphrase == nil ? "plain" : "encrypted") }
        return BackupSummary(path: path, counts: counts, encrypted: passphrase != nil, files: files, takenAt: now)
    }

    /// Removes what a killed backup or restore left (a snapshot of the database in the store's
    /// folder, a half-made store beside the target): the entries of `folder` named `prefix`,
    /// then the number of the process that made them, when that process is gone.
    static func removeLeftovers(in folder: String, prefix: String) {
        for entry in FileIO.list(folder) where entry.hasPrefix(prefix) {
            let digits = entry.dropFirst(prefix.count).prefix { $0.isNumber }
            guard let pid = Int32(digits), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            let path = FileIO.join(folder, entry)
            if FileIO.isDirectory(path) { FileIO.removeTree(path) } else { FileIO.remove(path) }
        }
    }

    /// The names a backup may hold, and where each goes.
    static func restoredPath(_ name: String) -> String? {
        if name == "mes.db" || Store.backupFiles.contains(name) { return name }
        if name.hasPrefix("outbox/") {
            let file = name.dropFirst(7)
            guard !file.isEmpty, !file.contains("/"), file != ".", file != "..", !file.hasPrefix(".") else { return nil }
            return name
        }
        return nil
    }

    /// Makes a new store in `directory` from the backup at `path`. It never writes over a store:
    /// `directory` must not exist, or be empty. The files are written to a folder beside it and
    /// the folder is renamed into place once every file is synced, so a failure or a kill leaves
    /// nothing at `directory`. `passphrase` is asked for only if the backup is encrypted.
    public static func restore(from path: String, into directory: String, passphrase: () throws -> [UInt8]) throws -> RestoreSummary {
        umask(0o077)
        if FileIO.exists(directory) {
            guard FileIO.isDirectory(directory), FileIO.list(directory).isEmpty else {
                throw MESError(.storeNotEmpty, "\(directory) existe déjà et n'est pas vide : la restauration ne remplace jamais une base.",
                               field: "DIR")
            }
        }
        let reader = try BackupReader(path: path, passphrase: passphrase)
        let staging = directory + ".restore-\(getpid())"
        let name = directory.split(separator: "/").last.map(String.init) ?? directory
        Self.removeLeftovers(in: FileIO.folder(of: directory), prefix: name + ".restore-")
        if FileIO.exists(staging) { FileIO.removeTree(staging) }
        try FileIO.makeDirectory(staging, field: "DIR")
        var done = false
        defer { if !done { FileIO.removeTree(staging) } }
        try FileIO.makeDirectory(staging + "/outbox", field: "DIR")
        try FileIO.makeDirectory(staging + "/receipts", field: "DIR")
        var files: [String] = []
        var sawDatabase = false, sawKey = false, sawManifest = false
        while let entry = try reader.next() {
            if entry.name == "manifest" {
                let text = String(decoding: try reader.readAll(min(entry.size, 64 * 1024)), as: UTF8.self)
                guard entry.size <= 64 * 1024, text.hasPrefix("format=mes-backup-1\n") else {
                    throw MESError(.storeCorrupt, "Sauvegarde d'un format inconnu.", field: "FILE")
                }
                sawManifest = true
                continue
            }
            guard sawManifest, let relative = restoredPath(entry.name) else {
                throw MESError(.storeCorrupt, "Sauvegarde altérée : entrée inattendue.", field: "FILE")
            }
            let out = try FileIO.AtomicFile(staging + "/" + relative, replace: false, mode: 0o600, field: "DIR")
            try reader.read(entry.size) { try out.write(Array($0)) }
            try out.commit()
            if relative == "mes.db" { sawDatabase = true } else if relative == "secret.key" { sawKey = true }
            if relative != "mes.db" { files.append(relative) }
        }
        guard sawDatabase, sawKey else { throw MESError(.storeCorrupt, "Sauvegarde incomplète : base ou clé absente.", field: "FILE") }
        FileIO.syncDirectory(staging + "/outbox")
        FileIO.syncDirectory(staging)
        // Opened once where it stands: a store from an older version is migrated before it appears.
        let counts = try Store.open(staging).counts()
        // rename(2) replaces an empty folder in one step (a non-empty one, or anything else that
        // came there meanwhile, makes it fail): no moment without either.
        guard rename(staging, directory) == 0 else {
            throw MESError(.cannotCreate, "Impossible de créer \(directory) (\(FileIO.errnoText())).", field: "DIR")
        }
        done = true
        FileIO.syncDirectory(FileIO.folder(of: directory))
        return RestoreSummary(directory: directory, counts: counts, files: files)
    }

    /// `check` on the store in `directory`, opened here: a store whose database cannot even be
    /// opened (its first pages damaged) is reported as such rather than refused.
    public static func check(directory: String, receipts folder: String?) throws -> StoreCheckReport {
        func unreadable(_ error: Error) -> StoreCheckReport {
            let why = (error as? MESErrorConvertible)?.mesError.message ?? (error as? MESError)?.message ?? "\(error)"
            return StoreCheckReport(problems: [StoreProblem("database_pages", "La base ne se lit pas : \(why)")], receiptFiles: 0)
        }
        let service: Service
        do {
            service = try Service(store: try Store.open(directory))
        } catch let e as MESError where e.code == .storeMissing {
            throw e  // no store at all is 66, as for every command
        } catch {
            return unreadable(error)
        }
        do { return try service.check(receipts: folder) } catch let e as MESErrorConvertible { return unreadable(e) }
    }

    /// Verifies the store (`mes check`): the database's pages, references, decisions and their
    /// receipt records, the audit trail's order and every sealed message (`Store.checkDatabase`);
    /// the signing identity; files in the data directory that are not the store's; and, with
    /// `receipts`, every receipt file of that folder against the store.
    public func check(receipts folder: String?) throws -> StoreCheckReport {
        var problems = try store.checkDatabase()
        problems += store.checkSigningIdentity()
        for name in store.unknownFiles() {
            problems.append(StoreProblem("unknown_file", "Fichier inattendu dans le dossier de la base : \(name)"))
        }
        var looked = 0
        if let folder {
            for name in FileIO.list(folder).sorted() where name.hasSuffix(".pdf") || name.hasSuffix(".json") || name.hasSuffix(".txt") {
                let path = folder + "/" + name
                guard FileIO.isRegularFile(path) else { continue }
                looked += 1
                let verdict = try verifyReceipt(try FileIO.read(path, limit: InputLimits.receiptFile, field: "receipts"))
                switch verdict.status {
                case .authentic, .unsigned: continue
                case .unknown: problems.append(StoreProblem("receipt_file_unknown", "\(name) : justificatif inconnu de cette base."))
                case .altered: problems.append(StoreProblem("receipt_file_altered", "\(name) : justificatif altéré (\(verdict.reason?.rawValue ?? "contenu"))."))
                }
            }
        }
        return StoreCheckReport(problems: problems, receiptFiles: looked)
    }
}
