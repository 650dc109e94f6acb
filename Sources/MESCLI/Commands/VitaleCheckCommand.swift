import MESCore
import MESRender

/// `mes vitale check`: validates a Carte Vitale serial.
enum VitaleCheckCommand {
    static let card = Option("card", "TYPE", "Card model.", choices: CardType.allCases.map(\.rawValue), required: true)

    static var spec: CommandSpec {
        CommandSpec(
            ["vitale", "check"], summary: "Validate a Carte Vitale serial number.",
            discussion: "photo: the 11 digits typed after the printed prefix 8025000002; plain: 8 to 13 digits printed on the back. Spaces are ignored; there is no check digit.",
            options: [card],
            positionals: [PositionalSpec("SERIAL", "the serial number")],
            examples: ["mes vitale check --card photo '0102457612 4'"], run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let card = CardType(rawValue: try inv.required(Self.card))!
        let serial = try VitaleSerial.parse(inv.positionals[0], card: card).get()
        ctx.emit(SimpleReport(
            text: "valide : \(card.label), numéro de série \(serial.printed)",
            json: .obj([("valid", true), ("card", .string(card.rawValue)),
                        ("serial", .string(serial.digits)), ("printed", .string(serial.printed))])))
    }
}
