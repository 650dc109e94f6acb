import FoundationEssentials
import MESCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MESSystem

/// A configuration value `mes` cannot use: which key, and why. Never quotes a secret (nor a
/// URL, which could hold one).
public struct TransportConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The key (`MES_MAIL_URL`…), or the configuration file's path for a line that is not a setting.
    public var key: String
    public var reason: String
    /// `FILE:LINE` when the value came from the configuration file.
    public var source: String?
    /// A secret file (credentials, token) that others may read, or that belongs to someone else:
    /// refused as ssh refuses such keys (exit 78, `secret_file_exposed`).
    public var exposed = false

    public init(key: String, reason: String, source: String? = nil, exposed: Bool = false) {
        self.key = key
        self.reason = reason
        self.source = source
        self.exposed = exposed
    }

    /// `MES_MAIL_URL : schéma non pris en charge « ftp » (attendu : smtp, smtps, sendmail ou maildir)`, then ` (FILE:LINE)`.
    public var description: String { "\(key) : \(reason)" + (source.map { " (\($0))" } ?? "") }
}

/// Which transports `mes` hands messages to, from the environment and an optional file.
///
/// Keys (environment variables, or `KEY=value` lines in the file; `#` starts a comment line;
/// blank lines are skipped; the value may be quoted with `"` or `'`; a key the environment sets,
/// even to the empty string, wins over the file; an empty value means "not set", so
/// `MES_MAIL_URL=` in the environment turns off a transport the file configures):
///
/// - `MES_MAIL_URL`: `smtp://HOST[:PORT][/EHLO-NAME][?PARAMS]` (port 25, no TLS),
///   `smtp://HOST:587?starttls=required` (STARTTLS or fail), `smtps://HOST[:PORT]` (TLS from the
///   start, port 465), or `sendmail:/ABSOLUTE/PATH[?args=A,B][&timeout=S]`. SMTP parameters:
///   `starttls=required|none`, `cafile=/path/ca.pem`, `connect_timeout=S` (default 10, 1–120),
///   `timeout=S` per message (default 30, 1–600). No user or password in the URL.
///   `maildir:/ABSOLUTE/DIR`: delivery into a local Maildir (`tmp/`, `new/`, `cur/` made when
///   missing), which counts as delivered (a demo, a test, mail read on this machine).
/// - `MES_MAIL_FROM`: the sender, `address` or `Name <address>` (default
///   `ne-pas-repondre@monespacesante.fr`); its address is the envelope sender.
/// - `MES_MAIL_CREDENTIALS_FILE`: SMTP AUTH, a file holding `user:password` on one line (split at
///   the first colon), or the user on the first line and the password on the second (for
///   passwords with a colon in the user). Only with `smtp`/`smtps`; refused over a plain-text
///   connection to anything but a loopback address (use `smtps://` or `?starttls=required`).
/// - `MES_SMS_URL`: the gateway's `https://…` URL (`http://` only to 127.0.0.1, ::1 or localhost).
/// - `MES_SMS_TOKEN_FILE`: a file holding the gateway's bearer token (required with `MES_SMS_URL`).
/// - `MES_MAIL_RATE`, `MES_SMS_RATE`: at most this many messages per second on that channel
///   (from 0.01 to 1,000,000, e.g. `50` or `0.5`; default: as fast as the transport answers).
///
/// Relative file paths in the configuration file are relative to its directory. Secret files
/// are read once, when the configuration is loaded. No `MES_MAIL_URL` (or no `MES_SMS_URL`):
/// that channel has no transport and its messages stay queued.
public struct TransportConfig: Sendable, Equatable {
    public enum Mail: Sendable, Equatable {
        case smtp(SMTPSettings)
        case sendmail(SendmailSettings)
        case maildir(MaildirSettings)
    }

    public static let keys = DeliverySettings.keys
    public static let defaultMailFrom = "ne-pas-repondre@monespacesante.fr"

    public var mail: Mail?
    /// The envelope sender (an addr-spec).
    public var mailFrom: String
    /// `MES_MAIL_FROM` as given, for a `From:` header (nil when not set).
    public var mailFromHeader: String?
    public var sms: HTTPSMSSettings?
    /// Messages per second at most, per channel (nil: no limit).
    public var mailRate: Double?
    public var smsRate: Double?

    public init(mail: Mail? = nil, mailFrom: String = TransportConfig.defaultMailFrom, mailFromHeader: String? = nil, sms: HTTPSMSSettings? = nil) {
        self.mail = mail
        self.mailFrom = mailFrom
        self.mailFromHeader = mailFromHeader
        self.sms = sms
    }

    /// The display name of `From:` when `MES_MAIL_FROM` gives only an address.
    public static let defaultMailFromName = "Mon espace santé"

    /// The `From:` of e-mails as `MES_MAIL_FROM` sets it (`Name <address>`; a bare address gets
    /// `defaultMailFromName`), or nil when it is not set or not valid (a wrong value is
    /// reported when a message is to be sent, by `load`). Reads that key only: no secret file.
    public static func fromHeader(_ settings: DeliverySettings) -> String? {
        var text = settings.environment["MES_MAIL_FROM"]
        if text == nil, let f = settings.file, f.readError == nil, f.bytes.count <= DeliverySettings.fileLimit,
           let t = String(validating: f.bytes, as: UTF8.self) {
            text = (try? parseFile(t, path: f.path))?["MES_MAIL_FROM"]?.text
        }
        return fromHeader(text: text)
    }

    /// The `From:` of e-mails for this configuration's `MES_MAIL_FROM` (nil when not set).
    public var fromHeader: String? { Self.fromHeader(text: mailFromHeader) }

    /// `Name <address>` for a `MES_MAIL_FROM` value: a bare address, or one with an empty
    /// name, gets `defaultMailFromName`; nil for no value or one that is not an address.
    static func fromHeader(text: String?) -> String? {
        guard let v = text?.trimmingSpaces(), !v.isEmpty, let address = mailAddress(v) else { return nil }
        let name = v.lastIndex(of: "<").map { v[..<$0].trimmingSpaces() } ?? ""
        return name.isEmpty ? "\(defaultMailFromName) <\(address)>" : v
    }

    /// The transport for e-mail, or nil when none is configured (e-mails stay queued).
    public func mailTransport() -> (any MessageTransport)? {
        switch mail {
        case .smtp(let s): return SMTPTransport(s)
        case .sendmail(let s): return SendmailTransport(s)
        case .maildir(let s): return MaildirTransport(s)
        case nil: return nil
        }
    }

    /// The transport for SMS, or nil when none is configured (SMS stay queued).
    public func smsTransport() -> (any MessageTransport)? { sms.map { HTTPSMSTransport($0) } }

    /// Reads the configuration: `environment` over the file at `file` (when given).
    public static func load(environment: [String: String], file: String? = nil) throws(TransportConfigError) -> TransportConfig {
        var text: String?
        if let file {
            do throws(ReadError) { text = try readText(file, limit: DeliverySettings.fileLimit) } catch { throw TransportConfigError(key: file, reason: error.brief) }
        }
        return try load(environment: environment, file: file, text: text)
    }

    /// The configuration the command line read (`DeliverySettings`): its environment over its file.
    public static func load(_ settings: DeliverySettings) throws(TransportConfigError) -> TransportConfig {
        guard let f = settings.file else { return try load(environment: settings.environment, file: nil, text: nil) }
        let limit = DeliverySettings.fileLimit
        if let why = f.readError { throw TransportConfigError(key: f.path, reason: ReadError(f.path, why).brief) }
        if f.bytes.count > limit { throw TransportConfigError(key: f.path, reason: "plus de \(limit) octets") }
        guard let text = String(validating: f.bytes, as: UTF8.self) else { throw TransportConfigError(key: f.path, reason: "pas un texte UTF-8") }
        return try load(environment: settings.environment, file: f.path, text: text)
    }

    static func load(environment: [String: String], file: String?, text: String?) throws(TransportConfigError) -> TransportConfig {
        var values: [String: Value] = [:]
        if let file, let text { values = try parseFile(text, path: file) }
        for key in keys {
            if let v = environment[key] { values[key] = Value(text: v, source: nil, directory: nil) }
        }
        return try resolve(values)
    }

    /// One setting and where it came from.
    struct Value {
        var text: String
        var source: String?
        var directory: String?
    }

    static func parseFile(_ text: String, path: String) throws(TransportConfigError) -> [String: Value] {
        let directory = path.contains("/") ? FileIO.folder(of: path) : ""
        var values: [String: Value] = [:]
        var lineOf: [String: Int] = [:]
        for (n, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            let line = raw.trimmingSpaces()
            if line.isEmpty || line.hasPrefix("#") { continue }
            let source = "\(path):\(n + 1)"
            guard let eq = line.firstIndex(of: "=") else {
                throw TransportConfigError(key: path, reason: "ligne \(n + 1) : CLÉ=valeur attendu")
            }
            let key = line[..<eq].trimmingSpaces()
            var value = line[line.index(after: eq)...].trimmingSpaces()
            if value.count >= 2, let q = value.first, q == "\"" || q == "'", value.last == q {
                value = String(value.dropFirst().dropLast())
            }
            guard keys.contains(key) else {
                throw TransportConfigError(key: path, reason: "ligne \(n + 1) : clé inconnue « \(printable(key)) » (attendu : \(keys.joined(separator: ", ")))")
            }
            if let first = lineOf[key] {
                throw TransportConfigError(key: key, reason: "donnée deux fois (lignes \(first) et \(n + 1))", source: source)
            }
            lineOf[key] = n + 1
            values[key] = Value(text: value, source: source, directory: directory.isEmpty ? "." : directory)
        }
        return values
    }

    static func resolve(_ values: [String: Value]) throws(TransportConfigError) -> TransportConfig {
        func given(_ key: String) -> Value? { values[key].flatMap { $0.text.isEmpty ? nil : $0 } }
        func fail(_ key: String, _ reason: String) -> TransportConfigError {
            TransportConfigError(key: key, reason: reason, source: values[key]?.source)
        }
        func path(_ v: Value) -> String {
            v.text.hasPrefix("/") || v.directory == nil ? v.text : v.directory! + "/" + v.text
        }

        var config = TransportConfig()
        if let from = given("MES_MAIL_FROM") {
            guard let address = mailAddress(from.text) else {
                throw fail("MES_MAIL_FROM", "pas une adresse e-mail (attendu : adresse ou Nom <adresse>)")
            }
            config.mailFrom = address
            config.mailFromHeader = from.text
        }

        let credentialsFile = given("MES_MAIL_CREDENTIALS_FILE")
        if let url = given("MES_MAIL_URL") {
            var credentials: SMTPCredentials?
            if let f = credentialsFile {
                let text: String
                try refuseExposed(path(f), key: "MES_MAIL_CREDENTIALS_FILE")
                do throws(ReadError) { text = try readText(path(f), limit: 4_096) } catch { throw fail("MES_MAIL_CREDENTIALS_FILE", error.reason) }
                guard let c = parseCredentials(text) else {
                    throw fail("MES_MAIL_CREDENTIALS_FILE", "attendu : utilisateur:mot de passe sur une ligne, ou l'utilisateur et le mot de passe sur deux lignes")
                }
                credentials = c
            }
            do throws(TransportConfigError) {
                config.mail = try parseMailURL(url.text, credentials: credentials, directory: url.directory)
            } catch {
                throw TransportConfigError(key: error.key, reason: error.reason, source: values[error.key]?.source)
            }
        } else if credentialsFile != nil, values["MES_MAIL_URL"] == nil {
            throw fail("MES_MAIL_CREDENTIALS_FILE", "donnée sans MES_MAIL_URL")
        }

        for key in ["MES_MAIL_RATE", "MES_SMS_RATE"] {
            guard let v = given(key) else { continue }
            guard v.text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), let rate = Double(v.text),
                  rate >= 0.01, rate <= 1_000_000 else {
                throw fail(key, "attendu : un nombre de messages par seconde de 0.01 à 1000000 (par exemple 50 ou 0.5), pas « \(printable(v.text)) »")
            }
            if key == "MES_MAIL_RATE" { config.mailRate = rate } else { config.smsRate = rate }
        }

        let tokenFile = given("MES_SMS_TOKEN_FILE")
        if let url = given("MES_SMS_URL") {
            try checkSMSURL(url.text, fail: { fail("MES_SMS_URL", $0) })
            guard let f = tokenFile else { throw fail("MES_SMS_TOKEN_FILE", "obligatoire avec MES_SMS_URL") }
            let text: String
            try refuseExposed(path(f), key: "MES_SMS_TOKEN_FILE")
            do throws(ReadError) { text = try readText(path(f), limit: 4_096) } catch { throw fail("MES_SMS_TOKEN_FILE", error.reason) }
            let token = text.trimmingWhitespace()
            guard !token.isEmpty, token.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
                throw fail("MES_SMS_TOKEN_FILE", "attendu : un jeton de caractères ASCII imprimables, sans espace")
            }
            config.sms = HTTPSMSSettings(url: url.text, token: Secret(token))
        } else if tokenFile != nil, values["MES_SMS_URL"] == nil {
            throw fail("MES_SMS_TOKEN_FILE", "donnée sans MES_SMS_URL")
        }
        return config
    }

    /// `MES_MAIL_URL` (the key of any error is `MES_MAIL_URL` or `MES_MAIL_CREDENTIALS_FILE`).
    public static func parseMailURL(_ url: String, credentials: SMTPCredentials? = nil, directory: String? = nil) throws(TransportConfigError) -> Mail {
        func fail(_ reason: String, key: String = "MES_MAIL_URL") -> TransportConfigError { TransportConfigError(key: key, reason: reason) }
        guard let colon = url.firstIndex(of: ":") else {
            throw fail("pas une URL (attendu : smtp://HÔTE:PORT, smtps://HÔTE:PORT, sendmail:/CHEMIN ou maildir:/DOSSIER)")
        }
        let scheme = url[..<colon].lowercased()
        switch scheme {
        case "smtp", "smtps":
            guard let c = URLComponents(string: url), var host = c.host, !host.isEmpty else {
                throw fail("URL \(scheme) mal formée (attendu : \(scheme)://HÔTE[:PORT])")
            }
            guard c.user == nil, c.password == nil else {
                throw fail("les identifiants n'ont pas leur place dans l'URL : mettez-les dans un fichier nommé par MES_MAIL_CREDENTIALS_FILE")
            }
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            let port = c.port ?? (scheme == "smtps" ? 465 : 25)
            guard (1...65_535).contains(port) else { throw fail("port \(port) hors limites (1 à 65535)") }
            var s = SMTPSettings(host: host, port: port, security: scheme == "smtps" ? .tls : .none, credentials: credentials)
            let path = c.percentEncodedPath
            if !path.isEmpty && path != "/" {
                let name = String(path.dropFirst())
                guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }) else {
                    throw fail("le chemin doit être un nom d'hôte pour EHLO (lettres, chiffres, points, tirets)")
                }
                s.heloName = name
            }
            guard c.fragment == nil else { throw fail("« # » inattendu dans l'URL") }
            for item in c.queryItems ?? [] {
                let v = item.value ?? ""
                switch item.name {
                case "starttls":
                    guard scheme == "smtp" else { throw fail("starttls ne s'applique pas à smtps:// (TLS dès le début)") }
                    switch v {
                    case "required": s.security = .starttls
                    case "none", "no": s.security = .none
                    default: throw fail("starttls vaut « required » ou « none », pas « \(printable(v)) »")
                    }
                case "cafile":
                    let p = v.hasPrefix("/") || directory == nil ? v : directory! + "/" + v
                    guard access(p, R_OK) == 0 else { throw fail("cafile \(printable(p)) : \(FileIO.errnoText())") }
                    s.caFile = p
                case "timeout":
                    guard let t = Double(v), t >= 1, t <= 600 else { throw fail("timeout : un nombre de secondes de 1 à 600") }
                    s.timeout = t
                case "connect_timeout":
                    guard let t = Double(v), t >= 1, t <= 120 else { throw fail("connect_timeout : un nombre de secondes de 1 à 120") }
                    s.connectTimeout = t
                default:
                    throw fail("paramètre inconnu « \(printable(item.name)) » (attendu : starttls, cafile, timeout, connect_timeout)")
                }
            }
            if credentials != nil, s.security == .none, !isLoopback(host) {
                throw fail("le mot de passe traverserait le réseau en clair : utilisez smtps:// ou smtp://…?starttls=required",
                           key: "MES_MAIL_CREDENTIALS_FILE")
            }
            return .smtp(s)
        case "maildir":
            let path = String(url[url.index(after: colon)...])
            guard path.hasPrefix("/"), !path.hasPrefix("//"), !path.contains("?"), path.count > 1 else {
                throw fail("attendu : maildir:/DOSSIER/ABSOLU (par exemple maildir:/var/mail/mes)")
            }
            guard credentials == nil else {
                throw fail("inutile avec maildir: (un dossier local)", key: "MES_MAIL_CREDENTIALS_FILE")
            }
            var d = path
            while d.count > 1 && d.hasSuffix("/") { d.removeLast() }
            return .maildir(MaildirSettings(path: d))
        case "sendmail":
            let rest = url[url.index(after: colon)...]
            let (rawPath, query) = rest.firstIndex(of: "?").map { (rest[..<$0], rest[rest.index(after: $0)...]) } ?? (rest, "")
            let path = String(rawPath)
            guard path.hasPrefix("/"), !path.hasPrefix("//") else {
                throw fail("attendu : sendmail:/CHEMIN/ABSOLU (par exemple sendmail:/usr/sbin/sendmail)")
            }
            guard credentials == nil else {
                throw fail("inutile avec sendmail: (le programme a sa propre configuration)", key: "MES_MAIL_CREDENTIALS_FILE")
            }
            var st = stat()
            guard stat(path, &st) == 0, (st.st_mode & S_IFMT) != S_IFDIR, access(path, X_OK) == 0 else {
                throw fail("\(printable(path)) n'est pas un fichier exécutable")
            }
            var s = SendmailSettings(path: path)
            for pair in query.split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(kv[0]), value = kv.count > 1 ? String(kv[1]) : ""
                switch name {
                case "args":
                    s.arguments = value.split(separator: ",").map { percentDecoded($0) ?? String($0) }
                case "timeout":
                    guard let t = Double(value), t >= 1, t <= 600 else { throw fail("timeout : un nombre de secondes de 1 à 600") }
                    s.timeout = t
                default:
                    throw fail("paramètre inconnu « \(printable(name)) » (attendu : args, timeout)")
                }
            }
            return .sendmail(s)
        default:
            throw fail("schéma non pris en charge « \(printable(String(scheme))) » (attendu : smtp, smtps, sendmail ou maildir)")
        }
    }

    /// `%XX` escapes decoded (nil: a broken escape, or bytes that are not UTF-8).
    static func percentDecoded(_ text: Substring) -> String? {
        var out: [UInt8] = []
        var bytes = text.utf8.makeIterator()
        func hexValue(_ b: UInt8?) -> UInt8? {
            switch b {
            case (0x30...0x39)?: b! - 0x30
            case (0x41...0x46)?: b! - 0x37
            case (0x61...0x66)?: b! - 0x57
            default: nil
            }
        }
        while let b = bytes.next() {
            guard b == 0x25 else { out.append(b); continue }
            guard let high = hexValue(bytes.next()), let low = hexValue(bytes.next()) else { return nil }
            out.append(high << 4 | low)
        }
        return String(validating: out, as: UTF8.self)
    }

    static func checkSMSURL(_ url: String, fail: (String) -> TransportConfigError) throws(TransportConfigError) {
        guard let c = URLComponents(string: url), let scheme = c.scheme?.lowercased(), let host = c.host, !host.isEmpty else {
            throw fail("URL mal formée (attendu : https://HÔTE/CHEMIN)")
        }
        guard scheme == "https" || scheme == "http" else {
            throw fail("schéma non pris en charge « \(printable(scheme)) » (attendu : https)")
        }
        guard scheme == "https" || isLoopback(host) else {
            throw fail("http:// n'est permis que vers 127.0.0.1, ::1 ou localhost : utilisez https://")
        }
        guard c.user == nil, c.password == nil else {
            throw fail("les identifiants n'ont pas leur place dans l'URL : mettez le jeton dans un fichier nommé par MES_SMS_TOKEN_FILE")
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        ["127.0.0.1", "::1", "[::1]", "localhost"].contains(host.lowercased())
    }

    /// `user:password` (split at the first colon) or two lines; a final newline is not part of the password.
    static func parseCredentials(_ text: String) -> SMTPCredentials? {
        // "\r\n" is one Character: split on both kinds of line end.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init)
        while lines.last == "" { lines.removeLast() }
        let user: String, password: String
        switch lines.count {
        case 1:
            guard let colon = lines[0].firstIndex(of: ":") else { return nil }
            user = String(lines[0][..<colon])
            password = String(lines[0][lines[0].index(after: colon)...])
        case 2:
            user = lines[0]
            password = lines[1]
        default:
            return nil
        }
        let ok: (String) -> Bool = { !$0.isEmpty && $0.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F } }
        guard ok(user), ok(password) else { return nil }
        return SMTPCredentials(user: user, password: Secret(password))
    }

    /// `Name <a@b.fr>` or `a@b.fr` → `a@b.fr`.
    static func mailAddress(_ s: String) -> String? {
        let t = s.trimmingSpaces()
        var address = t
        if let lt = t.lastIndex(of: "<") {
            guard t.hasSuffix(">") else { return nil }
            address = String(t[t.index(after: lt)..<t.index(before: t.endIndex)])
        }
        return SMTPTransport.isAddrSpec(address) ? address : nil
    }

    /// Quoted text from the configuration, without control characters and not too long.
    static func printable(_ s: String) -> String {
        Redaction.clean(s, limit: 200)
    }

    struct ReadError: Error {
        var reason: String
        /// Without the path, for an error already named by it.
        var brief: String
        init(reason: String, brief: String) {
            self.reason = reason
            self.brief = brief
        }
        init(_ path: String, _ why: String) {
            self.init(reason: "lecture impossible de \(TransportConfig.printable(path)) : \(why)", brief: "lecture impossible : \(why)")
        }
    }

    /// A configuration or secret file (`FileIO.readBytes`: a device or pipe is read too, a
    /// directory is not), as UTF-8 text of at most `limit` bytes.
    /// A secret file must be the user's own and readable by no one else (mode 0600 or 0400),
    /// as ssh requires of a private key: otherwise refused, naming the file and its mode. A link
    /// is judged by the file it names. A missing file is left to the read, which says so.
    static func refuseExposed(_ path: String, key: String) throws(TransportConfigError) {
        var st = stat()
        // Regular files and named pipes (a pipe others may open could hand them the secret).
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG || (st.st_mode & S_IFMT) == S_IFIFO else { return }
        let mode = st.st_mode & 0o777
        if st.st_uid != geteuid() {
            throw TransportConfigError(key: key, reason: "\(printable(path)) appartient à un autre utilisateur (uid \(st.st_uid)) : "
                                       + "un fichier secret doit être le vôtre", exposed: true)
        }
        if mode & 0o077 != 0 {
            throw TransportConfigError(key: key, reason: "\(printable(path)) est lisible par d'autres (mode \(String(mode, radix: 8))) : "
                                       + "chmod 600 \(printable(path))", exposed: true)
        }
    }

    static func readText(_ path: String, limit: Int) throws(ReadError) -> String {
        let bytes: [UInt8]
        do throws(FileIO.ReadFailure) {
            bytes = try FileIO.readBytes(path, limit: limit, allowStreams: true)
        } catch {
            switch error {
            case .cannotOpen(let code), .cannotRead(let code): throw ReadError(path, FileIO.errnoText(code))
            case .notRegular: throw ReadError(path, FileIO.errnoText(EISDIR))  // with streams allowed, only a directory
            case .tooLarge: throw ReadError(reason: "\(printable(path)) fait plus de \(limit) octets", brief: "plus de \(limit) octets")
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw ReadError(reason: "\(printable(path)) n'est pas un texte UTF-8", brief: "pas un texte UTF-8") }
        return text
    }
}
