import Dispatch
import FoundationEssentials
import MESCore
import MESRender
import MESStore
import MESSystem

/// The receipt files of a batch, behind its transactions: each group commits, then its receipts
/// are rendered and signed on `signingThreads` threads (each job on the one of its turn), written
/// in the order they were asked for on another and synced (one `syncfs` per group) on a third,
/// while the main thread goes on with the next group. At most `inFlight` jobs are between the
/// main thread and the writer: past that, asking for a file waits (the memory stays bounded
/// when signing or the disk is slower than the store). `waitSynced(n)` returns once group `n`'s
/// files and records are on disk: only then are its result lines printed.
///
/// The records are made durable by that same sync: the batch's connection commits without an
/// fsync of its own (`PRAGMA synchronous=NORMAL`, which keeps the database sound), and the sync
/// covers the store's file system too when it is another one. (A group that asked for no file
/// syncs its log at commit instead: cheaper than a `syncfs`.) A crash before a group's sync
/// loses nothing that was printed: the next run files again what did not commit, and rewrites
/// the receipt files of what did (see `BatchOpposition`).
final class ReceiptPipeline: @unchecked Sendable {
    /// Render and sign documents: job k on queue k mod their count.
    private let signers: [DispatchQueue]
    /// How many signing threads a batch uses: one per core (the writer and the syncer mostly
    /// wait for the disk), at most 4.
    static let signingThreads = max(1, min(4, ProcessInfo.processInfo.activeProcessorCount))
    /// How many jobs may be asked for and not yet handed to the writer.
    static let inFlight = 256
    private let room = DispatchSemaphore(value: ReceiptPipeline.inFlight)
    /// The next job's number (main thread), and the next one to write (writer's thread).
    private var nextJob = 0
    private var nextWritten = 0
    /// Jobs prepared and not yet written, by number (under `readyLock`).
    private var ready: [Int: Outcome] = [:]
    private let readyLock = Lock()
    /// What a job hands to the writer.
    private enum Outcome: @unchecked Sendable {
        case write(() throws -> Void)
        case nothing
        case failed(Error)
        case endGroup(Int, storeChanged: Bool)
    }
    /// Writes files, in the order they were asked for.
    private let writer = DispatchQueue(label: "mes.batch.receipts")
    /// The receipts directory, opened once by the writer (writer's thread only).
    private var directory: FileIO.Directory?
    private let writing = DispatchGroup()
    /// Syncs groups, in order.
    private let syncer = DispatchQueue(label: "mes.batch.sync")
    /// The file systems a group's sync covers: the receipts', then the store's when not the same.
    let receiptsDirectory: String
    let storeDirectory: String?
    /// Renders the documents (on the signing threads, several at once: it must be thread-safe).
    let issuer: any ReceiptIssuer
    /// Where each file is listed before it is created (clean-up after a killed run).
    let folder: ReceiptFolder?
    /// The writer's group under way, and whether it wrote a file (writer's thread only).
    private var writingGroup = 1
    private var wrote = false
    /// The last group on disk, and the first one whose files or sync failed.
    private let state = Condition()
    private var synced = 0
    private var failure: (group: Int, error: MESError)?
    /// How many `syncfs` calls were made (read after `waitSynced`).
    private(set) var syncCount = 0
    /// How many files were asked for (write or repair) so far (the main thread's count).
    private(set) var filesAsked = 0

    init(receiptsDirectory: String, storeDirectory: String, issuer: any ReceiptIssuer, folder: ReceiptFolder? = nil) {
        self.receiptsDirectory = receiptsDirectory
        self.issuer = issuer
        self.folder = folder
        self.storeDirectory = FileIO.sameFileSystem(receiptsDirectory, storeDirectory) ? nil : storeDirectory
        signers = (0..<Self.signingThreads).map { DispatchQueue(label: "mes.batch.sign.\($0)") }
    }

    /// Produces the file a request asks for: written, or repaired (`document`: already rendered,
    /// e.g. for a mail too; a write only).
    func submit(_ request: ReceiptFileRequest, document: [UInt8]? = nil) {
        switch request.mode {
        case .write: write(request.receipt, to: request.path, document: document)
        case .repair: repair(request.receipt, at: request.path)
        }
    }

    /// Renders and writes a receipt file (`document`: already rendered, e.g. for a mail too).
    func write(_ receipt: OppositionReceipt, to path: String, document: [UInt8]? = nil) {
        filesAsked += 1
        stage { [self] in
            let bytes = try document ?? issuer.document(receipt)
            return { [self] in try store(path, bytes) }
        }
    }

    /// Rewrites the file at `path` when it is not an intact document of the receipt (missing,
    /// empty, cut short or damaged: what a crash between a group's commit and its sync can leave).
    func repair(_ receipt: OppositionReceipt, at path: String) {
        filesAsked += 1
        stage { [self] in
            if let existing = try? FileIO.read(path, limit: InputLimits.receiptFile, field: "receipts"),
               issuer.isIntact(existing, of: receipt) { return nil }
            let bytes = try issuer.document(receipt)
            return { [self] in try store(path, bytes) }
        }
    }

    /// Lists the file in the folder's manifest, then writes it (writer's thread): through the
    /// receipts directory opened once, or by its path when it is elsewhere.
    private func store(_ path: String, _ bytes: [UInt8]) throws {
        let slash = path.lastIndex(of: "/")
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        folder?.record(name)
        if let slash, String(path[..<slash]) == receiptsDirectory {
            if directory == nil { directory = try FileIO.Directory(receiptsDirectory, field: "receipts") }
            try directory!.write(name, bytes, replace: true, sync: false, field: "receipts")
        } else {
            try FileIO.write(path, bytes, field: "receipts")
        }
        wrote = true
    }

    /// Runs `prepare` on a signing thread, then what it returns on the writer's, in the order
    /// the jobs were staged (main thread; waits while `inFlight` jobs are under way).
    private func stage(_ prepare: @escaping @Sendable () throws -> (() throws -> Void)?) {
        enqueue {
            guard let job = try prepare() else { return .nothing }
            return .write(job)
        }
    }

    private func enqueue(_ prepare: @escaping @Sendable () throws -> Outcome) {
        room.wait()
        let number = nextJob
        nextJob += 1
        signers[number % signers.count].async(group: writing) { [self] in
            let outcome: Outcome
            do { outcome = try prepare() } catch { outcome = .failed(error) }
            readyLock.lock()
            ready[number] = outcome
            readyLock.unlock()
            writer.async(group: writing) { [self] in writeReady() }
        }
    }

    /// Writes the prepared jobs that are next in order (writer's thread).
    private func writeReady() {
        while true {
            readyLock.lock()
            let outcome = ready.removeValue(forKey: nextWritten)
            readyLock.unlock()
            guard let outcome else { return }
            nextWritten += 1
            switch outcome {
            case .write(let job): do { try job() } catch { fail(writingGroup, error) }
            case .nothing: break
            case .failed(let error): fail(writingGroup, error)
            case .endGroup(let n, let storeChanged): endGroupOnWriter(n, storeChanged)
            }
            room.signal()
        }
    }

    /// Group `n` has committed (`storeChanged`: it wrote records): once the files asked for so
    /// far are written, sync them and the records. A group that wrote nothing needs no sync.
    func endGroup(_ n: Int, storeChanged: Bool) {
        enqueue { .endGroup(n, storeChanged: storeChanged) }
    }

    private func endGroupOnWriter(_ n: Int, _ storeChanged: Bool) {
        let files = wrote
        wrote = false
        writingGroup = n + 1
        syncer.async { [self] in
            do {
                if files || storeChanged { try sync(receiptsDirectory) }
                if storeChanged, let storeDirectory { try sync(storeDirectory) }
            } catch { fail(n, error) }
            state.lock()
            synced = n
            state.broadcast()
            state.unlock()
        }
    }

    private func sync(_ directory: String) throws {
        syncCount += 1
        guard !FileIO.syncFilesystem(directory) else { return }
        throw MESError(.cannotCreate,
                       "Impossible d'enregistrer durablement \(directory) (\(FileIO.errnoText()))", field: "receipts")
    }

    private func fail(_ group: Int, _ error: Error) {
        state.lock()
        if failure == nil || group < failure!.group {
            failure = (group, error as? MESError ?? MESError(.cannotCreate, "\(error)", field: "receipts"))
        }
        state.unlock()
    }

    /// Waits until group `n` is on disk; throws when a file or sync of that group or of an
    /// earlier one failed.
    func waitSynced(_ n: Int) throws {
        state.lock()
        defer { state.unlock() }
        while synced < n { state.wait() }
        if let f = failure, f.group <= n { throw f.error }
    }

    /// Waits for every file asked for so far (before removing those of a group rolled back).
    func drain() { writing.wait() }
}
