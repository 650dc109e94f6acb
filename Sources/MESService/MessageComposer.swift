import MESCore
import MESRender
import MESStore

/// Builds every message the service sends — codes by e-mail, SMS or letter, notifications,
/// activation, recovery and closure confirmations, receipt mails — in one place: one
/// Message-ID scheme (`MessageID`), SMS framing carried as fields (`OutgoingMessage.shownTo`),
/// and texts whose durations come from the service's `Policy` (`PolicyWording`).
///
/// A value: the policy's phrases are worked out once, so a notification wave composes millions
/// of messages without formatting a duration each time.
public struct MessageComposer: Sendable {
    public let policy: Policy
    /// The `From:` of e-mails (`Name <address>`).
    public let from: String
    let window: String, notificationValidity: String, onDemandValidity: String, oneTimeValidity: String

    public init(policy: Policy = .standard, from: String = Email.defaultFrom) {
        self.policy = policy
        self.from = from
        window = policy.creationWindowText
        notificationValidity = policy.notificationValidityText
        onDemandValidity = policy.onDemandValidityText
        oneTimeValidity = policy.oneTimeCodeValidityText
    }

    // MARK: codes

    /// An on-demand code for `person`, sent to `contact` (the holder's details for a child) on
    /// `channel`: e-mail and SMS carry `onDemandValidity`, a letter the notification's validity.
    /// About a minor, it speaks to the legal representative ("pour votre enfant …"); it says who
    /// asked (`requester`: an association by name) and why a letter, only as far as true.
    public func onDemandCode(_ code: String, for person: Person, contact: Person, on channel: MessageChannel, at now: Instant,
                             requester: CodeRequester = .person(choseChannel: false)) -> OutgoingMessage {
        let subject = MessageTemplates.onDemandSubject
        let minor = ProfileRules.speaksToLegalRepresentative(about: person, at: now)
        let child = minor ? person.displayName : nil
        switch channel {
        case .email:
            return email(to: contact.email!, subject: subject,
                         body: MessageTemplates.onDemandEmail(code: code, validity: onDemandValidity, requester: requester, child: child),
                         id: MessageID.make(.onDemandCode, on: .email, to: person.id, at: now), at: now)
        case .sms:
            return sms(to: contact.mobile!, text: MessageTemplates.onDemandSMS(code: code, validity: onDemandValidity, requester: requester, child: child),
                       id: MessageID.make(.onDemandCode, on: .sms, to: person.id, at: now))
        case .letter:
            return letter(subject: subject, text: MessageTemplates.onDemandLetter(code: code, name: person.displayName, address: contact.address,
                                                                                  validity: notificationValidity, requester: requester,
                                                                                  minor: minor))
        }
    }

    /// A one-time code for `purpose` (sign-in, contact change, recovery), by e-mail or SMS to `target`.
    public func oneTimeCode(_ code: String, for purpose: OTPPurpose, on channel: MessageChannel, to target: String, personID: Int64,
                            at now: Instant) -> OutgoingMessage {
        let kind: MessageID.Kind
        let asked: String?
        switch purpose {
        case .login: (kind, asked) = (.loginCode, nil)
        case .email, .mobile: (kind, asked) = (.contactCode, nil)
        case .recoverIdentifier: (kind, asked) = (.recoverIdentifierCode, "à retrouver votre identifiant")
        case .recoverPassword: (kind, asked) = (.recoverPasswordCode, "à choisir un nouveau mot de passe")
        }
        let login = purpose == .login
        let id = MessageID.make(kind, on: channel, to: personID, at: now)
        if channel == .sms {
            return sms(to: target, text: MessageTemplates.oneTimeCodeSMS(code: code, login: login, asked: asked, validity: oneTimeValidity), id: id)
        }
        return email(to: target, subject: MessageTemplates.oneTimeCodeSubject(login: login),
                     body: MessageTemplates.oneTimeCodeEmail(code: code, login: login, asked: asked, validity: oneTimeValidity), id: id, at: now)
    }

    /// The notification to `contact` naming each profile with its code, by e-mail or letter. A
    /// minor is named "votre enfant …"; it opens with "Vous allez bénéficier…" only when its
    /// reader is one of the profiles (an adult contact), else with who will benefit; a letter to
    /// a minor goes to the legal representatives.
    public func notification(to contact: Person, codes named: [(person: Person, code: String)], on channel: MessageChannel,
                             at now: Instant) -> OutgoingMessage {
        let subject = MessageTemplates.notificationSubject
        let isLetter = channel == .letter
        let today = now.parisDate
        func minor(_ p: Person) -> Bool { ProfileRules.isMinor(birthDate: p.birthDate, on: today) }
        let codes = named.map { (name: MessageTemplates.naming($0.person.displayName, minor: minor($0.person)), code: $0.code) }
        let readerIncluded = !minor(contact) && named.contains { $0.person.id == contact.id }
        let text = MessageTemplates.notification(codes: codes, letter: isLetter,
                                                 opening: MessageTemplates.beneficiaries(codes.map(\.name), readerIncluded: readerIncluded),
                                                 window: window, validity: notificationValidity)
        if isLetter {
            let to = MessageTemplates.addressee(contact.displayName, minor: minor(contact))
            return letter(subject: subject, text: MessageTemplates.letter(name: to, address: contact.address, text: text))
        }
        return email(to: contact.email!, subject: subject, body: text, id: MessageID.make(.notification, on: .email, to: contact.id, at: now), at: now)
    }

    // MARK: confirmations

    /// The e-mail confirming the activation of `person`'s space (a minor's: to the legal representative).
    public func activated(to address: String, about person: Person, at now: Instant) -> OutgoingMessage {
        let minor = ProfileRules.speaksToLegalRepresentative(about: person, at: now)
        return email(to: address, subject: MessageTemplates.activatedSubject(minor: minor),
                     body: MessageTemplates.activated(child: minor ? person.displayName : nil),
                     id: MessageID.make(.activated, on: .email, to: person.id, at: now), at: now)
    }

    /// The e-mail confirming a new password chosen through "Mot de passe oublié ?".
    public func passwordChanged(to address: String, personID: Int64, at now: Instant) -> OutgoingMessage {
        email(to: address, subject: MessageTemplates.passwordChangedSubject, body: MessageTemplates.passwordChanged,
              id: MessageID.make(.passwordChanged, on: .email, to: personID, at: now), at: now)
    }

    /// The e-mail confirming the closure of `person`'s space (art. R1111-36): its receipt, and
    /// when the content goes (a minor's: to the legal representative).
    public func closed(to address: String, about person: Person, receipt: String, deletionAsked: Bool, deletedAt: Instant,
                       at now: Instant) -> OutgoingMessage {
        let child = ProfileRules.speaksToLegalRepresentative(about: person, at: now) ? person.displayName : nil
        return email(to: address, subject: MessageTemplates.closedSubject,
                     body: MessageTemplates.closed(on: now.parisDate.french, deleted: deletionAsked, deletedOn: deletedAt.parisDate.french,
                                                   receipt: receipt, child: child),
                     id: MessageID.make(.closed, on: .email, to: person.id, at: now), at: now)
    }

    /// The e-mail handing a person their opposition receipt, its document attached: its text is
    /// the page's (to a minor's legal representative, naming the association that filed it).
    public func oppositionReceipt(_ receipt: OppositionReceipt, document: [UInt8], to address: String, at now: Instant) -> OutgoingMessage {
        var mail = MultipartEmail.oppositionReceipt(receipt, pdf: document, to: address, date: now, messageID: MessageID.receipt(receipt.id))
        mail.from = from
        return OutgoingMessage(channel: .email, recipientMasked: Masking.email(address), subject: mail.subject, body: mail.rendered(),
                               recipient: address, messageID: mail.messageID)
    }

    // MARK: channels

    func email(to address: String, subject: String, body: String, id: String, at now: Instant) -> OutgoingMessage {
        var mail = Email(to: address, subject: subject, date: now, messageID: id, body: body)
        mail.from = from
        return OutgoingMessage(channel: .email, recipientMasked: Masking.email(address), subject: subject, body: mail.rendered(),
                               recipient: address, messageID: id)
    }

    /// An SMS to `mobile` (as on file): the gateway gets `text` at its E.164 form; the outbox shows it framed.
    func sms(to mobile: String, text: String, id: String) -> OutgoingMessage {
        OutgoingMessage(channel: .sms, recipientMasked: Masking.mobile(mobile), subject: "SMS", body: Array(text.utf8),
                        recipient: PhoneNumber.e164(mobile), messageID: id, shownTo: mobile)
    }

    func letter(subject: String, text: String) -> OutgoingMessage {
        OutgoingMessage(channel: .letter, recipientMasked: "courrier postal", subject: subject, body: Array(text.utf8))
    }
}
