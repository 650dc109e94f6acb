import MESCore
import MESRender

/// `mes vitale check`: validates a Carte Vitale serial.
enum VitaleCheckCommand {
    static let card = Option("card", "TYPE", "Card model.", choices: CardType.allCases.map(\.rawValue), required: true)

    static var spec: CommandSpec {
        CommandSpec(
            ["vitale", "check"], summary: "Validate a Carte Vitale serial number.",
            discussion: "photo: the 11 digits typed after the printed prefix 8025000002; plain: 8 to 13 digits printed on the back. Spaces are ignored; there is no check digit. Prints a result row on standard output, valid or not (as nir check does); an invalid serial also gives the error on standard error and exits 65.",
            options: [card],
            positionals: [PositionalSpec("SERIAL", "the serial number")],
            examples: ["mes vitale check --card photo '0102457612 4'"], run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let card = CardType(rawValue: try inv.required(Self.card))!
        let input = inv.positionals[0]
        let serial: VitaleSerial
        switch VitaleSerial.parse(input, card: card) {
        case .success(let s): serial = s
        case .failure(let e):
            // A result row on standard output, as nir check prints one, then the error (65).
            let shown = input.count > 64 ? String(input.prefix(64)) + "…" : input
            ctx.emit(SimpleReport(
                text: "\(TextEscaping.terminalSafe(shown))\tinvalide (\(e.code.rawValue)) : \(e.message)",
                json: .obj([("valid", false), ("card", .string(card.rawValue)), ("input", .string(shown)),
                            ("code", .string(e.code.rawValue)), ("message", .string(e.message))])))
            throw e
        }
        ctx.emit(SimpleReport(
            text: "valide : \(card.label), numéro de série \(serial.printed)",
            json: .obj([("valid", true), ("card", .string(card.rawValue)),
                        ("serial", .string(serial.digits)), ("printed", .string(serial.printed))])))
    }
}
