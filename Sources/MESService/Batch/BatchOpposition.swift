#if canImport(Glibc)
import Glibc
#endif
import Dispatch
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

    /// The stable statuses of the JSON Lines output (`BatchStatus` in `MESCore`).
    public typealias Status = BatchStatus

    /// One row's result: what was done, and what the association needs to act on it.
    public struct Result: Sendable {
        /// The row's number as the sheet shows it.
        public var line: Int
        public var nir: NIR?
        public var status: Status
        public var receipt: String?
        public var file: String?
        public var destination: String?
        /// The outbox message carrying the receipt, queued by this run (`--mail-receipts`).
        public var mail: Int64?
        /// The outbox message that carried the receipt when an earlier run filed it.
        public var earlierMail: Int64?
        /// `code_requested`, `code_still_valid`: until when the member's code is valid.
        public var codeExpiresAt: Instant?
        public var error: MESError?
        /// What the association typed in the row: the member's names, its own kept columns
        /// (`--keep-column`), and the NIR cell when it could not be read.
        public var lastName: String?
        public var firstName: String?
        public var kept: [String] = []
        public var nirCell: String?
        /// Whether the row gives an e-mail address (for a receipt to mail rather than post).
        public var emailGiven = false
        /// The column at fault, as the file's header names it.
        public var column: String?
        /// A pending profile found from the row: when its space will be created automatically
        /// (the end of its six weeks; nil when they have not started).
        public var createdAutomaticallyAt: Instant?
        /// Who filed the opposition on file (`already_opposed`), and when.
        public var filedBy: Filer?
        public var filedAt: Instant?
        /// `code_still_valid`: when the letter carrying the member's code was sent by a batch.
        public var letterSentAt: Instant?
        /// Wrong tries counted against the card since its last lock, and how many lock it.
        public var tries: Int?
        public var maxTries: Int?
        /// Until when the card is locked (nil: not locked now).
        public var lockedUntil: Instant?
        /// `not_retried`: how the row failed before, and when.
        public var previousStatus: Status?
        public var previousAt: Instant?
        /// The row's outcome came from a code request's identity questions (`--request-codes`:
        /// birth date, serial, first name), not from a code.
        public var codeRequest = false
        /// Went through, but worth checking (`Mandate.signatoryNotHolder`).
        public var warnings: [String] = []
    }

    /// Who filed an opposition on file, as the association's report says it.
    public enum Filer: String, Sendable {
        case thisAssociation = "this_association", anotherAssociation = "another_association", member, adviser, other
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
        var result = Self.describe(record, header: header)
        let member: MemberRow
        switch MemberRow.parse(record, header: header, today: now.parisDate) {
        case .failure(let e):
            result.error = e
            result.column = e.field.map(header.name(of:))
            return result
        case .success(let m): member = m
        }
        result.nir = member.nir
        result.nirCell = nil
        let mark = store.createdFileCount
        do {
            // No savepoint: both paths check everything that can refuse the row before they write.
            if let code = member.code {
                let key = store.batchFailureKey(nir: member.nir, card: member.card, serial: member.serial, birthDate: member.birthDate, code: code)
                if !options.retryFailed, let earlier = try store.batchFailure(key) {
                    try notRetried(member, earlier, into: &result)
                } else {
                    try oppose(member, code: code, key: key, into: &result, pending: &pending)
                }
                // A code the member can no longer use: with --request-codes, a new one goes out.
                if options.requestCodes && needsNewCode(result) {
                    result = Self.restart(result)
                    try request(member, into: &result)
                }
            } else if options.requestCodes {
                // A request whose identity questions failed before is not asked again (each counts).
                if !options.retryFailed, let birth = member.birthDate, let earlier = try store.batchFailure(requestKey(member, birth)) {
                    result.codeRequest = true
                    Self.remembered(earlier, into: &result)
                } else {
                    try request(member, into: &result)
                }
            } else {
                throw MESError.invalid(.codeRequired, Messages.fieldRequired, field: "code")
            }
        } catch var e as MESError {
            store.discardCreatedFiles(from: mark)
            if e.code == .legalRepresentativeRequired { e = Self.certificationRequired }
            result.error = e
            result.status = Status(failure: e.code)
            result.column = e.field.map(header.name(of:))
            result.receipt = nil
            result.file = nil
            result.mail = nil
        }
        if result.column == nil, let field = result.error?.field { result.column = header.name(of: field) }
        return result
    }

    /// A result for `record` before anything is decided: the row's number and what the
    /// association typed that its report repeats.
    static func describe(_ record: CSVReader.Record, header: MemberRow.Header) -> Result {
        var r = Result(line: record.row, nir: nil, status: .invalid)
        r.lastName = header.cell("last_name", in: record)
        r.firstName = header.cell("first_name", in: record)
        r.kept = header.keptCells(in: record)
        r.nirCell = header.cell("nir", in: record)
        r.emailGiven = header.cell("email", in: record) != nil
        return r
    }

    /// `r` stripped of what an attempt decided, keeping what the row says.
    static func restart(_ r: Result) -> Result {
        var out = Result(line: r.line, nir: r.nir, status: .invalid)
        (out.lastName, out.firstName, out.kept, out.emailGiven) = (r.lastName, r.firstName, r.kept, r.emailGiven)
        return out
    }

    /// Whether `--request-codes` sends the member a new code after this result: their code
    /// expired, was used or superseded, or was locked by wrong tries whose lock has passed.
    func needsNewCode(_ r: Result) -> Bool {
        if Self.unusableCode.contains(r.status) { return true }
        let lockedStatus = r.status == .locked || (r.status == .notRetried && r.previousStatus == .locked)
        return lockedStatus && r.lockedUntil == nil
    }

    /// A row that failed before with the same identity and code: not tried again (a wrong code
    /// would count against the member's card once more). It says how, when, and how many
    /// tries the card has left.
    func notRetried(_ m: MemberRow, _ earlier: (status: String, at: Instant, actorID: String?), into result: inout Result) throws {
        Self.remembered(earlier, into: &result)
        try noteTries(m, into: &result)
    }

    /// `not_retried`, saying how and when the row failed before.
    static func remembered(_ earlier: (status: String, at: Instant, actorID: String?), into result: inout Result) {
        result.status = .notRetried
        result.previousStatus = Status(rawValue: earlier.status)
        result.previousAt = earlier.at
    }

    /// The card's wrong tries and lock, for a row refused by them.
    func noteTries(_ m: MemberRow, into result: inout Result) throws {
        let subject = AttemptSubject.card(m.nir, m.card, m.serial)
        if let left = try service.attempts.lockedFor(subject, now: now) {
            result.lockedUntil = left == .max ? nil : now.adding(seconds: left)
        } else {
            result.tries = try store.failuresSinceLock(subject)
            result.maxTries = service.policy.maxFailures
        }
    }

    /// Who filed the opposition on file for `personID`.
    func filer(ofDecision id: Int64?, into result: inout Result) throws {
        guard let id, let origin = try store.decisionOrigin(id) else { return }
        result.filedAt = origin.at
        switch (origin.actor, origin.channel) {
        case (.association?, _): result.filedBy = origin.actorID == options.association ? .thisAssociation : .anotherAssociation
        case (.adviser?, _), (_, .phone?): result.filedBy = .adviser
        case (.self?, _), (.legalRepresentative?, _): result.filedBy = .member
        default: result.filedBy = .other
        }
    }

    /// An opposition on file: its receipt, who filed it, and the mail that carried it.
    func alreadyOpposed(_ receipt: OppositionReceipt?, decision: Int64?, into result: inout Result) throws {
        result.status = .alreadyOpposed
        result.receipt = receipt?.id
        try filer(ofDecision: decision, into: &result)
        if let id = receipt?.id { result.earlierMail = try store.receiptMail(id) }
    }

    func oppose(_ m: MemberRow, code: String, key: [UInt8], into result: inout Result, pending: inout [PendingFile]) throws {
        // Everything that would refuse this member is checked before the code is consumed, so a
        // refused row writes nothing and needs no savepoint.
        let accept: (Person) throws -> Void = { [self] person in
            if let b = m.birthDate, b != person.birthDate { throw MESError.identityNotFound }
            _ = try ProfileRules.decide(.opposition, for: person, by: .association, certified: certified(m), today: now.parisDate)
        }
        let origin = AuditOrigin(channel: .batch, actor: .association, actorID: options.association)
        switch try identification.identify(code: code, card: CardIdentity(nir: m.nir, card: m.card, serial: m.serial), now: now,
                                           auditSuccess: false, origin: origin, accept: accept) {
        case .rejected(let e, let recorded, let codeID):
            // Our own earlier run consumed this code: report the opposition, restore a missing
            // receipt. (A code spent on a profile opposed already reports that opposition.)
            if e.code == .codeUsed, let codeID, let (person, recorded) = try service.spentOnOpposition(codeID) {
                let decision = try store.decision(consumingCode: codeID)
                try alreadyOpposed(recorded, decision: try decision ?? store.lastDecision(.opposition, of: person.id)?.id, into: &result)
                // The batch's file is the original (a later duplicate asked for elsewhere does not
                // change it); none for an opposition this batch did not file.
                if let recorded, try store.decision(consumingCode: codeID) != nil {
                    let request = output.request(recorded, .repair)
                    receipts.submit(request)
                    result.file = request.path
                }
                return
            }
            result.status = Status(failure: e.code)
            result.error = e
            if result.status == .identityMismatch || result.status == .locked { try noteTries(m, into: &result) }
            // A refusal that counted against the card is remembered: a re-run does not repeat it.
            if recorded { try store.noteBatchFailure(key, status: result.status.rawValue, at: now, actorID: options.association) }
        case .identified(let person, let codeID):
            if options.retryFailed { try store.forgetBatchFailure(key) }
            switch try service.recordOpposition(person, channel: .batch, actor: .association, actorID: options.association,
                                                codeID: codeID, legalRepresentative: certified(m), now: now,
                                                detail: certification(m, for: person)) {
            case .filed(let person, let r):
                result.status = .opposed
                result.receipt = r.id
                try checkSignatory(m, for: person, into: &result)
                if options.mailReceipts, let email = m.email {
                    // Signed once, on this thread: the same document goes to the file and the mail.
                    let pdf = try service.receipts.document(r)
                    result.file = stage(output.request(r, .write), &pending, document: pdf)
                    let mail = service.composer.oppositionReceipt(r, document: pdf, to: email, at: now)
                    let id = try service.outbox.deliver(mail, to: person.id, at: now, sync: false).id
                    try store.noteReceiptMail(r.id, outboxID: id)
                    result.mail = id
                } else {
                    result.file = stage(output.request(r, .write), &pending)
                }
            case .already(let person, _, let r):
                try alreadyOpposed(r, decision: try store.lastDecision(.opposition, of: person.id)?.id, into: &result)
            }
        }
    }
}
