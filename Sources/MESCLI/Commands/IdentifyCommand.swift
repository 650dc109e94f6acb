import MESCore
import MESService

/// `mes identify`: a provisional code opens a session.
enum IdentifyCommand {
    static var spec: CommandSpec {
        CommandSpec(
            ["identify"], summary: "Identify with a provisional code: consume it and open a session.",
            discussion: "What to have at hand, as the service says it: « \(Messages.whatToHave) » Checks code + NIR + Carte Vitale. Success consumes the code (single use) and prints a session token valid 30 minutes, the profile and the profiles attached to it. A wrong code does not say which field was wrong; 5 wrong attempts on one card lock its codes (ask for a new one).",
            options: [SharedOptions.code, SharedOptions.codeFile, SharedOptions.nir.asRequired(), SharedOptions.card.asRequired(), SharedOptions.serial.asRequired()],
            examples: ["mes identify --code-file code.txt --nir 116304403801618 --card plain --serial 953701166",
                       "mes identify --code HuqZF3KXCz8k --nir 116304403801618 --card plain --serial 953701166"],
            run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let code = try Args.code(inv, ctx)
        // The token is printed before the code is spent: if it cannot be, nothing is kept.
        _ = try ctx.service().identify(code: code, card: try Args.cardIdentity(inv)) { try ctx.emitNow($0) }
    }
}
