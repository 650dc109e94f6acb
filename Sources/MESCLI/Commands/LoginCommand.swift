import MESCore
import MESService

/// `mes login`: identifier and password, then a one-time access code.
enum LoginCommand {
    static let via = Option("via", "CHANNEL", "Where to send the access code.", choices: ["email", "sms"])
    static let otp = Option("otp", "CODE", "The access code received (second step).")
    static let otpFile = Option("otp-file", "FILE", "Read the access code from FILE ('-': standard input).", file: true)

    static var spec: CommandSpec {
        CommandSpec(
            ["login"], summary: "Sign in: identifier and password, then a one-time access code.",
            discussion: "First step: --username and the password (--password-file or standard input) send a 6-digit access code valid 15 minutes by e-mail (default) or SMS. Second step: --username and --otp CODE open a session. 5 failures in a row (password or code) lock the account for 15 minutes.",
            usages: ["mes login --username ID --otp-file FILE"],
            options: [SharedOptions.username, SharedOptions.passwordFile,
                      via,
                      otp,
                      otpFile, SendNow.option],
            examples: ["mes login --username martine.l --password-file pw.txt", "mes login --username martine.l --otp 123456"],
            run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let username = try Args.username(inv)
        if let otp = try Args.secret(inv, ctx, Self.otp, file: Self.otpFile) {
            _ = try ctx.service().login(username: username, accessCode: otp) { try ctx.emitNow($0) }
            return
        }
        let (password, _) = try Confirmation.password(inv, ctx, twice: false)
        let service = try ctx.service()
        let sent = try service.login(username: username, password: password, via: inv[Self.via])
        ctx.emit(SendNow.deliver(sent, message: sent.messageID, service, inv, ctx))
    }
}
