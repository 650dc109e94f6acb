import MESCore
import MESService

/// `mes demo`: seed 001's opposition journey on the default store, step by step.
enum DemoCommand {
    static var spec: CommandSpec {
        CommandSpec(
            ["demo"], summary: "Run the guided opposition scenario on the store (the README's main command).",
            discussion: "Creates the store with the demo people when there is none, then follows a union's step-by-step guide (« Comment refuser Mon espace santé ? ») for Martine Julie Leguellec: generate a new provisional code, read it from the outbox, identify, confirm the opposition, get the PDF receipt and verify it, and list the attached Capanelli profiles. Run again, it reports the existing opposition, as the service does.",
            examples: ["mes demo", "mes --store /tmp/mes-demo demo"], run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        ctx.emit(try Service.openForDemo(ctx.storeDirectory, clock: try ctx.clock()).demo())
    }
}
