#if canImport(Glibc)
import Glibc
#endif
import MESCore
import MESStore
import MESSystem

/// A batch's receipts directory: its lock, and for each store that files into it a marker of a
/// run under way and a manifest of the files its runs created. Several batches, from one store
/// or several, may share one directory: each holds the lock shared while it runs; a run that can
/// take it exclusively, and finds its own store's marker (a run of this store was killed),
/// removes the files of its own manifest that no record of its store backs — never another
/// store's files, nor a user's.
final class ReceiptFolder: @unchecked Sendable {
    let path: String
    /// This store's marker and manifest names.
    let marker: String
    let manifestName: String
    /// The lock file's descriptor (-1 when not held), and the manifest's (appended to).
    private var fd: Int32 = -1
    private var manifest: Int32 = -1

    static let lockFile = ".mes-batch-lock"

    /// `store`: a short stable name of the filing store (its files are told apart by it).
    init(path: String, store: String) {
        self.path = path
        marker = ".mes-batch-running-\(store)"
        manifestName = ".mes-batch-files-\(store)"
    }

    deinit {
        if fd >= 0 { close(fd) }
        if manifest >= 0 { close(manifest) }
    }

    /// Marks the run as under way, after cleaning up what a killed run of this store left (when
    /// no other batch is running on the directory). Then holds the lock shared for the run.
    func begin(isBacked: (String) throws -> Bool) throws {
        let fd = open(path + "/" + Self.lockFile, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw MESError(.cannotCreate, "Impossible de verrouiller \(path)", field: "receipts") }
        self.fd = fd
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            if FileIO.exists(path + "/" + marker) { try cleanUp(isBacked: isBacked) }
            try FileIO.writeAtomically(path + "/" + marker, Array("mes batch oppose\n".utf8), overwrite: true, field: "receipts")
        } else if !FileIO.exists(path + "/" + marker) {
            try FileIO.writeAtomically(path + "/" + marker, Array("mes batch oppose\n".utf8), overwrite: true, field: "receipts")
        }
        manifest = open(path + "/" + manifestName, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard manifest >= 0 else { throw MESError(.cannotCreate, "Impossible d'écrire dans \(path)", field: "receipts") }
        flock(fd, LOCK_SH)
    }

    /// Notes that this run is about to create `name` (before the file exists: a run killed
    /// between the two leaves only a name, never an unlisted file).
    func record(_ name: String) {
        let line = Array((name + "\n").utf8)
        _ = line.withUnsafeBytes { write(manifest, $0.baseAddress, $0.count) }
    }

    /// Removes the files this store's killed run listed that no record backs, then forgets the list.
    private func cleanUp(isBacked: (String) throws -> Bool) throws {
        let listed = (try? FileIO.read(path + "/" + manifestName, field: "receipts")) ?? []
        for name in String(decoding: listed, as: UTF8.self).split(separator: "\n") {
            let file = String(name)
            guard file.hasPrefix("JO-"), file.hasSuffix(".pdf"), !file.contains("/") else { continue }
            let id = String(file.prefix { $0 != "_" && $0 != "." })
            if try !isBacked(id) { FileIO.remove(path + "/" + file) }
        }
        FileIO.remove(path + "/" + manifestName)
    }

    /// The run is over (finished or failed): when it is the last one on the directory, this
    /// store's marker and manifest go (nothing to clean next time). `created` are the directories
    /// this run made: when it leaves nothing in them but its own files, they are removed.
    func end(created: [String] = []) {
        guard fd >= 0 else { return }
        if manifest >= 0 { close(manifest); manifest = -1 }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            FileIO.remove(path + "/" + marker)
            FileIO.remove(path + "/" + manifestName)
            if !created.isEmpty && FileIO.list(path) == [Self.lockFile] {
                FileIO.remove(path + "/" + Self.lockFile)
                FileIO.removeEmptyDirectories(created)
            }
        }
        close(fd)
        fd = -1
    }
}
