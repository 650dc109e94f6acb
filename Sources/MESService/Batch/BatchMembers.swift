import MESCore
import MESStore

/// What a batch does for minors and for members without a usable code: the row's own
/// certification by a legal representative, and `--request-codes` (a code by letter).
extension BatchOpposition {
    /// A minor's row without certification: the row's column, or the flag for every row.
    static let certificationRequired = MESError(
        .legalRepresentativeRequired, "Ce profil est celui d'une personne mineure : la ligne doit certifier l'accord de son "
            + "représentant légal (colonne legal_representative : oui, ou --legal-representative pour toutes les lignes).",
        field: "legal_representative")

    /// Statuses of a code that exists but can no longer be used: `--request-codes` replaces it.
    static let unusableCode: Set<Status> = [.codeExpired, .codeUsed, .codeSuperseded]

    /// Whether the row is certified by a legal representative: its own `legal_representative`
    /// cell when it has one (an explicit `non` is never overridden), else `--legal-representative`.
    func certified(_ m: MemberRow) -> Bool { m.legalRepresentative ?? options.legalRepresentative }

    /// The audit trail's note of who certified for a minor (nil for an adult, or no certification).
    func certification(_ m: MemberRow, for person: Person) -> String? {
        guard certified(m), ProfileRules.isMinor(birthDate: person.birthDate, on: now.parisDate) else { return nil }
        if m.legalRepresentative == true {
            return "legal_representative certified by row \(m.line), signatory \(m.signatory ?? options.association)"
        }
        return "legal_representative certified by --legal-representative, signatory \(options.association)"
    }

    /// `--request-codes`: a code by letter (valid 6 weeks, long enough for the member to pass it
    /// back to the association), unless the member already holds a live code that lasts as long
    /// (sent by an earlier run, or the notification's): a re-run never supersedes the code a
    /// member has in hand. A profile the association could not oppose for anyway (already
    /// opposed, active, a minor without certification) gets no code.
    func request(_ m: MemberRow, into result: inout Result) throws {
        guard let birth = m.birthDate else {
            throw MESError.invalid(.fieldRequired, Messages.fieldRequired + " (pour demander un code)", field: "birth_date")
        }
        let person = try service.profile(CardIdentity(nir: m.nir, card: m.card, serial: m.serial), birthDate: birth, firstName: m.firstName)
        if case .already = try ProfileRules.decide(.opposition, for: person, by: .association, certified: certified(m), today: now.parisDate) {
            result.status = .alreadyOpposed
            result.receipt = try service.decisionOnFile(.opposition, of: person.id).receipt?.id
            return
        }
        if let until = try store.liveCodeExpiry(personID: person.id, lastingMoreThan: service.policy.onDemandValidity, now: now) {
            result.status = .codeRequested
            result.codeExpiresAt = until
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
