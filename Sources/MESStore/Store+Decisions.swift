import MESCore
import MESCrypto

/// Decisions (opposition, activation, closure, automatic creation) and opposition receipts.
extension Store {
    /// Records a decision, moves the profile to `state` and writes the audit line (with
    /// `detail`, e.g. who certified for a minor). Returns its id.
    @discardableResult
    public func recordDecision(_ kind: DecisionKind, person: Person, state: ProfileState, now: Instant, channel: Channel,
                               actor: Actor, actorID: String? = nil, codeID: Int64? = nil, detail: String? = nil) throws -> Int64 {
        try db.run("INSERT INTO decisions (person_id, kind, at, channel, actor, actor_id, code_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   .int(person.id), .text(kind.rawValue), .int(now.seconds), .text(channel.rawValue), .text(actor.rawValue),
                   actorID.map { .text($0) } ?? .null, codeID.map { .int($0) } ?? .null)
        let id = db.lastInsertID
        try setState(person.id, state, since: now)
        try audit(kind.rawValue, at: now, person: person.id, channel: channel, actor: actor, actorID: actorID, detail: detail)
        return id
    }

    /// `recordDecision(.automaticCreation…)` for many profiles at once: the pending, living
    /// profiles with ids in `ids` notified at or before `cutoff` become active, each with its
    /// decision and audit line (actor system, channel automatic). Three statements per group
    /// instead of three per profile (a national sweep creates millions). Returns how many.
    @discardableResult
    public func recordAutomaticCreations(ids: ClosedRange<Int64>, notifiedBy cutoff: Instant, now: Instant) throws -> Int {
        let due = "FROM people WHERE id BETWEEN ?1 AND ?2 AND state = 'pending' AND notified_at IS NOT NULL AND notified_at <= ?3 AND deceased = 0"
        let args: [SQLValue] = [.int(ids.lowerBound), .int(ids.upperBound), .int(cutoff.seconds), .int(now.seconds)]
        let kind = DecisionKind.automaticCreation.rawValue
        try db.run("INSERT INTO decisions (person_id, kind, at, channel, actor) SELECT id, '\(kind)', ?4, 'automatic', 'system' " + due
                   + " ORDER BY id", args)
        try db.run("INSERT INTO audit (at, event, person_id, channel, actor) SELECT ?4, '\(kind)', id, 'automatic', 'system' " + due
                   + " ORDER BY id", args)
        return try db.run("UPDATE people SET state = 'active', state_since = ?4, delete_content_after = NULL " + due.dropFirst(12), args)
    }

    /// The decision that consumed a given code, if any (batch re-runs).
    public func decision(consumingCode codeID: Int64) throws -> Int64? {
        try db.first("SELECT id FROM decisions WHERE code_id = ?", .int(codeID))?.int(0)
    }

    /// The most recent decision of a kind for a person: decision id and time.
    public func lastDecision(_ kind: DecisionKind, of personID: Int64) throws -> (id: Int64, at: Instant)? {
        try db.first("SELECT id, at FROM decisions WHERE person_id = ? AND kind = ? ORDER BY id DESC LIMIT 1",
                     .int(personID), .text(kind.rawValue)).map { ($0.int(0)!, Instant(seconds: $0.int(1)!)) }
    }

    /// The kind of the person's most recent decision, if any.
    public func latestDecisionKind(of personID: Int64) throws -> DecisionKind? {
        try db.first("SELECT kind FROM decisions WHERE person_id = ? ORDER BY id DESC LIMIT 1", .int(personID))
            .flatMap { $0.text(0) }.flatMap(DecisionKind.init(rawValue:))
    }

    /// The verification code of receipt fields under this store's key (`OppositionReceipt.canonical`).
    public func verificationCode(id: String, nir: String, name: String, greeting: String, decidedOn: String,
                                 forMinor: Bool = false, association: String? = nil) -> String {
        let mac = hmac.mac(OppositionReceipt.canonical(id: id, nir: nir, name: name, greeting: greeting, decidedOn: decidedOn,
                                                       forMinor: forMinor, association: association))
        var c = Base32.encodeBytes(mac, count: 12)
        c.insert(0x2D, at: 8)
        c.insert(0x2D, at: 4)
        return String(decoding: c, as: UTF8.self)
    }

    /// Creates the receipt of an opposition (or closure) decision. Its reference is a keyed hash of
    /// the person and the code that was used (else the decision): unpredictable across stores, but
    /// the same when a killed batch files that row again, so a receipt file left by the killed run
    /// is simply replaced. `forMinor`: the page speaks to the legal representative;
    /// `association`: the association that filed it, named on the page.
    public func createReceipt(decisionID: Int64, person: Person, codeID: Int64?, decidedAt: Instant, now: Instant,
                              kind: ReceiptKind = .opposition, forMinor: Bool = false, association: String? = nil) throws -> OppositionReceipt {
        let basis = codeID.map { "code\u{0}\(person.id)\u{0}\($0)" } ?? "decision\u{0}\(decisionID)"
        let id = kind.prefix + Base32.encode(hmac.mac("receipt-id\u{0}" + basis), count: 10)
        let decidedOn = decidedAt.parisDate
        let (nir, name, greeting, day) = (person.nir.compact, person.registerName, person.displayName, decidedOn.iso)
        let verification = verificationCode(id: id, nir: nir, name: name, greeting: greeting, decidedOn: day, forMinor: forMinor,
                                            association: association)
        try db.run("""
            INSERT INTO receipts (id, decision_id, person_id, nir, name, greeting, decided_on, issued_at, verification, for_minor, association)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, .text(id), .int(decisionID), .int(person.id), .text(nir), .text(name),
            .text(greeting), .text(day), .int(now.seconds), .text(verification), .int(forMinor ? 1 : 0), association.map { .text($0) } ?? .null)
        return OppositionReceipt(id: id, nir: person.nir, name: name, greeting: greeting, decidedOn: decidedOn, issuedAt: now,
                                 verification: verification, copy: 1, forMinor: forMinor, association: association)
    }

    static let receiptColumns = "id, nir, name, greeting, decided_on, issued_at, verification, copies, person_id, for_minor, association"
    // Statement texts built once (the statement cache is keyed by the text).
    static let receiptByID = "SELECT \(receiptColumns) FROM receipts WHERE id = ?"
    static let receiptOfDecision = "SELECT \(receiptColumns) FROM receipts WHERE decision_id = ?"
    static let latestReceiptOfPerson = """
        SELECT \(receiptColumns) FROM receipts WHERE person_id = ? AND id LIKE 'JO-%' ORDER BY issued_at DESC, rowid DESC LIMIT 1
        """

    func receipt<R: ColumnReader>(from r: R) -> OppositionReceipt {
        OppositionReceipt(id: r.text(0)!, nir: NIR(trusted: r.text(1)!), name: r.text(2)!, greeting: r.text(3)!,
                          decidedOn: CalendarDate.parse(r.text(4)!)!, issuedAt: Instant(seconds: r.int(5)!),
                          verification: r.text(6)!, copy: Int(r.int(7)!), forMinor: r.int(9) == 1, association: r.text(10))
    }

    public func receipt(id: String) throws -> OppositionReceipt? {
        try db.first(Self.receiptByID, .text(id), as: receipt(from:))
    }

    /// The person a receipt was issued for.
    public func receiptHolder(id: String) throws -> Int64? {
        try db.first("SELECT person_id FROM receipts WHERE id = ?", .text(id))?.int(0)
    }

    /// The receipt of a person's latest opposition (not of a closure).
    public func latestReceipt(personID: Int64) throws -> OppositionReceipt? {
        try db.first(Self.latestReceiptOfPerson, .int(personID), as: receipt(from:))
    }

    public func receipt(decisionID: Int64) throws -> OppositionReceipt? {
        try db.first(Self.receiptOfDecision, .int(decisionID), as: receipt(from:))
    }

    /// Counts a re-issue (a duplicate) and returns the receipt as that copy, issued now.
    public func reissue(_ r: OppositionReceipt, now: Instant, actor: Actor, personID: Int64) throws -> OppositionReceipt {
        try db.run("UPDATE receipts SET copies = copies + 1 WHERE id = ?", .text(r.id))
        let copies = Int(try db.first("SELECT copies FROM receipts WHERE id = ?", .text(r.id))?.int(0) ?? 2)
        try audit("receipt_reissued", at: now, person: personID, actor: actor, detail: "\(r.id) copy \(copies)")
        return r.copy(copies, issuedAt: now)
    }

    /// The audit trail, oldest first, one line at a time: each line is read from the database and
    /// handed to `body` before the next (memory stays flat however long the trail). The profile
    /// comes from the same query.
    public func history(_ filter: AuditFilter, _ body: (AuditEntry) throws -> Void) throws {
        var conditions: [String] = [], args: [SQLValue] = []
        if let nir = filter.nir { conditions.append("p.nir = ?"); args.append(.text(nir.compact)) }
        if let since = filter.since { conditions.append("a.at >= ?"); args.append(.int(since.seconds)) }
        if let until = filter.until { conditions.append("a.at <= ?"); args.append(.int(until.seconds)) }
        if let channel = filter.channel { conditions.append("a.channel = ?"); args.append(.text(channel.rawValue)) }
        if let actor = filter.actor {
            conditions.append("a.actor = ?"); args.append(.text(actor.kind.rawValue))
            if let id = actor.id { conditions.append("a.actor_id = ?"); args.append(.text(id)) }
        }
        var sql = """
            SELECT \(Self.personColumnsQualified), a.at, a.event, a.channel, a.actor, a.actor_id, a.detail
            FROM audit a LEFT JOIN people p ON p.id = a.person_id
            """
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY a.id"
        if let limit = filter.limit { sql += " LIMIT ?"; args.append(.int(Int64(limit))) }
        try read {
            try db.forEach(sql, args) { r in
                let n = Self.personColumnCount  // the person's columns come first
                try body(AuditEntry(at: Instant(seconds: r.int(n)!), event: r.text(n + 1)!, person: r.int(0) == nil ? nil : person(from: r),
                                    channel: r.text(n + 2), actor: r.text(n + 3), actorID: r.text(n + 4), detail: r.text(n + 5)))
            }
        }
    }

    /// The audit trail, oldest first; for one NIR when given (collected: small trails and tests).
    public func history(nir: NIR?) throws -> [AuditEntry] {
        var out: [AuditEntry] = []
        try history(AuditFilter(nir: nir)) { out.append($0) }
        return out
    }
}
