import CZlib

/// A ZIP archive read from memory: the central directory parsed with a bounds check on every
/// offset, entries inflated by zlib under the caps of `SheetLimits`. ZIP64, several disks and
/// encryption are refused. The sizes the headers declare are never trusted: inflating stops
/// at the cap, and an entry whose inflated bytes or CRC-32 differ from its header is damaged.
struct ZipArchive {
    struct Entry {
        var name: String
        var flags: UInt16
        var method: UInt16
        var crc: UInt32
        var compressedSize: Int
        var uncompressedSize: Int
        var localHeaderOffset: Int
    }

    let bytes: [UInt8]
    let limits: SheetLimits
    /// Entries in central-directory order.
    private(set) var entries: [Entry] = []
    private var index: [String: Int] = [:]
    /// Where the central directory starts: every entry's data ends before it.
    private var directoryOffset = 0
    /// Inflated bytes handed out so far (against `maxTotalBytes`).
    private(set) var extracted = 0

    static let localSignature: UInt32 = 0x0403_4b50
    static let centralSignature: UInt32 = 0x0201_4b50
    static let endSignature: UInt32 = 0x0605_4b50
    static let zip64LocatorSignature: UInt32 = 0x0706_4b50

    /// Whether `bytes` starts like a ZIP archive (a local header, or the end record of an empty one).
    static func hasMagic(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4b
            && ((bytes[2] == 3 && bytes[3] == 4) || (bytes[2] == 5 && bytes[3] == 6))
    }

    init(_ bytes: [UInt8], limits: SheetLimits) throws(SheetError) {
        guard bytes.count <= limits.maxFileBytes else {
            throw .tooLarge("le fichier fait \(Self.mebibytes(bytes.count)), la limite est \(Self.mebibytes(limits.maxFileBytes))")
        }
        self.bytes = bytes
        self.limits = limits
        try readDirectory()
    }

    // MARK: Little-endian fields, bounds-checked

    private func u16(_ at: Int) throws(SheetError) -> UInt16 {
        guard at >= 0, at <= bytes.count - 2 else { throw .unreadable("l'archive ZIP est tronquée ou ses positions sortent du fichier") }
        return UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
    }

    private func u32(_ at: Int) throws(SheetError) -> UInt32 {
        guard at >= 0, at <= bytes.count - 4 else { throw .unreadable("l'archive ZIP est tronquée ou ses positions sortent du fichier") }
        return UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }

    /// The end-of-central-directory record: the last one whose comment ends within the file.
    private func findEnd() -> Int? {
        guard bytes.count >= 22 else { return nil }
        var at = bytes.count - 22
        let lowest = max(0, bytes.count - 22 - 0xFFFF)
        while at >= lowest {
            if bytes[at] == 0x50, bytes[at + 1] == 0x4b, bytes[at + 2] == 5, bytes[at + 3] == 6 {
                let comment = Int(bytes[at + 20]) | Int(bytes[at + 21]) << 8
                if at + 22 + comment <= bytes.count { return at }
            }
            at -= 1
        }
        return nil
    }

    private mutating func readDirectory() throws(SheetError) {
        guard let end = findEnd() else {
            throw .unreadable("la fin de l'archive ZIP (répertoire central) est introuvable : le fichier est tronqué")
        }
        let disk = try u16(end + 4), directoryDisk = try u16(end + 6)
        let onDisk = try u16(end + 8), total = try u16(end + 10)
        let size = try u32(end + 12), offset = try u32(end + 16)
        // 0xFFFF entries means 65,535 or more (ZIP64): too many either way.
        if Int(total) > limits.maxEntries || Int(onDisk) > limits.maxEntries {
            throw .tooLarge("l'archive compte au moins \(total) entrées, la limite est \(limits.maxEntries)")
        }
        let locator = end >= 20 && (try? u32(end - 20)) == Self.zip64LocatorSignature
        if locator || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
            throw .unsupported("le format ZIP64")
        }
        if disk != 0 || directoryDisk != 0 || onDisk != total {
            throw .unsupported("une archive ZIP en plusieurs volumes")
        }
        let start = Int(offset), length = Int(size)
        guard start <= end, length <= end - start else {
            throw .unreadable("le répertoire central de l'archive ZIP sort du fichier")
        }
        directoryOffset = start
        var at = start
        for _ in 0..<Int(total) {
            guard at + 46 <= start + length else { throw .unreadable("le répertoire central de l'archive ZIP est tronqué") }
            guard try u32(at) == Self.centralSignature else { throw .unreadable("le répertoire central de l'archive ZIP est abîmé") }
            let flags = try u16(at + 8), method = try u16(at + 10), crc = try u32(at + 16)
            let compressed = try u32(at + 20), uncompressed = try u32(at + 24)
            let nameLength = Int(try u16(at + 28)), extraLength = Int(try u16(at + 30)), commentLength = Int(try u16(at + 32))
            let entryDisk = try u16(at + 34), local = try u32(at + 42)
            let next = at + 46 + nameLength + extraLength + commentLength
            guard next <= start + length else { throw .unreadable("le répertoire central de l'archive ZIP est tronqué") }
            if compressed == 0xFFFF_FFFF || uncompressed == 0xFFFF_FFFF || local == 0xFFFF_FFFF || entryDisk == 0xFFFF {
                throw .unsupported("le format ZIP64")
            }
            if entryDisk != 0 { throw .unsupported("une archive ZIP en plusieurs volumes") }
            let name = String(decoding: bytes[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self)
            guard index[name] == nil else { throw .unreadable("l'archive ZIP contient deux fois l'entrée \(SheetError.quoted(name))") }
            index[name] = entries.count
            entries.append(Entry(name: name, flags: flags, method: method, crc: crc, compressedSize: Int(compressed),
                                 uncompressedSize: Int(uncompressed), localHeaderOffset: Int(local)))
            at = next
        }
    }

    // MARK: Entries

    func contains(_ name: String) -> Bool { index[name] != nil }

    /// The compressed size the directory gives for the entry `name` (0 when there is none).
    func compressedSize(_ name: String) -> Int { index[name].map { entries[$0].compressedSize } ?? 0 }

    /// Counts `n` bytes inflated by a copy of the archive (read on another thread) against
    /// `maxTotalBytes`.
    mutating func count(inflated n: Int) throws(SheetError) {
        guard n <= limits.maxTotalBytes - extracted else {
            throw .tooLarge("les parties du classeur dépassent \(Self.mebibytes(limits.maxTotalBytes)) une fois décompressées")
        }
        extracted += n
    }

    /// The inflated bytes of the entry `name`, or nil when the archive has none; at most
    /// `cap` bytes (default: the per-entry limit).
    mutating func data(_ name: String, cap: Int? = nil) throws(SheetError) -> [UInt8]? {
        var out: [UInt8] = []
        guard try stream(name, cap: cap, { (chunk) throws(SheetError) in out.append(contentsOf: chunk) }) else { return nil }
        return out
    }

    /// Hands the inflated bytes of the entry `name` to `body` piece by piece (`chunkSize` at
    /// most), under the same caps as `data`; false when the archive has no such entry. The
    /// entry's size and CRC-32 are checked after its last piece: a damaged entry throws then.
    mutating func stream(_ name: String, cap: Int? = nil, _ body: (UnsafeBufferPointer<UInt8>) throws(SheetError) -> Void) throws(SheetError) -> Bool {
        guard let i = index[name] else { return false }
        try extract(entries[i], cap: cap, body)
        return true
    }

    /// Where an entry's compressed bytes lie, checked against its local header.
    private func dataRange(_ e: Entry) throws(SheetError) -> Range<Int> {
        let at = e.localHeaderOffset
        guard at <= directoryOffset, try u32(at) == Self.localSignature else {
            throw .unreadable("l'entrée \(SheetError.quoted(e.name)) pointe hors de l'archive ZIP")
        }
        if try u16(at + 6) & 0x41 != 0 { throw SheetError.encrypted }
        let start = at + 30 + Int(try u16(at + 26)) + Int(try u16(at + 28))
        guard start <= directoryOffset, e.compressedSize <= directoryOffset - start else {
            throw .unreadable("les données de l'entrée \(SheetError.quoted(e.name)) sortent de l'archive ZIP")
        }
        return start..<(start + e.compressedSize)
    }

    /// The inflated bytes handed on at a time.
    static let chunkSize = 1 << 18

    private mutating func extract(_ e: Entry, cap requested: Int?, _ body: (UnsafeBufferPointer<UInt8>) throws(SheetError) -> Void) throws(SheetError) {
        if e.flags & 0x41 != 0 || e.method == 99 { throw SheetError.encrypted }
        guard e.method == 0 || e.method == 8 else { throw .unsupported("une méthode de compression ZIP inconnue (\(e.method))") }
        let range = try dataRange(e)
        let remaining = limits.maxTotalBytes - extracted
        let cap = min(requested ?? limits.maxEntryBytes, limits.maxEntryBytes, remaining)
        let tooLarge = SheetError.tooLarge(
            "la partie \(SheetError.quoted(e.name)) dépasse \(Self.mebibytes(cap)) une fois décompressée (limites : \(Self.mebibytes(limits.maxEntryBytes)) par partie, \(Self.mebibytes(limits.maxTotalBytes)) en tout)")
        var total = 0
        var sum: uLong = 0
        func hand(_ piece: UnsafeBufferPointer<UInt8>) throws(SheetError) {
            sum = crc32(sum, piece.baseAddress, uInt(piece.count))
            total += piece.count
            try body(piece)
        }
        if e.method == 0 {
            guard range.count <= cap else { throw tooLarge }
            try bytes.withUnsafeBufferPointer { (b) throws(SheetError) in
                var at = range.lowerBound
                while at < range.upperBound {
                    let n = min(Self.chunkSize, range.upperBound - at)
                    try hand(UnsafeBufferPointer(rebasing: b[at..<(at + n)]))
                    at += n
                }
            }
        } else {
            try inflate(range, cap: cap, name: e.name, tooLarge: tooLarge, hand)
        }
        guard total == e.uncompressedSize else {
            throw .unreadable("la taille de l'entrée \(SheetError.quoted(e.name)) ne correspond pas à son en-tête")
        }
        guard UInt32(truncatingIfNeeded: sum) == e.crc else {
            throw .unreadable("l'entrée \(SheetError.quoted(e.name)) est corrompue (CRC-32)")
        }
        extracted += total
    }

    /// Raw deflate through zlib, `chunkSize` at a time, stopped at `cap` or when the ratio
    /// passes `maxRatio` past `ratioFloorBytes`, whatever the header declared.
    private func inflate(_ range: Range<Int>, cap: Int, name: String, tooLarge: SheetError,
                         _ body: (UnsafeBufferPointer<UInt8>) throws(SheetError) -> Void) throws(SheetError) {
        var stream = z_stream()
        guard mes_inflate_init_raw(&stream) == Z_OK else { throw .unreadable("zlib n'a pas pu démarrer") }
        defer { inflateEnd(&stream) }
        let chunkSize = Self.chunkSize
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
        defer { buffer.deallocate() }
        let compressed = range.count
        var produced = 0
        try bytes.withUnsafeBufferPointer { (src) throws(SheetError) in
            stream.next_in = UnsafeMutablePointer(mutating: src.baseAddress.map { $0 + range.lowerBound })
            stream.avail_in = uInt(compressed)
            while true {
                stream.next_out = buffer
                stream.avail_out = uInt(chunkSize)
                let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                let n = chunkSize - Int(stream.avail_out)
                if n > cap - produced { throw tooLarge }
                produced += n
                if produced > limits.ratioFloorBytes, produced / max(compressed, 1) > limits.maxRatio {
                    throw .tooLarge("la partie \(SheetError.quoted(name)) se décompresse plus de \(limits.maxRatio) fois (bombe de décompression)")
                }
                let damaged = SheetError.unreadable("l'entrée \(SheetError.quoted(name)) est tronquée ou corrompue (deflate)")
                if status != Z_OK && status != Z_STREAM_END { throw damaged }
                if n > 0 { try body(UnsafeBufferPointer(start: buffer, count: n)) }
                if status == Z_STREAM_END { return }
                // No progress possible: the input ran out before the end of the stream.
                if n == 0 && stream.avail_in == 0 { throw damaged }
            }
        }
    }

    static func mebibytes(_ n: Int) -> String {
        n >= 1 << 20 ? "\(n >> 20) Mio" : "\(n) octets"
    }
}
