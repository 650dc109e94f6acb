import Testing
import MESCore
@testable import MESService
@testable import MESStore

/// Most people never decide: their space is created automatically after six weeks (seed 004),
/// and its first sign-in is an activation — a code, then the CGU, the contacts, an identifier
/// and a password. Then it lives: sign-in, forgotten identifier, forgotten password.
/// Bytes of 1: codes `BBBBBBBBBBBB`, one-time codes `111111` (unlike the notification's).
struct OneRandom: RandomSource {
    func bytes(_ count: Int) -> [UInt8] { [UInt8](repeating: 1, count: count) }
}

@Suite struct CreatedSpaceLifecycleTests {
    static let password = "Soleil-Levant-2024!"
    static let username = "martine.leguellec"

    /// The demo store after the notification wave and the sweep six weeks later.
    func created() throws -> Harness {
        let h = try Harness()
        _ = try h.service.notify(forceLetter: false)
        h.clock.advance(43 * 86_400)
        let swept = try h.service.sweep(dryRun: false)
        #expect(swept.created > 0)
        let martine = try #require(try h.service.store.people(nir: Harness.martine.nir).first { $0.holderID == nil })
        #expect(martine.state == .active)
        #expect(try h.service.createdAutomatically(martine))
        return h
    }

    @Test func aSpaceCreatedAutomaticallyIsEnteredByActivationThenLivesOn() throws {
        let h = try created()
        // The rest of the journey draws other codes than the notification's.
        let service = try Service(store: h.service.store, clock: h.clock, random: OneRandom(), outbox: h.transport)
        // Before the first sign-in, every way in points to the activation.
        let login = h.error { _ = try service.login(username: Self.username, password: Self.password, via: nil) }
        #expect(login?.help?.contains("Pas encore de profil ? Activez-le dès maintenant") == true, "\(String(describing: login))")
        let recover = h.error {
            _ = try service.requestIdentifierRecovery(card: Harness.martine, birthDate: DemoData.martineBirthDate, firstName: nil, via: nil)
        }
        #expect(recover?.code == .noAccount && recover?.message.contains("Activez-le dès maintenant") == true, "\(String(describing: recover))")

        // contacts show, before any code, says where to go.
        let contacts = try service.contacts(card: Harness.martine, birthDate: DemoData.martineBirthDate, firstName: nil)
        #expect(contacts.toActivate)
        // A new code (the notification's has expired), then identify: "J'active" is offered first.
        _ = try service.requestCode(CodeRequest(card: Harness.martine, birthDate: DemoData.martineBirthDate))
        let session = try service.identify(code: "BBBBBBBBBBBB", card: Harness.martine)
        #expect(session.person.state == .active)
        #expect(session.decisions == [.activation, .closure])

        // The activation's steps: the contacts, then an identifier and a password.
        guard case .contactsToCheck = try service.activate(ActivationRequest(session: session.token), password: { ("", "") }) else {
            Issue.record("the contact step comes first"); return
        }
        guard case .activated(let username, let profile, _, _, _) = try service.activate(
            ActivationRequest(session: session.token, username: Self.username), password: { (Self.password, Self.password) })
        else { Issue.record("not activated"); return }
        #expect(username == Self.username && profile.state == .active)
        #expect(try !service.createdAutomatically(profile))
        #expect(try !service.contacts(card: Harness.martine, birthDate: DemoData.martineBirthDate, firstName: nil).toActivate)
        // Entered once: activating again is refused, and identify no longer offers it.
        let again = h.error { _ = try service.activate(ActivationRequest(session: session.token, username: "autre.nom"), password: { (Self.password, Self.password) }) }
        #expect(again?.code == .alreadyActive)

        // Sign-in, in two steps.
        h.clock.advance(60)
        _ = try service.login(username: Self.username, password: Self.password, via: nil)
        let signedIn = try service.login(username: Self.username, accessCode: "111111")
        #expect(signedIn.person.id == profile.id)

        // A forgotten identifier.
        h.clock.advance(60)
        _ = try service.requestIdentifierRecovery(card: Harness.martine, birthDate: DemoData.martineBirthDate, firstName: nil, via: nil)
        let recovered = try service.recoverIdentifier(card: Harness.martine, birthDate: DemoData.martineBirthDate, firstName: nil, code: "111111")
        #expect(recovered.username == Self.username)

        // A forgotten password.
        h.clock.advance(60)
        _ = try service.requestPasswordRecovery(username: Self.username, via: nil)
        let newPassword = "Lune-Montante-2025?"
        _ = try service.resetPassword(username: Self.username, code: "111111", password: { (newPassword, newPassword) })
        h.clock.advance(60)
        _ = try service.login(username: Self.username, password: newPassword, via: nil)
    }

    /// A deceased person's space is never activated, created or not.
    @Test func aDeceasedPersonsProfileOffersNoActivation() throws {
        var p = Person(nir: Harness.martine.nir, birthDate: DemoData.martineBirthDate, firstName: "A", lastName: "B", card: .plain,
                       serial: "953701166", state: .active)
        p.deceased = true
        #expect(!ProfileRules.allowedDecisions(for: p, createdAutomatically: true).contains(.activation))
        p.deceased = false
        #expect(ProfileRules.allowedDecisions(for: p, createdAutomatically: true) == [.activation, .closure])
        #expect(ProfileRules.allowedDecisions(for: p, createdAutomatically: false) == [.closure])
    }
}
