#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation
import MESCore
import MESRender
import MESStore
import MESSystem

/// An association's batch of oppositions: streamed rows, groups of rows per transaction. A
/// group commits, then its receipt files are written and synced (one `syncfs`, which also makes
/// its records durable) on threads of their own while the next group runs; a group's results
/// are published only once its files and records are on disk. A run killed at any moment and
/// run again finishes the rest with nothing lost or duplicated: a row whose code was consumed
/// by its own opposition reports `already_opposed`, and its receipt file is checked against the
/// record (rewritten when missing or damaged, as a crash between a commit and its sync can
/// leave it); a row whose group never committed is filed again and, receipt references being a
/// keyed hash of person and code, rewrites the same file. Receipt files of a killed run that
/// no record backs are removed when the next run starts.
public struct BatchOpposition {
    let service: Service
    let now: Instant
    let options: BatchOptions
    var store: Store { service.store }
    /// Writes and syncs the receipt files of committed groups on threads of their own.
    let receipts: ReceiptPipeline
    /// Identification with the members' codes.
    let identification: IdentificationGate
    /// Where the receipts go: the batch's folder, each named `JO-…_NAME.pdf`.
    let output: ReceiptOutput

    init(service: Service, now: Instant, options: BatchOptions, folder: ReceiptFolder) {
        self.service = service
        self.now = now
        self.options = options
        output = ReceiptOutput(folder: options.receiptsDirectory, naming: .batch)
        identification = service.identification
        receipts = ReceiptPipeline(receiptsDirectory: options.receiptsDirectory, storeDirectory: service.store.directory,
                                   issuer: service.receipts, folder: folder)
    }

    /// The stable statuses of the JSON Lines output.
    public enum Status: String, CaseIterable, Sendable {
        case opposed, alreadyOpposed = "already_opposed", codeRequested = "code_requested", invalid
        case identityMismatch = "identity_mismatch", codeExpired = "code_expired", codeUsed = "code_used"
        case codeSuperseded = "code_superseded", locked, tooSoon = "too_soon", refused
    }

    /// One row's result.
    public struct Result: Sendable {
        public var line: Int
        public var nir: NIR?
        public var status: Status
        public var receipt: String?
        public var file: String?
        public var destination: String?
        /// The outbox message carrying the receipt (`--mail-receipts`).
        public var mail: Int64?
        /// `code_requested`: until when the member's code (sent now, or earlier and still live) is valid.
        public var codeExpiresAt: Instant?
        public var error: MESError?

        /// The JSON Lines object of the row (written straight into the output buffer, one line).
        /// `{"schema_version":N,"row":`, made once.
        static let rowPrefix = Array(#"{"schema_version":\#(JSON.schemaVersion),"row":"#.utf8)

        public func write(into out: inout [UInt8]) {
            out += Self.rowPrefix
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
            field("receipt_file", file)
            field("destination", destination)
            field("mail", mail.map { _ in "queued" })
            field("code_expires_at", codeExpiresAt?.iso8601)
            field("field", error?.field)
            field("reason", error?.code.rawValue)
            field("message", error?.message)
            out += "}\n".utf8
        }
    }

    /// A receipt file written by the group under way.
    struct PendingFile {
        let path: String
    }

    /// Processes group `n` of records in one transaction and commits it; returns the rows'
    /// results. Its receipt files are written and synced behind it: publish the results after
    /// `receipts.waitSynced(n)`. When the group fails, it is rolled back and the files it
    /// asked for are removed.
    func process(_ group: [CSVReader.Record], number n: Int, header: MemberRow.Header) throws -> [Result] {
        var pending: [PendingFile] = []
        let changes = store.changeCount, asked = receipts.filesAsked
        do {
            let out = try store.transaction {
                var out: [Result] = []
                out.reserveCapacity(group.count)
                for record in group {
                    out.append(try row(record, header: header, pending: &pending))
                }
                return out
            }
            var storeChanged = store.changeCount != changes
            if storeChanged && receipts.filesAsked == asked {  // records only (refused codes): no syncfs needed
                try store.syncJournal()
                storeChanged = false
            }
            receipts.endGroup(n, storeChanged: storeChanged)
            return out
        } catch {
            receipts.drain()
            for p in pending { FileIO.remove(p.path) }
            throw error
        }
    }

    /// Asks for a receipt file (written and synced behind the group's commit).
    func stage(_ request: ReceiptFileRequest, _ pending: inout [PendingFile], document: [UInt8]? = nil) -> String {
        receipts.submit(request, document: document)
        pending.append(PendingFile(path: request.path))
        return request.path
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
                // A code the member can no longer use: with --request-codes, a new one goes out.
                if options.requestCodes && Self.unusableCode.contains(result.status) {
                    result = Result(line: member.line, nir: member.nir, status: .invalid)
                    try request(member, into: &result)
                }
            } else if options.requestCodes {
                try request(member, into: &result)
            } else {
                throw MESError.invalid(.codeRequired, Messages.fieldRequired, field: "code")
            }
        } catch var e as MESError {
            store.discardCreatedFiles(from: mark)
            if e.code == .legalRepresentativeRequired { e = Self.certificationRequired }
            result.error = e
            result.status = Self.status(for: e)
            result.receipt = nil
            result.file = nil
            result.mail = nil
        }
        return result
    }

    static func status(for e: MESError) -> Status {
        switch e.code {
        case .identityNotFound: return .identityMismatch
        case .codeExpired: return .codeExpired
        case .codeUsed: return .codeUsed
        case .codeSuperseded: return .codeSuperseded
        case .locked: return .locked
        case .tooSoon: return .tooSoon
        default: return e.status == .refused ? .refused : .invalid
        }
    }

    func oppose(_ m: MemberRow, code: String, into result: inout Result, pending: inout [PendingFile]) throws {
        // Everything that would refuse this member is checked before the code is consumed, so a
        // refused row writes nothing and needs no savepoint.
        let accept: (Person) throws -> Void = { [self] person in
            if let b = m.birthDate, b != person.birthDate { throw MESError.identityNotFound }
            _ = try ProfileRules.decide(.opposition, for: person, by: .association, certified: certified(m), today: now.parisDate)
        }
        switch try identification.identify(code: code, card: CardIdentity(nir: m.nir, card: m.card, serial: m.serial), now: now,
                                           auditSuccess: false, accept: accept) {
        case .rejected(let e, _, let codeID):
            // Our own earlier run consumed this code: report the opposition, restore a missing
            // receipt. (A code spent on a profile opposed already reports that opposition.)
            if e.code == .codeUsed, let codeID, let (_, recorded) = try service.spentOnOpposition(codeID) {
                result.status = .alreadyOpposed
                result.receipt = recorded?.id
                // The batch's file is the original (a later duplicate asked for elsewhere does not
                // change it); none for an opposition this batch did not file.
                if let recorded, try store.decision(consumingCode: codeID) != nil {
                    let request = output.request(recorded, .repair)
                    receipts.submit(request)
                    result.file = request.path
                }
                return
            }
            result.status = Self.status(for: e)
            result.error = e
        case .identified(let person, let codeID):
            switch try service.recordOpposition(person, channel: .batch, actor: .association, actorID: options.association,
                                                codeID: codeID, legalRepresentative: certified(m), now: now,
                                                detail: certification(m, for: person)) {
            case .filed(let person, let r):
                result.status = .opposed
                result.receipt = r.id
                if options.mailReceipts, let email = m.email {
                    // Signed once, on this thread: the same document goes to the file and the mail.
                    let pdf = try service.receipts.document(r)
                    result.file = stage(output.request(r, .write), &pending, document: pdf)
                    let mail = service.composer.oppositionReceipt(r, document: pdf, to: email, at: now)
                    result.mail = try service.outbox.deliver(mail, to: person.id, at: now, sync: false).id
                } else {
                    result.file = stage(output.request(r, .write), &pending)
                }
            case .already(_, _, let r):
                result.status = .alreadyOpposed
                result.receipt = r?.id
            }
        }
    }
}
