#if canImport(Glibc)
import Glibc
#endif
import MESCore
import MESStore

/// A batch's receipts directory: its lock, the marker of a run under way, and the clean-up of
/// what a killed run left. Several batches may share one directory: each holds the lock shared
/// while it runs, and only a run that can take it exclusively cleans up.
final class ReceiptFolder {
    let path: String
    /// The lock file's descriptor (-1 when not held).
    private var fd: Int32 = -1

    static let marker = ".mes-batch-running"
    static let lockFile = ".mes-batch-lock"

    init(path: String) { self.path = path }

    deinit { if fd >= 0 { close(fd) } }

    /// Marks the run as under way. When no other batch is running on this directory (an
    /// exclusive `flock` on its lock file) and a previous run was killed (its marker is still
    /// there), removes the receipt files that `isBacked` says no committed record backs. Then
    /// holds a shared lock for the run, so that concurrent batches never clean up each other.
    func begin(isBacked: (String) throws -> Bool) throws {
        let marker = path + "/" + Self.marker
        let fd = open(path + "/" + Self.lockFile, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw MESError(.cannotCreate, "Impossible de verrouiller \(path)", field: "receipts") }
        self.fd = fd
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            if FileIO.exists(marker) {
                for name in FileIO.list(path) where name.hasPrefix("JO-") && name.hasSuffix(".pdf") {
                    let id = String(name.prefix { $0 != "_" && $0 != "." })
                    if try !isBacked(id) { FileIO.remove(path + "/" + name) }
                }
            }
            try FileIO.writeAtomically(marker, Array("mes batch oppose\n".utf8), overwrite: true, field: "receipts")
        } else if !FileIO.exists(marker) {
            try FileIO.writeAtomically(marker, Array("mes batch oppose\n".utf8), overwrite: true, field: "receipts")
        }
        flock(fd, LOCK_SH)
    }

    /// The run is over (finished or failed): when it is the last one on the directory, no clean-up
    /// is needed next time. `created` are the directories this run made: when the run leaves
    /// nothing in them but its lock file, they are removed (a failed run leaves no trace).
    func end(created: [String] = []) {
        guard fd >= 0 else { return }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            FileIO.remove(path + "/" + Self.marker)
            if !created.isEmpty && FileIO.list(path) == [Self.lockFile] {
                FileIO.remove(path + "/" + Self.lockFile)
                FileIO.removeEmptyDirectories(created)
            }
        }
        close(fd)
        fd = -1
    }
}
