import MESCore

/// Renders an opposition receipt as a one-page PDF, as text, or as JSON — all from the same lines.
public enum ReceiptRenderer {
    static let left = 72.0
    static let right = PDFWriter.pageWidth - 72
    static let nirLabel = "Numéro de l'assuré : "
    static let nameLabel = "Nom de l'assuré : "
    static let referenceLabel = "Référence : "
    static let verificationLabel = "Code de vérification : "

    static let rules: [PDFWriter.Rule] = [.init(x1: left, x2: right, y: 772), .init(x1: left, x2: right, y: 96)]
    static let sentence2Top = 574.0

    /// The receipt layout this renderer writes (`/ReceiptLayout` in the document information):
    /// 1, the first receipts (no such key: uncompressed page, UTF-16 metadata); 2, the page
    /// compressed, the metadata in literal strings, a signature slot of the signer's exact
    /// largest size and no `/Name` or `/Reason`, and what becomes of the DMP after an opposition.
    public static let layoutVersion = 2

    /// What every receipt of a kind shows at the same place, laid out once per kind.
    struct Layout: Sendable {
        let kind: ReceiptKind
        /// The fixed part of the page's content stream, rendered once.
        let fixedContent: [UInt8]
        /// The fixed part of a receipt that speaks to a legal representative or names an
        /// association (`OppositionReceipt.isAddressed`): the same without the DMP sentence,
        /// sentence 3 and the closing, which come lower when the sentences above them take more lines.
        let headContent: [UInt8]
        /// Both compressed once (unsigned receipts).
        let fixedPrefix: PDFWriter.Prefix
        let headPrefix: PDFWriter.Prefix
        /// What becomes of the DMP (oppositions only), then sentence 3, in lines as the page draws them.
        let dmpLines: [[UInt8]]
        let sentence3Lines: [[UInt8]]
        /// Sentence 2 laid out with a placeholder date, which is the same width as any date (all
        /// digits have one width): each receipt only puts its date in place.
        let sentence2Template: [[UInt8]]
        /// Where the placeholder date sits in the template.
        let dateAt: (line: Int, offset: Int)
        let title: PDFWriter.TextString
        let subject: PDFWriter.TextString

        init(_ kind: ReceiptKind) {
            self.kind = kind
            let placeholder = String(decoding: ReceiptRenderer.datePlaceholder, as: UTF8.self)
            sentence2Template = PDFWriter.wrap(bytes: WinAnsi.encode(kind.sentence2(on: placeholder)), size: 11,
                                               maxWidth: ReceiptRenderer.right - ReceiptRenderer.left)
            dateAt = Self.find(ReceiptRenderer.datePlaceholder, in: sentence2Template)
            title = PDFWriter.TextString(kind.title)
            subject = PDFWriter.TextString(kind.subject)
            let (left, right) = (ReceiptRenderer.left, ReceiptRenderer.right)
            var head: [PDFWriter.TextRun] = []
            head.append(.init("mon ESPACE SANTÉ", x: left, y: 790, size: 16, font: .bold, gray: 0.1))
            let page = "Page 1/1"
            head.append(.init(page, x: right - PDFWriter.width(page, size: 10), y: 792, size: 10))
            head.append(.init(kind.title, x: left, y: 635, size: 18, font: .bold))
            head.append(.init("Authenticité vérifiable avec : mes receipt verify FICHIER", x: left, y: 66, size: 8, gray: 0.5))
            dmpLines = kind == .opposition ? PDFWriter.wrap(bytes: WinAnsi.encode(Messages.dmpAfterOpposition), size: 11, maxWidth: right - left) : []
            sentence3Lines = PDFWriter.wrap(bytes: WinAnsi.encode(kind.sentence3), size: 11, maxWidth: right - left)
            let tail = Self.tail(dmpLines, sentence3Lines, from: ReceiptRenderer.sentence2Top - 15 * Double(sentence2Template.count) - 11)
            fixedContent = PDFWriter.content(runs: Array(head[0..<3]) + tail + [head[3]], rules: ReceiptRenderer.rules)
            headContent = PDFWriter.content(runs: head, rules: ReceiptRenderer.rules)
            fixedPrefix = PDFWriter.Prefix(fixedContent)
            headPrefix = PDFWriter.Prefix(headContent)
        }

        /// The DMP sentence, sentence 3 and the closing, from `top` down.
        func tail(from top: Double) -> [PDFWriter.TextRun] { Self.tail(dmpLines, sentence3Lines, from: top) }

        static func tail(_ dmpLines: [[UInt8]], _ sentence3Lines: [[UInt8]], from top: Double) -> [PDFWriter.TextRun] {
            let left = ReceiptRenderer.left
            var runs: [PDFWriter.TextRun] = []
            var y = top
            for line in dmpLines {
                runs.append(.init(bytes: line, x: left, y: y))
                y -= 15
            }
            if !dmpLines.isEmpty { y -= 11 }
            for line in sentence3Lines {
                runs.append(.init(bytes: line, x: left, y: y))
                y -= 15
            }
            y -= 11
            runs.append(.init(OppositionReceipt.closing[0], x: left, y: y))
            runs.append(.init(OppositionReceipt.closing[1], x: left, y: y - 15))
            return runs
        }

        /// The first line of sentence 3 as the page draws it (where the sentences above end).
        var sentence3FirstLine: String { WinAnsi.decode(sentence3Lines.first ?? []) }
        /// The first line of the DMP sentence (where the sentences above end, from layout 2 on).
        var dmpFirstLine: String? { dmpLines.first.map(WinAnsi.decode) }

        static func find(_ needle: [UInt8], in lines: [[UInt8]]) -> (line: Int, offset: Int) {
            let n = needle.count
            for (i, line) in lines.enumerated() where line.count >= n {
                for k in 0...(line.count - n) where Array(line[k..<k + n]) == needle { return (i, k) }
            }
            preconditionFailure("sentence 2 has no date")
        }

        /// The lines of sentence 2 for a date (`JJ/MM/AAAA` bytes).
        func sentence2(_ date: [UInt8]) -> [[UInt8]] {
            guard date.count == ReceiptRenderer.datePlaceholder.count else {
                return PDFWriter.wrap(bytes: WinAnsi.encode(kind.sentence2(on: String(decoding: date, as: UTF8.self))),
                                      size: 11, maxWidth: ReceiptRenderer.right - ReceiptRenderer.left)
            }
            var lines = sentence2Template
            lines[dateAt.line].replaceSubrange(dateAt.offset..<dateAt.offset + date.count, with: date)
            return lines
        }
    }

    static let datePlaceholder = Array("00/00/0000".utf8)
    static let oppositionLayout = Layout(.opposition)
    static let closureLayout = Layout(.closure)

    static func layout(_ kind: ReceiptKind) -> Layout {
        switch kind {
        case .opposition: return oppositionLayout
        case .closure: return closureLayout
        }
    }

    // The labels and fixed metadata, encoded once.
    static let nirLabelBytes = WinAnsi.encode(nirLabel)
    static let nameLabelBytes = WinAnsi.encode(nameLabel)
    static let referenceLabelBytes = WinAnsi.encode(referenceLabel)
    static let verificationLabelBytes = WinAnsi.encode(verificationLabel)
    static let author: PDFWriter.TextString = "Mon espace santé"
    static let producer: PDFWriter.TextString = "mes"

    /// The lines of an opposition's sentence 2 for a date (`JJ/MM/AAAA` bytes).
    static func sentence2(_ date: [UInt8]) -> [[UInt8]] { oppositionLayout.sentence2(date) }

    /// What changes from one receipt to the next.
    static func variableRuns(_ r: OppositionReceipt) -> [PDFWriter.TextRun] {
        var runs: [PDFWriter.TextRun] = []
        runs.reserveCapacity(10)
        runs.append(.init(bytes: nirLabelBytes + WinAnsi.encode(r.nir.formatted), x: left, y: 735))
        // A name beyond the standard fonts (Łukasz, Nguyễn…) is drawn in the embedded font; a
        // line too long for the page is set smaller, whole (never cut off).
        let standardName = NameRepertoire.isStandard(r.name)
        if standardName {
            let bytes = nameLabelBytes + WinAnsi.encode(r.name)
            runs.append(.init(bytes: bytes, x: left, y: 717, size: fitting(PDFWriter.width(bytes: bytes, size: 11))))
        } else {
            let line = nameLabel + r.name
            runs.append(.exact(line, x: left, y: 717, size: fitting(LatinFont.shared.width(line, size: 11))))
        }
        let date = Array(r.decidedOn.french.utf8)
        runs.append(.init(bytes: Array("Le ".utf8) + date, x: left, y: 690))
        if r.isDuplicate {
            runs.append(.init("Duplicata n° \(r.copy) émis le \(r.issuedAt.parisDate.french)", x: left, y: 674, size: 9, gray: 0.35))
        }
        if r.forMinor {
            runs.append(.init(OppositionReceipt.plainSalutation, x: left, y: 600))
        } else if standardName && NameRepertoire.isStandard(r.greeting) {
            let bytes = Array("Bonjour ".utf8) + WinAnsi.encode(r.greeting) + [0x2C]
            runs.append(.init(bytes: bytes, x: left, y: 600, size: fitting(PDFWriter.width(bytes: bytes, size: 11))))
        } else {
            let line = "Bonjour " + r.greeting + ","
            runs.append(.exact(line, x: left, y: 600, size: fitting(LatinFont.shared.width(line, size: 11))))
        }
        var y = sentence2Top
        if r.forMinor {
            // The child's name is in the sentence: laid out for this receipt.
            for line in exactLines(r.acknowledgement) {
                runs.append(.exact(line.text, x: left, y: y, size: line.size))
                y -= 15
            }
        } else {
            for line in layout(r.kind).sentence2(date) {
                runs.append(.init(bytes: line, x: left, y: y))
                y -= 15
            }
        }
        if let filedBy = r.filedBy {
            y -= 11
            for line in exactLines(filedBy) {
                runs.append(.exact(line.text, x: left, y: y, size: line.size))
                y -= 15
            }
        }
        if r.isAddressed { runs += layout(r.kind).tail(from: y - 11) }
        runs.append(.init(bytes: referenceLabelBytes + Array(r.id.utf8), x: left, y: 80, size: 9, gray: 0.35))
        let v = verificationLabelBytes + WinAnsi.encode(r.verification)
        runs.append(.init(bytes: v, x: right - PDFWriter.width(bytes: v, size: 9), y: 80, size: 9, gray: 0.35))
        return runs
    }

    /// A sentence holding user-typed text (a child's name, an association's), in lines that fit
    /// the page at 11 points: broken at single spaces only (U+0020), so that the lines joined
    /// with one space give the sentence back exactly (`ReceiptReader`); a word wider than the
    /// page is set smaller on a line of its own, whole. Each line is measured in the font that
    /// draws it (`TextRun.exact`).
    static func exactLines(_ text: String) -> [(text: String, size: Double)] {
        // A line's width in the font that draws it: the sums of its words' widths in both
        // fonts, and whether all of it is in the standard ones (one pass over the text).
        struct Measure {
            var standard = 0.0, latin = 0.0, isStandard = true
            var width: Double { isStandard ? standard : latin }
            mutating func add(_ other: Measure) {
                standard += other.standard
                latin += other.latin
                isStandard = isStandard && other.isStandard
            }
        }
        // Most texts need the standard fonts only: the embedded font's widths are not looked up.
        let allStandard = NameRepertoire.isStandard(text)
        func measure(_ s: Substring) -> Measure {
            if allStandard { return Measure(standard: PDFWriter.width(s, size: 11)) }
            return Measure(standard: PDFWriter.width(s, size: 11), latin: LatinFont.shared.width(s, size: 11),
                           isStandard: NameRepertoire.isStandard(s))
        }
        let space = measure(" ")
        let room = right - left
        var lines: [(text: String, size: Double)] = []
        var current: (words: [Substring], measure: Measure)?
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            let m = measure(word)
            if var c = current {
                var longer = c.measure
                longer.add(space)
                longer.add(m)
                if longer.width <= room {
                    c.words.append(word)
                    c.measure = longer
                    current = c
                    continue
                }
                lines.append((c.words.joined(separator: " "), fitting(c.measure.width)))
            }
            current = ([word], m)
        }
        if let c = current { lines.append((c.words.joined(separator: " "), fitting(c.measure.width))) }
        return lines
    }

    /// The size (points) that keeps a line `width` points wide at 11 within the page's margins.
    static func fitting(_ width: Double) -> Double {
        let room = right - left
        guard width > room else { return 11 }
        return (11 * room / width * 10).rounded(.down) / 10
    }

    /// The PDF bytes: deterministic for the same receipt.
    public static func pdf(_ r: OppositionReceipt) -> [UInt8] {
        document(r).render()
    }

    /// The receipt's document, before rendering.
    static func document(_ r: OppositionReceipt) -> PDFWriter {
        var doc = PDFWriter()
        var page = PDFWriter.Page()
        let layout = layout(r.kind)
        page.prefix = r.isAddressed ? layout.headPrefix : layout.fixedPrefix
        page.runs = variableRuns(r)
        doc.pages = [page]
        doc.title = layout.title
        doc.subject = layout.subject
        doc.author = author
        doc.keywords = PDFWriter.TextString(r.id)
        doc.producer = producer
        doc.creationDate = pdfDate(r.issuedAt)
        doc.receiptLayout = layoutVersion
        return doc
    }

    /// `D:20220203110000+01'00'` in Paris time.
    static func pdfDate(_ i: Instant) -> [UInt8] {
        let off = i.parisOffset
        let local = Instant(seconds: i.seconds + off)
        let d = local.date
        let s = Int(((local.seconds % 86_400) + 86_400) % 86_400)
        var out: [UInt8] = Array("D:".utf8)
        out.reserveCapacity(23)
        PDFWriter.appendInt(d.year, to: &out)
        for v in [d.month, d.day, s / 3600, s / 60 % 60, s % 60] {
            out.append(UInt8(0x30 + v / 10))
            out.append(UInt8(0x30 + v % 10))
        }
        out.append(0x2B)
        let h = Int(off / 3600)
        out.append(UInt8(0x30 + h / 10))
        out.append(UInt8(0x30 + h % 10))
        out += "'00'".utf8
        return out
    }

    /// The same page as plain text.
    public static func text(_ r: OppositionReceipt) -> String {
        var lines = [
            "mon ESPACE SANTÉ — Page 1/1", "", nirLabel + r.nir.formatted, nameLabel + r.name, "", "Le \(r.decidedOn.french)",
        ]
        if r.isDuplicate { lines.append("Duplicata n° \(r.copy) émis le \(r.issuedAt.parisDate.french)") }
        lines += ["", r.kind.title, "", r.salutation, "", r.acknowledgement]
        if let filedBy = r.filedBy { lines += ["", filedBy] }
        if r.kind == .opposition { lines += ["", Messages.dmpAfterOpposition] }
        lines += ["", r.kind.sentence3, ""] + OppositionReceipt.closing + ["", referenceLabel + r.id, verificationLabel + r.verification]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The receipt as a JSON document.
    public static func json(_ r: OppositionReceipt) -> JSON {
        .obj([("schema_version", .int(JSON.schemaVersion)), ("receipt", .string(r.id)), ("nir", .string(r.nir.compact)),
              ("nir_formatted", .string(r.nir.formatted)), ("name", .string(r.name)), ("greeting", .string(r.greeting)),
              ("decided_on", .string(r.decidedOn.iso)), ("issued_at", .string(r.issuedAt.iso8601)),
              ("kind", .string(r.kind.rawValue)), ("duplicate", .bool(r.isDuplicate)), ("copy", .int(r.copy)), ("verification", .string(r.verification)),
              ("for_minor", .bool(r.forMinor)), ("association", r.association.map { .string($0) } ?? .null),
              ("sentences", .array(r.sentences.map { .string($0) }))])
    }
}

// MARK: - Signed receipts

extension ReceiptRenderer {
    /// What a signed receipt adds, laid out once per signer: a line under the footer naming the
    /// signer and how to check the signature, and the signature slot.
    public struct SignedPage: Sendable {
        /// Each kind's fixed content then the signature notice, and for an addressed receipt
        /// its head content then the notice: compressed once.
        let oppositionPrefix: PDFWriter.Prefix
        let closurePrefix: PDFWriter.Prefix
        let addressedOppositionPrefix: PDFWriter.Prefix
        let addressedClosurePrefix: PDFWriter.Prefix
        let slot: PDFWriter.SignatureSlot

        func prefix(_ r: OppositionReceipt) -> PDFWriter.Prefix {
            switch (r.kind, r.isAddressed) {
            case (.opposition, false): return oppositionPrefix
            case (.closure, false): return closurePrefix
            case (.opposition, true): return addressedOppositionPrefix
            case (.closure, true): return addressedClosurePrefix
            }
        }

        /// `capacity`: the largest DER signature the signer makes (bytes): the slot holds
        /// exactly that many.
        public init(signerName: String, capacity: Int, subFilter: PDFWriter.SignatureSlot.SubFilter = .cadesDetached) {
            var runs: [PDFWriter.TextRun] = []
            var y = 57.0
            // One line for who signed, one for how to check (each wrapped if it has to be).
            for part in ReceiptRenderer.signatureNoticeLines(signerName: signerName) {
                for line in PDFWriter.wrap(bytes: WinAnsi.encode(part), size: 8, maxWidth: ReceiptRenderer.right - ReceiptRenderer.left) {
                    runs.append(.init(bytes: line, x: ReceiptRenderer.left, y: y, size: 8, gray: 0.5))
                    y -= 9.5
                }
            }
            let notice = PDFWriter.content(runs: runs, rules: [])
            oppositionPrefix = PDFWriter.Prefix(ReceiptRenderer.oppositionLayout.fixedContent + notice)
            closurePrefix = PDFWriter.Prefix(ReceiptRenderer.closureLayout.fixedContent + notice)
            addressedOppositionPrefix = PDFWriter.Prefix(ReceiptRenderer.oppositionLayout.headContent + notice)
            addressedClosurePrefix = PDFWriter.Prefix(ReceiptRenderer.closureLayout.headContent + notice)
            var slot = PDFWriter.SignatureSlot()
            slot.subFilter = subFilter
            slot.capacity = capacity
            slot.fieldName = "Signature"
            // No /Name (the certificate names the signer: ISO 32000-1 §12.8.1 keeps /Name for when
            // it cannot), no /Reason (it was the document's /Subject again): from layout 2 on.
            self.slot = slot
        }
    }

    /// "Document signé électroniquement par … ; vérifiable avec tout lecteur PDF ou « mes receipt verify … »".
    public static func signatureNotice(signerName: String) -> String {
        signatureNoticeLines(signerName: signerName).joined(separator: " ")
    }

    static func signatureNoticeLines(signerName: String) -> [String] {
        ["Document signé électroniquement par \(signerName) ;",
         "vérifiable avec tout lecteur PDF ou « mes receipt verify --cert CERT.pem FICHIER »."]
    }

    /// The receipt with an empty signature field, ready to be signed (`SignablePDF.signedPieces`,
    /// then `embed`). The same page as `pdf(_:)` plus the signature notice.
    public static func pdf(_ r: OppositionReceipt, signed page: SignedPage) -> SignablePDF {
        var doc = document(r)
        doc.pages[0].prefix = page.prefix(r)
        var slot = page.slot
        slot.signingTime = doc.creationDate
        doc.signature = slot
        return doc.renderSignable()!
    }
}
