import MESCore
import MESService

/// `mes profiles activate`: the activation for an attached profile.
enum ProfilesActivateCommand {
    static var spec: CommandSpec {
        CommandSpec(
            ["profiles", "activate"], summary: "Activate Mon espace santé for an attached profile.",
            discussion: "Needs --accept-cgu (the CGU and the data-protection policy). A deceased person's profile cannot be activated. Acting for a minor needs --legal-representative.",
            options: SharedOptions.sessions + [SharedOptions.profile, SharedOptions.acceptCGU, SharedOptions.yes,
                      SharedOptions.legalRepresentative],
            examples: ["mes profiles activate --session TOKEN --profile 4 --accept-cgu --legal-representative --yes"], run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        guard inv[SharedOptions.acceptCGU] else { throw MESError.cguRequired }
        try Confirmation.require(inv, ctx, prompt: "J'active Mon espace santé pour ce profil.")
        let (profile, now) = try ctx.service().activateProfile(session: try Args.session(inv, ctx), profileID: try Args.profileID(inv),
                                                               legalRepresentative: inv[SharedOptions.legalRepresentative])
        ctx.emit(ProfileActivation(profile: profile, now: now))
    }
}
