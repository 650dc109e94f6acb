import MESCore
import MESSystem
import MESRender
import MESStore

/// Where a decision's receipt file goes and how it is written: a file asked for (`path`, replaced
/// only with `force`), else the receipt's own name in a default folder (the store's `receipts/`,
/// or a batch's folder), which is always ours to rewrite.
struct ReceiptOutput: Sendable {
    /// How a receipt is named in the default folder.
    enum Naming: Sendable {
        /// `JO-….pdf`: the store's folder.
        case reference
        /// `JO-…_NAME.pdf`: a batch's folder (`OppositionReceipt.batchFileName`).
        case batch
    }

    /// What is done with the file once the decision is committed.
    enum Mode: Sendable {
        /// A decision recorded now: its document is written.
        case write
        /// A decision recorded earlier: its document is written only when the file is missing
        /// or not intact (a run killed before writing it, a crash before its sync).
        case repair
    }

    /// The file asked for (nil: the default folder).
    var path: String?
    /// Replace an existing file at `path`.
    var force = false
    /// The default folder, and how receipts are named there.
    var folder: String
    var naming: Naming = .reference

    /// Where `receipt`'s document goes.
    func path(for receipt: OppositionReceipt) -> String {
        path ?? FileIO.join(folder, naming == .batch ? receipt.batchFileName : "\(receipt.id).pdf")
    }

    /// Whether what is there may be replaced: the default folder, or `force`.
    var replaces: Bool { force || path == nil }

    /// Refuses (before anything is recorded) a file asked for that cannot be written or exists.
    func checkTarget(storeDirectory: String) throws {
        try FileIO.checkOutputTarget(path, force: force, storeDirectory: storeDirectory, field: "receipt")
    }
}

/// One receipt file to produce once its decision is committed: the receipt, where, and how.
struct ReceiptFileRequest {
    let receipt: OppositionReceipt
    let path: String
    let mode: ReceiptOutput.Mode
    /// Whether an existing file there may be replaced.
    let replace: Bool
}

extension ReceiptOutput {
    /// The request for `receipt`: a new decision's document written, an earlier one's original repaired.
    func request(_ receipt: OppositionReceipt, _ mode: Mode) -> ReceiptFileRequest {
        ReceiptFileRequest(receipt: mode == .repair ? receipt.original : receipt, path: path(for: receipt), mode: mode,
                           replace: replaces)
    }
}

/// A decision to record, with who took it and how (the audit trail's channel and actor).
struct DecisionFiling {
    let kind: DecisionKind
    let person: Person
    /// What the state machine (and the caller's rules) say of it.
    let transition: Transition
    let channel: Channel
    /// The actor as recorded (see `ProfileRules.recordedActor`).
    let actor: Actor
    var actorID: String?
    /// The provisional code consumed by this decision, if any.
    var codeID: Int64?
    /// The audit line's detail (e.g. who certified for a minor).
    var detail: String?
}

/// What filing a decision gave, before any file is written.
enum FiledDecision {
    /// Recorded now: the profile as it is now, and the receipt's record.
    case filed(Person, OppositionReceipt)
    /// Taken already: reported, nothing recorded.
    case already(Person, since: Instant, receipt: OppositionReceipt?)

    var person: Person {
        switch self { case .filed(let p, _), .already(let p, _, _): return p }
    }
}

/// A person's last decision of a kind, as the record keeps it.
struct DecisionOnFile {
    /// When it was taken (nil: no decision of that kind is recorded).
    let at: Instant?
    /// Its receipt (nil: none, e.g. a closure from before closure receipts).
    let receipt: OppositionReceipt?

    /// When the person's profile has been in that state: the decision, else the state's own date.
    func since(_ person: Person, now: Instant) -> Instant { at ?? person.stateSince ?? now }
}

extension ReceiptKind {
    /// The receipt a decision of `kind` is given (nil: none).
    init?(decision kind: DecisionKind) {
        switch kind {
        case .opposition: self = .opposition
        case .closure: self = .closure
        case .activation, .automaticCreation: return nil
        }
    }
}

extension Service {
    /// Whether the person's space is active because its six weeks ended and nobody has entered
    /// it since (no activation after the automatic creation): its first sign-in is an activation.
    func createdAutomatically(_ person: Person) throws -> Bool {
        guard person.state == .active, !person.deceased else { return false }
        return try store.latestDecisionKind(of: person.id) == .automaticCreation
    }

    /// The decisions the person may take now on the profile, in the service's order.
    func allowedDecisions(for person: Person) throws -> [DecisionKind] {
        ProfileRules.allowedDecisions(for: person, createdAutomatically: try createdAutomatically(person))
    }

    /// The one "already decided" lookup: the person's last decision of `kind` and its receipt.
    func decisionOnFile(_ kind: DecisionKind, of personID: Int64) throws -> DecisionOnFile {
        let last = try store.lastDecision(kind, of: personID)
        return DecisionOnFile(at: last?.at, receipt: try last.flatMap { try store.receipt(decisionID: $0.id) })
    }

    /// Records a decision (inside the caller's transaction) as its transition says: refused, it
    /// throws; already taken, it reports the last one and its receipt; else it records the
    /// decision, the new state and the audit line, creates the receipt's record, then runs
    /// `applied` (what the kind changes besides, e.g. a closure's account and mail). Writes no file.
    func fileDecision(_ d: DecisionFiling, now: Instant, applied: (OppositionReceipt) throws -> Void = { _ in }) throws -> FiledDecision {
        switch d.transition {
        case .refused(let e): throw e
        case .already:
            let onFile = try decisionOnFile(d.kind, of: d.person.id)
            return .already(d.person, since: onFile.since(d.person, now: now), receipt: onFile.receipt)
        case .apply(let state):
            guard let receiptKind = ReceiptKind(decision: d.kind) else {
                throw MESError(.internal, "aucun justificatif pour une décision \(d.kind.rawValue)")
            }
            let decision = try store.recordDecision(d.kind, person: d.person, state: state, now: now, channel: d.channel, actor: d.actor,
                                                    actorID: d.actorID, codeID: d.codeID, detail: d.detail)
            // The receipt speaks to a minor's legal representative, and names the association that filed it.
            let receipt = try store.createReceipt(decisionID: decision, person: d.person, codeID: d.codeID, decidedAt: now, now: now,
                                                  kind: receiptKind,
                                                  forMinor: ProfileRules.speaksToLegalRepresentative(about: d.person, at: now),
                                                  association: d.actor == .association ? d.actorID : nil)
            try applied(receipt)
            var updated = d.person
            updated.state = state
            updated.stateSince = now
            return .filed(updated, receipt)
        }
    }

    /// Before the commit, for a decision taken already: a file asked for (without `force`) that
    /// is not this receipt's own document, intact, is refused.
    func refuseForeignFile(_ output: ReceiptOutput, for receipt: OppositionReceipt?) throws {
        guard let receipt, let path = output.path, !output.force else { return }
        try refuseForeignFile(at: path, for: receipt.original)
    }

    /// After the commit: the receipt file derived from the record — written for a new decision,
    /// repaired (written when missing or damaged) for an earlier one.
    func produceReceipt(_ request: ReceiptFileRequest) throws {
        switch request.mode {
        case .write: try writeReceipt(request.receipt, to: request.path, replace: request.replace)
        case .repair: try ensureReceipt(request.receipt, at: request.path, replace: request.replace)
        }
    }

    /// Where a receipt is kept in the store.
    func defaultReceiptPath(_ r: OppositionReceipt) -> String { store.receiptsDirectory + "/\(r.id).pdf" }

    /// The store's own receipts folder, or the file asked for.
    func receiptOutput(path: String?, force: Bool) -> ReceiptOutput {
        ReceiptOutput(path: path, force: force, folder: store.receiptsDirectory)
    }

    /// Refuses a file at `path` unless it is `receipt`'s own document, intact.
    func refuseForeignFile(at path: String, for receipt: OppositionReceipt) throws {
        guard FileIO.exists(path) else { return }
        if let bytes = try? FileIO.read(path, field: "receipt"), receipts.isIntact(bytes, of: receipt) { return }
        throw MESError.fileExists(path, field: "receipt")
    }

    /// Writes `receipt`'s document at `path` (atomically; `replace` allows replacing what is there).
    func writeReceipt(_ receipt: OppositionReceipt, to path: String, replace: Bool) throws {
        try FileIO.writeAtomically(path, try receipts.document(receipt), replace: replace, field: "receipt",
                                   storeDirectory: path == defaultReceiptPath(receipt) ? nil : store.directory)
    }

    /// Makes sure `path` holds `receipt`'s document: written when missing, rewritten when damaged
    /// if `replace` (the store's own folder, or --force); an intact one is left alone.
    func ensureReceipt(_ receipt: OppositionReceipt, at path: String, replace: Bool) throws {
        if let bytes = try? FileIO.read(path, field: "receipt"), receipts.isIntact(bytes, of: receipt) { return }
        try writeReceipt(receipt, to: path, replace: replace)
    }
}
