import MESCore
import MESRender
import MESService
import MESSystem

/// `mes import`: the insurer's roster, all rows or none.
enum ImportCommand {
    static let sheet = Option("sheet", "NAME", "With an .xlsx or .ods file: the sheet to read (default: the first).")

    static var spec: CommandSpec {
        CommandSpec(
            ["import"], summary: "Load the insurer's roster from a CSV file or a spreadsheet (all rows or none).",
            discussion: "Columns (header names; French aliases in parentheses): nir, birth_date (date_naissance), first_name (prenom), last_name (nom), card_type (type_carte: photo/plain or avec photo/sans photo), serial (numero_serie) are required; email (courriel), mobile (telephone), address (adresse), holder_birth_date (date_naissance_titulaire: the holder's birth date, for a profile attached to a holder with the same NIR and card), deceased (decede), state (etat: pending, opposed, active, closed), state_since, notified_at are optional. ',', ';' or tab separators; UTF-8 with or without BOM, or Windows-1252 (what Excel and LibreOffice save by default) or UTF-16, decoded and said once on stderr (--json: encoding and notice in the result); or a spreadsheet (.xlsx or .ods, known by its content: the first sheet or --sheet NAME, cells as the sheet stores them, row numbers the sheet's). Every row is validated; any invalid row rejects the whole file with its row numbers (the sheet's: blank lines count, a cell holding line breaks does not shift them), and nothing is imported. Cells a spreadsheet's CSV export spoilt are named with their cause and fix, each with a code of its own: a NIR or serial in scientific notation (export_scientific_notation) or with a trailing .0 (export_decimal_suffix), a serial that lost its leading zero (export_leading_zero_lost), a date with a two-digit year (export_two_digit_year) or written as a day number (export_day_number: 44595 is 03/02/2022), characters that could not be decoded (encoding_invalid: mixed encodings, or bytes Windows-1252 leaves undefined). Into an empty register the rows are written once, straight to the database file (a rollback journal instead of the write-ahead log, when no other process has the store open), and the identity index is built at the end: other commands on that store wait until the import is done.",
            options: [sheet],
            positionals: [PositionalSpec("FILE", "the roster CSV, .xlsx or .ods ('-' for CSV on standard input)", file: true)],
            examples: ["mes import roster.csv"], run: run)
    }

    static func run(_ inv: Invocation, _ ctx: Context) throws {
        let path = inv.positionals[0]
        let service = try ctx.service()
        let file: InputFile
        if path == "-" {
            if inv[Self.sheet] != nil { throw Usage.conflicting("sheet", "--sheet va avec un classeur .xlsx ou .ods, pas avec l'entrée standard") }
            file = InputFile.standardInput { try ctx.stdin.forEachChunk($0) }
        } else {
            file = try InputFile.open(path, sheet: inv[Self.sheet], field: "FILE")
        }
        // A file not in UTF-8 is said once, on stderr: before the import when its encoding is
        // known from the start (a regular file), else once it was read (refused or not). Under
        // --json it is in the result (`encoding`, `notice`) instead.
        var announced = false
        func announce() {
            guard !announced, !ctx.json, let notice = file.notice else { return }
            announced = true
            ctx.note("mes: " + notice)
        }
        announce()
        defer { announce() }
        let count = try service.importRoster(file.source, totalBytes: file.totalBytes)
        ctx.emit(SimpleReport(text: plural(count, "personne importée", "personnes importées") + ".",
                              json: .obj([("status", "imported"), ("people", .int(count)), ("encoding", file.encoding.map { .string($0.rawValue) }),
                                          ("notice", file.notice.map { .string($0) })])))
    }
}
