import Foundation
import Testing
import TestSupport

/// A `key import` that fails at any system call — the disk full at each sync, a kill at each
/// file removal — leaves the store signing with the old identity or the new one, whole: codes,
/// oppositions and receipt verification go on working, and running the import again completes.
@Suite(.serialized) struct KeyImportFaultTests {
    @Test func aFailureAtAnySyscallLeavesAWholeIdentity() throws {
        guard findProgram("strace") != nil, let openssl = findProgram("openssl") else {
            Issue.record("strace and openssl are needed (apt-get install strace openssl)"); return
        }
        let s = try Scenario()
        let key = s.dir.appendingPathComponent("k.pem").path, cert = s.dir.appendingPathComponent("c.pem").path
        _ = try runProgram(openssl, ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
                                     "-out", cert, "-subj", "/CN=Imported", "-days", "3650"])
        // A receipt signed before any import.
        _ = try s.run(["code", "generate", "--nir", "116304403801618", "--birth-date", "08/06/1988", "--card", "plain", "--serial", "953701166"])
        let token = try s.run(["identify", "--json", "--code", try s.lastCode(), "--nir", "116304403801618", "--card", "plain",
                               "--serial", "953701166"]).json["session"] as? String ?? ""
        let receipt = s.dir.appendingPathComponent("r.pdf").path
        #expect(try s.run(["oppose", "--session", token, "--yes", "--receipt", receipt]).status == 0)
        let before = try s.run(["key", "export", "--json"]).json["fingerprint"] as? String

        let faults = (1...6).map { "fdatasync:error=ENOSPC:when=\($0)" } + (1...3).map { "fsync:error=ENOSPC:when=\($0)" }
            + (1...4).map { "unlink:signal=SIGKILL:when=\($0)" } + (1...2).map { "rename:signal=SIGKILL:when=\($0)" }
        for fault in faults {
            let r = try sh("strace -f -o /dev/null -e inject=\(fault) \"$MES\" key import \(key) \(cert) >/dev/null", env: ["MES_HOME": s.store, "MES_NOW": s.now])
            // Whatever happened, the identity is whole: the old one or the imported one.
            let now = try s.run(["key", "export", "--json"])
            #expect(now.status == 0, "\(fault): key export \(now.stderr)")
            let fingerprint = now.json["fingerprint"] as? String
            #expect(fingerprint == before || now.json["name"] as? String == "Imported", "\(fault): exit \(r.status), \(now.stdout)")
            let verify = try s.run(["receipt", "verify", receipt])
            #expect(verify.status == 0 && verify.stdout.contains("authentique"), "\(fault): \(verify.stdout) \(verify.stderr)")
            s.advance(seconds: 60)
            let code = try s.run(["code", "generate", "--nir", "116304403801618", "--birth-date", "08/06/1988", "--card", "plain",
                                  "--serial", "953701166"])
            #expect(code.status == 0, "\(fault): code generate \(code.status) \(code.stderr)")
        }
        // Run again without a fault: it completes, and the next receipt is signed by the new identity.
        #expect(try s.run(["key", "import", key, cert]).status == 0)
        #expect(try s.run(["key", "export", "--json"]).json["name"] as? String == "Imported")
        #expect(try s.run(["receipt", "verify", receipt]).stdout.contains("authentique"))
        // An opposition signs with it (Martine's child, filed by her).
        let child = try s.run(["profiles", "oppose", "--session", token, "--profile", "6", "--legal-representative", "--yes", "--json"])
        #expect(child.status == 0, "\(child.stderr)")
        // No temporary file is left in the store's folder.
        let stray = try FileManager.default.contentsOfDirectory(atPath: s.store).filter { $0.hasPrefix(".mes-tmp") }
        #expect(stray.isEmpty, "\(stray)")
    }
}
