import MESCore
import MESService

/// `mes init`: the store.
enum InitCommand {
    static let demo = Flag("demo", "Seed the demo people (the store must hold nobody yet); the store honours a fixed clock.")
    static let testClock = Flag("test-clock", "Make a store for tests: it honours --now / MES_NOW (no other store does).")

    static var spec: CommandSpec {
        CommandSpec(
            ["init"], summary: "Create the store (database, key, outbox) in the data directory.",
            discussion: "Creates DIR/mes.db, DIR/secret.key (the per-store HMAC key), DIR/outbox/ and DIR/receipts/ with modes 0700/0600. Running it on an existing store changes nothing. --demo also seeds the people shown in the guides (Martine Julie Leguellec 1 16 30 44 038 016 18 and the Capanelli profiles) and a few hard cases: SMS-only contact, twins, Corsica by letter, a deceased person, an active space.",
            options: [demo,
                      testClock],
            examples: ["mes init --demo", "mes --store /tmp/mes init", "mes --store /tmp/mes-test init --test-clock"], run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let creation = try Service.initialize(ctx.storeDirectory, demo: inv[Self.demo], testClock: inv[Self.testClock])
        for n in creation.notes { ctx.note(n) }
        ctx.emit(creation)
    }
}
