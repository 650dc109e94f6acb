import Foundation
import Testing
import TestSupport
import MESCore
@testable import MESService

/// Credentials and token files are refused when others may read them (as ssh refuses such
/// keys): exit 78, naming the file and its mode.
@Suite struct SecretFileTests {
    func settings(_ key: String, file: String) -> DeliverySettings {
        key == "MES_SMS_TOKEN_FILE"
            ? DeliverySettings(environment: ["MES_SMS_URL": "https://sms.example.fr/send", key: file])
            : DeliverySettings(environment: ["MES_MAIL_URL": "smtp://127.0.0.1:2525", key: file])
    }

    @Test(arguments: ["MES_MAIL_CREDENTIALS_FILE", "MES_SMS_TOKEN_FILE"])
    func aSecretFileOthersMayReadIsRefused(key: String) throws {
        let h = try Harness()
        let file = temporaryPath("mes-secret")
        _ = FileManager.default.createFile(atPath: file, contents: Data("user:password\n".utf8))
        for mode in [0o644, 0o640, 0o604, 0o660] {
            chmod(file, mode_t(mode))
            let e = h.error { _ = try Service(store: h.service.store, clock: h.clock, delivery: .settings(settings(key, file: file))).transports() }
            #expect(e?.code == .secretFileExposed && e?.status == .configuration, "\(String(mode, radix: 8)): \(String(describing: e))")
            #expect(e?.message.contains(file) == true && e?.message.contains("mode \(String(mode, radix: 8))") == true
                    && e?.message.contains("chmod 600") == true, "\(e?.message ?? "")")
            #expect(e?.field == key)
        }
        for mode in [0o600, 0o400] {
            chmod(file, mode_t(mode))
            #expect(h.error { _ = try Service(store: h.service.store, clock: h.clock, delivery: .settings(settings(key, file: file))).transports() } == nil)
        }
        #expect(ExitStatus.configuration.rawValue == 78)
    }
}
