import MESCore
import MESRender
import MESStore

/// `mes profiles list|oppose|activate`: the profiles attached to the holder of a session.
enum ProfileCommands {
    static let profileOption = OptionSpec.value("profile", "ID", "Profile number from 'mes profiles list'.", required: true)

    static var all: [CommandSpec] {
        [
            CommandSpec(
                ["profiles", "list"], summary: "List the profiles attached to the session's holder, with their state.",
                discussion: "States as the service shows them: 'Profil opposé le JJ/MM/AAAA', 'En attente de décision', 'Profil actif', 'Profil clôturé'.",
                options: [EnrolmentCommands.sessionOption.asRequired()],
                examples: ["mes profiles list --session TOKEN"], run: list),
            CommandSpec(
                ["profiles", "oppose"], summary: "Oppose for an attached profile (a child, a dependant) and write its receipt.",
                discussion: "Acting for a minor needs --legal-representative ('Je certifie être le représentant légal de …').",
                options: [EnrolmentCommands.sessionOption.asRequired(), profileOption, EnrolmentCommands.yesOption,
                          EnrolmentCommands.legalOption, EnrolmentCommands.receiptOption, EnrolmentCommands.forceOption],
                examples: ["mes profiles oppose --session TOKEN --profile 3 --legal-representative --yes"], run: oppose),
            CommandSpec(
                ["profiles", "activate"], summary: "Activate Mon espace santé for an attached profile.",
                discussion: "Needs --accept-cgu (the CGU and the data-protection policy). A deceased person's profile cannot be activated. Acting for a minor needs --legal-representative.",
                options: [EnrolmentCommands.sessionOption.asRequired(), profileOption,
                          .flag("accept-cgu", "Accept the CGU and the data-protection policy."), EnrolmentCommands.yesOption,
                          EnrolmentCommands.legalOption],
                examples: ["mes profiles activate --session TOKEN --profile 4 --accept-cgu --legal-representative --yes"], run: activate),
        ]
    }

    static func list(_ inv: Invocation, _ ctx: Context) throws {
        let now = try ctx.now()
        let store = try Args.store(ctx)
        let (holder, attached) = try store.read {
            let s = try store.session(try inv.required("session"), now: now)
            return (s.person, try store.attached(to: s.person))
        }
        ctx.emit(SimpleReport(
            text: "Bonjour \(holder.firstName) !\n" + ProfileView.line(holder) + "\n"
                + (attached.isEmpty ? "Aucun autre profil rattaché." : ProfileView.list(attached)),
            json: .obj([("schema_version", 1), ("profile", ProfileView.json(holder, now: now)),
                        ("profiles", .array(attached.map { ProfileView.json($0, now: now) }))])))
    }

    /// The attached profile named by `--profile`, within the session's family.
    static func attachedProfile(_ inv: Invocation, _ store: Store, now: Instant) throws -> Person {
        let text = try inv.required("profile")
        guard let id = Int64(text) else {
            throw MESError.invalid(.profileNotFound, "Profil inconnu : \(text) (voir mes profiles list)", field: "profile")
        }
        let s = try store.session(try inv.required("session"), now: now)
        guard let p = try store.attached(to: s.person).first(where: { $0.id == id }) else {
            throw MESError.invalid(.profileNotFound, "Ce profil n'est pas rattaché à votre carte Vitale : \(text)", field: "profile")
        }
        return p
    }

    static func oppose(_ inv: Invocation, _ ctx: Context) throws {
        let now = try ctx.now()
        let target = Enrolment.ReceiptTarget(path: inv.value("receipt"), force: inv.flag("force"))
        try Confirmation.require(inv, ctx, prompt: EnrolmentCommands.confirmText)
        let store = try Args.store(ctx)
        let e = Enrolment(store: store, now: now)
        let outcome = try store.transaction {
            try e.oppose(try attachedProfile(inv, store, now: now), channel: .web, actor: .self,
                         legalRepresentative: inv.flag("legal-representative"), receipt: target)
        }
        try EnrolmentCommands.show(outcome, ctx: ctx, store: store, now: now)
    }

    static func activate(_ inv: Invocation, _ ctx: Context) throws {
        let now = try ctx.now()
        guard inv.flag("accept-cgu") else {
            throw MESError.cguRequired
        }
        try Confirmation.require(inv, ctx, prompt: "J'active Mon espace santé pour ce profil.")
        let store = try Args.store(ctx)
        let p = try store.transaction { () -> Person in
            var p = try attachedProfile(inv, store, now: now)
            let minor = ProfileRules.isMinor(birthDate: p.birthDate, on: now.parisDate)
            try ProfileRules.requireCertification(birthDate: p.birthDate, on: now.parisDate, certified: inv.flag("legal-representative"))
            switch ProfileRules.transition(.activation, from: p.state, deceased: p.deceased) {
            case .refused(let e): throw e
            case .already: return p
            case .apply(let state):
                try store.recordDecision(.activation, person: p, state: state, now: now, channel: .web,
                                         actor: minor ? .legalRepresentative : .self)
                p.state = state
                p.stateSince = now
                return p
            }
        }
        ctx.emit(SimpleReport(text: "Mon espace santé a bien été activé ! (\(p.displayName))",
                              json: .obj([("schema_version", 1), ("status", "activated"), ("profile", ProfileView.json(p, now: now))])))
    }
}
