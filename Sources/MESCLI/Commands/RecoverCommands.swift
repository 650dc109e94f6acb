import MESCore
import MESRender
import MESService

/// `mes recover identifier` and `mes recover password`: "Identifiant oublié ?" and "Mot de passe oublié ?".
enum RecoverCommands {
    static let otp = Option("otp", "CODE", "The one-time code received (second step).")
    static let otpFile = Option("otp-file", "FILE", "Read the one-time code from FILE ('-': standard input).", file: true)
    static let otpOptions: [any DeclaredOption] = [otp, otpFile]
    static let via = Option("via", "CHANNEL", "Where to send the code.", choices: ["email", "sms"])
    static let birthDate = Option("birth-date", "DATE", "Birth date of the person concerned.", required: true)
    static let firstName = Option("first-name", "NAME", "First name, for twins.")

    static var identifier: CommandSpec {
        CommandSpec(
            ["recover", "identifier"], summary: "Recover a forgotten identifier (\"Identifiant oublié ?\").",
            discussion: "First step: the identity questions (--nir, --birth-date, --card, --serial; they count toward the same lockout as a code request) send a 6-digit code valid 15 minutes to the e-mail address (default) or mobile on file. Second step: the same identity with --otp-file (or --otp) prints the identifier. A wrong code counts against the NIR and against the code: 5 failures lock for 15 minutes. A profile without an open account is refused (69 no_account).",
            usages: ["mes recover identifier --nir NIR --birth-date DATE --card TYPE --serial SERIAL --otp-file FILE"],
            options: [SharedOptions.nir, birthDate, SharedOptions.card, SharedOptions.serial, firstName, via] + otpOptions + [SendNow.option],
            examples: ["mes recover identifier --nir 116304403801618 --birth-date 08/06/1988 --card plain --serial 953701166",
                       "mes recover identifier --nir 116304403801618 --birth-date 08/06/1988 --card plain --serial 953701166 --otp-file otp.txt"],
            run: runIdentifier)
    }

    static var password: CommandSpec {
        CommandSpec(
            ["recover", "password"], summary: "Choose a new password (\"Mot de passe oublié ?\").",
            discussion: "First step: --username sends a 6-digit code valid 15 minutes to the e-mail address on file (--via sms: the mobile), or to the other contact when that one is missing. The answer is the same, and as quick, whether the identifier exists or not: the code is queued, and sent by the delivery worker (mes outbox send), never inline. Second step: --username, --otp-file (or --otp) and the new password (--password-file with the password and its confirmation on two lines, standard input, or typed twice on a terminal without echo) set it, end every session, and confirm by e-mail. The password follows the activation's rules; a refused password spends nothing. A wrong code counts against the identifier like a wrong password at sign-in: 5 failures lock it for 15 minutes.",
            usages: ["mes recover password --username ID --otp-file FILE --password-file FILE"],
            options: [SharedOptions.username, via] + otpOptions + [SharedOptions.passwordFile],
            examples: ["mes recover password --username martine.l", "mes recover password --username martine.l --otp-file otp.txt --password-file pw.txt"],
            run: runPassword)
    }

    static func runIdentifier(_ inv: Invocation, _ ctx: Context) throws {
        let card = try Args.cardIdentity(inv)
        let birthDate = try Args.birthDate(inv, ctx, Self.birthDate)
        let service = try ctx.service()
        if let otp = try Args.secret(inv, ctx, Self.otp, file: Self.otpFile) {
            // Shown before the commit: output that cannot be written spends nothing.
            _ = try service.recoverIdentifier(card: card, birthDate: birthDate, firstName: inv[Self.firstName], code: otp) {
                try ctx.emitNow($0)
            }
            return
        }
        let sent = try service.requestIdentifierRecovery(card: card, birthDate: birthDate, firstName: inv[Self.firstName],
                                                         via: inv[Self.via])
        ctx.emit(SendNow.deliver(sent, message: sent.messageID ?? 0, service, inv, ctx))
    }

    static func runPassword(_ inv: Invocation, _ ctx: Context) throws {
        let username = try Args.username(inv)
        let service = try ctx.service()
        if let otp = try Args.secret(inv, ctx, Self.otp, file: Self.otpFile) {
            ctx.emit(try service.resetPassword(username: username, code: otp) { try Confirmation.password(inv, ctx, twice: true) })
            return
        }
        // Left in the queue for `mes outbox send`, never sent inline: how long sending took would
        // tell whether the identifier exists.
        ctx.emit(try service.requestPasswordRecovery(username: username, via: inv[Self.via]))
    }
}
