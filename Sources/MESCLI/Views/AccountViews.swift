import MESCore
import MESRender
import MESService

extension ActivationResult: Report {
    public var text: String {
        switch self {
        case .codesSent(let sent, _):
            return sent.map { purpose, target in
                purpose == .email ? "Un code à usage unique vous a été envoyé à l'adresse \(target)"
                    : "Un code à usage unique vous a été envoyé au \(target)"
            }.joined(separator: "\n") + "\nConfirmez avec --email-otp / --mobile-otp CODE (valable \(Policy.standard.oneTimeCodeValidityText))."
        case .contactsToCheck(let contacts):
            return contacts.text + "\nPour continuer : --username ID et le mot de passe (--password-file FICHIER), "
                + "ou --email / --mobile pour modifier une coordonnée."
        case .activated(let username, _, let opposedAt, _, _):
            var text = ""
            if let since = opposedAt {
                text += "Vous vous êtes opposé à la création de Mon espace santé le \(since.parisDate.french). Vous pouvez changer d'avis et y accéder dès maintenant en l'activant.\n"
            }
            return text + "Mon espace santé a bien été activé !\n" + Messages.activatedNext + "\nIdentifiant : \(username)"
        }
    }

    public var json: JSON {
        switch self {
        case .codesSent(let sent, _):
            return .obj([("status", "otp_sent"), ("channels", .array(sent.map { .string($0.0.rawValue) }))])
        case .contactsToCheck(let contacts):
            return .obj([("status", "contacts_to_check"), ("contacts", contacts.json)])
        case .activated(let username, let profile, let opposedAt, let now, _):
            return .obj([("status", "activated"), ("username", .string(username)),
                         ("profile", ProfileView.json(profile, now: now)), ("previously_opposed_at", JSON.str(opposedAt?.iso8601))])
        }
    }
}

/// An attached profile just activated.
struct ProfileActivation: Report {
    let profile: Person
    let now: Instant
    var text: String { "Mon espace santé a bien été activé ! (\(profile.displayName))" }
    var json: JSON { .obj([("status", "activated"), ("profile", ProfileView.json(profile, now: now))]) }
}

extension Closure: Report {
    public var text: String {
        let kept = deletionDate.map { Messages.closureContent(deletionAsked: delete, deletedOn: $0.parisDate.french) } ?? ""
        var lines = ["Mon espace santé a été clôturé le \(now.parisDate.french). \(kept)", "Vous pourrez l'activer de nouveau à tout moment."]
        if let receipt, let receiptPath { lines.append("Justificatif de clôture \(receipt.id) : \(receiptPath)") }
        return lines.joined(separator: "\n")
    }

    public var json: JSON {
        .obj([("status", .string(recorded ? "closed" : "already_closed")),
              ("content", .string(delete ? "delete_within_3_months" : "archive_10_years")),
              ("content_deleted_after", deletionDate.map { .string($0.iso8601) } ?? .null),
              ("receipt", receipt.map { .string($0.id) } ?? .null), ("receipt_file", receiptPath.map { .string($0) } ?? .null),
              ("profile", ProfileView.json(person, now: now))])
    }
}

extension SweepResult: Report {
    public var text: String {
        "\(created) espaces \(dryRun ? "seraient créés" : "créés automatiquement") (fenêtre de \(windowDays) jours)."
            + createdProfiles.map { "\n  [\($0.id)] \(Masking.nir($0.nir)) information envoyée le \($0.notifiedAt?.parisDate.french ?? "?")" }.joined()
            + waiting
            + "\n\(contentDeleted) espaces clôturés \(dryRun ? "verraient" : "ont vu") leur contenu supprimé (fin de conservation)."
            + contentDeletedProfiles.map { "\n  [\($0.id)] \(Masking.nir($0.nir))" }.joined()
    }

    /// The pending profiles no sweep creates, and why.
    private var waiting: String {
        var lines: [String] = []
        if awaitingSending > 0 { lines.append("\(plural(awaitingSending, "profil", "profils")) en attente de l'envoi de leur information (e-mail en file, courrier à imprimer ou à poster) : leur délai n'a pas commencé.") }
        if unreachable > 0 { lines.append("\(plural(unreachable, "profil injoignable", "profils injoignables")) : e-mail refusé et aucune adresse postale ; aucun espace ne sera créé sans information.") }
        if notNotified > 0 { lines.append("\(plural(notNotified, "profil", "profils")) sans information envoyée (mes notify ; sans adresse, aucun envoi possible).") }
        return lines.map { "\n" + $0 }.joined()
    }

    public var json: JSON {
        var pairs: [(String, JSON)] = [("status", .string(dryRun ? "dry_run" : "swept")), ("created", .int(created)),
                                       ("window_days", .int(windowDays)), ("content_deleted", .int(contentDeleted)),
                                       ("awaiting_sending", .int(awaitingSending)), ("unreachable", .int(unreachable)),
                                       ("not_notified", .int(notNotified))]
        if listed {
            pairs.append(("profiles", .array(createdProfiles.map { .int(Int($0.id)) })))
            pairs.append(("content_deleted_profiles", .array(contentDeletedProfiles.map { .int(Int($0.id)) })))
        }
        return .obj(pairs)
    }
}

extension AccessCodeSent: Report {
    public var text: String {
        let place = channel == "email" ? "à l'adresse \(masked)" : "au \(masked)"
        return "L'authentification est réussie, veuillez à présent saisir le code reçu. Le code a été envoyé \(place), il est valable pendant 15min."
    }

    public var json: JSON {
        .obj([("status", "code_sent"), ("channel", .string(channel)), ("destination", .string(masked))])
    }
}

extension SignedIn: Report {
    public var text: String { "Bienvenue \(person.firstName) !\nSession : \(token) (valable 30 minutes)" }
    public var json: JSON {
        .obj([("status", "signed_in"), ("session", .string(token)), ("profile", ProfileView.json(person, now: now))])
    }
}

extension RecoveryCodeSent: Report {
    public var text: String {
        switch kind {
        case .identifier:
            let place = channel == "email" ? "à l'adresse \(masked ?? "")" : "au \(masked ?? "")"
            return "Un code à usage unique a été envoyé \(place), il est valable pendant 15min. Saisissez-le pour retrouver votre identifiant (--otp-file)."
        case .password:
            return "Si cet identifiant correspond à un compte Mon espace santé, un code à usage unique a été envoyé à l'adresse e-mail ou au numéro de mobile enregistré ; il est valable pendant 15min. Vous ne recevez rien ? Appelez \(Messages.phoneService)."
        }
    }

    public var json: JSON {
        .obj([("status", "code_sent"), ("recovery", .string(kind.rawValue)),
              ("channel", JSON.str(channel)), ("destination", JSON.str(masked))])
    }
}

extension RecoveredIdentifier: Report {
    public var text: String { "Votre identifiant Mon espace santé : \(TextEscaping.terminalSafe(username))" }
    public var json: JSON { .obj([("status", "identifier_recovered"), ("username", .string(username))]) }
}

extension PasswordReset: Report {
    public var text: String { "Votre mot de passe a été modifié. Vous pouvez vous connecter à Mon espace santé (mes login)." }
    public var json: JSON { .obj([("status", "password_reset"), ("username", .string(username))]) }
}
