import Foundation
import Testing
import TestSupport
import MESCore
import MESRender
@testable import MESService
@testable import MESStore

/// `backup`, `restore` and `check` at the service: a backup holds the whole store and nothing
/// readable without its passphrase; a restore makes a new store whose receipts verify; a check
/// names each kind of damage.
@Suite struct BackupTests {
    static let passphrase = Array("correct horse battery staple".utf8)

    func scratch(_ name: String) -> String {
        temporaryPath("mes-backup-\(name)")
    }

    /// The demo store after Martine's opposition, with its receipt file.
    func opposed() throws -> (Harness, receipt: String) {
        let h = try Harness()
        let receipt = scratch("receipt") + ".pdf"
        _ = try h.service.requestCode(CodeRequest(card: Harness.martine, birthDate: DemoData.martineBirthDate))
        _ = try h.service.oppose(OppositionRequest(identity: .code(Harness.code, Harness.martine), receiptPath: receipt))
        return (h, receipt)
    }

    @Test func restoredStoreHoldsEverythingAndItsReceiptsVerify() throws {
        let (h, receipt) = try opposed()
        let file = scratch("file")
        let counts = try h.service.store.counts()
        let summary = try h.service.backup(to: file, passphrase: Self.passphrase, replace: false)
        #expect(summary.encrypted && summary.counts == counts)
        #expect(summary.files == ["secret.key"])
        var st = stat()
        #expect(stat(file, &st) == 0 && st.st_mode & 0o777 == 0o600)

        let target = scratch("restored")
        let restored = try Service.restore(from: file, into: target) { Self.passphrase }
        #expect(restored.counts == summary.counts)
        let service = try Service(store: try Store.open(target))
        let receiptBytes = Array(try Data(contentsOf: URL(fileURLWithPath: receipt)))
        #expect(try service.verifyReceipt(receiptBytes).status == .authentic)
        #expect(try service.check(receipts: nil).problems == [])
        // Byte for byte, the keys came back.
        for name in ["secret.key"] {
            let (a, b) = (try Data(contentsOf: URL(fileURLWithPath: h.directory + "/" + name)), try Data(contentsOf: URL(fileURLWithPath: target + "/" + name)))
            #expect(a == b, "\(name)")
        }
    }

    @Test func withoutThePassphraseABackupRevealsNothing() throws {
        let (h, _) = try opposed()
        let file = scratch("secret")
        _ = try h.service.backup(to: file, passphrase: Self.passphrase, replace: false)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        let key = try Data(contentsOf: URL(fileURLWithPath: h.directory + "/secret.key"))
        for needle in [Data("Leguellec".utf8), Data("LEGUELLEC".utf8), Data("Martine".utf8), Data(DemoData.martineNIR.compact.utf8),
                       Data("@example".utf8), Data("PRIVATE KEY".utf8), Data("SQLite format".utf8), key] {
            #expect(bytes.range(of: needle) == nil, "found \(String(decoding: needle.prefix(20), as: UTF8.self))")
        }
        // The wrong passphrase opens nothing, and nothing appears where the store was to go.
        let target = scratch("wrong")
        let e = h.error { _ = try Service.restore(from: file, into: target) { Array("wrong".utf8) } }
        #expect(e?.code == .passwordInvalid)
        #expect(!FileManager.default.fileExists(atPath: target))
        // A plain backup needs no passphrase (and hides nothing).
        let plain = scratch("plain")
        _ = try h.service.backup(to: plain, passphrase: nil, replace: false)
        let restored = try Service.restore(from: plain, into: scratch("plain-restored")) { Issue.record("asked"); return [] }
        #expect(restored.counts.people > 0)
    }

    @Test func aDamagedBackupRestoresNothing() throws {
        let (h, _) = try opposed()
        let file = scratch("damaged")
        _ = try h.service.backup(to: file, passphrase: nil, replace: false)
        let genuine = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
        var variants: [[UInt8]] = []
        for at in [20, genuine.count / 2, genuine.count - 20] {
            var b = genuine
            b[at] ^= 0x04
            variants.append(b)
        }
        variants.append(Array(genuine.prefix(genuine.count - 40)))   // truncated
        variants.append(Array(genuine.prefix(genuine.count / 2)))    // cut in two
        variants.append(genuine + [0, 0, 0, 0])                      // something appended
        for (k, v) in variants.enumerated() {
            try Data(v).write(to: URL(fileURLWithPath: file))
            let target = scratch("damaged-\(k)")
            let e = h.error { _ = try Service.restore(from: file, into: target) { [] } }
            #expect(e?.code == .storeCorrupt, "variant \(k): \(String(describing: e))")
            #expect(!FileManager.default.fileExists(atPath: target), "variant \(k)")
        }
    }

    @Test func aRestoreNeverWritesOverAStore() throws {
        let (h, _) = try opposed()
        let file = scratch("over")
        _ = try h.service.backup(to: file, passphrase: nil, replace: false)
        let e = h.error { _ = try Service.restore(from: file, into: h.directory) { [] } }
        #expect(e?.code == .storeNotEmpty)
        // An empty folder is fine.
        let empty = scratch("empty")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let restored = try Service.restore(from: file, into: empty) { [] }
        #expect(restored.counts.people > 0)
    }

    // MARK: check

    @Test func checkNamesEachKindOfDamage() throws {
        let (h, receipt) = try opposed()
        #expect(try h.service.check(receipts: nil).isWhole)

        // A receipt record deleted, and a stray file.
        try h.service.store.db.exec("PRAGMA foreign_keys=OFF; DELETE FROM receipts")
        _ = FileManager.default.createFile(atPath: h.directory + "/notes.txt", contents: Data("x".utf8))
        let report = try h.service.check(receipts: FileManager.default.temporaryDirectory.path + "/" + URL(fileURLWithPath: receipt).deletingLastPathComponent().lastPathComponent)
        let codes = Set(report.problems.map(\.code))
        #expect(codes.isSuperset(of: ["decision_without_receipt", "unknown_file"]), "\(report.problems)")

        // Another identity's certificate beside the key.
        let other = try Harness()
        let foreign = try other.service.store.signingIdentity(now: Instant(seconds: 0)).certificatePEM
        try h.service.store.db.run("UPDATE signing_identity SET certificate_pem = ?", .blob(foreign))
        let problems = try h.service.check(receipts: nil).problems.filter { $0.code == "signing_identity" }
        #expect(problems.count == 1 && problems[0].message.contains("mes key import"), "\(problems)")
    }

    @Test func checkFindsDamagedPages() throws {
        let (h, _) = try opposed()
        let path = h.directory + "/mes.db"
        try h.service.store.db.exec("PRAGMA wal_checkpoint(TRUNCATE)")
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        // Every page after the first two, scribbled over in its middle.
        let pageSize = Int(bytes[16]) << 8 | Int(bytes[17])
        var page = 2
        while (page + 1) * pageSize <= bytes.count {
            for k in 0..<64 { bytes[page * pageSize + pageSize / 2 + k] ^= 0x5A }
            page += 1
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let report = try Service.check(directory: h.directory, receipts: nil)
        #expect(report.problems.first?.code == "database_pages", "\(report.problems)")
    }
}
