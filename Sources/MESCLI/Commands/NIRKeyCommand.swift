import MESCore
import MESRender

/// `mes nir key`: the key of the first 13 characters of a NIR.
enum NIRKeyCommand {
    static var spec: CommandSpec {
        CommandSpec(
            ["nir", "key"], summary: "Compute the 2-digit key of the first 13 characters of a NIR.",
            positionals: [PositionalSpec("NIR13", "13 characters (2A/2B allowed at the department)")],
            examples: ["mes nir key 1163044038016"], run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let text = inv.positionals[0]
        var body = [UInt8]()
        for c in text.utf8 where c != 32 && c != 0x2E && c != 0x2D { body.append((c >= 0x61 && c <= 0x7A) ? c - 32 : c) }
        guard body.count == 13 else {
            throw MESError.invalid(.nirLength, "Le début du numéro doit contenir 13 caractères", field: "NIR13")
        }
        guard let k = NIR.key(forBody: body) else {
            throw MESError.invalid(.nirCharacter, Messages.codeCharacter, field: "NIR13")
        }
        let key = k < 10 ? "0\(k)" : "\(k)"
        let full = String(decoding: body, as: UTF8.self) + key
        ctx.emit(SimpleReport(text: key, json: .obj([("key", .string(key)), ("nir", .string(full))])))
    }
}
