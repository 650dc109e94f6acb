#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation
import MESCore
import MESRender
import MESStore

/// An association's batch of oppositions: streamed rows, groups of rows per transaction. A
/// group's receipt files are all written before its commit (a failed write rolls the group
/// back), then synced at once (one `syncfs`) on a second thread while the next group runs;
/// a group's results are published only once its files are on disk. A run killed at any
/// moment and run again finishes the rest with nothing lost or duplicated: a row whose code
/// was consumed by its own opposition reports `already_opposed`, and its receipt file is
/// checked against the record (rewritten when missing or damaged, as a power cut between a
/// commit and its sync could leave it); a row whose group never committed is filed again
/// and, receipt references being a keyed hash of person and code, rewrites the same file.
/// Receipt files of a killed run that no record backs are removed when the next run starts.
struct BatchOpposition {
    let store: Store
    let now: Instant
    let receiptsDirectory: String
    let requestCodes: Bool
    let association: String
    let legalRepresentative: Bool
    var groupSize = 2_000
    /// Renders and writes receipt files on a second thread while this one runs the SQL.
    let writer = ReceiptFileWriter()
    /// Syncs a committed group's files while the next group runs.
    let syncer = GroupSync()
    /// The directory's lock file, held shared while the run lasts.
    let lock = LockHandle()

    /// The stable statuses of the JSON Lines output.
    enum Status: String, CaseIterable {
        case opposed, alreadyOpposed = "already_opposed", codeRequested = "code_requested", invalid
        case identityMismatch = "identity_mismatch", codeExpired = "code_expired", codeUsed = "code_used"
        case codeSuperseded = "code_superseded", locked, tooSoon = "too_soon", refused
    }

    /// One row's result.
    struct Result {
        var line: Int
        var nir: NIR?
        var status: Status
        var receipt: String?
        var file: String?
        var destination: String?
        var error: MESError?

        /// The JSON Lines object of the row (written straight into the output buffer, one line).
        func write(into out: inout [UInt8]) {
            out += #"{"row":"#.utf8
            out += String(line).utf8
            func field(_ key: String, _ value: String?) {
                guard let value else { return }
                out += #",""#.utf8
                out += key.utf8
                out += #"":"#.utf8
                JSON.writeString(value, into: &out)
            }
            field("nir", nir.map(Masking.nir))
            field("status", status.rawValue)
            field("receipt", receipt)
            field("file", file)
            field("destination", destination)
            field("field", error?.field)
            field("reason", error?.code)
            field("message", error?.message)
            out += "}\n".utf8
        }
    }

    /// A receipt file written by the group under way.
    struct PendingFile {
        let path: String
    }

    static let marker = ".mes-batch-running"
    static let lockFile = ".mes-batch-lock"

    private var enrolment: Enrolment { Enrolment(store: store, now: now) }


    /// Marks the run as under way. When no other batch is running on this directory (an
    /// exclusive `flock` on its lock file) and a previous run was killed (its marker is still
    /// there), removes the receipt files that no committed record backs. Then holds a shared
    /// lock for the run, so that concurrent batches on one directory never clean up each other.
    func begin() throws {
        let marker = receiptsDirectory + "/" + Self.marker
        let fd = open(receiptsDirectory + "/" + Self.lockFile, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw MESError("cannot_create", .cannotCreate, "Impossible de verrouiller \(receiptsDirectory)", field: "receipts") }
        lock.fd = fd
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            if FileIO.exists(marker) {
                for name in FileIO.list(receiptsDirectory) where name.hasPrefix("JO-") && name.hasSuffix(".pdf") {
                    let id = String(name.prefix { $0 != "_" && $0 != "." })
                    if try store.receipt(id: id) == nil { FileIO.remove(receiptsDirectory + "/" + name) }
                }
            }
            try FileIO.writeAtomically(marker, Array("mes batch oppose\n".utf8), overwrite: true, field: "receipts")
        } else if !FileIO.exists(marker) {
            try FileIO.writeAtomically(marker, Array("mes batch oppose\n".utf8), overwrite: true, field: "receipts")
        }
        flock(fd, LOCK_SH)
    }

    /// The run is over (finished or failed): when it is the last one on the directory, no cleanup
    /// is needed next time. `created` are the directories this run made: when the run leaves
    /// nothing in them but its lock file, they are removed (a failed run leaves no trace).
    func end(created: [String] = []) {
        guard lock.fd >= 0 else { return }
        if flock(lock.fd, LOCK_EX | LOCK_NB) == 0 {
            FileIO.remove(receiptsDirectory + "/" + Self.marker)
            if !created.isEmpty && FileIO.list(receiptsDirectory) == [Self.lockFile] {
                FileIO.remove(receiptsDirectory + "/" + Self.lockFile)
                FileIO.removeEmptyDirectories(created)
            }
        }
        close(lock.fd)
        lock.fd = -1
    }

    /// Processes one group of records in one transaction and commits it once every receipt file
    /// it made is written; returns the rows' results. The files are not synced yet: call
    /// `startSync` next, and publish the results after `syncer.wait()`.
    func process(_ group: [CSVReader.Record], header: MemberRow.Header) throws -> [Result] {
        var pending: [PendingFile] = []
        do {
            return try store.transaction {
                var out: [Result] = []
                out.reserveCapacity(group.count)
                for record in group {
                    out.append(try row(record, header: header, pending: &pending))
                }
                try writer.wait()
                return out
            }
        } catch {
            try? writer.wait()
            for p in pending { FileIO.remove(p.path) }
            throw error
        }
    }

    /// Starts syncing the files written so far (one `syncfs`) on the syncer's thread, when the
    /// last group wrote any (a group of refused or invalid rows needs none).
    func startSync() {
        if writer.takeWritten() { syncer.start(receiptsDirectory) }
    }

    /// Writes a receipt file (synced with its group).
    func stage(_ r: OppositionReceipt, _ pending: inout [PendingFile]) throws -> String {
        let path = receiptsDirectory + "/" + r.batchFileName
        writer.write(r, to: path)
        pending.append(PendingFile(path: path))
        return path
    }

    func row(_ record: CSVReader.Record, header: MemberRow.Header, pending: inout [PendingFile]) throws -> Result {
        let member: MemberRow
        switch MemberRow.parse(record, header: header, today: now.parisDate) {
        case .failure(let e): return Result(line: record.line, nir: nil, status: .invalid, error: e)
        case .success(let m): member = m
        }
        var result = Result(line: member.line, nir: member.nir, status: .invalid)
        let mark = store.createdFileCount
        do {
            // No savepoint: both paths check everything that can refuse the row before they write.
            if let code = member.code {
                try oppose(member, code: code, into: &result, pending: &pending)
            } else if requestCodes {
                try request(member, into: &result)
            } else {
                throw MESError.invalid("code_required", Messages.fieldRequired + " (ou --request-codes)", field: "code")
            }
        } catch let e as MESError {
            store.discardCreatedFiles(from: mark)
            result.error = e
            result.status = Self.status(for: e)
            result.receipt = nil
            result.file = nil
        }
        return result
    }

    static func status(for e: MESError) -> Status {
        switch e.code {
        case "identity_not_found": return .identityMismatch
        case "code_expired": return .codeExpired
        case "code_used": return .codeUsed
        case "code_superseded": return .codeSuperseded
        case "locked": return .locked
        case "too_soon": return .tooSoon
        default: return e.status == .refused ? .refused : .invalid
        }
    }

    func oppose(_ m: MemberRow, code: String, into result: inout Result, pending: inout [PendingFile]) throws {
        // Everything that would refuse this member is checked before the code is consumed, so a
        // refused row writes nothing and needs no savepoint.
        let accept: (Person) throws -> Void = { [self] person in
            if let b = m.birthDate, b != person.birthDate { throw MESError.identityNotFound }
            try enrolment.checkOpposition(person, actor: .association, legalRepresentative: legalRepresentative)
        }
        switch try store.identify(code: code, nir: m.nir, card: m.card, serial: m.serial, now: now, policy: enrolment.policy,
                                  auditSuccess: false, accept: accept) {
        case .rejected(let e, _, let codeID):
            // Our own earlier run consumed this code: report the opposition, restore a missing receipt.
            if e.code == "code_used", let codeID, let decision = try store.decision(consumingCode: codeID),
               let recorded = try store.receipt(decisionID: decision) {
                // The batch's file is the original (a later duplicate asked for elsewhere does not change it).
                let r = recorded.original
                result.status = .alreadyOpposed
                result.receipt = r.id
                let final = receiptsDirectory + "/" + r.batchFileName
                if FileIO.exists(final) {
                    writer.repair(r, at: final)
                    result.file = final
                } else {
                    result.file = try stage(r, &pending)
                }
                return
            }
            result.status = Self.status(for: e)
            result.error = e
        case .identified(let person, let codeID):
            switch try enrolment.recordOpposition(person, channel: .batch, actor: .association, actorID: association, codeID: codeID,
                                                  legalRepresentative: legalRepresentative) {
            case .opposed(_, let r):
                result.status = .opposed
                result.receipt = r.id
                result.file = try stage(r, &pending)
            case .alreadyOpposed(_, _, let r):
                result.status = .alreadyOpposed
                result.receipt = r?.id
            }
        }
    }

    func request(_ m: MemberRow, into result: inout Result) throws {
        guard let birth = m.birthDate else {
            throw MESError.invalid("field_required", Messages.fieldRequired + " (pour demander un code)", field: "birth_date")
        }
        let e = enrolment
        let person = try e.profile(nir: m.nir, birthDate: birth, card: m.card, serial: m.serial, firstName: m.firstName)
        if person.state == .opposed {
            result.status = .alreadyOpposed
            result.receipt = try store.latestReceipt(personID: person.id)?.id
            return
        }
        let d = try e.requestCode(for: person, via: nil)
        result.status = .codeRequested
        result.destination = d.masked
    }
}

/// Jobs run in order on a thread of their own; `wait` returns when every job asked for so far
/// is done, and throws the first failure among them.
final class BackgroundJobs: @unchecked Sendable {
    private let queue: DispatchQueue
    private let group = DispatchGroup()
    private let lock = NSLock()
    private var failure: MESError?

    init(label: String) { queue = DispatchQueue(label: label) }

    func run(_ job: @escaping @Sendable () throws -> Void) {
        queue.async(group: group) { [self] in
            do { try job() } catch {
                lock.lock()
                if failure == nil {
                    failure = error as? MESError ?? MESError("cannot_create", .cannotCreate, "\(error)", field: "receipts")
                }
                lock.unlock()
            }
        }
    }

    func wait() throws {
        group.wait()
        lock.lock()
        defer { failure = nil; lock.unlock() }
        if let f = failure { throw f }
    }
}

/// A second thread that renders receipts and writes their files; `wait` returns when all the
/// files asked for so far are written (or throws the first failure).
final class ReceiptFileWriter: @unchecked Sendable {
    private let jobs = BackgroundJobs(label: "mes.batch.receipts")
    private let lock = NSLock()
    private var written = false

    func write(_ receipt: OppositionReceipt, to path: String) {
        jobs.run { [self] in
            try FileIO.write(path, ReceiptRenderer.pdf(receipt), field: "receipts")
            noteWritten()
        }
    }

    /// Rewrites the file at `path` when it is not exactly the receipt's PDF (empty, cut short or
    /// damaged: what a power cut between a group's commit and its sync can leave).
    func repair(_ receipt: OppositionReceipt, at path: String) {
        jobs.run { [self] in
            let pdf = ReceiptRenderer.pdf(receipt)
            guard (try? FileIO.read(path, field: "receipts")) != pdf else { return }
            try FileIO.write(path, pdf, field: "receipts")
            noteWritten()
        }
    }

    private func noteWritten() {
        lock.lock()
        written = true
        lock.unlock()
    }

    /// Whether a file was written since the last call (after `wait`): only then is a sync needed.
    func takeWritten() -> Bool {
        lock.lock()
        defer { written = false; lock.unlock() }
        return written
    }

    func wait() throws { try jobs.wait() }
}

/// Syncs the receipts' file system on its own thread, one group at a time: the next group's
/// SQL and files go on meanwhile; `wait` returns when the last sync started is done.
final class GroupSync: @unchecked Sendable {
    private let jobs = BackgroundJobs(label: "mes.batch.sync")

    func start(_ directory: String) {
        jobs.run {
            guard !FileIO.syncFilesystem(directory) else { return }
            throw MESError("cannot_create", .cannotCreate,
                           "Impossible d'enregistrer durablement les justificatifs de \(directory) (\(FileIO.errnoText()))",
                           field: "receipts")
        }
    }

    /// Waits for the syncs under way; throws when one failed (the files may not be on disk).
    func wait() throws { try jobs.wait() }
}

/// A file descriptor holding an `flock`.
final class LockHandle {
    var fd: Int32 = -1
    deinit { if fd >= 0 { close(fd) } }
}
