/// What backups, restores and checks of a store report: plain values (the store computes
/// them, the command line renders them).

/// What a store holds, counted (a backup's and a restore's summary).
public struct StoreCounts: Equatable, Sendable {
    public var people = 0, decisions = 0, receipts = 0, messages = 0, auditLines = 0
    public var schemaVersion = 0
    public init() {}
}

/// One problem `mes check` found, with its stable code.
public struct StoreProblem: Equatable, Sendable {
    /// `database_pages`, `foreign_keys`, `decision_without_receipt`, `receipt_without_decision`,
    /// `audit_order`, `message_unreadable`, `signing_identity`, `unknown_file`,
    /// `receipt_file_unknown`, `receipt_file_altered`.
    public let code: String
    /// In French, naming what is wrong (never a person's data).
    public let message: String
    public init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }
}

