import MESCore
import MESService
import MESSystem

/// `mes backup`, `mes restore` and `mes check`: a store that outlives its machine.
enum StoreSafetyCommands {
    static let passphraseFile = Option("passphrase-file", "FILE",
                                       "Read the passphrase from FILE's first line ('-': standard input); else it is asked on the terminal.",
                                       file: true)
    static let plain = Flag("plain", "Write the backup unencrypted: anyone who reads the file reads every contact and the store's keys.")
    static let force = Flag("force", "Replace an existing file at FILE.")
    static let receipts = Option("receipts", "DIR", "Also check every receipt file of DIR against the store.", directory: true)

    static var backup: CommandSpec {
        CommandSpec(
            ["backup"], summary: "Write a consistent backup of the store, encrypted under a passphrase.",
            discussion: """
            Takes a consistent snapshot of the database while other mes commands go on writing (every transaction committed before the backup began is in it, none half), and writes it with the store's key (secret.key), its signing identity (inside the database, with every certificate receipts were signed with) and mes.conf into one file, mode 0600, put in place only once whole. The file is encrypted: pieces of 1 MiB sealed with AES-256-GCM under a key derived from the passphrase with scrypt (N=2^15, r=8, p=1), each bound to the file's header, its position and whether it is the last, so a changed, moved, dropped or truncated piece is refused at restore. The passphrase is read from --passphrase-file or typed twice on the terminal, never from the command line. --plain writes it unencrypted (dangerous: the file then holds every person's contacts and the keys in clear). Memory stays flat whatever the store's size. Receipt files written to folders outside the store are not in it (they can be written again: mes receipt).
            """,
            options: [passphraseFile, plain, force],
            positionals: [PositionalSpec("FILE", "the backup file to write", file: true)],
            examples: ["mes backup --passphrase-file phrase.txt mes-$(date +%F).mesbak"], run: runBackup)
    }

    static var restore: CommandSpec {
        CommandSpec(
            ["restore"], summary: "Make a new store from a backup.",
            discussion: "DIR must not exist, or be an empty folder: a restore never writes over a store. The files are written to a folder beside DIR, synced, checked (the database is opened, and migrated if the backup comes from an older version), then the folder is renamed into place: a failure or a kill leaves nothing at DIR. A wrong passphrase, or a backup changed in any byte, restores nothing (65). Receipts issued before the backup verify against the new store.",
            options: [passphraseFile],
            positionals: [PositionalSpec("FILE", "the backup file", file: true), PositionalSpec("DIR", "the new store's folder", directory: true)],
            examples: ["mes restore mes-2026-12-07.mesbak restored/", "MES_HOME=restored mes check"],
            run: runRestore)
    }

    static var check: CommandSpec {
        CommandSpec(
            ["check"], summary: "Verify the store: database, records, audit trail, messages, signing identity.",
            discussion: "Reports each problem in French with a stable code, and exits 0 when the store is whole, 65 otherwise: database_pages (SQLite's integrity check), foreign_keys (orphan references), decision_without_receipt and receipt_without_decision (each decision against its receipt record), audit_order (the trail out of time order, on stores not made for tests), message_unreadable (a sealed message that does not open against its row), signing_identity (the key and its certificate not together, or the certificate not kept), unknown_file (anything in the store's folder that is not the store's). With --receipts DIR, every receipt file of DIR is verified too: receipt_file_unknown, receipt_file_altered.",
            options: [receipts],
            examples: ["mes check", "mes check --receipts justificatifs/ --json"], run: runCheck)
    }

    static var all: [CommandSpec] { [backup, restore, check] }
    static let entries: [CommandEntry] = [.init(["backup"]) { backup }, .init(["restore"]) { restore }, .init(["check"]) { check }]

    /// The passphrase: from a file (its first line), else typed on the terminal (twice when
    /// writing a backup); never on the command line.
    static func passphrase(_ inv: Invocation, _ ctx: Context, twice: Bool) throws -> [UInt8] {
        let text: String
        if let path = inv[passphraseFile] {
            let bytes = try path == "-" ? ctx.stdin.readAll(limit: 4_096, field: "passphrase-file")
                : FileIO.read(path, limit: 4_096, field: "passphrase-file", allowStreams: true)
            text = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        } else if ctx.stdin.isTerminal {
            let typed = Confirmation.promptHidden(twice ? ["Phrase de passe : ", "Confirmer la phrase de passe : "] : ["Phrase de passe : "], ctx)
            guard typed.allSatisfy({ $0 == typed[0] }) else {
                throw MESError.invalid(.passwordMismatch, "Les deux phrases de passe diffèrent.", field: "passphrase")
            }
            text = typed[0]
        } else {
            throw MESError.invalid(.passwordRequired, "Phrase de passe requise : --passphrase-file FICHIER, ou tapée sur un terminal.",
                                   field: "passphrase")
        }
        let trimmed = text.hasSuffix("\r") ? String(text.dropLast()) : text
        guard trimmed.count >= 8 else {
            throw MESError.invalid(.passwordLength, "La phrase de passe doit compter au moins 8 caractères.", field: "passphrase")
        }
        return Array(trimmed.utf8)
    }

    static func runBackup(_ inv: Invocation, _ ctx: Context) throws {
        if inv[plain] && inv[passphraseFile] != nil { throw Usage.notTogether("passphrase-file", "plain") }
        let secret: [UInt8]? = inv[plain] ? nil : try passphrase(inv, ctx, twice: true)
        ctx.emit(try ctx.service().backup(to: inv.positionals[0], passphrase: secret, replace: inv[force]))
    }

    static func runRestore(_ inv: Invocation, _ ctx: Context) throws {
        ctx.emit(try Service.restore(from: inv.positionals[0], into: inv.positionals[1]) { try passphrase(inv, ctx, twice: false) })
    }

    static func runCheck(_ inv: Invocation, _ ctx: Context) throws {
        let report = try Service.check(directory: ctx.storeDirectory, receipts: inv[receipts])
        ctx.emit(report)
        if !report.isWhole { throw ExitRequest(.invalidData) }
    }
}
