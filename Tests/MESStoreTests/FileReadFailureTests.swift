import Foundation
import Glibc
import Testing
import TestSupport
import MESSystem

/// `FileIO.readBytes`: the reading of `FileIO.read`, failing with a value its callers word
/// themselves (the delivery configuration's English errors).
@Suite struct FileReadFailureTests {
    @Test func eachFailureSaysWhatWentWrong() throws {
        let dir = temporaryDirectory("mes-read").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("12345".utf8).write(to: URL(fileURLWithPath: dir + "/five"))

        #expect(try FileIO.readBytes(dir + "/five", limit: 5) == Array("12345".utf8))
        #expect(throws: FileIO.ReadFailure.tooLarge) { try FileIO.readBytes(dir + "/five", limit: 4) }
        #expect(throws: FileIO.ReadFailure.cannotOpen(errno: ENOENT)) { try FileIO.readBytes(dir + "/none", limit: 4) }
        #expect(throws: FileIO.ReadFailure.notRegular(kind: S_IFDIR)) { try FileIO.readBytes(dir, limit: 4, allowStreams: true) }
        #expect(throws: FileIO.ReadFailure.notRegular(kind: S_IFCHR)) { try FileIO.readBytes("/dev/null", limit: 4) }
        #expect(try FileIO.readBytes("/dev/null", limit: 4, allowStreams: true) == [])
        #expect(throws: FileIO.ReadFailure.tooLarge) { try FileIO.readBytes("/dev/zero", limit: 4, allowStreams: true) }
        #expect(FileIO.errnoText(ENOENT) == "fichier ou dossier introuvable")
    }
}
