import MESCore
import MESCrypto
import MESStore
import MESSystem

/// The backup file: named entries (the manifest, the database, the store's key, the signing
/// identity, `mes.conf`) in one stream, cut into pieces of at most 1 MiB, each sealed with
/// AES-256-GCM (`SealingKey`) under a key derived from a passphrase with scrypt, and bound to
/// the file's header, its position and whether it is the last one: a piece moved, dropped,
/// truncated or changed fails to open, and so does a wrong passphrase.
///
/// Layout: `MES-BACKUP 1\n`, a mode byte (`E` encrypted, `P` plain), the scrypt salt (16 bytes)
/// and log₂ N (1 byte); then pieces, each a 4-byte big-endian length and a sealed box. Inside,
/// entries: a 2-byte name length, the name, an 8-byte size, the bytes; a zero name length ends
/// them. A plain backup (`--plain`) is sealed under a fixed, public key: its pieces are still
/// checked, but anyone can read it.
enum BackupFile {
    static let magic = Array("MES-BACKUP 1\n".utf8)
    static let pieceSize = 1 << 20
    static let saltSize = 16
    /// scrypt's cost: N = 2^15, r = 8, p = 1 (32 MiB, about 0.1 s here).
    static let logN: UInt8 = 15
    static let plainKey = Crypto.hmacSHA256(key: [UInt8](repeating: 0, count: 32), "mes-backup-plain-v1")

    /// The key for a passphrase (nil: a plain backup).
    static func key(passphrase: [UInt8]?, salt: [UInt8], logN: UInt8) throws -> [UInt8] {
        guard let passphrase else { return plainKey }
        guard logN >= 10, logN <= 22,
              let k = Crypto.scrypt(password: passphrase, salt: salt, n: 1 << UInt64(logN), r: 8, p: 1, length: 32)
        else { throw MESError(.storeCorrupt, "Sauvegarde illisible : paramètres de chiffrement invalides.", field: "backup") }
        return k
    }

    /// What a piece is bound to: the header, its index, whether it ends the file.
    static func context(header: [UInt8], index: UInt64, last: Bool) -> [UInt8] {
        var c = header
        for s in stride(from: 56, through: 0, by: -8) { c.append(UInt8(truncatingIfNeeded: index >> UInt64(s))) }
        c.append(last ? 1 : 0)
        return c
    }
}

/// Writes a backup file piece by piece (memory stays flat whatever the database's size); the
/// file appears, mode 0600, only at `commit`.
final class BackupWriter {
    private let file: FileIO.AtomicFile
    private let header: [UInt8]
    private let sealing: SealingKey
    private var pending: [UInt8] = []
    private var index: UInt64 = 0

    init(path: String, passphrase: [UInt8]?, replace: Bool, storeDirectory: String?) throws {
        file = try FileIO.AtomicFile(path, replace: replace, mode: 0o600, field: "FILE", storeDirectory: storeDirectory)
        let salt = Crypto.randomBytes(BackupFile.saltSize)
        header = BackupFile.magic + [passphrase == nil ? 0x50 : 0x45] + salt + [BackupFile.logN]
        sealing = SealingKey(key: try BackupFile.key(passphrase: passphrase, salt: salt, logN: BackupFile.logN))
        try file.write(header)
        pending.reserveCapacity(BackupFile.pieceSize)
    }

    /// Adds an entry held in memory.
    func add(_ name: String, _ bytes: [UInt8]) throws {
        try entryHeader(name, size: bytes.count)
        try append(bytes[...])
    }

    /// Adds the file at `path` as entry `name`, read piece by piece.
    func add(_ name: String, file path: String) throws {
        let chunks = try FileIO.Chunks(path: path, field: "store")
        try entryHeader(name, size: chunks.size)
        var written = 0
        try chunks.forEach { piece in
            written += piece.count
            try append(ArraySlice(piece))
        }
        guard written == chunks.size else {
            throw MESError(.storeCorrupt, "Le fichier \(path) a changé pendant la sauvegarde.", field: "store")
        }
    }

    /// Ends the entries, seals the last piece and puts the file in place.
    func commit() throws {
        try append([0, 0][...])
        try flush(last: true)
        try file.commit()
    }

    private func entryHeader(_ name: String, size: Int) throws {
        let n = Array(name.utf8)
        var h: [UInt8] = [UInt8(n.count >> 8), UInt8(n.count & 0xFF)] + n
        for s in stride(from: 56, through: 0, by: -8) { h.append(UInt8(truncatingIfNeeded: UInt64(size) >> UInt64(s))) }
        try append(h[...])
    }

    private func append(_ bytes: ArraySlice<UInt8>) throws {
        var rest = bytes
        while !rest.isEmpty {
            let take = min(rest.count, BackupFile.pieceSize - pending.count)
            pending += rest.prefix(take)
            rest = rest.dropFirst(take)
            if pending.count == BackupFile.pieceSize { try flush(last: false) }
        }
    }

    private func flush(last: Bool) throws {
        let box = sealing.seal(pending, context: BackupFile.context(header: header, index: index, last: last))
        let n = box.count
        try file.write([UInt8(n >> 24 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + box)
        index += 1
        pending.removeAll(keepingCapacity: true)
    }
}

/// Reads a backup file entry by entry, opening each piece as it comes.
final class BackupReader {
    private let chunks: FileIO.Chunks
    private var raw: [UInt8] = []
    private var rawStart = 0
    private var rawDone = false
    private var header: [UInt8] = []
    private var sealing: SealingKey!
    private var plain: [UInt8] = []
    private var plainStart = 0
    private var index: UInt64 = 0
    private var sawLast = false
    /// Whether the file is encrypted under a passphrase.
    private(set) var encrypted = false

    /// Opens `path`; `passphrase` is asked for only when the file is encrypted.
    init(path: String, passphrase: () throws -> [UInt8]) throws {
        chunks = try FileIO.Chunks(path: path, field: "FILE")
        let head = try take(BackupFile.magic.count + 1 + BackupFile.saltSize + 1)
        guard head.starts(with: BackupFile.magic), head[BackupFile.magic.count] == 0x45 || head[BackupFile.magic.count] == 0x50 else {
            throw MESError(.storeCorrupt, "\(path) n'est pas une sauvegarde de mes.", field: "FILE")
        }
        header = head
        encrypted = head[BackupFile.magic.count] == 0x45
        let salt = Array(head[(BackupFile.magic.count + 1)..<(BackupFile.magic.count + 1 + BackupFile.saltSize)])
        sealing = SealingKey(key: try BackupFile.key(passphrase: encrypted ? try passphrase() : nil, salt: salt, logN: head.last!))
    }

    /// The next entry's name and size, or nil after the last one.
    func next() throws -> (name: String, size: Int)? {
        let n = try plainBytes(2)
        let length = Int(n[0]) << 8 | Int(n[1])
        if length == 0 {
            // The end: nothing may follow, in this piece or after it.
            guard plainStart == plain.count, sawLast, try rawBytesLeft() == 0 else { throw corrupt() }
            return nil
        }
        let name = String(decoding: try plainBytes(length), as: UTF8.self)
        var size: UInt64 = 0
        for b in try plainBytes(8) { size = size << 8 | UInt64(b) }
        guard size <= UInt64(Int.max) else { throw corrupt() }
        return (name, Int(size))
    }

    /// Hands the current entry's `size` bytes to `body`, piece by piece.
    func read(_ size: Int, _ body: (ArraySlice<UInt8>) throws -> Void) throws {
        var left = size
        while left > 0 {
            if plainStart == plain.count { try openPiece() }
            let n = min(left, plain.count - plainStart)
            try body(plain[plainStart..<(plainStart + n)])
            plainStart += n
            left -= n
        }
    }

    /// The current entry's bytes, in memory (small entries only).
    func readAll(_ size: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(size)
        try read(size) { out += $0 }
        return out
    }

    private func corrupt() -> MESError {
        MESError(.storeCorrupt, "Sauvegarde tronquée ou altérée.", field: "FILE")
    }

    private func plainBytes(_ n: Int) throws -> ArraySlice<UInt8> { try readAll(n)[...] }

    private func openPiece() throws {
        guard !sawLast else { throw corrupt() }
        let l = try take(4)
        let n = Int(l[0]) << 24 | Int(l[1]) << 16 | Int(l[2]) << 8 | Int(l[3])
        guard n >= SealingKey.nonceSize + SealingKey.tagSize, n <= BackupFile.pieceSize + 64 else { throw corrupt() }
        let box = try take(n)
        // A piece opens either as a middle one or as the last one, never both.
        if let p = sealing.open(box, context: BackupFile.context(header: header, index: index, last: false)) {
            plain = p
        } else if let p = sealing.open(box, context: BackupFile.context(header: header, index: index, last: true)) {
            plain = p
            sawLast = true
        } else {
            throw index == 0 && encrypted
                ? MESError(.passwordInvalid, "Phrase de passe incorrecte, ou sauvegarde altérée.", field: "passphrase")
                : corrupt()
        }
        plainStart = 0
        index += 1
    }

    /// `n` bytes of the file (65 when it ends before).
    private func take(_ n: Int) throws -> [UInt8] {
        while raw.count - rawStart < n && !rawDone { try refill() }
        guard raw.count - rawStart >= n else { throw corrupt() }
        let out = Array(raw[rawStart..<(rawStart + n)])
        rawStart += n
        return out
    }

    private func rawBytesLeft() throws -> Int {
        while raw.count == rawStart && !rawDone { try refill() }
        return raw.count - rawStart
    }

    /// Reads the next block of the file (`FileIO.Chunks` hands them out through a callback:
    /// the whole file is read block by block as the entries need it).
    private func refill() throws {
        if rawStart > 0 { raw.removeFirst(rawStart); rawStart = 0 }
        let block = try chunks.next()
        if let block { raw += block } else { rawDone = true }
    }
}
