import Foundation
import Glibc
import Testing
import TestSupport
@testable import MESStore
import MESCore
@testable import MESSystem

/// `FileIO.AtomicFile`: a file written as it is made, seen at its path only whole.
@Suite struct AtomicFileTests {
    func folder() -> String {
        let p = tempDir()
        try! FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        return p
    }

    func text(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func piecesAppearWholeAtCommitAndNothingBefore() throws {
        let dir = folder()
        let file = try FileIO.AtomicFile(dir + "/r.csv", replace: false, field: "roster")
        for i in 0..<100 { try file.write(Array("line \(i)\n".utf8)) }
        // Nothing at the path, nothing else in the folder (an unnamed file) while it is written.
        #expect(FileIO.list(dir).isEmpty)
        try file.commit()
        #expect(text(dir + "/r.csv") == (0..<100).map { "line \($0)\n" }.joined())
        #expect(FileIO.list(dir) == ["r.csv"])
        var st = stat()
        #expect(stat(dir + "/r.csv", &st) == 0 && st.st_mode & 0o777 == 0o600)
    }

    @Test func aFileDroppedBeforeItsCommitLeavesNothing() throws {
        let dir = folder()
        do {
            let file = try FileIO.AtomicFile(dir + "/r.csv", replace: false)
            try file.write([UInt8](repeating: 0x41, count: 1 << 20))
        }
        #expect(FileIO.list(dir).isEmpty)
    }

    @Test func whatCameToThePathMeanwhileIsKeptWithoutReplace() throws {
        let dir = folder()
        let file = try FileIO.AtomicFile(dir + "/m.csv", replace: false, field: "members")
        try file.write(Array("mine".utf8))
        #expect(FileManager.default.createFile(atPath: dir + "/m.csv", contents: Data("theirs".utf8)))
        let e = thrownError { try file.commit() }
        #expect(e?.code.rawValue == "file_exists")
        #expect(e?.field == "members")
        #expect(text(dir + "/m.csv") == "theirs")
        #expect(FileIO.list(dir) == ["m.csv"])
    }

    @Test func replaceSwapsALinkNeverItsTarget() throws {
        let dir = folder()
        #expect(FileManager.default.createFile(atPath: dir + "/victim", contents: Data("original".utf8)))
        try FileManager.default.createSymbolicLink(atPath: dir + "/r.csv", withDestinationPath: dir + "/victim")
        let file = try FileIO.AtomicFile(dir + "/r.csv", replace: true)
        try file.write(Array("new".utf8))
        try file.commit()
        var st = stat()
        #expect(lstat(dir + "/r.csv", &st) == 0 && st.st_mode & S_IFMT == S_IFREG)
        #expect(text(dir + "/r.csv") == "new")
        #expect(text(dir + "/victim") == "original")
        #expect(FileIO.list(dir).sorted() == ["r.csv", "victim"])
    }

    @Test func aFolderOrTheStoresFilesAreRefusedBeforeAnythingIsWritten() throws {
        let dir = folder()
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: false)
        #expect(thrownError { _ = try FileIO.AtomicFile(dir + "/sub", replace: true) }?.code.rawValue == "unsafe_output")
        #expect(thrownError { _ = try FileIO.AtomicFile(dir + "/missing/r.csv", replace: false) }?.code.rawValue == "cannot_create")
        #expect(thrownError { _ = try FileIO.AtomicFile(dir + "/", replace: false) }?.status == .cannotCreate)
        let store = tempDir()
        _ = try Store.create(store)
        for name in ["mes.db", "mes.db-wal", "secret.key"] {
            #expect(thrownError { _ = try FileIO.AtomicFile(store + "/" + name, replace: true, storeDirectory: store) }?
                .code.rawValue == "unsafe_output", "\(name)")
        }
        #expect(FileIO.list(dir) == ["sub"])
    }

    @Test func aFullDiskFailsCleanly() throws {
        // A 64 KiB tmpfs (root only; skipped where mounting is not allowed).
        let mnt = folder()
        guard geteuid() == 0, mount("tmpfs", mnt, "tmpfs", 0, "size=64k") == 0 else { return }
        defer { umount(mnt); rmdir(mnt) }
        do {
            let file = try FileIO.AtomicFile(mnt + "/r.csv", replace: false)
            let e = thrownError { for _ in 0..<64 { try file.write([UInt8](repeating: 0x41, count: 1 << 14)) } }
            #expect(e?.code.rawValue == "disk_full")
        }
        #expect(FileIO.list(mnt).isEmpty)
    }
}
