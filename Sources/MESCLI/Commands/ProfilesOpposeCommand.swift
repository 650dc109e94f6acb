import MESCore
import MESService

/// `mes profiles oppose`: the opposition for an attached profile.
enum ProfilesOpposeCommand {
    static var spec: CommandSpec {
        CommandSpec(
            ["profiles", "oppose"], summary: "Oppose for an attached profile (a child, a dependant) and write its receipt.",
            discussion: "Acting for a minor needs --legal-representative ('Je certifie être le représentant légal de …').",
            options: SharedOptions.sessions + [SharedOptions.profile, SharedOptions.yes,
                      SharedOptions.legalRepresentative, SharedOptions.receipt, SharedOptions.force],
            examples: ["mes profiles oppose --session TOKEN --profile 3 --legal-representative --yes"], run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let identity = OppositionIdentity.attachedProfile(session: try Args.session(inv, ctx), profileID: try Args.profileID(inv))
        try Confirmation.require(inv, ctx, prompt: Confirmation.opposition)
        ctx.emit(try ctx.service().oppose(OppositionRequest(identity: identity, legalRepresentative: inv[SharedOptions.legalRepresentative],
                                                            receiptPath: inv[SharedOptions.receipt], force: inv[SharedOptions.force])))
    }
}
