import MESCore
import MESCrypto
import MESRender
import MESStore
import MESSystem

/// What printing the letters did.
public struct LettersPrinted: Sendable {
    /// The batch recorded (nil: no letter was waiting, no file written).
    public let batch: Store.PrintBatch?
    public let path: String
    public let pages: Int
    /// Letters whose address does not fit La Poste's block (6 lines of 38 characters): printed
    /// as they are, to be checked before posting.
    public let nonStandardAddresses: Int
}

/// What recording a posting did.
public struct LettersPosted: Sendable {
    public let batch: Store.PrintBatch
    public let postedAt: Instant
    public let letters: Int
    /// Profiles whose six weeks started with this posting.
    public let windowsStarted: Int
}

extension Service {
    /// Prints every letter waiting into one print-ready PDF at `path` (A4, one letter per sheet,
    /// the address in the window of a DL envelope: `LetterBook`), written as it is read (memory
    /// stays flat in the number of letters) and put in place atomically; then records them
    /// printed, as one batch identified by the file's SHA-256. Letters queued meanwhile wait for
    /// the next batch. A process killed before the record leaves the letters waiting: the next
    /// run prints them again (a second file with the same letters, never a letter lost). Two
    /// printings at once: the one that records second writes no file (75 `store_busy`).
    public func printLetters(to path: String, replace: Bool) throws -> LettersPrinted {
        let now = clock.now()
        let file = try FileIO.AtomicFile(path, replace: replace, mode: 0o600, field: "pdf", storeDirectory: store.directory)
        let hasher = SHA256Hasher()
        func emit(_ bytes: [UInt8]) throws {
            hasher.update(bytes)
            try file.write(bytes)
        }
        var book = LetterBook()
        try emit(book.begin())
        var after: Int64 = 0, count = 0, nonStandard = 0
        let progress = ProgressThrottle(onProgress)
        let total = progress.isActive ? try store.read { try store.lettersToPrintCount() } : nil
        while !book.isFull {
            let page = try store.read { try store.lettersToPrint(after: after, limit: 500) }
            guard let last = page.last else { break }
            for l in page {
                let (letter, standard) = Self.printed(l)
                try emit(book.add(letter))
                if !standard { nonStandard += 1 }
                count += 1
            }
            after = last.entry.id
            progress.report(Progress(.letters, done: count, total: total.map { max($0, count) }))
        }
        if count > 0 { progress.report(Progress(.letters, done: count, total: count), force: true) }
        guard count > 0 else { return LettersPrinted(batch: nil, path: path, pages: 0, nonStandardAddresses: 0) }
        try book.finish(emit)
        // The file is put in place inside the transaction that records its letters printed: a
        // printing that loses a race with another writes nothing, and a failure to place the
        // file records nothing.
        let batch: Store.PrintBatch
        do {
            batch = try store.recordPrintBatch(through: after, count: count, digest: hasher.finish(), at: now) {
                try file.commit()
                store.noteCreated(path)  // a commit that fails after this removes the file: no PDF of letters not recorded
            }
        } catch is Store.PrintRace {
            throw MESError(.storeBusy, "Une autre impression a pris ces courriers au même moment : aucun fichier n'a été écrit. Relancez la commande.",
                           field: "pdf")
        }
        return LettersPrinted(batch: batch, path: path, pages: book.pageCount, nonStandardAddresses: nonStandard)
    }

    /// A letter as composed (`MessageTemplates.letter`: the name, the address, an empty line,
    /// the text) as printed: the address block per La Poste's standard, and whether it fits it.
    /// A letter to a minor's legal representatives (`MessageTemplates.addressee`) has the child's
    /// name under theirs: the block's second line.
    static func printed(_ l: Store.LetterToPrint) -> (PrintedLetter, standard: Bool) {
        let body = l.body.replacing("\r\n", with: "\n")
        let head: Substring, text: Substring
        if let blank = body.firstRange(of: "\n\n") {
            (head, text) = (body[..<blank.lowerBound], body[blank.upperBound...])
        } else {
            (head, text) = ("", body[...])
        }
        let lines = head.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let complemented = lines.count >= 2 && lines[0] == Messages.legalRepresentatives
        let address = PostalAddress(name: lines.first ?? "", complement: complemented ? lines[1] : nil,
                                    address: lines.dropFirst(complemented ? 2 : 1).joined(separator: "\n"))
        return (PrintedLetter(addressLines: address.lines, text: String(text), reference: "Lettre n° \(l.entry.id)"), address.isStandard)
    }

    /// Records the posting of the batch printed into the file at `path` (found by its SHA-256),
    /// at `at` (default: now; `dateOnly`: `at` is the end of a day given as a date, taken as now
    /// when that is earlier): its letters become sent, and the six weeks of the notifications
    /// among them start then. A date before the printing or after now is refused, as is a file
    /// that is not a batch of this store, and a batch already posted.
    public func recordPosting(of path: String, at: Instant?, dateOnly: Bool = false) throws -> LettersPosted {
        let now = clock.now()
        let hasher = SHA256Hasher()
        try FileIO.Chunks(path: path, field: "posted").forEach { hasher.update(Array($0)) }
        guard let batch = try store.read({ try store.printBatch(digest: hasher.finish()) }) else {
            throw MESError(.printBatchUnknown, "\(path) n'est pas un lot de courriers imprimé par cette base (mes outbox letters --pdf), "
                           + "ou il a été modifié depuis.", field: "posted")
        }
        var postedAt = at ?? now
        if dateOnly, postedAt.seconds > now.seconds, postedAt.parisDate == now.parisDate { postedAt = now }
        if postedAt.seconds < batch.printedAt.seconds || postedAt.seconds > now.seconds {
            throw MESError(.postingDateInvalid, "Date de dépôt impossible : le lot \(batch.id) a été imprimé le \(batch.printedAt.parisDate.french) "
                           + "et un dépôt ne peut pas être daté avant son impression ni dans le futur.", field: "posted-at")
        }
        guard let (letters, windows) = try store.recordPosting(batch: batch.id, at: postedAt, window: windowStart(via: .letter, at: postedAt)) else {
            let posted = try store.read { try store.printBatch(digest: hasher.finish()) }?.postedAt
            throw MESError(.alreadyPosted, "Le dépôt du lot \(batch.id) est déjà enregistré"
                           + (posted.map { " (le \($0.parisDate.french))" } ?? "") + " : rien n'a changé.", field: "posted")
        }
        return LettersPosted(batch: batch, postedAt: postedAt, letters: letters, windowsStarted: windows)
    }
}
