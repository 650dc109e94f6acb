import Foundation
import Testing
import MESCore
import MESCrypto
@testable import MESService
@testable import MESStore

/// Identification with a provisional code (`IdentificationGate`), over a demo store: each state
/// of a code, the lock at the bound, and an unknown card answered like a wrong code.
@Suite struct IdentificationGateTests {
    let h: Harness
    var store: Store { h.service.store }
    var gate: IdentificationGate { h.service.identification }
    var now: Instant { h.clock.now() }
    /// Martine's card, and a card nobody holds (her NIR, another model and serial).
    let card = Harness.martine
    let unknownCard = CardIdentity(nir: DemoData.martineNIR, card: .photo, serial: "01024576124")

    init() throws { h = try Harness() }

    var martineID: Int64 { get throws { try #require(try store.people(nir: DemoData.martineNIR).first { $0.firstName == "Martine Julie" }).id } }

    @discardableResult
    func record(_ code: String, at t: Instant? = nil, validity: Int64 = 900) throws -> Int64 {
        let id = try martineID
        return try store.transaction { try store.recordCode(code, for: id, kind: .onDemand, now: t ?? now, validity: validity) }
    }

    func attempt(_ code: String, on c: CardIdentity? = nil, at t: Instant? = nil) throws -> CodeIdentification {
        try store.transaction { try gate.identify(code: code, card: c ?? card, now: t ?? now) }
    }

    /// The error code of a refusal, "ok" for a success.
    func answer(_ r: CodeIdentification) -> String {
        switch r {
        case .identified: return "ok"
        case .rejected(let e, _, _): return e.code.rawValue
        }
    }

    func events() throws -> [String] { try store.history(nir: nil).map(\.event) }

    @Test func aCodeIsSingleUseAndStoredAsItsDigest() throws {
        let code = SystemRandom().provisionalCode()
        #expect(code.count == 12 && code.utf8.allSatisfy { ProvisionalCode.alphabet.contains($0) })
        try record(code)
        #expect(try store.db.first("SELECT count(*) FROM codes WHERE digest = ?", .blob(store.digest("code", code)))?.int(0) == 1)
        guard case .identified(let who, let codeID) = try attempt(code) else { Issue.record("not identified"); return }
        #expect(try who.id == martineID)
        guard case .rejected(let e, let recorded, let usedID) = try attempt(code) else { Issue.record("used twice"); return }
        #expect(e.code == .codeUsed && !recorded && usedID == codeID)
        #expect(try events().suffix(1) == ["identified"])
    }

    @Test func eachStateOfACodeRefusesItWithoutCountingAnAttempt() throws {
        let old = SystemRandom().provisionalCode(), new = SystemRandom().provisionalCode()
        try record(old)
        try record(new)
        #expect(answer(try attempt(old)) == "code_superseded")
        #expect(answer(try attempt(new, at: now.adding(seconds: 900))) == "code_expired")
        // A refused state is not a guess: nothing is counted, nothing is audited.
        #expect(try store.db.first("SELECT count(*) FROM attempts")?.int(0) == 0)
        #expect(try !events().contains("identification_failed"))
        // The order people are told: locked, then used, then superseded, then expired.
        let policy = Policy.standard
        let past = Instant(seconds: 0)
        func refusal(used: Bool = false, superseded: Bool = false, locked: Bool = false) -> ErrorCode? {
            policy.refusal(of: StoredCodeState(id: 1, expiresAt: past, used: used, superseded: superseded, locked: locked), now: now)?.code
        }
        #expect(refusal(used: true, superseded: true, locked: true) == .locked)
        #expect(refusal(used: true, superseded: true) == .codeUsed)
        #expect(refusal(superseded: true) == .codeSuperseded)
        #expect(refusal() == .codeExpired)
        #expect(policy.refusal(of: StoredCodeState(id: 1, expiresAt: now.adding(seconds: 1), used: false, superseded: false, locked: false),
                               now: now) == nil)
    }

    @Test func theFifthWrongCodeLocksTheCardAndItsLiveCodes() throws {
        let code = SystemRandom().provisionalCode()
        try record(code)
        var answers: [String] = []
        for _ in 0..<Policy.standard.maxFailures {
            let r = try attempt(SystemRandom().provisionalCode())
            if case .rejected(_, let recorded, _) = r { #expect(recorded) }
            answers.append(answer(r))
        }
        #expect(answers == ["identity_not_found", "identity_not_found", "identity_not_found", "identity_not_found", "locked"])
        #expect(try events().filter { $0 != "code_issued" }.suffix(2) == ["identification_failed", "codes_locked"])
        // Locked: the right code is refused, and a wrong one is no longer counted.
        guard case .rejected(let e, let recorded, _) = try attempt(code) else { Issue.record("the right code worked after the lockout"); return }
        #expect(e.code == .locked && !recorded)
        // The lock lifts, but the code stays locked (its own state): a new code is needed.
        let later = now.adding(seconds: Policy.standard.lockSeconds + 1)
        guard case .rejected(let e2, let recorded2, let codeID) = try attempt(code, at: later) else { Issue.record(); return }
        #expect(e2.code == .locked && !recorded2 && codeID != nil)
        let fresh = SystemRandom().provisionalCode()
        try record(fresh, at: later)
        #expect(answer(try attempt(fresh, at: later)) == "ok")
    }

    @Test func aSuccessForgetsTheCardsWrongCodes() throws {
        let code = SystemRandom().provisionalCode()
        try record(code)
        for _ in 0..<Policy.standard.maxFailures - 1 { _ = try attempt(SystemRandom().provisionalCode()) }
        #expect(answer(try attempt(code)) == "ok")
        #expect(try store.db.first("SELECT count(*) FROM attempts")?.int(0) == 0)
        #expect(try store.db.first("SELECT count(*) FROM people WHERE failed_attempts > 0")?.int(0) == 0)
        // Counting starts again: four more wrong codes do not lock.
        try record(SystemRandom().provisionalCode())
        let answers = try (0..<Policy.standard.maxFailures - 1).map { _ in answer(try attempt(SystemRandom().provisionalCode())) }
        #expect(!answers.contains("locked"))
    }

    /// An unknown card (here a wrong model and serial) is answered like a wrong code on a known
    /// one, is recorded likewise (one attempt counted, one audit line, in one transaction), and
    /// locks at the same bound: `locked` says nothing about existence.
    @Test func anUnknownCardIsAnsweredAndCountedLikeAWrongCode() throws {
        try record(SystemRandom().provisionalCode())
        var known: [String] = [], unknown: [String] = []
        for _ in 0..<Policy.standard.maxFailures + 1 {
            for (c, into) in [(card, 0), (unknownCard, 1)] {
                let r = try attempt(SystemRandom().provisionalCode(), on: c)
                if into == 0 { known.append(answer(r)) } else { unknown.append(answer(r)) }
            }
        }
        #expect(known == ["identity_not_found", "identity_not_found", "identity_not_found", "identity_not_found", "locked", "locked"])
        #expect(unknown == known)
        #expect(try store.db.first("SELECT count(*) FROM audit WHERE event = 'identification_failed' AND person_id IS NULL")?.int(0) == 5)
        #expect(try store.db.first("SELECT count(*) FROM audit WHERE event = 'identification_failed' AND person_id IS NOT NULL")?.int(0) == 5)
        #expect(try store.db.first("SELECT count(*) FROM attempts WHERE locked_until > ?", .int(now.seconds))?.int(0) == 2)
        // The lock lifts after `lockSeconds`.
        let later = now.adding(seconds: Policy.standard.lockSeconds + 1)
        #expect(answer(try attempt(SystemRandom().provisionalCode(), on: unknownCard, at: later)) == "identity_not_found")
    }

    @Test func aRefusalInAcceptWritesNothing() throws {
        let code = SystemRandom().provisionalCode()
        try record(code)
        let before = store.changeCount
        #expect(throws: MESError.self) {
            try store.transaction { _ = try gate.identify(code: code, card: card, now: now) { _ in throw MESError.identityNotFound } }
        }
        #expect(store.changeCount == before)
        #expect(answer(try attempt(code)) == "ok")
    }

    @Test func twoConnectionsCannotBothConsumeACode() throws {
        let code = SystemRandom().provisionalCode()
        try record(code)
        let other = try Store.open(h.directory)
        let results = try [store, other].map { s -> Bool in
            let g = IdentificationGate(store: s, policy: .standard)
            if case .identified = try s.transaction({ try g.identify(code: code, card: card, now: now) }) { return true }
            return false
        }
        #expect(results.filter { $0 }.count == 1)
    }
}

/// The one attempt-failure policy and the one code-request throttle.
@Suite struct AttemptRulesTests {
    @Test func aLockFallsAtTheBoundAndTheCountStartsAgain() throws {
        let h = try Harness()
        let attempts = h.service.attempts
        let subject = AttemptSubject.username("martine")
        let now = h.clock.now()
        let locks = try h.service.store.transaction { try (1...12).map { _ in try attempts.noteFailure(subject, now: now) } }
        #expect(locks.enumerated().filter(\.element).map { $0.offset + 1 } == [5, 10])
        #expect(try attempts.isLocked(subject, now: now))
        // The second lock lasts twice the first (issue 27: locks that grow).
        #expect(try attempts.isLocked(subject, now: now.adding(seconds: Policy.standard.lockSeconds)))
        #expect(try !attempts.isLocked(subject, now: now.adding(seconds: 2 * Policy.standard.lockSeconds)))
        try h.service.store.transaction { try attempts.clear(subject) }
        #expect(try !attempts.isLocked(subject, now: now))
        #expect(Policy.standard.lockDuration(afterFailures: 4) == nil && Policy.standard.lockDuration(afterFailures: 5) == 15 * 60)
        #expect((0...8).map { Policy.standard.lockDuration(afterFailures: 5, previousLocks: $0)! / 60 } == [15, 30, 60, 120, 240, 480, 960, 1440, 1440])
    }

    @Test func aCodeAskedForWithinTheIntervalIsTooSoon() {
        let p = Policy.standard
        let last = Instant(seconds: 1_000)
        #expect(!p.isTooSoon(after: nil, now: last))
        #expect(p.isTooSoon(after: last, now: last))
        #expect(p.isTooSoon(after: last, now: last.adding(seconds: p.minimumInterval - 1)))
        #expect(!p.isTooSoon(after: last, now: last.adding(seconds: p.minimumInterval)))
        #expect(!p.isTooSoon(after: last, now: last.adding(seconds: -1)), "a clock set back holds nothing back")
    }
}
