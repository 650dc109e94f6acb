import MESCore
import MESRender
import MESStore

/// `mes code generate`, `mes identify`, `mes oppose`.
enum EnrolmentCommands {
    static let nirOption = OptionSpec.value("nir", "NIR", "Social-security number (spaces allowed).")
    static let cardOption = OptionSpec.value("card", "TYPE", "Carte Vitale model.", choices: CardType.allCases.map(\.rawValue))
    static let serialOption = OptionSpec.value("serial", "SERIAL", "Carte Vitale serial (photo: the 11 digits after 8025000002; plain: 8 to 13).")
    static let codeOption = OptionSpec.value("code", "CODE", "The 12-character provisional code.")
    static let sessionOption = OptionSpec.value("session", "TOKEN", "Session token printed by 'mes identify'.")
    static let yesOption = OptionSpec.flag("yes", short: "y", "Confirm the decision (else asked on a terminal).")
    static let legalOption = OptionSpec.flag("legal-representative", "Certify being the legal representative (profiles of minors).")
    static let receiptOption = OptionSpec.value("receipt", "FILE", "Where to write the PDF receipt (default: STORE/receipts/ID.pdf).", file: true)
    static let forceOption = OptionSpec.flag("force", "Replace an existing receipt file.")

    static var all: [CommandSpec] {
        [
            CommandSpec(
                ["code", "generate"], summary: "Send a new provisional code (15 minutes) to the contact on file.",
                discussion: "'Générer un nouveau code provisoire': identifies the profile by NIR, birth date (a child's own birth date for a child) and Carte Vitale, then sends the code by e-mail or SMS to the contact on file and prints the masked destination. With no e-mail and no mobile on file the code goes by postal letter (valid 6 weeks). A new code supersedes earlier ones; at least 30 seconds between two requests for one person. The code itself is only in the delivered message (mes outbox show).",
                options: [nirOption.asRequired(), .value("birth-date", "DATE", "Birth date of the person concerned (JJ/MM/AAAA or AAAA-MM-JJ).", required: true),
                          cardOption.asRequired(), serialOption.asRequired(),
                          .value("via", "CHANNEL", "Delivery channel (default: e-mail, else SMS, else letter).", choices: ["email", "sms"]),
                          .value("first-name", "NAME", "First name, when several profiles share the birth date (twins).")],
                examples: ["mes code generate --nir '1 16 30 44 038 016 18' --birth-date 08/06/1988 --card plain --serial 953701166"],
                run: codeGenerate),
            CommandSpec(
                ["identify"], summary: "Identify with a provisional code: consume it and open a session.",
                discussion: "Checks code + NIR + Carte Vitale. Success consumes the code (single use) and prints a session token valid 30 minutes, the profile and the profiles attached to it. A wrong code does not say which field was wrong; 5 wrong attempts on one card lock its codes (ask for a new one).",
                options: [codeOption.asRequired(), nirOption.asRequired(), cardOption.asRequired(), serialOption.asRequired()],
                examples: ["mes identify --code HuqZF3KXCz8k --nir 116304403801618 --card plain --serial 953701166"],
                run: identify),
            CommandSpec(
                ["oppose"], summary: "Oppose the creation of Mon espace santé and write the receipt.",
                discussion: "'Je valide l'opposition à la création de Mon espace santé: en validant cette décision, Mon espace santé ne sera pas créé. Vous pourrez créer Mon espace santé à tout moment.' Needs --yes (or a typed confirmation on a terminal). Identify with --session, or inline with --code/--nir/--card/--serial. Writes the PDF receipt at once. Opposing twice reports the existing opposition; an active space is refused (69): close it first. --assisted files an opposition for the phone service 3422 without code: the adviser checks identity with NIR, birth date and last name, and the decision is audited with the adviser's id.",
                usages: ["mes oppose --assisted --adviser ID --nir NIR --birth-date DATE --last-name NAME [--first-name NAME] --yes"],
                options: [sessionOption, codeOption, nirOption, cardOption, serialOption, yesOption, legalOption, receiptOption, forceOption,
                          .flag("assisted", "Phone channel (3422): an adviser files the opposition without code."),
                          .value("adviser", "ID", "With --assisted: the adviser's identifier (audited)."),
                          .value("birth-date", "DATE", "With --assisted: birth date."),
                          .value("last-name", "NAME", "With --assisted: last name (case and accents ignored)."),
                          .value("first-name", "NAME", "With --assisted: first name, for twins.")],
                examples: ["mes oppose --session TOKEN --yes",
                           "mes oppose --code HuqZF3KXCz8k --nir 116304403801618 --card plain --serial 953701166 --yes --receipt justificatif.pdf",
                           "mes oppose --assisted --adviser A042 --nir 116304403801618 --birth-date 08/06/1988 --last-name Leguellec --yes"],
                run: oppose),
        ]
    }

    static func codeGenerate(_ inv: Invocation, _ ctx: Context) throws {
        let now = try ctx.now()
        let nir = try Args.nir(inv)
        let birth = try Args.birthDate(inv, now: now)
        let card = try Args.card(inv)
        let serial = try Args.serial(inv, card: card)
        let store = try Args.store(ctx)
        let e = Enrolment(store: store, now: now)
        let d = try store.transaction {
            let person = try e.profile(nir: nir, birthDate: birth, card: card, serial: serial, firstName: inv.value("first-name"))
            return try e.requestCode(for: person, via: Args.via(inv))
        }
        let how: String
        switch d.channel {
        case .email: how = "Par e-mail : \(d.masked)"
        case .sms: how = "Par SMS : \(d.masked)"
        case .letter: how = "Par courrier postal (aucune adresse e-mail ni aucun mobile enregistré)"
        }
        ctx.emit(SimpleReport(
            text: "Un nouveau code provisoire a été envoyé.\n\(how)\nMessage : mes outbox show \(d.entry.id)\n"
                + "Mes coordonnées sont incorrectes ? " + Messages.contactsWrong,
            json: .obj([("schema_version", 1), ("status", "code_sent"), ("channel", .string(d.channel.rawValue)),
                        ("destination", .string(d.masked)), ("outbox_id", .int(Int(d.entry.id))),
                        ("expires_at", .string(d.expiresAt.iso8601))])))
    }

    static func identify(_ inv: Invocation, _ ctx: Context) throws {
        let now = try ctx.now()
        let code = try Args.code(inv)
        let nir = try Args.nir(inv)
        let card = try Args.card(inv)
        let serial = try Args.serial(inv, card: card)
        let store = try Args.store(ctx)
        let e = Enrolment(store: store, now: now)
        let (person, codeID) = try e.identify(code: code, nir: nir, card: card, serial: serial)
        let (token, attached) = try store.transaction {
            (try store.openSession(for: person.id, codeID: codeID, now: now, policy: e.policy), try store.attached(to: person))
        }
        var text = "Bonjour \(person.firstName) !\nProfil : \(person.displayName) — \(person.stateLabel)\n"
        if person.state == .opposed, let since = person.stateSince {
            text += "Vous vous êtes opposé à la création de Mon espace santé le \(since.parisDate.french). "
                + "Vous pouvez changer d'avis et y accéder dès maintenant en l'activant.\n"
        }
        text += "Je prends ma décision : mes oppose --session \(token) --yes  |  mes activate --session \(token) --accept-cgu …\n"
        text += "Session : \(token) (valable \(e.policy.sessionValidity / 60) minutes)\n"
        text += ProfileView.list(attached)
        ctx.emit(SimpleReport(
            text: text,
            json: .obj([("schema_version", 1), ("status", "identified"), ("session", .string(token)),
                        ("expires_at", .string(Instant(seconds: now.seconds + e.policy.sessionValidity).iso8601)),
                        ("profile", ProfileView.json(person, now: now)),
                        ("profiles", .array(attached.map { ProfileView.json($0, now: now) }))])))
    }

    static func oppose(_ inv: Invocation, _ ctx: Context) throws {
        if inv.flag("assisted") { return try opposeAssisted(inv, ctx) }
        let now = try ctx.now()
        let target = Enrolment.ReceiptTarget(path: inv.value("receipt"), force: inv.flag("force"))
        try FileIO.refuseExisting(target.path, force: target.force, field: "receipt")
        let legal = inv.flag("legal-representative")
        let outcome: Enrolment.OppositionOutcome
        if let token = inv.value("session") {
            for other in ["code", "nir", "card", "serial"] where inv.value(other) != nil {
                throw MESError.usage("--session and --\(other) cannot be used together", field: other)
            }
            try Confirmation.require(inv, ctx, prompt: confirmText)
            let store = try Args.store(ctx)
            let e = Enrolment(store: store, now: now)
            outcome = try store.transaction {
                let s = try store.session(token, now: now)
                return try e.oppose(s.person, channel: .web, actor: .self, codeID: s.codeID, legalRepresentative: legal, receipt: target)
            }
            try show(outcome, ctx: ctx, store: store, now: now)
        } else {
            guard inv.value("code") != nil else {
                throw MESError.usage("identify with --session TOKEN, or with --code, --nir, --card and --serial", field: "session")
            }
            let code = try Args.code(inv)
            let nir = try Args.nir(inv)
            let card = try Args.card(inv)
            let serial = try Args.serial(inv, card: card)
            try Confirmation.require(inv, ctx, prompt: confirmText)
            let store = try Args.store(ctx)
            let e = Enrolment(store: store, now: now)
            // One transaction: the code is consumed only if the opposition is filed; a wrong code is recorded.
            let result: Result<Enrolment.OppositionOutcome, MESError> = try store.transaction {
                switch try store.identify(code: code, nir: nir, card: card, serial: serial, now: now, policy: e.policy) {
                case .rejected(let err, _, _): return .failure(err)
                case .identified(let p, let codeID):
                    return .success(try e.oppose(p, channel: .web, actor: .self, codeID: codeID, legalRepresentative: legal, receipt: target))
                }
            }
            try show(try result.get(), ctx: ctx, store: store, now: now)
        }
    }

    static let confirmText = """
    Je valide l'opposition à la création de Mon espace santé.
    En validant cette décision, Mon espace santé ne sera pas créé.
    Vous pourrez créer Mon espace santé à tout moment.
    """

    static func opposeAssisted(_ inv: Invocation, _ ctx: Context) throws {
        let now = try ctx.now()
        let adviser = try inv.required("adviser")
        guard !adviser.trimmingSpaces.isEmpty else { throw MESError.usage("--adviser must not be empty", field: "adviser") }
        for other in ["session", "code", "card", "serial"] where inv.value(other) != nil {
            throw MESError.usage("--assisted identifies without --\(other)", field: other)
        }
        let nir = try Args.nir(inv)
        let birth = try Args.birthDate(inv, now: now)
        let lastName = try inv.required("last-name")
        let target = Enrolment.ReceiptTarget(path: inv.value("receipt"), force: inv.flag("force"))
        try Confirmation.require(inv, ctx, prompt: confirmText)
        let store = try Args.store(ctx)
        let e = Enrolment(store: store, now: now)
        let outcome = try store.transaction {
            var matches = try store.people(nir: nir).filter { $0.birthDate == birth && Names.same($0.lastName, lastName) }
            if matches.count > 1, let first = inv.value("first-name") { matches = matches.filter { Names.same($0.firstName, first) } }
            guard !matches.isEmpty else { throw MESError.identityNotFound }
            guard matches.count == 1 else {
                throw MESError(.profileAmbiguous, Messages.twins + " Précisez le prénom (--first-name).", field: "first-name")
            }
            return try e.oppose(matches[0], channel: .phone, actor: .adviser, actorID: adviser,
                                legalRepresentative: inv.flag("legal-representative"), receipt: target)
        }
        try show(outcome, ctx: ctx, store: store, now: now)
    }

    /// Prints an opposition's outcome, with the attached profiles the holder can manage next.
    static func show(_ outcome: Enrolment.OppositionOutcome, ctx: Context, store: Store, now: Instant) throws {
        switch outcome {
        case .opposed(let p, let r, let path):
            let attached = try store.attached(to: p)
            ctx.emit(SimpleReport(
                text: "Ma décision a bien été prise en compte.\n"
                    + "Votre demande d'opposition à la création de Mon espace santé a bien été prise en compte le \(r.decidedOn.french).\n"
                    + "Justificatif d'opposition : \(path)\n"
                    + "Référence \(r.id), code de vérification \(r.verification)\n"
                    + ProfileView.list(attached),
                json: .obj([("schema_version", 1), ("status", "opposed"), ("profile", ProfileView.json(p, now: now)),
                            ("receipt", .string(r.id)), ("receipt_file", .string(path)), ("verification", .string(r.verification)),
                            ("decided_on", .string(r.decidedOn.iso)),
                            ("profiles", .array(attached.map { ProfileView.json($0, now: now) }))])))
        case .alreadyOpposed(let p, let since, let r):
            ctx.emit(SimpleReport(
                text: "Vous vous êtes déjà opposé à la création de Mon espace santé le \(since.parisDate.french). Aucune nouvelle opposition n'a été enregistrée."
                    + (r.map { "\nJustificatif : référence \($0.id) (mes receipt --id \($0.id))" } ?? ""),
                json: .obj([("schema_version", 1), ("status", "already_opposed"), ("profile", ProfileView.json(p, now: now)),
                            ("opposed_at", .string(since.iso8601)), ("receipt", JSON.str(r?.id))])))
        }
    }
}

extension OptionSpec {
    /// The same option, marked required.
    func asRequired() -> OptionSpec {
        .value(name, short: short, value ?? "", help, choices: choices, file: completesFile, required: true)
    }
}
