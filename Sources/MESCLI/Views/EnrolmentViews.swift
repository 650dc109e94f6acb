import MESCore
import MESRender
import MESService

extension CodeDelivery: Report {
    public var text: String {
        let how: String
        switch channel {
        case .email: how = "Par e-mail : \(masked)"
        case .sms: how = "Par SMS : \(masked)"
        case .letter: how = "Par courrier postal (aucune adresse e-mail ni aucun mobile enregistré)"
        }
        return "Un nouveau code provisoire a été envoyé.\n\(how)\nMessage : mes outbox show \(entry.id)\n"
            + "Mes coordonnées sont incorrectes ? " + Messages.contactsWrong
    }

    public var json: JSON {
        .obj([("status", "code_sent"), ("channel", .string(channel.rawValue)),
              ("destination", .string(masked)), ("outbox_id", .int(Int(entry.id))), ("expires_at", .string(expiresAt.iso8601))])
    }
}

/// The decision step of a profile: the options its state allows, in the service's words.
enum DecisionStep {
    static func option(_ kind: DecisionKind, token: String, deceased: Bool = false) -> (action: String, label: String, text: String, command: String)? {
        switch kind {
        case .activation: return ("activate", Messages.activateOption, Messages.activateText, "mes activate --session \(token) --accept-cgu …")
        case .opposition:
            return ("oppose", Messages.opposeOption, deceased ? Messages.opposeTextDeceased : Messages.opposeText, "mes oppose --session \(token) --yes")
        case .closure: return ("close", Messages.closeOption, Messages.closeText, "mes close --session \(token) --yes")
        case .automaticCreation: return nil
        }
    }

    static func options(_ s: IdentifiedSession) -> [(action: String, label: String, text: String, command: String)] {
        s.decisions.compactMap { option($0, token: s.token, deceased: s.person.deceased) }
    }
}

extension IdentifiedSession: Report {
    public var text: String {
        // A deceased person's profile is shown as such, never greeted; a minor's is shown to the
        // legal representative, who identified with the child's card and birth date.
        let name = TextEscaping.terminalSafe(person.displayName)
        var text = person.deceased
            ? "Profil de \(name) (personne décédée) — \(person.stateLabel)\n"
            : ProfileRules.speaksToLegalRepresentative(about: person, at: now)
            ? "Bonjour !\nProfil : \(Messages.yourChild(name)) — \(person.stateLabel)\n"
            : "Bonjour \(TextEscaping.terminalSafe(person.firstName)) !\nProfil : \(name) — \(person.stateLabel)\n"
        if let window {
            text += WindowView.identifySentence(window) + "\n"
        }
        if person.state == .opposed, !person.deceased, let since = person.stateSince {
            text += "Vous vous êtes opposé à la création de Mon espace santé le \(since.parisDate.french). "
                + "Vous pouvez changer d'avis et y accéder dès maintenant en l'activant.\n"
        }
        let options = DecisionStep.options(self)
        if !options.isEmpty {
            text += "\n\(Messages.decisionTitle) :\n"
            for o in options { text += "  \(o.label)\n    \(o.text)\n    → \(o.command)\n" }
            text += "\n"
        }
        text += "Session : \(token) (valable \((expiresAt.seconds - now.seconds) / 60) minutes)\n"
        return text + ProfileView.list(attached)
    }

    public var json: JSON {
        .obj([("status", "identified"), ("session", .string(token)), ("expires_at", .string(expiresAt.iso8601)),
              ("profile", ProfileView.json(person, now: now)), ("profiles", ProfileView.array(attached, now: now)),
              ("window", WindowView.json(window)),
              ("decisions", .array(DecisionStep.options(self).map {
                  .obj([("action", .string($0.action)), ("label", .string($0.label)), ("text", .string($0.text))])
              }))])
    }
}

extension OppositionResult: Report {
    public var text: String {
        switch outcome {
        case .opposed(let r, let path):
            return "Ma décision a bien été prise en compte.\n"
                + "Votre demande d'opposition à la création de Mon espace santé a bien été prise en compte le \(r.decidedOn.french).\n"
                + Messages.dmpAfterOpposition + "\n"
                + "Justificatif d'opposition : \(path)\n"
                + "Référence \(r.id), code de vérification \(r.verification)\n"
                + ProfileView.list(attached)
        case .alreadyOpposed(let since, let r):
            return "Vous vous êtes déjà opposé à la création de Mon espace santé le \(since.parisDate.french). Aucune nouvelle opposition n'a été enregistrée."
                + (r.map { "\nJustificatif : référence \($0.id) (mes receipt --id \($0.id))" } ?? "")
        }
    }

    public var json: JSON {
        switch outcome {
        case .opposed(let r, let path):
            return .obj([("status", "opposed"), ("profile", ProfileView.json(person, now: now)),
                         ("receipt", .string(r.id)), ("receipt_file", .string(path)), ("verification", .string(r.verification)),
                         ("decided_on", .string(r.decidedOn.iso)), ("profiles", ProfileView.array(attached, now: now))])
        case .alreadyOpposed(let since, let r):
            return .obj([("status", "already_opposed"), ("profile", ProfileView.json(person, now: now)),
                         ("decided_on", .string(since.parisDate.iso)), ("receipt", JSON.str(r?.id))])
        }
    }
}
