import MESCore
import MESRender

/// How the six weeks before a space's automatic creation are shown (`NotificationWindow`).
enum WindowView {
    /// One sentence, in French.
    static func text(_ w: NotificationWindow) -> String {
        switch w.stage {
        case .started:
            return "information envoyée le \(w.startedAt!.parisDate.french) ; sans opposition, Mon espace santé sera créé automatiquement "
                + "à partir du \(w.endsAt!.parisDate.french)"
        case .awaitingSending: return "information pas encore envoyée : le délai de six semaines commencera à son envoi"
        case .unreachable: return "information non envoyée (e-mail refusé, aucune adresse postale) : aucun espace ne sera créé sans elle"
        case .notNotified: return "aucune information envoyée pour l'instant : le délai de six semaines commencera à son envoi"
        }
    }

    /// What `identify` tells a pending person.
    static func identifySentence(_ w: NotificationWindow) -> String {
        guard w.stage == .started, let sent = w.startedAt, let ends = w.endsAt else {
            return "Votre courrier d'information n'a pas encore été envoyé : le délai de six semaines avant la création automatique "
                + "de Mon espace santé commencera à son envoi."
        }
        return "Sans opposition de votre part, Mon espace santé sera créé automatiquement à partir du \(ends.parisDate.french) "
            + "(six semaines après l'envoi de votre courrier d'information, le \(sent.parisDate.french))."
    }

    static func json(_ w: NotificationWindow?) -> JSON {
        guard let w else { return .null }
        return .obj([("stage", .string(w.stage.rawValue)), ("started_at", JSON.str(w.startedAt?.iso8601)),
                     ("ends_at", JSON.str(w.endsAt?.iso8601)), ("ends_on", JSON.str(w.endsAt?.parisDate.iso))])
    }
}
