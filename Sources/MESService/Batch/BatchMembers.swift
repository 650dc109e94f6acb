import MESCore
import MESStore

/// What a batch does for minors and for members without a usable code: the row's own
/// certification by a legal representative, and `--request-codes` (a code by letter).
extension BatchOpposition {
    /// A minor's row without certification: the row's own columns first, else the flag for
    /// every row.
    static let certificationRequired = MESError(
        .legalRepresentativeRequired, "Ce profil est celui d'une personne mineure : la ligne doit certifier l'accord de son "
            + "représentant légal.", field: "legal_representative", remedy: .certifyRow)

    /// Statuses of a code that exists but can no longer be used: `--request-codes` replaces it.
    static let unusableCode: Set<Status> = [.codeExpired, .codeUsed, .codeSuperseded]

    /// Whether the row is certified by a legal representative: its own `legal_representative`
    /// cell when it has one (an explicit `non` is never overridden), else `--legal-representative`.
    func certified(_ m: MemberRow) -> Bool { m.legalRepresentative ?? options.legalRepresentative }

    /// The audit trail's note of who certified for a minor (nil for an adult, or no
    /// certification): the row or the flag, and the signatory the row names (the association
    /// when it names none).
    func certification(_ m: MemberRow, for person: Person) -> String? {
        guard certified(m), ProfileRules.isMinor(birthDate: person.birthDate, on: now.parisDate) else { return nil }
        let by = m.legalRepresentative == true ? "row \(m.line)" : "--legal-representative"
        return "legal_representative certified by \(by), signatory \(m.signatory ?? options.association)"
    }

    /// A minor's opposition certified by a signatory whose name is not the card holder's: still
    /// recorded, flagged for the association to check (`Mandate.signatoryNotHolder`).
    func checkSignatory(_ m: MemberRow, for person: Person, into result: inout Result) throws {
        guard let signatory = m.signatory, ProfileRules.isMinor(birthDate: person.birthDate, on: now.parisDate),
              let holderID = person.holderID, let holder = try store.person(id: holderID) else { return }
        if !Mandate.names(signatory, holder: holder) { result.warnings.append(Mandate.signatoryNotHolder) }
    }

    /// The key under which a code request's identity is remembered (no code: an empty one), with
    /// the first name given (folded), which tells twins apart: corrected, the row is asked again.
    func requestKey(_ m: MemberRow, _ birth: CalendarDate) -> [UInt8] {
        store.batchFailureKey(nir: m.nir, card: m.card, serial: m.serial, birthDate: birth, code: "", firstName: m.firstName.map(Names.fold))
    }

    /// `--request-codes`: a code by letter (valid 6 weeks, long enough for the member to pass it
    /// back to the association), unless the member already holds a live code that lasts as long
    /// (`code_still_valid`: the notification's, or a letter sent earlier): a re-run never
    /// supersedes the code a member has in hand. With `--replace-codes`, the notification's
    /// code (which the member says is lost) is replaced; a letter a batch sent is not (its
    /// code is on its way). A profile the association could not oppose for anyway (already
    /// opposed, active, a minor without certification) gets no code.
    func request(_ m: MemberRow, into result: inout Result) throws {
        result.codeRequest = true
        guard let birth = m.birthDate else {
            throw MESError.invalid(.fieldRequired, Messages.fieldRequired + " (pour demander un code)", field: "birth_date")
        }
        // The identity questions count against the NIR as on every other path (a wrong birth
        // date or serial is one try of five); a row refused so is remembered like a wrong code.
        let origin = AuditOrigin(channel: .batch, actor: .association, actorID: options.association)
        let questions = AttemptSubject.assistedNIR(m.nir)
        let lockedBefore = try service.attempts.isLocked(questions, now: now)
        let person: Person
        switch try service.answerIdentityQuestions(CardIdentity(nir: m.nir, card: m.card, serial: m.serial), birthDate: birth,
                                                   firstName: m.firstName, failure: "code_request_failed", now: now, origin: origin) {
        case .success(let p): person = p
        case .failure(let e):
            // Only a refusal that counted is remembered: one held back by a lock already there
            // counted nothing, and the same row is asked again once the lock has passed.
            if e.code == .identityNotFound || (e.code == .locked && !lockedBefore) {
                try store.noteBatchFailure(requestKey(m, birth), status: Status(failure: e.code).rawValue, at: now, actorID: options.association)
            }
            if e.code == .locked, let left = try service.attempts.lockedFor(questions, now: now) {
                result.lockedUntil = now.adding(seconds: left)
            }
            throw e
        }
        if case .already = try ProfileRules.decide(.opposition, for: person, by: .association, certified: certified(m), today: now.parisDate) {
            let onFile = try service.decisionOnFile(.opposition, of: person.id)
            try alreadyOpposed(onFile.receipt, decision: try store.lastDecision(.opposition, of: person.id)?.id, into: &result)
            return
        }
        result.createdAutomaticallyAt = try service.notificationWindow(of: person)?.endsAt
        if let live = try store.liveCode(personID: person.id, lastingMoreThan: service.policy.onDemandValidity, now: now),
           !(options.replaceCodes && live.kind == .notification) {
            result.status = .codeStillValid
            result.codeExpiresAt = live.expiresAt
            if live.kind == .onDemand { result.letterSentAt = live.issuedAt }
            return
        }
        let d: CodeDelivery
        do {
            d = try service.requestCode(for: person, via: .letter, now: now, channel: .batch, actor: .association, actorID: options.association)
        } catch let e as MESError where e.code == .contactMissing {
            throw MESError(e.code, e.message, field: "address")
        }
        result.status = .codeRequested
        result.destination = d.masked
        result.codeExpiresAt = d.expiresAt
    }
}

extension BatchOpposition {
    /// `--check`: what a run would make of `record` before it reaches the store: the row's
    /// own errors, a missing code (without `--request-codes`), a minor (by the birth date
    /// given) without certification; else `ready`. Reads no code and no profile.
    static func check(_ record: CSVReader.Record, header: MemberRow.Header, options: BatchOptions, today: CalendarDate) -> Result {
        var result = describe(record, header: header)
        func fail(_ e: MESError) -> Result {
            result.error = e
            result.status = Status(failure: e.code)
            result.column = e.field.map(header.name(of:))
            return result
        }
        let member: MemberRow
        switch MemberRow.parse(record, header: header, today: today) {
        case .failure(let e): return fail(e)
        case .success(let m): member = m
        }
        result.nir = member.nir
        result.nirCell = nil
        if member.code == nil {
            if !options.requestCodes { return fail(.invalid(.codeRequired, Messages.fieldRequired, field: "code")) }
            if member.birthDate == nil {
                return fail(.invalid(.fieldRequired, Messages.fieldRequired + " (pour demander un code)", field: "birth_date"))
            }
        }
        if let birth = member.birthDate, ProfileRules.isMinor(birthDate: birth, on: today),
           !(member.legalRepresentative ?? options.legalRepresentative) {
            return fail(certificationRequired)
        }
        result.status = .ready
        return result
    }
}
