import MESCore
import MESRender
import MESService

/// `mes outbox letters`: the letters waiting, printed into one PDF; their posting recorded.
enum OutboxLettersCommand {
    static let pdf = Option("pdf", "FILE", "Print every letter waiting into this PDF (A4, one letter per sheet, address in a DL envelope's window).", file: true)
    static let posted = Option("posted", "FILE", "Record the posting of the batch printed into FILE (the PDF as written by --pdf).", file: true)
    static let postedAt = Option("posted-at", "WHEN", "With --posted: when the batch was posted (a date: the end of that day, Paris time, or now if earlier; or an instant). Default: now.")
    static let force = Flag("force", "With --pdf: replace an existing file (a symbolic link is replaced, never followed).")

    static var spec: CommandSpec {
        CommandSpec(
            ["outbox", "letters"], summary: "Print the letters waiting into one PDF, or record their posting.",
            discussion: """
            Letters (notifications to people without an e-mail address, notifications whose e-mail was refused for good, codes by post) wait in the outbox, sealed like e-mails. --pdf FILE writes every letter waiting into one print-ready PDF — A4 portrait, each letter on its own sheet (printed on both sides, a second page on the back), the recipient's address block (La Poste's standard: at most 6 lines of 38 characters, postcode and town last, in capitals) in the window of a DL envelope (110 × 220 mm, window on the right), the service's French text and the code — then records them as one printed batch, known by the file's SHA-256. The file is written as the letters are read (memory stays flat) and appears only when complete. Addresses that do not fit the standard are printed as they are and counted: check them before posting.

            The six weeks before a space is created automatically run from the sending of the information (art. R1111-28): for a letter, from its posting. --posted FILE records the posting of the batch printed into FILE (the same bytes: a file changed since is refused), now or at --posted-at; a date before the printing or in the future is refused, and a batch is posted once. Until then its people's windows have not started and sweep creates none of their spaces.
            """,
            options: [pdf, force, posted, postedAt],
            examples: ["mes outbox letters --pdf lettres.pdf", "mes outbox letters --posted lettres.pdf --posted-at 2022-02-04"],
            run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        switch (inv[Self.pdf], inv[Self.posted]) {
        case (let path?, nil):
            if inv[Self.postedAt] != nil { throw Usage.goesWith("posted-at", "--posted FICHIER, pas avec --pdf") }
            ctx.emit(try ctx.service().printLetters(to: path, replace: inv[Self.force]))
        case (nil, let path?):
            let service = try ctx.service()
            var at: Instant?
            if let text = inv[Self.postedAt] {
                guard let end = Instant.bound(text, endOfDay: true) else {
                    throw Usage.invalidValue("posted-at", expected: "une date (2022-02-04 ou 04/02/2022) ou un instant (2022-02-04T10:00:00Z)", got: text)
                }
                at = end
            }
            ctx.emit(try service.recordPosting(of: path, at: at, dateOnly: inv[Self.postedAt].map { !$0.contains("T") } ?? false))
        case (nil, nil):
            throw Usage.missingOption("pdf", placeholder: "FICHIER (imprimer les courriers en attente)", or: ["--posted FICHIER (enregistrer leur dépôt)"])
        case (_?, _?):
            throw Usage.conflicting("posted", "--pdf et --posted sont deux étapes : imprimer, poster, puis enregistrer le dépôt")
        }
    }
}
