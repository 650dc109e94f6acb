/// How the outbox keeps a message's bytes small: the service's fixed sentences (a notification
/// is four fifths boilerplate) are replaced by two-byte references into a frozen dictionary
/// before sealing. Part of the storage format, like the schema: a dictionary, once used, never
/// changes (a new one gets a new format byte, and the old ones stay to read old rows).
///
/// Format: one byte, then the body. `0` — the bytes as they are; `1` and `2` — dictionary 1 or
/// 2, where `0x01 n` stands for entry `n` (a message holding a 0x01 byte is kept as it is).
/// `pack` writes format 2; every format ever written is read.
enum MessagePacking {
    static let raw: UInt8 = 0, dictionaryV1: UInt8 = 1, dictionaryV2: UInt8 = 2
    static let marker: UInt8 = 0x01

    /// Frozen: dictionary 1, as first used (read only: messages queued with it still open).
    static let dictionary1: [[UInt8]] = [
        "From: =?UTF-8?B?TW9uIGVzcGFjZSBzYW50w6k=?= <ne-pas-repondre@monespacesante.fr>",
        "Subject: =?UTF-8?B?TW9uIGVzcGFjZSBzYW50w6kgOiB2b3RyZSBjb2RlIHByb3Zpc29pcmU=?=",
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit",
        "Vous allez bénéficier de Mon espace santé. Ce nouveau service public, numérique et sécurisé, hébergé en France, vous permet d'être acteur au quotidien de votre santé et de celle de vos proches.",
        "Dans un délai de 6 semaines à partir de la réception de cet e-mail, le service Mon espace santé sera créé automatiquement pour : ",
        "Dans un délai de 6 semaines à partir de la réception de ce courrier, le service Mon espace santé sera créé automatiquement pour : ",
        "Avec votre carte Vitale et le code provisoire ci-dessous, vous pouvez :",
        "- activer sans attendre le service Mon espace santé ;",
        "- ou vous opposer à sa création.",
        "Vous pourrez à tout moment changer d'avis : clôturer votre espace ou l'activer si vous ne l'avez pas fait.",
        "Code provisoire pour ",
        "Ce code provisoire est confidentiel et valable 6 semaines à partir de la réception de cet e-mail.",
        "Ce code provisoire est confidentiel et valable 6 semaines à partir de la réception de ce courrier.",
        "ACTIVER MON ESPACE SANTÉ",
        "Avec Mon espace santé, vous pouvez :",
        "- stocker, classer et décider avec qui vous partagez vos informations de santé ;",
        "- échanger avec les professionnels qui assurent votre suivi médical grâce à une messagerie de santé sécurisée.",
        "Avec toute mon attention,",
        "Votre correspondant Mon espace santé",
        "Le service Mon espace santé mis en œuvre par l'Assurance Maladie et le Ministère des Solidarités et de la Santé garantit la protection de vos données personnelles conformément au Règlement Général sur la Protection des Données.",
        "Pour en savoir plus sur le traitement et sur vos droits, rendez-vous sur monespacesante.fr/protection-donnees-personnelles.",
        "Bonjour,",
        "Subject: =?UTF-8?B?",
        "Message-ID: <",
        "@mes.invalid>",
        "Date: ",
        "\r\nTo: <",
    ].map { Array($0.utf8) }

    /// Frozen: dictionary 2, dictionary 1 with every entry starting a line (what `pack`
    /// writes): `@mes.invalid>` dropped, `\r\nTo: <` as `To: <`.
    static let dictionary2: [[UInt8]] = dictionary1.compactMap { phrase in
        if phrase == Array("@mes.invalid>".utf8) { return nil }
        return phrase == Array("\r\nTo: <".utf8) ? Array("To: <".utf8) : phrase
    }

    /// For each first byte, the dictionary entries starting with it, longest first.
    static let byFirstByte: [[Int]] = {
        var table = [[Int]](repeating: [], count: 256)
        for (i, phrase) in dictionary2.enumerated() { table[Int(phrase[0])].append(i) }
        for b in 0..<256 { table[b].sort { dictionary2[$0].count > dictionary2[$1].count } }
        return table
    }()

    /// Phrases are looked for at the start of each line only (every entry starts a line), so
    /// the rest of a line is copied as it is.
    static func pack(_ body: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [dictionaryV2]
        out.reserveCapacity(body.count / 3 + 16)
        let ok = body.withUnsafeBufferPointer { b -> Bool in
            var i = 0
            var lineStart = true
            next: while i < b.count {
                if lineStart {
                    for k in byFirstByte[Int(b[i])] {
                        let phrase = dictionary2[k]
                        guard i + phrase.count <= b.count else { continue }
                        var j = 1
                        while j < phrase.count && b[i + j] == phrase[j] { j += 1 }
                        if j == phrase.count {
                            out.append(marker)
                            out.append(UInt8(k))
                            i += phrase.count
                            lineStart = phrase.last == 0x0A
                            continue next
                        }
                    }
                }
                // Up to the end of this line, as it is.
                var end = i
                while end < b.count && b[end] != 0x0A {
                    if b[end] == marker { return false }
                    end += 1
                }
                if end < b.count { end += 1 }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: b[i..<end]))
                i = end
                lineStart = true
            }
            return true
        }
        return ok ? out : [raw] + body
    }

    /// The bytes `pack` was given; nil when `packed` is not in a known format.
    static func unpack(_ packed: [UInt8]) -> [UInt8]? {
        guard let format = packed.first else { return nil }
        switch format {
        case raw: return Array(packed.dropFirst())
        case dictionaryV1, dictionaryV2:
            let dictionary = format == dictionaryV1 ? dictionary1 : dictionary2
            var out: [UInt8] = []
            out.reserveCapacity(packed.count * 4)
            var i = 1
            while i < packed.count {
                let c = packed[i]
                if c == marker {
                    guard i + 1 < packed.count, Int(packed[i + 1]) < dictionary.count else { return nil }
                    out += dictionary[Int(packed[i + 1])]
                    i += 2
                } else {
                    out.append(c)
                    i += 1
                }
            }
            return out
        default: return nil
        }
    }
}
