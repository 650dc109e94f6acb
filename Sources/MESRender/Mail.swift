import FoundationEssentials
import MESCore

/// An RFC 5322 e-mail in UTF-8 (8bit body, RFC 2047 encoded headers folded within 78 columns,
/// CRLF line ends), as the outbox keeps it; `MIME.sevenBit` gives the bytes handed to a transport.
public struct Email: Sendable {
    public var from = Email.defaultFrom
    public var to: String
    public var subject: String
    public var date: Instant
    public var messageID: String
    public var body: String

    public init(to: String, subject: String, date: Instant, messageID: String, body: String) {
        self.to = to
        self.subject = subject
        self.date = date
        self.messageID = messageID
        self.body = body
    }

    /// The `.eml` bytes: the headers, an empty line, then the body with its line ends as CRLF
    /// (one more CRLF unless it ends with a lone LF). Byte by byte: a notification wave renders
    /// millions of these.
    public func rendered() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(320 + body.utf8.count + body.utf8.count / 24)
        out += (from == Self.defaultFrom ? Self.defaultFromHeader : MIME.fold("From: " + MIME.address(from), limit: 78)).utf8
        out += "\r\nTo: <\(to)>\r\n".utf8
        out += Self.subjectHeader(subject).utf8
        out += "\r\nDate: ".utf8
        out += Self.rfc5322Date(date).utf8
        out += "\r\nMessage-ID: <\(messageID)>\r\n".utf8
        out += Self.fixedHeaders
        // A line end that is already CRLF stays as it is.
        var body = body
        body.withUTF8 { b in
            var start = 0
            for i in 0..<b.count where b[i] == 0x0A {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: b[start..<i]))
                if i == 0 || b[i - 1] != 0x0D { out.append(0x0D) }
                out.append(0x0A)
                start = i + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: b[start...]))
            if b.isEmpty || b[b.count - 1] != 0x0A || (b.count > 1 && b[b.count - 2] == 0x0D) { out += [0x0D, 0x0A] }
        }
        return out
    }

    public static let defaultFrom = "Mon espace santé <ne-pas-repondre@monespacesante.fr>"
    static let defaultFromHeader = "From: " + MIME.address(defaultFrom)
    static let fixedHeaders = Array("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n".utf8)

    /// `Subject: …`, 7-bit: one RFC 2047 encoded-word when the line fits in 78 columns (every
    /// subject the service sends but the longest), else encoded-words folded within 78 columns.
    static func subjectHeader(_ subject: String) -> String {
        let one = "Subject: " + encodeWord(MIME.headerSafe(subject))
        if one.utf8.count <= 78 { return one }
        return MIME.fold(MIME.header("Subject", subject), limit: 78)
    }

    /// RFC 2047 B-encoding when the text is not plain ASCII.
    static func encodeWord(_ s: String) -> String {
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return s }
        return "=?UTF-8?B?" + Data(s.utf8).base64EncodedString() + "?="
    }

    /// `Thu, 03 Feb 2022 11:00:00 +0100` (Paris time).
    public static func rfc5322Date(_ i: Instant) -> String {
        let off = i.parisOffset
        let local = Instant(seconds: i.seconds + off)
        let d = local.date
        let days = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let dow = ((d.daysSinceEpoch % 7) + 7) % 7
        let s = Int(((local.seconds % 86_400) + 86_400) % 86_400)
        func p(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(days[dow]), \(p(d.day)) \(months[d.month - 1]) \(d.year) \(p(s / 3600)):\(p(s / 60 % 60)):\(p(s % 60)) +\(p(Int(off / 3600)))00"
    }
}

/// The texts the service sends, in its own words (seeds 001 and 003).
public enum MessageTemplates {
    static let privacy = """
    Le service Mon espace santé mis en œuvre par l'Assurance Maladie et le Ministère des Solidarités et de la Santé garantit la protection de vos données personnelles conformément au Règlement Général sur la Protection des Données.
    Pour en savoir plus sur le traitement et sur vos droits, rendez-vous sur monespacesante.fr/protection-donnees-personnelles.
    """

    public static let onDemandSubject = "Votre code provisoire Mon espace santé"
    public static let notificationSubject = "Mon espace santé : votre code provisoire"
    public static let activatedSubject = "Votre profil Mon espace santé a bien été activé"
    public static let closedSubject = "Mon espace santé a été clôturé"
    public static let passwordChangedSubject = "Votre mot de passe Mon espace santé a été modifié"

    // MARK: whom a message is about, and who asked

    /// How a message names the person it is about: their name, or "votre enfant …" to a minor's
    /// legal representative.
    public static func naming(_ name: String, minor: Bool) -> String { minor ? Messages.yourChild(name) : name }

    /// Why an on-demand code comes, when it is not the seed's plain case (the person asking for
    /// their own code): who asked, and for which child. Nil for the plain case.
    public static func codeRequest(by requester: CodeRequester, child: String?) -> String? {
        let forChild = child.map { " " + Messages.forYourChild($0) } ?? ""
        switch requester {
        case .person: return child == nil ? nil : "Vous avez demandé un nouveau code provisoire\(forChild)."
        case .association(let name): return associationRequest(name, byLetter: false, child: child)
        }
    }

    /// "Ce code provisoire vous est adressé [par courrier] à la demande de l'association « … »,
    /// pour déposer une opposition à la création de Mon espace santé [pour votre enfant …]."
    static func associationRequest(_ name: String, byLetter: Bool, child: String?) -> String {
        "Ce code provisoire vous est adressé \(byLetter ? "par courrier " : "")\(Messages.atTheRequestOf(association: name)), "
            + "pour déposer une opposition à la création de Mon espace santé\(child.map { " " + Messages.forYourChild($0) } ?? "")."
    }

    /// The on-demand code e-mail (seed 003); `validity`: `Policy.onDemandValidityText`. For a
    /// child (`child`: its name) or a code an association asked for, a first paragraph says so.
    public static func onDemandEmail(code: String, validity: String = Policy.standard.onDemandValidityText,
                                     requester: CodeRequester = .person(choseChannel: false), child: String? = nil) -> String {
        let why = codeRequest(by: requester, child: child).map { $0 + "\n\n" } ?? ""
        return """
        Bonjour,

        \(why)Pour poursuivre votre identification, veuillez saisir le code provisoire suivant :

        \(code)

        Ce code est valable \(validity).

        Ce code provisoire ne fonctionnera qu'une seule fois.

        Une question ? Nous vous invitons à consulter l'aide en ligne.

        Avec toute mon attention,
        Votre correspondant Mon espace santé

        \(privacy)

        """
    }

    /// The on-demand code SMS (the text the gateway receives): for a child or at an
    /// association's request, "Mon espace santé, pour votre enfant … : votre code…".
    public static func onDemandSMS(code: String, validity: String = Policy.standard.onDemandValidityText,
                                   requester: CodeRequester = .person(choseChannel: false), child: String? = nil) -> String {
        var who = ""
        if case .association(let name) = requester { who += ", " + Messages.atTheRequestOf(association: name) }
        if let child { who += ", " + Messages.forYourChild(child) }
        return "Mon espace santé\(who) : votre code provisoire est \(code). Il est valable \(validity) et ne fonctionne qu'une seule fois."
    }

    /// The subject of a one-time code e-mail: a sign-in access code, or any other one-time code.
    public static func oneTimeCodeSubject(login: Bool) -> String {
        login ? "Votre code d'accès Mon espace santé" : "Votre code à usage unique Mon espace santé"
    }

    /// The line carrying a one-time code, and the sentence before it (recoveries say what was asked).
    static func oneTimeCodeLine(code: String, login: Bool, asked: String?) -> (intro: String, line: String) {
        (asked.map { "Vous avez demandé \($0). " } ?? "", login ? "Votre code d'accès : \(code)" : "Votre code à usage unique : \(code)")
    }

    /// The e-mail carrying a one-time code (sign-in, contact change, recovery). `asked`: what the
    /// person asked for (`à retrouver votre identifiant`), said with a warning; `validity`:
    /// `Policy.oneTimeCodeValidityText`.
    public static func oneTimeCodeEmail(code: String, login: Bool, asked: String?, validity: String) -> String {
        let (intro, line) = oneTimeCodeLine(code: code, login: login, asked: asked)
        let notYou = asked == nil ? "" : "\n\nSi vous n'êtes pas à l'origine de cette demande, ne communiquez ce code à personne."
        return "Bonjour,\n\n\(intro)\(line)\n\nCe code est valable \(validity) et ne fonctionne qu'une seule fois.\(notYou)\n\nAvec toute mon attention,\nVotre correspondant Mon espace santé\n"
    }

    /// The SMS carrying a one-time code (the text the gateway receives).
    public static func oneTimeCodeSMS(code: String, login: Bool, asked: String?, validity: String) -> String {
        let (intro, line) = oneTimeCodeLine(code: code, login: login, asked: asked)
        return "Mon espace santé : \(intro)\(line). Valable \(validity)."
    }

    /// A letter: the addressee's name and postal address above the text.
    public static func letter(name: String, address: String?, text: String) -> String {
        "\(name)\n\(address ?? "")\n\n" + text
    }

    /// Who a letter about `name` is addressed to: that person, or for a minor "Aux représentants
    /// légaux de" and, on the next line, the child's name (`LetterPrinting` makes it the address
    /// block's second line).
    public static func addressee(_ name: String, minor: Bool) -> String {
        minor ? Messages.legalRepresentatives + "\n" + name : name
    }

    /// "Avec Mon espace santé, vous pouvez : …" (seed 001).
    public static let benefits = """
        Avec Mon espace santé, vous pouvez :
        - stocker, classer et décider avec qui vous partagez vos informations de santé ;
        - échanger avec les professionnels qui assurent votre suivi médical grâce à une messagerie de santé sécurisée.
        """

    /// The e-mail confirming a closure (art. R1111-36).
    /// `child`: the name of the minor whose space it was (the e-mail goes to the legal representative).
    public static func closed(on date: String, deleted: Bool, deletedOn: String, receipt: String, child: String? = nil) -> String {
        let whose = child.map { " de " + Messages.yourChild($0) } ?? ""
        return """
        Bonjour,

        Mon espace santé\(whose) a été clôturé le \(date) à votre demande (justificatif de clôture \(receipt)).

        \(Messages.closureContent(deletionAsked: deleted, deletedOn: deletedOn))

        Vous pourrez l'activer de nouveau à tout moment sur https://www.monespacesante.fr.

        Avec toute mon attention,
        Votre correspondant Mon espace santé

        """
    }

    /// The e-mail confirming a new password chosen through "Mot de passe oublié ?".
    public static let passwordChanged = """
        Bonjour,

        Le mot de passe de votre compte Mon espace santé vient d'être modifié. Vos sessions en cours ont été fermées.

        Si vous n'êtes pas à l'origine de ce changement, contactez \(Messages.phoneService).

        Avec toute mon attention,
        Votre correspondant Mon espace santé

        """

    /// The subject of the e-mail confirming an activation (a minor's: to the legal representative).
    public static func activatedSubject(minor: Bool) -> String {
        minor ? "Le profil Mon espace santé de votre enfant a bien été activé" : activatedSubject
    }

    /// The e-mail confirming an activation.
    public static let activated = activated(child: nil)

    /// The e-mail confirming an activation, in seed 003's words; `child`: the minor's name, to
    /// the legal representative.
    public static func activated(child: String?) -> String {
        let (whose, you) = child.map { ("Le profil de " + Messages.yourChild($0), "Vous avez la main sur sa santé et vous pouvez désormais :") }
            ?? ("Votre profil", "Vous avez la main sur votre santé et vous pouvez désormais :")
        return """
        Bonjour,

        \(whose) a bien été activé !

        Bienvenue sur Mon espace santé.

        \(you)

        - Stocker et archiver en ligne l'essentiel de vos données de santé en toute sécurité ;
        - Partager une synthèse de votre profil médical avec les professionnels de santé qui vous accompagnent ;
        - Échanger avec vos professionnels de santé en toute confidentialité grâce à la messagerie de santé ;
        - Suivre la santé de vos enfants en rattachant leur profil directement au vôtre.

        Rendez-vous dès maintenant sur Mon espace santé pour compléter votre profil médical.

        ME CONNECTER À MON ESPACE SANTÉ : https://www.monespacesante.fr

        Une question ? Nous vous invitons à consulter l'aide en ligne.

        Avec toute mon attention,
        Votre correspondant Mon espace santé

        """
    }

    /// The notification e-mail or letter announcing the space (seed 001) for one profile.
    public static func notification(code: String, name: String, letter: Bool, window: String = Policy.standard.creationWindowText,
                                    validity: String = Policy.standard.notificationValidityText) -> String {
        notification(codes: [(name, code)], letter: letter, window: window, validity: validity)
    }

    /// The notification's first sentence: the seed's when its reader is one of the profiles it
    /// is for; else who will benefit (`names`: each as `naming` says it).
    public static func beneficiaries(_ names: [String], readerIncluded: Bool) -> String {
        if readerIncluded { return "Vous allez bénéficier de Mon espace santé." }
        guard names.count == 1, let first = names[0].first else { return "Vos proches vont bénéficier de Mon espace santé." }
        return first.uppercased() + names[0].dropFirst() + " va bénéficier de Mon espace santé."
    }

    /// The notification of a holder: every profile it will be created for, each with its code
    /// (`name`: as `naming` says it, "votre enfant …" for a minor). `opening`: `beneficiaries`.
    /// `window`: `Policy.creationWindowText`; `validity`: `Policy.notificationValidityText`.
    public static func notification(codes: [(name: String, code: String)], letter: Bool,
                                    opening: String = beneficiaries([], readerIncluded: true),
                                    window: String = Policy.standard.creationWindowText,
                                    validity: String = Policy.standard.notificationValidityText) -> String {
        let medium = letter ? "ce courrier" : "cet e-mail"
        let name = codes.map(\.name).joined(separator: ", ")
        let codeLines = codes.map { "Code provisoire pour \($0.name) : \($0.code)" }.joined(separator: "\n")
        return """
        Bonjour,

        \(opening) Ce nouveau service public, numérique et sécurisé, hébergé en France, vous permet d'être acteur au quotidien de votre santé et de celle de vos proches.

        Dans un délai de \(window) à partir de la réception de \(medium), le service Mon espace santé sera créé automatiquement pour : \(name)

        Avec votre carte Vitale et le code provisoire ci-dessous, vous pouvez :
        - activer sans attendre le service Mon espace santé ;
        - ou vous opposer à sa création.

        Vous pourrez à tout moment changer d'avis : clôturer votre espace ou l'activer si vous ne l'avez pas fait.

        \(codeLines)

        Ce code provisoire est confidentiel et valable \(validity) à partir de la réception de \(medium).

        ACTIVER MON ESPACE SANTÉ

        \(MessageTemplates.benefits)

        Avec toute mon attention,
        Votre correspondant Mon espace santé

        \(privacy)

        """
    }

    /// Why an on-demand code goes by letter, as the letter says it, and only what is true: the
    /// person asked for a code and has no e-mail and no mobile on file (or asked for a letter),
    /// or an association asked for it to file the member's opposition.
    public static func onDemandLetterReason(_ requester: CodeRequester) -> String {
        switch requester {
        case .person(choseChannel: false):
            return "Vous avez demandé un nouveau code provisoire pour Mon espace santé. Aucune adresse e-mail ni aucun numéro de mobile "
                + "ne figurant dans votre dossier, il vous est adressé par courrier."
        case .person(choseChannel: true):
            return "Vous avez demandé un nouveau code provisoire pour Mon espace santé, à recevoir par courrier."
        case .association(let name): return associationRequest(name, byLetter: true, child: nil)
        }
    }

    /// The letter carrying an on-demand code (`onDemandLetterReason`: why a letter). `minor`:
    /// the letter goes to the legal representatives and names "votre enfant …".
    /// `validity`: `Policy.notificationValidityText` (a letter's code lasts as long as a notification's).
    public static func onDemandLetter(code: String, name: String, address: String?, validity: String,
                                      requester: CodeRequester = .person(choseChannel: false), minor: Bool = false) -> String {
        letter(name: addressee(name, minor: minor), address: address, text: """
        Bonjour,

        \(onDemandLetterReason(requester))

        Code provisoire pour \(naming(name, minor: minor)) : \(code)

        Ce code est valable \(validity) à partir de son envoi et ne fonctionnera qu'une seule fois.

        Avec toute mon attention,
        Votre correspondant Mon espace santé

        """)
    }

    /// The code a delivered message carries, if any (for scripts reading the outbox).
    public static func code(in text: String) -> String? {
        func isCode(_ w: Substring) -> Bool {
            (w.count == 12 || w.count == 6) && w.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
        }
        for raw in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = raw.trimmingSpaces()
            if isCode(line[...]) { return line }
            for marker in ["Code provisoire pour ", "votre code provisoire est ", "Votre code à usage unique : ", "Votre code d'accès : "] {
                if let r = line.firstRange(of: marker) {
                    let rest = line[r.upperBound...]
                    let tail = rest.split(separator: " ").last(where: { isCode($0.trimmingScalars { $0 == "." }[...]) })
                    if let t = tail { return t.trimmingScalars { $0 == "." } }
                }
            }
        }
        return nil
    }
}
