/// The service's own French wording (seeds and the official app), in one place.
public enum Messages {
    public static let identityNotFound = "Nous n'avons pas réussi à vous identifier. Veuillez vérifier votre saisie."
    public static let tooSoon = "Une erreur est survenue. Veuillez attendre \(Policy.standard.minimumIntervalText) puis réessayez."
    public static let codeExpired = "Votre code provisoire a expiré"
    public static let codeUsed = "Votre code provisoire a déjà été utilisé. Le code provisoire ne peut servir qu'une seule fois. Pour activer ou vous opposer à la création de Mon espace santé, vous devez générer un nouveau code (mes code generate)."
    public static let sessionExpired = "Votre session a expiré"
    public static let alreadyActive = "Un profil a déjà été créé pour cette personne."
    public static let notActivable = "Ce profil ne peut pas être activé"
    public static let usernameTaken = "Cet identifiant existe déjà. Veuillez en saisir un nouveau."
    public static let passwordPersonal = "Le mot de passe saisi contient des informations personnelles. Veuillez réessayer"
    public static let passwordCommon = "Le mot de passe saisi n'est pas assez sécurisé. Veuillez réessayer."
    public static let otpRejected = "Vérifier le code à usage unique et réessayer"
    public static let cguRequired = "Veuillez cocher l'autorisation"
    public static let nirLength = "Le numéro de sécurité sociale doit contenir 15 caractères"
    public static let nirFormat = "Format invalide, vérifier le format du numéro de sécurité sociale"
    public static let serialDigits = "Saisir uniquement des chiffres"
    public static let serialPhotoLength = "Format invalide, le numéro de série doit contenir 11 chiffres"
    public static let serialPlainLength = "Format invalide, le numéro de série doit contenir entre 8 et 13 chiffres"
    public static let codeLength = "Le code doit contenir 12 caractères"
    public static let codeCharacter = "Cette saisie contient un caractère non autorisé"
    public static let contactsWrong = "Je peux modifier mes coordonnées depuis mon compte en ligne de ma caisse d'Assurance Maladie ou en contactant directement ma caisse d'Assurance Maladie."
    /// The assisted path after too many failed identity checks (per NIR or per adviser).
    public static let assistedLocked = "Trop de vérifications d'identité infructueuses : réessayez dans \(Policy.standard.lockText)."
    public static let codeLocked = "Trop de tentatives infructueuses. Veuillez générer un nouveau code provisoire."

    /// Seeds 000 and 002, beside the serial field: where the serial is on each card, and whom to
    /// call when it cannot be read.
    public static func serialHelp(_ card: CardType) -> String {
        let where_ = card == .photo
            ? "Carte Vitale avec photo : le numéro de série se situe en haut à droite de votre carte Vitale. Renseignez les 11 derniers chiffres de votre numéro de série."
            : "Carte Vitale sans photo : le numéro de série se situe au dos en haut à gauche de votre carte Vitale. Il est composé de 8 à 13 chiffres."
        return "Où trouver mon numéro de série de carte Vitale ? " + where_
            + " Et si je n'arrive pas à lire le numéro de série de ma carte Vitale ? Afin d'obtenir le numéro de série de votre carte Vitale, contactez "
            + phoneService + "."
    }
    /// The decision step ("Je prends ma décision") and its options, as the service words them.
    public static let decisionTitle = "Je prends ma décision"
    public static let activateOption = "J'active Mon espace santé"
    /// Seed 003, under the sign-in form: where a space created automatically (or never
    /// activated) is entered for the first time.
    public static let notYetActivated = "Pas encore de profil ? Activez-le dès maintenant : identifiez-vous avec votre code provisoire "
        + "(mes identify), puis « J'active Mon espace santé » (mes activate)."
    public static let activateText = "J'ai la main sur ma santé : je gère mes informations et les partage en toute confidentialité et en toute sécurité."
    public static let opposeOption = "Je m'oppose à la création de Mon espace santé"
    /// Seed 003: what becomes of the DMP after an opposition.
    public static let dmpAfterOpposition = "Votre dossier médical partagé (DMP) n'est pas supprimé, mais il n'est plus possible d'y accéder "
        + "depuis le site dmp.fr et l'application DMP : il n'est plus accessible que depuis le site monespacesante.fr."
    /// Seed 002, under "Mon espace santé a bien été activé !".
    public static let activatedNext = "Je peux dès à présent découvrir toutes les fonctionnalités de Mon espace santé et commencer à compléter mon profil."
    /// Seeds 000, 002 and 003, before the journey starts: what to have at hand.
    public static let whatToHave = "Pour l'activer ou m'y opposer j'ai besoin d'avoir : le code provisoire reçu par e-mail ou courrier, "
        + "ma carte Vitale, 5 minutes de mon temps."
    public static let opposeText = "Je renonce aux avantages de Mon espace santé. Si je change d'avis, je peux à tout moment l'activer."
    /// The opposition's text for a deceased person's profile, which can never be activated.
    public static let opposeTextDeceased = "Je renonce aux avantages de Mon espace santé pour ce profil. Le profil d'une personne décédée ne peut pas être activé."
    public static let closeOption = "Je clôture Mon espace santé"
    public static let closeText = "Son contenu est conservé archivé pendant 10 ans, ou supprimé dans un délai de 3 mois si je le demande."
    /// The phone service, its number and hours.
    /// What becomes of a closed space's content, by the date `sweep` deletes it.
    public static func closureContent(deletionAsked: Bool, deletedOn date: String) -> String {
        deletionAsked ? "Son contenu sera supprimé dans un délai de 3 mois (le \(date))."
            : "Son contenu est conservé archivé pendant 10 ans, puis supprimé (le \(date))."
    }
    public static let phoneService = "le 3422 (service gratuit + prix d'un appel), du lundi au vendredi de 8h30 à 17h30"
    public static let phoneClosed = "Le service téléphonique Mon espace santé est fermé : appelez " + phoneService + "."
    public static let twins = "Plusieurs personnes rattachées à votre carte Vitale ont la même date de naissance."
    public static let fieldRequired = "Le champ est obligatoire."
    public static let birthDateInvalid = "Date de naissance invalide"
    public static let legalRepresentativeRequired = "Vous devez certifier être le représentant légal de ce profil."

    // MARK: whom a message speaks to, and who asked for it (each wording once)

    /// "votre enfant Paul-Antoine Dupont": how a message to a minor's legal representative names
    /// the child it is about (`ProfileRules.speaksToLegalRepresentative`).
    public static func yourChild(_ name: String) -> String { "votre enfant \(name)" }
    /// "pour votre enfant Paul-Antoine Dupont".
    public static func forYourChild(_ name: String) -> String { "pour " + yourChild(name) }
    /// The first line of a letter's address block when it goes to a minor's legal
    /// representatives: the child's name follows on the next line (`PostalAddress`'s complement).
    public static let legalRepresentatives = "Aux représentants légaux de"
    /// "à la demande de l'association « Les Amis »": a filing or a request an association made
    /// for its member (`batch oppose --association`), no-break spaces keeping the guillemets
    /// with the name. The batch's default name (`--association` not given) names no one: "à la
    /// demande d'une association".
    public static func atTheRequestOf(association name: String) -> String {
        name == ActorName.unnamedAssociation ? "à la demande d'une association" : "à la demande de l'association «\u{A0}\(name)\u{A0}»"
    }
}
