import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The delivery configuration is read by the command line (the environment's `MES_*` keys over
/// the store's `mes.conf`) and checked only when a message is to be sent.
@Suite struct DeliveryConfigurationTests {
    @Test func aBadFileStopsSendingOnlyAndTheEnvironmentWinsOverIt() throws {
        let s = try Scenario()
        try "# transports\nMES_MAIL_URL=ftp://nowhere\n".write(toFile: s.store + "/mes.conf", atomically: true, encoding: .utf8)
        #expect(try s.run(["outbox", "list"]).status == 0, "a command that sends nothing does not check it")
        let r = try s.run(["outbox", "send", "--json"])
        #expect(r.status == 64 && r.errorJSON["code"] as? String == "delivery_config_invalid", "\(r.stderr)")
        #expect(r.stderr.contains("mes.conf:2"), "\(r.stderr)")
        let off = try runBinary(["outbox", "send", "--json"], env: ["MES_HOME": s.store, "MES_NOW": s.now, "MES_MAIL_URL": ""])
        #expect(off.status == 0, "an empty MES_MAIL_URL in the environment turns the file's off: \(off.stderr)")
    }

    @Test func aNamedPipeInPlaceOfTheFileNeverHangsACommand() throws {
        let s = try Scenario()
        #expect(mkfifo(s.store + "/mes.conf", 0o600) == 0)
        #expect(try s.run(["code", "generate", "--no-send"] + Scenario.martine + Scenario.martineBirth).status == 0)
        let r = try s.run(["outbox", "send", "--json"])
        #expect(r.status == 64 && r.stderr.contains("not a regular file"), "\(r.stderr)")
    }
}
