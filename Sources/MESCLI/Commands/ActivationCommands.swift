#if canImport(Glibc)
import Glibc
#endif
import MESCore
import MESCrypto
import MESRender
import MESStore

/// `mes activate`, `mes close`, `mes sweep`, `mes login`.
enum ActivationCommands {
    static let passwordFileOption = OptionSpec.value(
        "password-file", "FILE", "File holding the password (and, on a second line, its confirmation); else read from standard input. Never on the command line.",
        file: true)
    /// Login attempts (password or access code) before the account is locked for 15 minutes.
    static let maxLoginFailures = 5
    static let loginLockSeconds: Int64 = 15 * 60
    static let otpValidity: Int64 = 15 * 60

    static var all: [CommandSpec] {
        [
            CommandSpec(
                ["activate"], summary: "Activate Mon espace santé: CGU, contact check, identifier and password.",
                discussion: """
                Needs --accept-cgu (the CGU and the data-protection policy), then checks the contacts on file: --email NEW or --mobile NEW sends a 6-digit one-time code to the new address (see the outbox) and changes nothing yet; run again with --email-otp or --mobile-otp to confirm it. Then an identifier (8 to 100 characters of a-z 0-9 . - _, not an e-mail address, not the NIR, not an IBAN, not taken: free ones are suggested) and a password (at least 8 characters with a special character, a digit, an upper-case and a lower-case letter, typed twice, without the person's names, NIR or birth date, not a common password): every unmet rule is listed at once. The password is read from --password-file or standard input (two lines) and stored only as an scrypt hash. An opposed person can activate at any time; a deceased person's profile cannot be activated.
                """,
                options: [EnrolmentCommands.sessionOption.asRequired(), .flag("accept-cgu", "Accept the CGU and the data-protection policy."),
                          .value("username", "ID", "The identifier to sign in with."), passwordFileOption,
                          .value("email", "ADDRESS", "New e-mail address (confirmed by a one-time code)."),
                          .value("email-otp", "CODE", "The one-time code sent to the new e-mail address."),
                          .value("mobile", "NUMBER", "New mobile number (confirmed by a one-time code)."),
                          .value("mobile-otp", "CODE", "The one-time code sent to the new mobile number."),
                          EnrolmentCommands.legalOption],
                examples: ["mes activate --session TOKEN --accept-cgu --email me@example.fr",
                           "mes activate --session TOKEN --accept-cgu --email me@example.fr --email-otp 034567 --username martine.l --password-file pw.txt"],
                run: activate),
            CommandSpec(
                ["close"], summary: "Close an active Mon espace santé (art. R1111-36).",
                discussion: "The space is closed at once and its account disabled. Its content is kept archived for 10 years and then deleted; with --delete it is deleted within 3 months instead. The holder can activate again later.",
                options: [EnrolmentCommands.sessionOption.asRequired(), EnrolmentCommands.yesOption,
                          .flag("delete", "Ask for the content to be deleted (within 3 months) rather than archived 10 years.")],
                examples: ["mes close --session TOKEN --yes"], run: close),
            CommandSpec(
                ["sweep"], summary: "Create automatically the spaces whose window ended without a decision.",
                discussion: "Every living profile notified longer ago than the window (default 42 days, art. R1111-28) and still pending becomes active, recorded as automatic_creation by the system. Running it again changes nothing.",
                options: [.flag("dry-run", "List what would be created; change nothing."),
                          .value("window-days", "DAYS", "The window in days (default 42).")],
                examples: ["mes sweep --dry-run", "mes --now 2022-03-20T00:00:00Z sweep"], run: sweep),
            CommandSpec(
                ["login"], summary: "Sign in: identifier and password, then a one-time access code.",
                discussion: "First step: --username and the password (--password-file or standard input) send a 6-digit access code valid 15 minutes by e-mail (default) or SMS. Second step: --username and --otp CODE open a session. 5 failures in a row (password or code) lock the account for 15 minutes.",
                usages: ["mes login --username ID --otp CODE"],
                options: [.value("username", "ID", "Your identifier.", required: true), passwordFileOption,
                          .value("via", "CHANNEL", "Where to send the access code.", choices: ["email", "sms"]),
                          .value("otp", "CODE", "The access code received (second step).")],
                examples: ["mes login --username martine.l --password-file pw.txt", "mes login --username martine.l --otp 123456"],
                run: login),
        ]
    }

    // MARK: passwords

    /// The password and its confirmation: from --password-file (one or two lines) or standard input.
    static func readPassword(_ inv: Invocation, _ ctx: Context, twice: Bool) throws -> (String, String) {
        let text: String
        if let path = inv.value("password-file") {
            text = String(decoding: try FileIO.read(path, field: "password-file"), as: UTF8.self)
        } else if ctx.stdin.isTerminal {
            let first = try promptHidden("Mot de passe : ", ctx)
            let second = twice ? try promptHidden("Confirmer le mot de passe : ", ctx) : first
            return (first, second)
        } else {
            text = String(decoding: try ctx.stdin.readAll(), as: UTF8.self)
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        guard let first = lines.first, !first.isEmpty else {
            throw MESError.invalid(.passwordRequired, Messages.fieldRequired + " (mot de passe : --password-file ou entrée standard)", field: "password")
        }
        let second = lines.count > 1 && !lines[1].isEmpty ? lines[1] : first
        return (first, second)
    }

    static func promptHidden(_ prompt: String, _ ctx: Context) throws -> String {
        ctx.stderr.write(prompt)
        ctx.stderr.flush()
        var saved = termios()
        tcgetattr(0, &saved)
        var noEcho = saved
        noEcho.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(0, TCSANOW, &noEcho)
        defer { tcsetattr(0, TCSANOW, &saved); ctx.stderr.write("\n"); ctx.stderr.flush() }
        var line: [UInt8] = []
        var c: UInt8 = 0
        while read(0, &c, 1) == 1 && c != 0x0A { line.append(c) }
        return String(decoding: line, as: UTF8.self)
    }

    // MARK: activate

    static func activate(_ inv: Invocation, _ ctx: Context) throws {
        let now = try ctx.now()
        guard inv.flag("accept-cgu") else {
            throw MESError.cguRequired
        }
        let newEmail = inv.value("email")?.trimmingSpaces
        let newMobile = inv.value("mobile")?.trimmingSpaces
        if let e = newEmail, !Roster.plausibleEmail(e) {
            throw MESError.invalid(.emailInvalid, "Adresse e-mail invalide", field: "email")
        }
        if let m = newMobile, m.filter(\.isNumber).count < 9 || !m.allSatisfy({ $0.isNumber || $0 == " " || $0 == "+" || $0 == "." }) {
            throw MESError.invalid(.mobileInvalid, "Numéro de mobile invalide", field: "mobile")
        }
        let store = try Args.store(ctx)
        let person = try store.read { try store.session(try inv.required("session"), now: now).person }
        if case .refused(let e) = ProfileRules.transition(.activation, from: person.state, deceased: person.deceased) { throw e }
        try ProfileRules.requireCertification(birthDate: person.birthDate, on: now.parisDate, certified: inv.flag("legal-representative"))

        // Contact changes without their one-time code: send the codes, change nothing else.
        var pendingChanges: [(OTPPurpose, String)] = []
        if let e = newEmail, inv.value("email-otp") == nil { pendingChanges.append((.email, e)) }
        if let m = newMobile, inv.value("mobile-otp") == nil { pendingChanges.append((.mobile, m)) }
        if !pendingChanges.isEmpty {
            let sent = try store.transaction { () -> [String] in
                try pendingChanges.map { purpose, target in
                    let code = Store.newOTP()
                    try store.recordOTP(code, personID: person.id, purpose: purpose, target: target, now: now, validity: otpValidity)
                    try store.deliver(otpMessage(code: code, channel: purpose == .email ? .email : .sms, to: target, now: now,
                                                 personID: person.id, login: false), to: person.id, now: now)
                    try store.audit("otp_sent", at: now, person: person.id, detail: purpose.rawValue)
                    return purpose == .email ? "Un code à usage unique vous a été envoyé à l'adresse \(target)"
                        : "Un code à usage unique vous a été envoyé au \(target)"
                }
            }
            ctx.emit(SimpleReport(
                text: sent.joined(separator: "\n") + "\nConfirmez avec --email-otp / --mobile-otp CODE (valable 15 minutes).",
                json: .obj([("schema_version", 1), ("status", "otp_sent"),
                            ("channels", .array(pendingChanges.map { .string($0.0.rawValue) }))])))
            return
        }

        let username = try inv.required("username").trimmingSpaces
        var problems = Credentials.identifierProblems(username, nir: person.nir)
        let (password, confirmation) = try readPassword(inv, ctx, twice: true)
        let passwordProblems = Credentials.passwordProblems(password, confirmation: confirmation, person: person)
        if !problems.isEmpty {
            throw MESError(.usernameInvalid, "Identifiant refusé : " + problems.map(\.message).joined(separator: " ; "), field: "username")
        }
        if try store.usernameTaken(username) {
            let free = Credentials.suggestions(for: username, birthYear: person.birthDate.year) { (try? store.usernameTaken($0)) == false }
            throw MESError(.usernameTaken,
                           Messages.usernameTaken + (free.isEmpty ? "" : " Identifiants disponibles : " + free.joined(separator: ", ")), field: "username")
        }
        problems = passwordProblems
        if !problems.isEmpty {
            let code = problems.count == 1 ? problems[0].code : .passwordInvalid
            throw MESError(code, "Mot de passe refusé : " + problems.map(\.message).joined(separator: " ; "), field: "password")
        }
        let hash = PasswordHasher.hash(password)
        let wasOpposedOn = person.state == .opposed ? person.stateSince : nil
        try store.transaction {
            if let e = newEmail, let otp = inv.value("email-otp") {
                guard try store.consumeOTP(otp, personID: person.id, purpose: .email, target: e, now: now, maxFailures: 5) else {
                    throw MESError(.otpRejected, Messages.otpRejected, field: "email-otp")
                }
            }
            if let m = newMobile, let otp = inv.value("mobile-otp") {
                guard try store.consumeOTP(otp, personID: person.id, purpose: .mobile, target: m, now: now, maxFailures: 5) else {
                    throw MESError(.otpRejected, Messages.otpRejected, field: "mobile-otp")
                }
            }
            try store.setContact(personID: person.id, email: newEmail, mobile: newMobile)
            try store.saveAccount(personID: person.id, username: username, passwordHash: hash, now: now)
            try store.recordDecision(.activation, person: person, state: .active, now: now, channel: .web,
                                     actor: ProfileRules.isMinor(birthDate: person.birthDate, on: now.parisDate) ? .legalRepresentative : .self)
            if let email = newEmail ?? person.email {
                let body = "Bonjour,\n\nVotre profil a bien été activé !\n\nBienvenue sur Mon espace santé.\n\nAvec toute mon attention,\nVotre correspondant Mon espace santé\n"
                let mail = Email(to: email, subject: "Votre profil Mon espace santé a bien été activé", date: now,
                                 messageID: "\(now.seconds).\(person.id).a@mes.invalid", body: body)
                try store.deliver(OutgoingMessage(channel: .email, recipientMasked: Masking.email(email), subject: mail.subject,
                                                  body: mail.rendered()), to: person.id, now: now)
            }
        }
        var text = ""
        if let since = wasOpposedOn {
            text += "Vous vous êtes opposé à la création de Mon espace santé le \(since.parisDate.french). Vous pouvez changer d'avis et y accéder dès maintenant en l'activant.\n"
        }
        text += "Mon espace santé a bien été activé !\nIdentifiant : \(username)"
        var updated = person
        updated.state = .active
        updated.stateSince = now
        ctx.emit(SimpleReport(text: text, json: .obj([("schema_version", 1), ("status", "activated"), ("username", .string(username)),
                                                      ("profile", ProfileView.json(updated, now: now)),
                                                      ("previously_opposed_at", JSON.str(wasOpposedOn?.iso8601))])))
    }

    static func otpMessage(code: String, channel: OutgoingMessage.Channel, to target: String, now: Instant, personID: Int64,
                           login: Bool) -> OutgoingMessage {
        let line = login ? "Votre code d'accès : \(code)" : "Votre code à usage unique : \(code)"
        if channel == .email {
            let subject = login ? "Votre code d'accès Mon espace santé" : "Votre code à usage unique Mon espace santé"
            let body = "Bonjour,\n\n\(line)\n\nCe code est valable 15 minutes et ne fonctionne qu'une seule fois.\n\nAvec toute mon attention,\nVotre correspondant Mon espace santé\n"
            let mail = Email(to: target, subject: subject, date: now, messageID: "\(now.seconds).\(personID).\(login ? "l" : "o")@mes.invalid", body: body)
            return OutgoingMessage(channel: .email, recipientMasked: Masking.email(target), subject: subject, body: mail.rendered())
        }
        return OutgoingMessage(channel: .sms, recipientMasked: Masking.mobile(target), subject: "SMS",
                               body: Array("À : \(target)\n\nMon espace santé : \(line). Valable 15 minutes.\n".utf8))
    }

    // MARK: close

    static func close(_ inv: Invocation, _ ctx: Context) throws {
        let now = try ctx.now()
        try Confirmation.require(inv, ctx, prompt: "Je clôture Mon espace santé.")
        let store = try Args.store(ctx)
        let delete = inv.flag("delete")
        let person = try store.transaction { () -> Person in
            let p = try store.session(try inv.required("session"), now: now).person
            switch ProfileRules.transition(.closure, from: p.state, deceased: p.deceased) {
            case .refused(let e): throw e
            case .already: return p
            case .apply(let state):
                try store.recordDecision(.closure, person: p, state: state, now: now, channel: .web, actor: .self)
                try store.closeAccount(personID: p.id, now: now)
                try store.audit("closure_content", at: now, person: p.id, detail: delete ? "delete_within_3_months" : "archive_10_years")
                var q = p
                q.state = state
                q.stateSince = now
                return q
            }
        }
        let kept = delete ? "Son contenu sera supprimé dans un délai de 3 mois."
            : "Son contenu est conservé archivé pendant 10 ans, puis supprimé."
        ctx.emit(SimpleReport(text: "Mon espace santé a été clôturé le \(now.parisDate.french). \(kept)\nVous pourrez l'activer de nouveau à tout moment.",
                              json: .obj([("schema_version", 1), ("status", "closed"), ("content", .string(delete ? "delete_within_3_months" : "archive_10_years")),
                                          ("profile", ProfileView.json(person, now: now))])))
    }

    // MARK: sweep

    static func sweep(_ inv: Invocation, _ ctx: Context) throws {
        let now = try ctx.now()
        let days = try inv.integer("window-days", default: 42, range: 1...3650)
        let cutoff = now.adding(seconds: -Int64(days) * 86_400)
        let store = try Args.store(ctx)
        let dry = inv.flag("dry-run")
        let created = try store.transaction { () -> [Person] in
            let due = try store.pendingNotified(before: cutoff).filter { !$0.deceased }
            if !dry {
                for p in due {
                    try store.recordDecision(.automaticCreation, person: p, state: .active, now: now, channel: .automatic, actor: .system)
                }
            }
            return due
        }
        let verb = dry ? "seraient créés" : "créés automatiquement"
        ctx.emit(SimpleReport(
            text: "\(created.count) espaces \(verb) (fenêtre de \(days) jours)."
                + created.map { "\n  [\($0.id)] \(Masking.nir($0.nir)) notifié le \($0.notifiedAt?.parisDate.french ?? "?")" }.joined(),
            json: .obj([("schema_version", 1), ("status", .string(dry ? "dry_run" : "swept")), ("created", .int(created.count)),
                        ("window_days", .int(days)), ("profiles", .array(created.map { .int(Int($0.id)) }))])))
    }

    // MARK: login

    static let loginFailed = MESError(.identityNotFound, "Identifiant ou mot de passe incorrect.")
    static let accountLocked = MESError(.locked,
                                        "Trop de tentatives infructueuses : votre compte est bloqué pendant 15 minutes.")

    static func login(_ inv: Invocation, _ ctx: Context) throws {
        let now = try ctx.now()
        let username = try inv.required("username").trimmingSpaces
        if let otp = inv.value("otp") { return try loginWithCode(username, otp, ctx, now: now) }
        let (password, _) = try readPassword(inv, ctx, twice: false)
        let store = try Args.store(ctx)
        guard let account = try store.account(username: username), account.closedAt == nil else {
            _ = PasswordHasher.verify(password, against: dummyHash)  // same time as a real check
            throw loginFailed
        }
        if let until = account.lockedUntil, until > now { throw accountLocked }
        guard PasswordHasher.verify(password, against: account.passwordHash) else {
            let locked = try store.transaction {
                try store.noteLoginFailure(personID: account.personID, now: now, maxFailures: maxLoginFailures, lockSeconds: loginLockSeconds)
            }
            throw locked ? accountLocked : loginFailed
        }
        let (masked, channel) = try store.transaction { () -> (String, String) in
            guard let p = try store.person(id: account.personID) else { throw loginFailed }
            let via = inv.value("via") ?? (p.email != nil ? "email" : "sms")
            guard let target = via == "email" ? p.email : p.mobile else {
                throw MESError.contactMissing(via == "email" ? "e-mail" : "mobile")
            }
            let code = Store.newOTP()
            try store.recordOTP(code, personID: p.id, purpose: .login, target: nil, now: now, validity: otpValidity)
            let m = otpMessage(code: code, channel: via == "email" ? .email : .sms, to: target, now: now, personID: p.id, login: true)
            try store.deliver(m, to: p.id, now: now)
            try store.audit("login_code_sent", at: now, person: p.id, detail: via)
            return (m.recipientMasked, via)
        }
        let place = channel == "email" ? "à l'adresse \(masked)" : "au \(masked)"
        ctx.emit(SimpleReport(
            text: "L'authentification est réussie, veuillez à présent saisir le code reçu. Le code a été envoyé \(place), il est valable pendant 15min.",
            json: .obj([("schema_version", 1), ("status", "code_sent"), ("channel", .string(channel)), ("destination", .string(masked))])))
    }

    static func loginWithCode(_ username: String, _ otp: String, _ ctx: Context, now: Instant) throws {
        let store = try Args.store(ctx)
        let outcome: Result<(String, Person), MESError> = try store.transaction {
            guard let account = try store.account(username: username), account.closedAt == nil,
                  let person = try store.person(id: account.personID) else { return .failure(loginFailed) }
            if let until = account.lockedUntil, until > now { return .failure(accountLocked) }
            guard try store.consumeOTP(otp, personID: person.id, purpose: .login, target: nil, now: now, maxFailures: maxLoginFailures) else {
                let locked = try store.noteLoginFailure(personID: person.id, now: now, maxFailures: maxLoginFailures, lockSeconds: loginLockSeconds)
                return .failure(locked ? accountLocked : MESError(.otpRejected, Messages.otpRejected, field: "otp"))
            }
            try store.resetLoginFailures(personID: person.id)
            try store.audit("login", at: now, person: person.id, channel: .web, actor: .self)
            return .success((try store.openSession(for: person.id, codeID: nil, now: now, policy: .standard), person))
        }
        let (token, person) = try outcome.get()
        ctx.emit(SimpleReport(text: "Bienvenue \(person.firstName) !\nSession : \(token) (valable 30 minutes)",
                              json: .obj([("schema_version", 1), ("status", "signed_in"), ("session", .string(token)),
                                          ("profile", ProfileView.json(person, now: now))])))
    }

    /// A real scrypt hash of nothing useful, to spend the same time on unknown identifiers.
    static let dummyHash = "$scrypt$ln=15,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
}
