import Foundation
import Testing
import TestSupport
import MESCore
import MESRender
import MESStore
@testable import MESService
import MESSystem
import MESCrypto

/// The receipt pipeline behind a batch's commits: files written, repaired and synced per group.
@Suite struct ReceiptPipelineTests {
    let receipt = OppositionReceipt(id: "JO-W", nir: NIRValidator().validate("116304403801618").nir!, name: "LEGUELLEC Martine",
                                    greeting: "Martine Leguellec", decidedOn: CalendarDate(year: 2022, month: 2, day: 3)!,
                                    issuedAt: Instant.parse("2022-02-03T10:00:00Z")!, verification: "ABCD-EFGH-JKMN", copy: 1)

    func directory() throws -> String {
        temporaryDirectory("pipeline").path
    }

    @Test func aGroupIsSyncedOnlyWhenItWroteAFileOrARecord() throws {
        let dir = try directory()
        let p = ReceiptPipeline(receiptsDirectory: dir, storeDirectory: dir, issuer: PDFReceipts())
        p.endGroup(1, storeChanged: false)  // nothing written: no sync
        try p.waitSynced(1)
        #expect(p.syncCount == 0)
        p.write(receipt, to: dir + "/a.pdf")
        p.endGroup(2, storeChanged: false)
        try p.waitSynced(2)
        #expect(p.syncCount == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/a.pdf")) == Data(ReceiptRenderer.pdf(receipt)))
        p.endGroup(3, storeChanged: true)  // records only, on the same file system: one sync
        try p.waitSynced(3)
        #expect(p.syncCount == 2)
    }

    /// Receipts on another file system than the store: a group that wrote both syncs both.
    @Test(.enabled(if: !FileIO.sameFileSystem("/dev/shm", FileManager.default.temporaryDirectory.path), "needs /dev/shm on its own file system"))
    func aStoreOnAnotherFileSystemIsSyncedToo() throws {
        let receipts = "/dev/shm/mes-pipeline-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: receipts, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: receipts) }
        let p = ReceiptPipeline(receiptsDirectory: receipts, storeDirectory: try directory(), issuer: PDFReceipts())
        p.write(receipt, to: receipts + "/a.pdf")
        p.endGroup(1, storeChanged: true)
        try p.waitSynced(1)
        #expect(p.syncCount == 2)
        p.write(receipt, to: receipts + "/b.pdf")
        p.endGroup(2, storeChanged: false)  // files only: the receipts' file system only
        try p.waitSynced(2)
        #expect(p.syncCount == 3)
    }

    /// Signing on several threads: 1,000 signed receipts in 4 groups (more than `inFlight`
    /// under way at once) are written in the order they were asked for (the folder's manifest
    /// lists them so), each whole and authentic, and every group is synced after its files.
    @Test func signedReceiptsAreWrittenInTheOrderAskedFor() throws {
        let dir = try directory()
        let identity = ReceiptSizeTests.identity
        let issuer = SignedPDFReceipts(identity: identity)
        let folder = ReceiptFolder(path: dir, store: "test")
        try folder.begin { _ in true }
        defer { folder.end() }
        let p = ReceiptPipeline(receiptsDirectory: dir, storeDirectory: dir, issuer: issuer, folder: folder)
        #expect(ReceiptPipeline.signingThreads >= 1 && 1_000 > ReceiptPipeline.inFlight)
        var names: [String] = []
        var receipts: [OppositionReceipt] = []
        for group in 1...4 {
            for k in 0..<250 {
                let r = OppositionReceipt(id: String(format: "JO-%010d", (group - 1) * 250 + k), nir: receipt.nir, name: receipt.name,
                                          greeting: receipt.greeting, decidedOn: receipt.decidedOn, issuedAt: receipt.issuedAt,
                                          verification: receipt.verification, copy: 1)
                names.append(r.batchFileName)
                receipts.append(r)
                p.write(r, to: dir + "/" + r.batchFileName)
            }
            p.endGroup(group, storeChanged: true)
        }
        try p.waitSynced(4)
        #expect(p.syncCount == 4)
        let manifest = String(decoding: try FileIO.read(dir + "/" + folder.manifestName), as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(manifest == names)
        for (name, r) in zip(names, receipts) {
            let bytes = try FileIO.read(dir + "/" + name)
            #expect(bytes.count <= 4096 && issuer.isIntact(bytes, of: r), "\(name)")
        }
        #expect(SignedReceiptCheck.verify(bytes: try FileIO.read(dir + "/" + names[999]), trusted: identity.certificate)
                == .authentic(signer: "mes ZCYHV1Y9"))
    }

    @Test func repairRewritesOnlyWhatDiffersFromTheRecord() throws {
        let dir = try directory()
        let p = ReceiptPipeline(receiptsDirectory: dir, storeDirectory: dir, issuer: PDFReceipts())
        let path = dir + "/a.pdf"
        p.write(receipt, to: path)
        p.endGroup(1, storeChanged: false)
        try p.waitSynced(1)
        let written = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
        usleep(20_000)
        p.repair(receipt, at: path)  // intact: left alone, no sync
        p.endGroup(2, storeChanged: false)
        try p.waitSynced(2)
        #expect(p.syncCount == 1)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date == written)
        for (n, damage) in [(3, Data("%PDF-1.4 cut".utf8)), (4, Data())] {
            try damage.write(to: URL(fileURLWithPath: path))
            p.repair(receipt, at: path)
            p.endGroup(n, storeChanged: false)
            try p.waitSynced(n)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(ReceiptRenderer.pdf(receipt)))
        }
        try FileManager.default.removeItem(atPath: path)
        p.repair(receipt, at: path)  // missing: written
        p.endGroup(5, storeChanged: false)
        try p.waitSynced(5)
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test func aFailedWriteHoldsBackItsGroupAndEveryLaterOne() throws {
        let dir = try directory()
        let p = ReceiptPipeline(receiptsDirectory: dir, storeDirectory: dir, issuer: PDFReceipts())
        p.write(receipt, to: dir + "/a.pdf")
        p.endGroup(1, storeChanged: true)
        p.write(receipt, to: dir + "/missing/a.pdf")
        p.endGroup(2, storeChanged: true)
        p.write(receipt, to: dir + "/b.pdf")
        p.endGroup(3, storeChanged: true)
        try p.waitSynced(1)  // written and synced before the failure: still publishable
        #expect(throws: MESError.self) { try p.waitSynced(2) }
        #expect(throws: MESError.self) { try p.waitSynced(3) }
    }
}
