import MESCore
import MESService

/// `mes activate`: "J'active Mon espace santé".
enum ActivateCommand {
    static let username = Option("username", "ID", "The identifier to sign in with.")
    static let email = Option("email", "ADDRESS", "New e-mail address (confirmed by a one-time code).")
    static let emailOTP = Option("email-otp", "CODE", "The one-time code sent to the new e-mail address.")
    static let emailOTPFile = Option("email-otp-file", "FILE", "Read that code from FILE ('-': standard input).", file: true)
    static let mobile = Option("mobile", "NUMBER", "New mobile number (confirmed by a one-time code).")
    static let mobileOTP = Option("mobile-otp", "CODE", "The one-time code sent to the new mobile number.")
    static let mobileOTPFile = Option("mobile-otp-file", "FILE", "Read that code from FILE ('-': standard input).", file: true)
    static let birthDate = Option("birth-date", "DATE", "With --assisted: the caller's birth date (JJ/MM/AAAA or AAAA-MM-JJ).")
    static let firstName = Option("first-name", "NAME", "With --assisted: first name, for twins.")
    static let via = Option("via", "CHANNEL", "With --assisted: delivery channel of the code (default: e-mail, else SMS, else letter).",
                            choices: ["email", "sms"])

    static var spec: CommandSpec {
        CommandSpec(
            ["activate"], summary: "Activate Mon espace santé: CGU, contact check, identifier and password.",
            discussion: """
            Needs --accept-cgu (the CGU and the data-protection policy), then checks the contacts on file: --email NEW or --mobile NEW sends a 6-digit one-time code to the new address (see the outbox) and changes nothing yet; run again with --email-otp or --mobile-otp CODE to confirm it at its own step: the code is checked there (a wrong one is refused and counts toward the attempt limit), the contact changes, and the contact screen shows it (a mobile in pairs: 06 11 12 13 14); a contact already confirmed needs no code again. Then an identifier (8 to 100 characters of a-z 0-9 . - _, not an e-mail address, not the NIR, not an IBAN, not taken: free ones are suggested) and a password (at least 8 characters with a special character, a digit, an upper-case and a lower-case letter, typed twice, without the person's names, NIR or birth date, not a common password): every unmet rule is listed at once. The password is read from --password-file or standard input (two lines) and stored only as an scrypt hash. An opposed person can activate at any time; a deceased person's profile cannot be activated.

            --assisted: an adviser of the phone service 3422 starts the caller's activation (seed 004: an adviser can be called at every step): after the identity questions (NIR, birth date, last name; within the service's hours, with the same locks and audit as mes oppose --assisted), and if the profile can be activated (not deceased, not a space already entered), a new provisional code goes to the contact on file, as mes code generate sends it, and the audit trail records activation_started with the adviser. The caller goes on alone: mes identify with that code (it offers the activation first), then mes activate with an identifier and a password of their own, which an adviser never chooses.
            """,
            options: SharedOptions.sessions + [SharedOptions.acceptCGU, username, SharedOptions.passwordFile,
                                               email, emailOTP, emailOTPFile, mobile, mobileOTP, mobileOTPFile,
                                               SharedOptions.legalRepresentative, SharedOptions.nir, birthDate, firstName, via]
                + AssistedOptions.all + [SendNow.option],
            examples: ["mes activate --session TOKEN --accept-cgu --email me@example.fr",
                       "mes activate --session TOKEN --accept-cgu --email me@example.fr --email-otp 034567 --username martine.l --password-file pw.txt",
                       "mes activate --assisted --adviser A042 --nir 116304403801618 --birth-date 08/06/1988 --last-name Leguellec"],
            run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        if inv[AssistedOptions.assisted] {
            // The caller accepts the CGU, and chooses an identifier and a password, when they
            // activate with the code: none of that is the adviser's.
            let caller = try AssistedOptions.caller(inv, ctx, birthDate: Self.birthDate, firstName: Self.firstName,
                                                    excluded: [SharedOptions.session, SharedOptions.sessionFile, Self.username, Self.email,
                                                               Self.mobile, Self.emailOTP, Self.mobileOTP, Self.emailOTPFile, Self.mobileOTPFile])
            let service = try ctx.service()
            let delivery = try service.startActivation(caller, via: Args.via(inv, Self.via))
            ctx.emit(SendNow.deliver(delivery, message: delivery.entry.id, service, inv, ctx))
            if !ctx.json { ctx.note("Activation commencée : avec ce code, l'appelant s'identifie (mes identify) puis active son espace (mes activate).") }
            return
        }
        for o in [Self.birthDate, Self.firstName, Self.via, AssistedOptions.adviser, AssistedOptions.lastName, SharedOptions.nir] where inv[o] != nil {
            throw Usage.conflicting(o.name, "--\(o.name) va avec --assisted (un conseiller du 3422)")
        }
        guard inv[SharedOptions.acceptCGU] else { throw MESError.cguRequired }
        let request = ActivationRequest(
            session: try Args.session(inv, ctx), newEmail: inv[Self.email]?.trimmingSpaces, newMobile: inv[Self.mobile]?.trimmingSpaces,
            emailCode: try Args.secret(inv, ctx, Self.emailOTP, file: Self.emailOTPFile), mobileCode: try Args.secret(inv, ctx, Self.mobileOTP, file: Self.mobileOTPFile),
            username: inv[Self.username],
            legalRepresentative: inv[SharedOptions.legalRepresentative])
        let service = try ctx.service()
        let result = try service.activate(request) { try Confirmation.password(inv, ctx, twice: true) }
        guard !inv[SendNow.option] else { return ctx.emit(result) }
        for id in result.messages { _ = service.sendNow(id) }
        ctx.emit(result)
    }
}
