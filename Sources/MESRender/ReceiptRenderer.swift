import MESCore

/// Renders an opposition receipt as a one-page PDF, as text, or as JSON — all from the same lines.
public enum ReceiptRenderer {
    static let left = 72.0
    static let right = PDFWriter.pageWidth - 72
    static let nirLabel = "Numéro de l'assuré : "
    static let nameLabel = "Nom de l'assuré : "
    static let referenceLabel = "Référence : "
    static let verificationLabel = "Code de vérification : "

    static let staticSentence3 = WinAnsi.encode(OppositionReceipt.changeOfMind)
    static let rules: [PDFWriter.Rule] = [.init(x1: left, x2: right, y: 772), .init(x1: left, x2: right, y: 96)]
    static let sentence2Top = 574.0
    /// Sentence 2 wraps the same way whatever the date (all digits have one width).
    static let sentence2Lines = PDFWriter.wrap(bytes: WinAnsi.encode(OppositionReceipt.sentence2(on: "00/00/0000")), size: 11,
                                               maxWidth: right - left).count

    /// What every receipt shows at the same place, laid out once.
    static let fixedRuns: [PDFWriter.TextRun] = {
        var runs: [PDFWriter.TextRun] = []
        runs.append(.init("mon ESPACE SANTÉ", x: left, y: 790, size: 16, font: .bold, gray: 0.1))
        let page = "Page 1/1"
        runs.append(.init(page, x: right - PDFWriter.width(page, size: 10), y: 792, size: 10))
        runs.append(.init(OppositionReceipt.title, x: left, y: 635, size: 18, font: .bold))
        var y = sentence2Top - 15 * Double(sentence2Lines) - 11
        for line in PDFWriter.wrap(bytes: staticSentence3, size: 11, maxWidth: right - left) {
            runs.append(.init(bytes: line, x: left, y: y))
            y -= 15
        }
        y -= 11
        runs.append(.init(OppositionReceipt.closing[0], x: left, y: y))
        runs.append(.init(OppositionReceipt.closing[1], x: left, y: y - 15))
        runs.append(.init("Authenticité vérifiable avec : mes receipt verify FICHIER", x: left, y: 66, size: 8, gray: 0.5))
        return runs
    }()

    /// The fixed part of the page's content stream, rendered once.
    static let fixedContent: [UInt8] = PDFWriter.content(runs: fixedRuns, rules: rules)

    /// What changes from one receipt to the next.
    static func variableRuns(_ r: OppositionReceipt) -> [PDFWriter.TextRun] {
        var runs: [PDFWriter.TextRun] = []
        runs.reserveCapacity(10)
        runs.append(.init(nirLabel + r.nir.formatted, x: left, y: 735))
        runs.append(.init(nameLabel + r.name, x: left, y: 717))
        runs.append(.init("Le \(r.decidedOn.french)", x: left, y: 690))
        if r.isDuplicate {
            runs.append(.init("Duplicata n° \(r.copy) émis le \(r.issuedAt.parisDate.french)", x: left, y: 674, size: 9, gray: 0.35))
        }
        runs.append(.init("Bonjour \(r.greeting),", x: left, y: 600))
        var y = sentence2Top
        for line in PDFWriter.wrap(bytes: WinAnsi.encode(OppositionReceipt.sentence2(on: r.decidedOn.french)), size: 11, maxWidth: right - left) {
            runs.append(.init(bytes: line, x: left, y: y))
            y -= 15
        }
        runs.append(.init(referenceLabel + r.id, x: left, y: 80, size: 9, gray: 0.35))
        let v = verificationLabel + r.verification
        runs.append(.init(v, x: right - PDFWriter.width(v, size: 9), y: 80, size: 9, gray: 0.35))
        return runs
    }

    /// The PDF bytes: deterministic for the same receipt.
    public static func pdf(_ r: OppositionReceipt) -> [UInt8] {
        var doc = PDFWriter()
        var page = PDFWriter.Page()
        page.prefix = fixedContent
        page.runs = variableRuns(r)
        doc.pages = [page]
        doc.title = "Votre justificatif d'opposition"
        doc.subject = "Justificatif d'opposition à la création de Mon espace santé"
        doc.author = "Mon espace santé"
        doc.keywords = r.id
        doc.producer = "mes"
        doc.creationDate = pdfDate(r.issuedAt)
        return doc.render()
    }

    /// `D:20220203110000+01'00'` in Paris time.
    static func pdfDate(_ i: Instant) -> String {
        let off = i.parisOffset
        let local = Instant(seconds: i.seconds + off)
        let d = local.date
        let s = Int(((local.seconds % 86_400) + 86_400) % 86_400)
        func p(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "D:\(d.year)\(p(d.month))\(p(d.day))\(p(s / 3600))\(p(s / 60 % 60))\(p(s % 60))+\(p(Int(off / 3600)))'00'"
    }

    /// The same page as plain text.
    public static func text(_ r: OppositionReceipt) -> String {
        var lines = [
            "mon ESPACE SANTÉ — Page 1/1", "", nirLabel + r.nir.formatted, nameLabel + r.name, "", "Le \(r.decidedOn.french)",
        ]
        if r.isDuplicate { lines.append("Duplicata n° \(r.copy) émis le \(r.issuedAt.parisDate.french)") }
        let s = r.sentences
        lines += ["", s[0], "", s[1], "", s[2], "", s[3], "", s[4], s[5], "", referenceLabel + r.id, verificationLabel + r.verification]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The receipt as a JSON document.
    public static func json(_ r: OppositionReceipt) -> JSON {
        .obj([("schema_version", 1), ("receipt", .string(r.id)), ("nir", .string(r.nir.compact)),
              ("nir_formatted", .string(r.nir.formatted)), ("name", .string(r.name)), ("greeting", .string(r.greeting)),
              ("decided_on", .string(r.decidedOn.iso)), ("issued_at", .string(r.issuedAt.iso8601)),
              ("duplicate", .bool(r.isDuplicate)), ("copy", .int(r.copy)), ("verification", .string(r.verification)),
              ("sentences", .array(r.sentences.map { .string($0) }))])
    }
}
