import Testing
import MESSystem

/// Paths as people type folders (issue 30: `--receipts justificatifs/` gave `justificatifs//JO-….pdf`).
@Suite struct PathJoinTests {
    @Test func oneSlashBetweenFolderAndName() {
        #expect(FileIO.join("justificatifs/", "JO-1.pdf") == "justificatifs/JO-1.pdf")
        #expect(FileIO.join("justificatifs//", "JO-1.pdf") == "justificatifs/JO-1.pdf")
        #expect(FileIO.join("justificatifs", "JO-1.pdf") == "justificatifs/JO-1.pdf")
        #expect(FileIO.join("/", "JO-1.pdf") == "/JO-1.pdf")
        #expect(FileIO.folderPath("a/b///") == "a/b" && FileIO.folderPath("/") == "/")
    }
}
