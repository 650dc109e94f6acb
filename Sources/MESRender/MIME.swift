import MESCore

/// A file attached to a `MultipartEmail`.
public struct MIMEAttachment: Sendable, Equatable {
    /// The name the recipient sees (`JO-7K2M9QXD4T.pdf`).
    public var filename: String
    /// `type/subtype`, e.g. `application/pdf`.
    public var contentType: String
    public var data: [UInt8]

    public init(filename: String, contentType: String = "application/pdf", data: [UInt8]) {
        self.filename = filename
        self.contentType = contentType
        self.data = data
    }
}

/// An RFC 5322 e-mail with a French text and attachments (RFC 2045–2049): `multipart/mixed`,
/// the text `text/plain; charset=utf-8` in quoted-printable, each attachment in base64 (76-column
/// lines), RFC 2047 encoded-words (at most 75 characters each) for non-ASCII header text, RFC 2231
/// for a non-ASCII or long file name, headers folded at spaces to 76 columns when they can be,
/// CRLF line ends. The same
/// header conventions as `Email` (sender, `To: <address>`, Paris-time `Date`, `Message-ID`).
/// The boundary is derived from the Message-ID, so the same message renders to the same bytes;
/// it starts with `=_`, which neither quoted-printable nor base64 output can contain.
public struct MultipartEmail: Sendable {
    public var from = MIME.defaultFrom
    public var to: String
    public var subject: String
    public var date: Instant
    /// Without angle brackets.
    public var messageID: String
    public var body: String
    public var attachments: [MIMEAttachment]

    public init(to: String, subject: String, date: Instant, messageID: String, body: String, attachments: [MIMEAttachment]) {
        self.to = to
        self.subject = subject
        self.date = date
        self.messageID = messageID
        self.body = body
        self.attachments = attachments
    }

    public var boundary: String { MIME.boundary(for: messageID) }

    /// The `.eml` bytes.
    public func rendered() -> [UInt8] {
        let b = boundary
        var out: [UInt8] = []
        out.reserveCapacity(2_048 + body.utf8.count * 2 + attachments.reduce(0) { $0 + $1.data.count * 4 / 3 + $1.data.count / 38 })
        func line(_ s: String) { out += s.utf8; out += [0x0D, 0x0A] }
        func header(_ s: String) { line(MIME.fold(s)) }
        header("From: " + MIME.address(from))
        header("To: <\(MIME.headerSafe(to))>")
        header(MIME.header("Subject", subject))
        header("Date: " + Email.rfc5322Date(date))
        header("Message-ID: <\(MIME.headerSafe(messageID))>")
        header("MIME-Version: 1.0")
        header("Content-Type: multipart/mixed; boundary=\"\(b)\"")
        line("")
        line("This is a multi-part message in MIME format.")
        line("")
        line("--" + b)
        line("Content-Type: text/plain; charset=utf-8")
        line("Content-Transfer-Encoding: quoted-printable")
        line("")
        out += MIME.quotedPrintable(body)
        for a in attachments {
            // The line break before a delimiter belongs to it (RFC 2046 §5.1.1): one more keeps
            // the text's own last line break.
            line("")
            line("--" + b)
            header("Content-Type: \(MIME.headerSafe(a.contentType)); " + MIME.parameter("name", a.filename))
            header("Content-Transfer-Encoding: base64")
            header("Content-Disposition: attachment; " + MIME.parameter("filename", a.filename))
            line("")
            out += MIME.base64Lines(a.data)
        }
        line("")
        line("--" + b + "--")
        return out
    }

    /// The e-mail that hands a person their opposition receipt, the PDF attached as
    /// `JO-….pdf` (the reference only: no name, no NIR in the file name).
    /// `pdf`: the receipt's document (signed); the unsigned rendering when not given.
    public static func oppositionReceipt(_ r: OppositionReceipt, pdf: [UInt8]? = nil, to: String, date: Instant, messageID: String) -> MultipartEmail {
        let filename = r.id + ".pdf"
        // The page's sentences: to a minor's legal representative, naming the association that filed it.
        let body = [r.salutation, "", r.acknowledgement, ""] + (r.filedBy.map { [$0, ""] } ?? []) + [
            "Votre justificatif d'opposition est joint à ce message (\(filename)). Conservez-le : il atteste de votre décision.", "",
            r.kind.sentence3, "",
        ] + OppositionReceipt.closing + [""]
        return MultipartEmail(to: to, subject: MessageTemplates.receiptSubject, date: date, messageID: messageID,
                              body: body.joined(separator: "\n"),
                              attachments: [MIMEAttachment(filename: filename, data: pdf ?? ReceiptRenderer.pdf(r))])
    }
}

extension MessageTemplates {
    public static let receiptSubject = "Mon espace santé : votre justificatif d'opposition"
}

/// MIME encodings (RFC 2045, 2047, 2231), pure functions.
public enum MIME {
    /// `Email`'s sender, so that both kinds of message come from the same address.
    public static let defaultFrom = Email.defaultFrom

    /// `=_mes_` then 32 hex digits of two FNV-1a hashes of the Message-ID.
    public static func boundary(for messageID: String) -> String {
        func fnv(_ seed: UInt64) -> UInt64 {
            var h = seed
            for byte in messageID.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01B3 }
            return h
        }
        func hex(_ v: UInt64) -> String {
            let s = String(v, radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        }
        return "=_mes_" + hex(fnv(0xCBF2_9CE4_8422_2325)) + hex(fnv(0x6C62_272E_07BB_0142))
    }

    /// Quoted-printable (RFC 2045 §6.7) of UTF-8 text: `\n` or `\r\n` become CRLF line breaks,
    /// lines are at most 76 characters (soft breaks `=`), trailing spaces and a leading `.` are
    /// encoded; ends with CRLF.
    public static func quotedPrintable(_ text: String) -> [UInt8] {
        let hexDigits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 5 / 4 + 16)
        var lines = text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false)  // bytes: "\r\n" is one Character
        if lines.count > 1, lines.last!.isEmpty { lines.removeLast() }
        for raw in lines {
            let bytes = Array(raw.last == 0x0D ? raw.dropLast() : raw[...])
            var column = 0
            for (i, b) in bytes.enumerated() {
                var literal = (b >= 33 && b <= 126 && b != 61) || ((b == 32 || b == 9) && i != bytes.count - 1)
                if column + (literal ? 1 : 3) > 75 {
                    out += [61, 0x0D, 0x0A]
                    column = 0
                }
                if b == 46 && column == 0 { literal = false }  // a line starting with "." is not mistaken for SMTP's end
                if literal {
                    out.append(b)
                    column += 1
                } else {
                    out += [61, hexDigits[Int(b >> 4)], hexDigits[Int(b & 15)]]
                    column += 3
                }
            }
            out += [0x0D, 0x0A]
        }
        return out
    }

    /// The message a transport hands over: a single-part body announced as
    /// `Content-Transfer-Encoding: 8bit` that holds 8-bit bytes is re-encoded as quoted-printable
    /// (and its header says so), so that no server ever receives 8-bit data it did not offer to
    /// take (RFC 6152: libcurl and sendmail -t never send `BODY=8BITMIME`). Anything else — a
    /// multipart message (quoted-printable and base64 already), a plain ASCII body — is returned
    /// as it is.
    public static func sevenBit(_ message: [UInt8]) -> [UInt8] {
        let separator: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A]
        guard let end = message.firstRange(of: separator) else { return message }
        let body = message[end.upperBound...]
        guard body.contains(where: { $0 >= 0x80 }) else { return message }
        let label = Array("\r\nContent-Transfer-Encoding: 8bit".utf8)
        let head = message[..<end.lowerBound]
        guard let at = head.firstRange(of: label) else { return message }
        var out: [UInt8] = []
        out.reserveCapacity(message.count + message.count / 3)
        out += message[..<at.lowerBound]
        out += "\r\nContent-Transfer-Encoding: quoted-printable".utf8
        out += message[at.upperBound..<end.upperBound]
        out += quotedPrintable(String(decoding: body, as: UTF8.self))
        return out
    }

    /// Base64 in lines of 76 characters, each ending with CRLF.
    public static func base64Lines(_ data: [UInt8]) -> [UInt8] {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(data.count * 4 / 3 + data.count / 28 + 8)
        var column = 0
        var i = 0
        while i < data.count {
            let n = min(3, data.count - i)
            let b0 = UInt32(data[i]), b1 = n > 1 ? UInt32(data[i + 1]) : 0, b2 = n > 2 ? UInt32(data[i + 2]) : 0
            let v = b0 << 16 | b1 << 8 | b2
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(n > 1 ? alphabet[Int(v >> 6 & 63)] : 61)
            out.append(n > 2 ? alphabet[Int(v & 63)] : 61)
            column += 4
            i += 3
            if column == 76 {
                out += [0x0D, 0x0A]
                column = 0
            }
        }
        if column > 0 { out += [0x0D, 0x0A] }
        return out
    }

    /// `Name: value`, the value as RFC 2047 B encoded-words when it is not printable ASCII:
    /// whole characters, at most 75 characters per encoded-word, separated by spaces (unfolded:
    /// see `fold`).
    public static func header(_ name: String, _ value: String) -> String {
        let v = headerSafe(value)
        if v.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return name + ": " + v }
        return name + ": " + encodedWords(v).joined(separator: " ")
    }

    /// Folds a header line at spaces (never inside a quoted string) so that each line is at most
    /// `limit` characters where the words allow it; continuation lines start with one space.
    public static func fold(_ header: String, limit: Int = 76) -> String {
        guard header.utf8.count > limit else { return header }
        var words: [String] = []
        var current = "", quoted = false
        for c in header {
            if c == "\"" { quoted.toggle() }
            if c == " " && !quoted {
                if !current.isEmpty { words.append(current) }
                current = ""
            } else {
                current.append(c)
            }
        }
        if !current.isEmpty { words.append(current) }
        var lines: [String] = []
        var line = ""
        for w in words {
            if line.isEmpty {
                line = w
            } else if line.utf8.count + 1 + w.utf8.count <= limit {
                line += " " + w
            } else {
                lines.append(line)
                line = w
            }
        }
        lines.append(line)
        return lines.joined(separator: "\r\n ")
    }

    /// RFC 2047 B encoded-words of at most 39 bytes of UTF-8 each (64 characters), split
    /// between characters.
    public static func encodedWords(_ text: String, maxBytes: Int = 39) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        func flush() {
            if !chunk.isEmpty { words.append("=?UTF-8?B?" + String(decoding: base64Lines(chunk).dropLast(2), as: UTF8.self) + "?=") }
            chunk = []
        }
        for c in text {
            let bytes = Array(String(c).utf8)
            if bytes.count > maxBytes {  // one huge cluster: split between its scalars
                for u in c.unicodeScalars {
                    let ub = Array(String(u).utf8)
                    if chunk.count + ub.count > maxBytes { flush() }
                    chunk += ub
                }
                continue
            }
            if chunk.count + bytes.count > maxBytes { flush() }
            chunk += bytes
        }
        flush()
        return words
    }

    /// `Display Name <a@b>` (a `From:`), the display name written as an RFC 5322 phrase that a
    /// reader shows as given (RFC 5322 §3.2.5, RFC 2047 §5). A name holding anything but plain
    /// ASCII (accents, `"`, `\`) that fits in one encoded-word is that encoded-word; otherwise
    /// it goes word by word, so that the header folds between any two words: a plain ASCII
    /// word as it is; one holding specials (`,` `.` `(` `:` `;` `@`…) as a quoted string; each
    /// run of other words as encoded-words, the spaces between its words inside them. A name
    /// given quoted (`"Les Amis, Paris" <a@b>`) is unquoted first. No `<…>` at the end: as given.
    public static func address(_ s: String) -> String {
        let v = headerSafe(s).trimmingSpaces()
        guard v.hasSuffix(">"), let lt = v.lastIndex(of: "<") else { return v }
        let addr = String(v[lt...])
        var name = v[..<lt].trimmingSpaces()
        if name.utf8.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") { name = unquoted(String(name.dropFirst().dropLast())) }
        let phrase = self.phrase(name)
        return phrase.isEmpty ? addr : phrase + " " + addr
    }

    /// A display name as RFC 5322 words (see `address`).
    static func phrase(_ name: String) -> String {
        let plain = name.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }
        if !plain, name.utf8.count <= 39 { return encodedWords(name).joined(separator: " ") }
        var out: [String] = [], run: [Substring] = []
        func flush() {
            if !run.isEmpty { out += encodedWords(run.joined(separator: " ")) }
            run = []
        }
        for word in name.split(separator: " ") {
            let printable = word.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }
            // A word no header line could hold is encoded (encoded-words split anywhere).
            guard printable, word.utf8.count <= 60 else { run.append(word); continue }
            flush()
            out.append(word.utf8.allSatisfy(isAtext) ? String(word) : "\"" + word + "\"")
        }
        flush()
        return out.joined(separator: " ")
    }

    /// RFC 5322 `atext`: the characters of a word that needs no quotes.
    static func isAtext(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        default: return "!#$%&'*+-/=?^_`{|}~".utf8.contains(b)
        }
    }

    /// The text of a quoted string's inside (`\x` is `x`).
    static func unquoted(_ s: String) -> String {
        var out = "", escaped = false
        for c in s {
            if !escaped && c == "\\" { escaped = true; continue }
            escaped = false
            out.append(c)
        }
        return out
    }

    /// `name="value"` for a printable ASCII value of at most 60 characters, else RFC 2231
    /// `name*=UTF-8''%XX…`, in numbered continuations (`name*0*=…; name*1*=…`) of at most 48
    /// characters when longer than that.
    public static func parameter(_ name: String, _ value: String) -> String {
        let plain = value.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C } && value.utf8.count <= 60
        if plain { return "\(name)=\"\(value)\"" }
        let hexDigits = Array("0123456789ABCDEF".utf8)
        var tokens: [String] = []  // one character or one %XX escape each
        for b in value.utf8 {
            let safe = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || "-._~".utf8.contains(b)
            tokens.append(safe ? String(UnicodeScalar(b)) : String(decoding: [0x25, hexDigits[Int(b >> 4)], hexDigits[Int(b & 15)]], as: UTF8.self))
        }
        let encoded = tokens.joined()
        if encoded.utf8.count <= 48 { return "\(name)*=UTF-8''" + encoded }
        var sections: [String] = [""]
        for t in tokens {
            if sections[sections.count - 1].utf8.count + t.utf8.count > 48 { sections.append("") }
            sections[sections.count - 1] += t
        }
        return sections.enumerated().map { i, s in "\(name)*\(i)*=" + (i == 0 ? "UTF-8''" : "") + s }.joined(separator: "; ")
    }

    /// A header value on one line: line breaks and other control characters become spaces.
    public static func headerSafe(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return s }
        return String(String.UnicodeScalarView(s.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
    }
}
