import Foundation
import Glibc
import Testing
import TestSupport
@testable import MESStore
import MESCore
@testable import MESSystem

/// A fresh directory for one test.
private func scratch() -> String { temporaryDirectory("mes-fileio").path }

private func contents(_ path: String) -> String? {
    FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
}

private func put(_ path: String, _ text: String) {
    #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
}

private func kind(_ path: String) -> mode_t? {
    var st = stat()
    return lstat(path, &st) == 0 ? st.st_mode & S_IFMT : nil
}

private func leftovers(_ dir: String) -> [String] {
    FileIO.list(dir).filter { $0.hasPrefix(".mes-tmp-") }
}

@Suite struct FileIOWriteTests {
    @Test func noOverwriteLeavesASymlinkAndItsTargetAlone() throws {
        let dir = scratch()
        put(dir + "/victim", "original")
        try FileManager.default.createSymbolicLink(atPath: dir + "/out.pdf", withDestinationPath: dir + "/victim")
        let e = thrownError { try FileIO.writeAtomically(dir + "/out.pdf", Array("new".utf8), replace: false) }
        #expect(e?.code.rawValue == "file_exists")
        #expect(e?.status == .cannotCreate)
        #expect(kind(dir + "/out.pdf") == S_IFLNK)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/out.pdf") == dir + "/victim")
        #expect(contents(dir + "/victim") == "original")
        #expect(leftovers(dir).isEmpty)
    }

    @Test func noOverwriteDoesNotCreateADanglingLinksTarget() throws {
        let dir = scratch()
        try FileManager.default.createSymbolicLink(atPath: dir + "/out.pdf", withDestinationPath: dir + "/elsewhere")
        #expect(thrownError { try FileIO.writeAtomically(dir + "/out.pdf", [1], replace: false) }?.code.rawValue == "file_exists")
        #expect(kind(dir + "/elsewhere") == nil)
        #expect(thrownError { try FileIO.refuseExisting(dir + "/out.pdf", force: false, field: "output") }?.code.rawValue == "file_exists")
        #expect(leftovers(dir).isEmpty)
    }

    @Test func noOverwriteKeepsAnExistingFile() throws {
        let dir = scratch()
        put(dir + "/a.txt", "keep me")
        #expect(thrownError { try FileIO.writeAtomically(dir + "/a.txt", Array("other".utf8), replace: false) }?.code.rawValue == "file_exists")
        #expect(contents(dir + "/a.txt") == "keep me")
        #expect(leftovers(dir).isEmpty)
        // The deprecated spelling behaves the same.
        #expect(thrownError { try FileIO.writeAtomically(dir + "/a.txt", [1], overwrite: false) }?.code.rawValue == "file_exists")
        try FileIO.writeAtomically(dir + "/b.txt", Array("new".utf8), replace: false)
        #expect(contents(dir + "/b.txt") == "new")
        #expect(FileIO.list(dir).sorted() == ["a.txt", "b.txt"])
    }

    @Test func replaceSwapsTheLinkItselfNeverItsTarget() throws {
        let dir = scratch()
        put(dir + "/victim", "original")
        try FileManager.default.createSymbolicLink(atPath: dir + "/out.pdf", withDestinationPath: dir + "/victim")
        try FileIO.writeAtomically(dir + "/out.pdf", Array("repaired".utf8), replace: true)
        #expect(kind(dir + "/out.pdf") == S_IFREG)
        #expect(contents(dir + "/out.pdf") == "repaired")
        #expect(contents(dir + "/victim") == "original")
        #expect(leftovers(dir).isEmpty)
    }

    @Test func theBatchRepairWriteNoLongerWritesThroughALink() throws {
        // `FileIO.write` (the batch's unsynced writes and repairs) used O_TRUNC on the path.
        let dir = scratch()
        put(dir + "/victim", "original")
        try FileManager.default.createSymbolicLink(atPath: dir + "/JO-1.pdf", withDestinationPath: dir + "/victim")
        try FileIO.write(dir + "/JO-1.pdf", Array("pdf".utf8), field: "receipts")
        #expect(kind(dir + "/JO-1.pdf") == S_IFREG)
        #expect(contents(dir + "/JO-1.pdf") == "pdf")
        #expect(contents(dir + "/victim") == "original")
        let st = try FileManager.default.attributesOfItem(atPath: dir + "/JO-1.pdf")
        #expect((st[.posixPermissions] as! NSNumber).intValue == 0o600)
    }

    @Test func replaceRefusesADirectoryAFIFOAndADevice() throws {
        let dir = scratch()
        try FileManager.default.createDirectory(atPath: dir + "/folder", withIntermediateDirectories: false)
        #expect(mkfifo(dir + "/fifo", 0o600) == 0)
        for name in ["folder", "fifo"] {
            for sync in [true, false] {
                let e = thrownError { try FileIO.writeAtomically(dir + "/" + name, [1], replace: true, sync: sync) }
                #expect(e?.code.rawValue == "unsafe_output", "\(name)")
                #expect(e?.status == .cannotCreate)
            }
        }
        #expect(kind(dir + "/folder") == S_IFDIR)
        #expect(kind(dir + "/fifo") == S_IFIFO)
        // A device node of our own (a copy of /dev/null's numbers), when this system lets us make one.
        if mknod(dir + "/null", S_IFCHR | 0o666, dev_t(0x103)) == 0 {
            #expect(thrownError { try FileIO.writeAtomically(dir + "/null", [1], replace: true) }?.code.rawValue == "unsafe_output")
            #expect(kind(dir + "/null") == S_IFCHR)
        }
        #expect(leftovers(dir).isEmpty)
    }

    @Test func replaceRefusesTheStoresOwnFilesWithoutBeingToldWhereTheStoreIs() throws {
        let dir = tempDir()
        _ = try Store.create(dir)
        let db = try #require(FileManager.default.contents(atPath: dir + "/mes.db"))
        let key = try #require(FileManager.default.contents(atPath: dir + "/secret.key"))
        for name in ["mes.db", "mes.db-wal", "mes.db-shm", "secret.key", "outbox/forged.eml"] {
            let e = thrownError { try FileIO.writeAtomically(dir + "/" + name, Array("x".utf8), replace: true) }
            #expect(e?.code.rawValue == "unsafe_output", "\(name)")
        }
        #expect(FileManager.default.contents(atPath: dir + "/mes.db") == db)
        #expect(FileManager.default.contents(atPath: dir + "/secret.key") == key)
        #expect(leftovers(dir).isEmpty && leftovers(dir + "/outbox").isEmpty)
        // An ordinary file in the store's other folders is fine.
        try FileIO.writeAtomically(dir + "/receipts/JO-1.pdf", [1], replace: true)
    }

    @Test func aDirectoryOpenedOnceTakesManyFiles() throws {
        let dir = scratch()
        put(dir + "/victim", "original")
        try FileManager.default.createSymbolicLink(atPath: dir + "/JO-3.pdf", withDestinationPath: dir + "/victim")
        let d = try FileIO.Directory(dir, field: "receipts")
        for i in 1...5 { try d.write("JO-\(i).pdf", Array("pdf \(i)".utf8), replace: true, sync: false, field: "receipts") }
        #expect(d.sync())
        #expect(FileIO.list(dir).sorted() == ["JO-1.pdf", "JO-2.pdf", "JO-3.pdf", "JO-4.pdf", "JO-5.pdf", "victim"])
        #expect(contents(dir + "/JO-3.pdf") == "pdf 3")
        #expect(contents(dir + "/victim") == "original")
        #expect(thrownError { try d.write("JO-1.pdf", [1], replace: false) }?.code.rawValue == "file_exists")
        let long = String(repeating: "n", count: 250)   // its temporary name would be too long
        try d.write(long, [1], replace: false)
        #expect(contents(dir + "/" + long) == "\u{1}")
        #expect(leftovers(dir).isEmpty)
        for bad in ["", ".", "..", "a/b"] {
            #expect(thrownError { try d.write(bad, [1], replace: true) }?.status == .cannotCreate, "\(bad)")
        }
        #expect(thrownError { _ = try FileIO.Directory(dir + "/victim") }?.code.rawValue == "cannot_create")
        // A store's outbox, opened as a directory: nothing in it is replaced.
        let store = tempDir()
        _ = try Store.create(store)
        let outbox = try FileIO.Directory(store + "/outbox")
        #expect(thrownError { try outbox.write("1.eml", [1], replace: true) }?.code.rawValue == "unsafe_output")
        #expect(thrownError { try FileIO.Directory(store).write("secret.key", [1], replace: true) }?.code.rawValue == "unsafe_output")
    }

    @Test func anOddNameIsRefused() {
        for path in ["", "/tmp/", "/tmp/.", "/tmp/.."] {
            #expect(thrownError { try FileIO.writeAtomically(path, [1], replace: true) }?.status == .cannotCreate, "\(path)")
        }
    }

    @Test func noTemporaryFileIsLeftOnAFullDisk() throws {
        // A 64 KiB tmpfs (root only; skipped where mounting is not allowed).
        let mnt = scratch()
        guard geteuid() == 0, mount("tmpfs", mnt, "tmpfs", 0, "size=64k") == 0 else { return }
        defer { umount(mnt); rmdir(mnt) }
        let big = [UInt8](repeating: 0x41, count: 1 << 20)
        for replace in [false, true] {
            for sync in [true, false] {
                let e = thrownError { try FileIO.writeAtomically(mnt + "/big.pdf", big, replace: replace, sync: sync) }
                #expect(e?.code.rawValue == "disk_full")
                #expect(e?.status == .cannotCreate)
                #expect(FileIO.list(mnt).isEmpty)
            }
        }
        // Repairing a file in place on a full disk keeps the old one.
        try FileIO.writeAtomically(mnt + "/JO-1.pdf", Array("old".utf8), replace: false)
        #expect(thrownError { try FileIO.write(mnt + "/JO-1.pdf", big, field: "receipts") }?.code.rawValue == "disk_full")
        #expect(FileIO.list(mnt) == ["JO-1.pdf"])
        #expect(contents(mnt + "/JO-1.pdf") == "old")
        unlink(mnt + "/JO-1.pdf")
        // Read-only: nothing can be created, nothing is left.
        guard mount("tmpfs", mnt, "tmpfs", UInt(MS_REMOUNT | MS_RDONLY), "size=64k") == 0 else { return }
        #expect(thrownError { try FileIO.writeAtomically(mnt + "/a.pdf", [1], replace: false) }?.code.rawValue == "cannot_create")
        #expect(FileIO.list(mnt).isEmpty)
    }
}

@Suite struct FileIOTargetTests {
    @Test func aDirectoryADeviceAFIFOOrALinkToOneIsRefusedEvenWithForce() throws {
        let dir = scratch()
        #expect(mkfifo(dir + "/fifo", 0o600) == 0)
        try FileManager.default.createSymbolicLink(atPath: dir + "/to-null", withDestinationPath: "/dev/null")
        try FileManager.default.createSymbolicLink(atPath: dir + "/to-dir", withDestinationPath: dir)
        for path in [dir, dir + "/", "/dev/null", "/dev/zero", dir + "/fifo", dir + "/to-null", dir + "/to-dir"] {
            let e = thrownError { try FileIO.checkOutputTarget(path, force: true, storeDirectory: nil, field: "output") }
            #expect(e?.code.rawValue == "unsafe_output", "\(path)")
            #expect(e?.status == .cannotCreate)
            #expect(e?.field == "output")
            #expect(e?.message.contains("même avec --force") == true)
        }
        #expect(kind("/dev/null") == S_IFCHR)
    }

    @Test func theStoresOwnFilesAreRefusedByIdentityAndByPath() throws {
        let store = tempDir()
        _ = try Store.create(store)
        let other = scratch()
        #expect(link(store + "/secret.key", other + "/hard-link") == 0)
        try FileManager.default.createSymbolicLink(atPath: other + "/soft-link", withDestinationPath: store + "/mes.db")
        try FileManager.default.createSymbolicLink(atPath: other + "/store-link", withDestinationPath: store)
        let refused = [store + "/mes.db", store + "/secret.key", store + "/mes.db-wal", store + "/mes.db-shm",
                       store + "/outbox/1.eml", store + "/outbox", store + "/../" + (store as NSString).lastPathComponent + "/mes.db",
                       other + "/hard-link", other + "/soft-link", other + "/store-link/mes.db-wal",
                       other + "/store-link/outbox/new.eml"]
        for path in refused {
            let e = thrownError { try FileIO.checkOutputTarget(path, force: true, storeDirectory: store, field: "receipt") }
            #expect(e?.code.rawValue == "unsafe_output", "\(path)")
            #expect(e?.status == .cannotCreate)
            // And by the write itself when it is told where the store is.
            #expect(thrownError { try FileIO.writeAtomically(path, [1], replace: true, storeDirectory: store) }?.code.rawValue == "unsafe_output")
        }
        #expect(FileManager.default.contents(atPath: store + "/secret.key")?.count == 32)
        // Ordinary outputs are fine; an existing one needs --force.
        try FileIO.checkOutputTarget(other + "/receipt.pdf", force: false, storeDirectory: store, field: "receipt")
        try FileIO.checkOutputTarget(store + "/receipts/JO-1.pdf", force: false, storeDirectory: store, field: "receipt")
        put(other + "/receipt.pdf", "old")
        #expect(thrownError { try FileIO.checkOutputTarget(other + "/receipt.pdf", force: false, storeDirectory: store, field: "receipt") }?.code.rawValue
                == "file_exists")
        try FileIO.checkOutputTarget(other + "/receipt.pdf", force: true, storeDirectory: store, field: "receipt")
        try FileIO.checkOutputTarget(nil, force: false, storeDirectory: store, field: "receipt")
    }
}

@Suite struct FileIOReadTests {
    @Test func devZeroEndsAtOnce() throws {
        var e: MESError?
        let t = elapsed { e = thrownError { _ = try FileIO.read("/dev/zero", limit: InputLimits.passwordFile, field: "password-file", allowStreams: true) } }
        #expect(e?.code.rawValue == "file_too_large")
        #expect(e?.status == .invalidData)
        #expect(e?.message == "Fichier trop volumineux (plus de 4 Kio) : /dev/zero")
        #expect(e?.field == "password-file")
        #expect(t < .seconds(1))
        // Without streams allowed a device is refused before reading.
        let d = thrownError { _ = try FileIO.read("/dev/zero", limit: InputLimits.receiptFile, field: "FILE") }
        #expect(d?.code.rawValue == "file_not_regular")
        #expect(d?.status == .noInput)
        // The deprecated reader is bounded too.
        let t2 = elapsed { #expect(thrownError { _ = try FileIO.read("/dev/zero", field: "FILE") }?.code.rawValue == "file_too_large") }
        #expect(t2 < .seconds(1))
    }

    @Test func aLargeRegularFileIsRefusedFromItsSize() throws {
        let dir = scratch()
        let path = dir + "/huge.pdf"
        let fd = open(path, O_WRONLY | O_CREAT, 0o600)
        #expect(ftruncate(fd, 1 << 40) == 0)   // sparse: 1 TiB
        close(fd)
        let t = elapsed {
            let e = thrownError { _ = try FileIO.read(path, limit: InputLimits.receiptFile, field: "FILE") }
            #expect(e?.code.rawValue == "file_too_large")
            #expect(e?.message == "Fichier trop volumineux (plus de 4 Mio) : \(path)")
        }
        #expect(t < .seconds(1))
        unlink(path)
    }

    @Test func theLimitItselfIsAllowed() throws {
        let dir = scratch()
        put(dir + "/a", String(repeating: "x", count: 4096))
        #expect(try FileIO.read(dir + "/a", limit: 4096, field: "f").count == 4096)
        #expect(thrownError { _ = try FileIO.read(dir + "/a", limit: 4095, field: "f") }?.code.rawValue == "file_too_large")
        put(dir + "/empty", "")
        #expect(try FileIO.read(dir + "/empty", limit: 10, field: "f") == [])
        #expect(thrownError { _ = try FileIO.read(dir + "/missing", limit: 10, field: "f") }?.status == .noInput)
        #expect(thrownError { _ = try FileIO.read(dir, limit: 10, field: "f", allowStreams: true) }?.code.rawValue == "file_not_regular")
    }

    @Test func aFIFOWithoutAWriterDoesNotHang() throws {
        let dir = scratch()
        #expect(mkfifo(dir + "/fifo", 0o600) == 0)
        #expect(thrownError { _ = try FileIO.read(dir + "/fifo", limit: 10, field: "f") }?.code.rawValue == "file_not_regular")
        var got: [UInt8]?
        let t = elapsed { got = try? FileIO.read(dir + "/fifo", limit: 10, field: "f", allowStreams: true) }
        #expect(got == [])
        #expect(t < .seconds(1))
    }
}

@Suite struct FileIOPermissionTests {
    func mode(_ path: String) -> mode_t {
        var st = stat()
        _ = lstat(path, &st)
        return st.st_mode & 0o7777
    }

    @Test func anOpenDataDirectoryIsClosedAndSaidSo() throws {
        let dir = scratch()
        #expect(chmod(dir, 0o777) == 0)
        let note = try FileIO.checkPrivateDirectory(dir)
        #expect(note == "Droits corrigés : \(dir) était lisible par d'autres (0777) ; ramené à 0700.")
        #expect(mode(dir) == 0o700)
        #expect(try FileIO.checkPrivateDirectory(dir) == nil)
        #expect(try FileIO.checkPrivateDirectory(dir + "/missing") == nil)
    }

    @Test func anOpenKeyFileIsClosed() throws {
        let dir = scratch()
        put(dir + "/secret.key", "k")
        #expect(chmod(dir + "/secret.key", 0o620) == 0)
        let note = try FileIO.checkPrivateFile(dir + "/secret.key")
        #expect(note == "Droits corrigés : \(dir)/secret.key était accessible à d'autres (0620) ; ramené à 0600.")
        #expect(mode(dir + "/secret.key") == 0o600)
        #expect(try FileIO.checkPrivateFile(dir + "/secret.key") == nil)
    }

    @Test func aLinkOrSomeoneElsesDirectoryIsRefused() throws {
        let dir = scratch()
        try FileManager.default.createDirectory(atPath: dir + "/real", withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: dir + "/link", withDestinationPath: dir + "/real")
        let e = thrownError { _ = try FileIO.checkPrivateDirectory(dir + "/link") }
        #expect(e?.code.rawValue == "store_unsafe")
        #expect(e?.status == .cannotCreate)
        put(dir + "/file", "x")
        #expect(thrownError { _ = try FileIO.checkPrivateDirectory(dir + "/file") }?.code.rawValue == "store_unsafe")
        #expect(thrownError { _ = try FileIO.checkPrivateFile(dir + "/real") }?.code.rawValue == "store_unsafe")
        if geteuid() == 0 {
            #expect(chown(dir + "/real", 4242, 4242) == 0)
            #expect(chmod(dir + "/real", 0o755) == 0)
            #expect(thrownError { _ = try FileIO.checkPrivateDirectory(dir + "/real") }?.message.contains("appartient à un autre utilisateur") == true)
            #expect(mode(dir + "/real") == 0o755)
        }
    }
}
