import Foundation
import Testing
@testable import MESDelivery

@Suite struct TransportConfigTests {
    func configError(_ env: [String: String], file: String? = nil) -> String {
        do {
            _ = try TransportConfig.load(environment: env, file: file)
            return "no error"
        } catch {
            return error.description
        }
    }

    @Test func nothingConfiguredMeansNoTransport() throws {
        let config = try TransportConfig.load(environment: ["PATH": "/usr/bin", "MES_HOME": "/tmp/x"])
        #expect(config.mail == nil && config.sms == nil)
        #expect(config.mailTransport() == nil && config.smsTransport() == nil)
        #expect(config.mailFrom == "ne-pas-repondre@monespacesante.fr" && config.mailFromHeader == nil)
        // An empty value is "not set".
        #expect(try TransportConfig.load(environment: ["MES_MAIL_URL": "", "MES_SMS_URL": ""]).mailTransport() == nil)
    }

    @Test func mailURLForms() throws {
        func smtp(_ url: String) throws -> SMTPSettings {
            guard case .smtp(let s) = try TransportConfig.parseMailURL(url) else { throw TestFailure("not smtp") }
            return s
        }
        let plain = try smtp("smtp://mail.example.fr")
        #expect(plain.host == "mail.example.fr" && plain.port == 25 && plain.security == .none)
        #expect(plain.connectTimeout == 10 && plain.timeout == 30 && plain.curlURL == "smtp://mail.example.fr:25")
        let starttls = try smtp("smtp://mail.example.fr:587/mes.example.fr?starttls=required&timeout=20&connect_timeout=5")
        #expect(starttls.port == 587 && starttls.security == .starttls && starttls.heloName == "mes.example.fr")
        #expect(starttls.timeout == 20 && starttls.connectTimeout == 5)
        #expect(starttls.curlURL == "smtp://mail.example.fr:587/mes.example.fr")
        let tls = try smtp("SMTPS://mail.example.fr")
        #expect(tls.port == 465 && tls.security == .tls && tls.curlURL == "smtps://mail.example.fr:465")
        #expect(try smtp("smtp://[::1]:2525").curlURL == "smtp://[::1]:2525")

        guard case .sendmail(let s) = try TransportConfig.parseMailURL("sendmail:/bin/sh?args=-C,/etc/msmtp%2Crc,-X&timeout=5") else {
            throw TestFailure("not sendmail")
        }
        #expect(s.path == "/bin/sh" && s.arguments == ["-C", "/etc/msmtp,rc", "-X"] && s.timeout == 5)
    }

    @Test func errorsNameTheKeyAndTheReason() throws {
        #expect(configError(["MES_MAIL_URL": "ftp://x"]) == "MES_MAIL_URL : schéma non pris en charge « ftp » (attendu : smtp, smtps, sendmail ou maildir)")
        #expect(configError(["MES_MAIL_URL": "mail.example.fr"]).hasPrefix("MES_MAIL_URL : pas une URL"))
        #expect(configError(["MES_MAIL_URL": "smtp://"]) == "MES_MAIL_URL : URL smtp mal formée (attendu : smtp://HÔTE[:PORT])")
        #expect(configError(["MES_MAIL_URL": "smtp://h?starttls=maybe"]) == "MES_MAIL_URL : starttls vaut « required » ou « none », pas « maybe »")
        #expect(configError(["MES_MAIL_URL": "smtps://h?starttls=required"]).hasPrefix("MES_MAIL_URL : starttls ne s'applique pas à smtps://"))
        #expect(configError(["MES_MAIL_URL": "smtp://h?tls=1"]).hasPrefix("MES_MAIL_URL : paramètre inconnu « tls »"))
        #expect(configError(["MES_MAIL_URL": "smtp://h?timeout=0"]).hasPrefix("MES_MAIL_URL : timeout : un nombre"))
        #expect(configError(["MES_MAIL_URL": "smtp://h?cafile=/nonexistent/ca.pem"]) == "MES_MAIL_URL : cafile /nonexistent/ca.pem : fichier ou dossier introuvable")
        #expect(configError(["MES_MAIL_URL": "sendmail:usr/sbin/sendmail"]).hasPrefix("MES_MAIL_URL : attendu : sendmail:/CHEMIN/ABSOLU"))
        #expect(configError(["MES_MAIL_URL": "sendmail:/nonexistent/sendmail"]) == "MES_MAIL_URL : /nonexistent/sendmail n'est pas un fichier exécutable")
        #expect(configError(["MES_MAIL_URL": "sendmail:/bin/sh?flags=1"]).hasPrefix("MES_MAIL_URL : paramètre inconnu « flags »"))
        #expect(configError(["MES_MAIL_FROM": "not an address"]).hasPrefix("MES_MAIL_FROM : pas une adresse e-mail"))
        #expect(configError(["MES_MAIL_CREDENTIALS_FILE": "/x"]) == "MES_MAIL_CREDENTIALS_FILE : donnée sans MES_MAIL_URL")
        #expect(configError(["MES_SMS_TOKEN_FILE": "/x"]) == "MES_SMS_TOKEN_FILE : donnée sans MES_SMS_URL")
        for bad in ["0", "-1", "fast", "nan", "inf", "1e9", "1e-300", "0.001", "0x10", " 5"] {
            #expect(configError(["MES_MAIL_RATE": bad]).hasPrefix("MES_MAIL_RATE : attendu : un nombre de messages par seconde de 0.01"), "\(bad)")
        }
        #expect(try TransportConfig.load(environment: ["MES_MAIL_RATE": "0.5", "MES_SMS_RATE": "50"]).mailRate == 0.5)
        #expect(try TransportConfig.load(environment: ["MES_SMS_RATE": "50"]).smsRate == 50)
        #expect(configError(["MES_SMS_URL": "https://sms.example.fr/v1"]) == "MES_SMS_TOKEN_FILE : obligatoire avec MES_SMS_URL")
        #expect(configError(["MES_SMS_URL": "http://sms.example.fr/v1", "MES_SMS_TOKEN_FILE": "/x"])
                == "MES_SMS_URL : http:// n'est permis que vers 127.0.0.1, ::1 ou localhost : utilisez https://")
        #expect(configError(["MES_SMS_URL": "ftp://sms.example.fr/v1"]) == "MES_SMS_URL : schéma non pris en charge « ftp » (attendu : https)")
        #expect(configError(["MES_SMS_URL": "https://sms.example.fr", "MES_SMS_TOKEN_FILE": "/nonexistent/token"])
                == "MES_SMS_TOKEN_FILE : lecture impossible de /nonexistent/token : fichier ou dossier introuvable")
    }

    @Test func secretsStayOutOfURLsAndOffTheWireInClear() throws {
        // A password in the URL is refused without being quoted.
        let inURL = configError(["MES_MAIL_URL": "smtp://user:hunter2@mail.example.fr"])
        #expect(inURL.hasPrefix("MES_MAIL_URL : les identifiants n'ont pas leur place dans l'URL") && !inURL.contains("hunter2"))
        #expect(!configError(["MES_SMS_URL": "https://u:hunter2@sms.example.fr", "MES_SMS_TOKEN_FILE": "/x"]).contains("hunter2"))

        let dir = try TempDir("cfg-secret")
        defer { dir.remove() }
        let cred = try dir.write("cred", "relay:hunter2\n")
        let notProgram = try dir.write("not-a-program", "x", mode: 0o600)
        #expect(configError(["MES_MAIL_URL": "sendmail:\(notProgram)"]) == "MES_MAIL_URL : \(notProgram) n'est pas un fichier exécutable")
        #expect(configError(["MES_MAIL_URL": "sendmail:\(dir.path)"]) == "MES_MAIL_URL : \(dir.path) n'est pas un fichier exécutable")
        #expect(configError(["MES_MAIL_URL": "smtp://mail.example.fr:587", "MES_MAIL_CREDENTIALS_FILE": cred])
                == "MES_MAIL_CREDENTIALS_FILE : le mot de passe traverserait le réseau en clair : utilisez smtps:// ou smtp://…?starttls=required")
        #expect(configError(["MES_MAIL_URL": "sendmail:/bin/sh", "MES_MAIL_CREDENTIALS_FILE": cred]).hasPrefix("MES_MAIL_CREDENTIALS_FILE : inutile avec sendmail"))
        let ok = try TransportConfig.load(environment: ["MES_MAIL_URL": "smtp://mail.example.fr:587?starttls=required", "MES_MAIL_CREDENTIALS_FILE": cred])
        guard case .smtp(let s) = ok.mail else { throw TestFailure("not smtp") }
        #expect(s.credentials?.user == "relay" && s.credentials?.password.value == "hunter2")
        // Printing the configuration never shows the password.
        #expect(!String(describing: ok).contains("hunter2") && !String(reflecting: ok).contains("hunter2"))
        var dumped = ""
        dump(ok, to: &dumped)
        #expect(!dumped.contains("hunter2"))
        // Loopback may go in clear (a local relay).
        #expect(try TransportConfig.load(environment: ["MES_MAIL_URL": "smtp://127.0.0.1:2525", "MES_MAIL_CREDENTIALS_FILE": cred]).mail != nil)
    }

    @Test func credentialsFileForms() {
        #expect(TransportConfig.parseCredentials("u:p")?.user == "u")
        #expect(TransportConfig.parseCredentials("u:p:q\n")?.password.value == "p:q")
        #expect(TransportConfig.parseCredentials("user@example.fr\r\npass word:x\r\n")?.user == "user@example.fr")
        #expect(TransportConfig.parseCredentials("user@example.fr\npass word:x\n")?.password.value == "pass word:x")
        for bad in ["", "\n", "nocolon", ":p", "u:", "a\nb\nc", "u\n\n", "u:p\u{7}"] {
            #expect(TransportConfig.parseCredentials(bad) == nil, "\(bad)")
        }
    }

    @Test func fileSettingsAndTheEnvironmentOverThem() throws {
        let dir = try TempDir("cfg-file")
        defer { dir.remove() }
        _ = try dir.write("token", "  file-token \n")
        let file = try dir.write("mes.conf", """
            # Transports for mes
            MES_MAIL_URL = smtp://127.0.0.1:2525

              # indented comment
            MES_MAIL_FROM="Mon espace santé <bonjour@mes.example.fr>"
            MES_SMS_URL='https://sms.example.fr/v1/messages?account=42'
            MES_SMS_TOKEN_FILE=token

            """)
        let fromFile = try TransportConfig.load(environment: [:], file: file)
        guard case .smtp(let s) = fromFile.mail else { throw TestFailure("not smtp") }
        #expect(s.port == 2525)
        #expect(fromFile.mailFrom == "bonjour@mes.example.fr")
        #expect(fromFile.mailFromHeader == "Mon espace santé <bonjour@mes.example.fr>")
        #expect(fromFile.sms?.url == "https://sms.example.fr/v1/messages?account=42")
        #expect(fromFile.sms?.token.value == "file-token")  // relative to the file's directory, trimmed

        let overridden = try TransportConfig.load(environment: ["MES_MAIL_URL": "sendmail:/bin/sh", "MES_SMS_URL": ""], file: file)
        guard case .sendmail = overridden.mail else { throw TestFailure("env did not win") }
        #expect(overridden.mailFrom == "bonjour@mes.example.fr")
        // MES_SMS_URL emptied by the environment: no SMS transport (its token file is left unread).
        #expect(overridden.sms == nil && overridden.smsTransport() == nil)

        let bad = try dir.write("bad.conf", "MES_MAIL_URL=ftp://x\n")
        #expect(configError([:], file: bad) == "MES_MAIL_URL : schéma non pris en charge « ftp » (attendu : smtp, smtps, sendmail ou maildir) (\(bad):1)")
        let typo = try dir.write("typo.conf", "# x\nMES_MAIL_ULR=smtp://x\n")
        #expect(configError([:], file: typo).hasPrefix("\(typo) : ligne 2 : clé inconnue « MES_MAIL_ULR »"))
        let noEquals = try dir.write("noeq.conf", "MES_MAIL_URL smtp://x\n")
        #expect(configError([:], file: noEquals) == "\(noEquals) : ligne 1 : CLÉ=valeur attendu")
        let twice = try dir.write("twice.conf", "MES_MAIL_URL=smtp://a\nMES_MAIL_URL=smtp://b\n")
        #expect(configError([:], file: twice) == "MES_MAIL_URL : donnée deux fois (lignes 1 et 2) (\(twice):2)")
        #expect(configError([:], file: dir.file("missing.conf")) == "\(dir.file("missing.conf")) : lecture impossible : fichier ou dossier introuvable")
    }
}
