import CZlib
import Synchronization

/// PDF's `/FlateDecode` streams (zlib, RFC 1950) over libz: what a receipt's page and font
/// take, and their reading back, bounded.
///
/// A page whose first part is the same on every receipt (`Prefix`) has that part compressed
/// once, ending on a sync flush (byte-aligned); each receipt compresses only its own lines
/// after it, with the first part as the deflate dictionary (a reader has it in its window,
/// so the lines may refer back to it), and the checksums are combined (`adler32_combine`).
/// The bytes are deterministic for the same input and the same zlib.
enum Flate {
    /// The zlib header: deflate, 32 KiB window (an upper bound on any distance used), no dictionary.
    static let header: [UInt8] = [0x78, 0x9C]

    /// A first part compressed once.
    struct Prefix: Sendable {
        /// Raw deflate blocks, none final, ending byte-aligned.
        let blocks: [UInt8]
        let adler: UInt
        /// The end of the bytes, what the lines after them may refer to.
        let dictionary: [UInt8]
        /// A deflate state with `dictionary` set and nothing compressed yet: each stream after
        /// the prefix starts from a copy of it rather than hashing the dictionary again.
        let primed: State

        init(_ bytes: [UInt8]) {
            blocks = Flate.raw(bytes, final: false, from: .blank)
            adler = Flate.adler(bytes)
            dictionary = Array(bytes.suffix(Flate.window - 262))
            primed = State(dictionary: dictionary)
        }

        /// The prefix of `bytes`, compressed once for the process: the last `cacheSize` made
        /// are kept (a receipt's object stream up to its document information is one of a few,
        /// by kind and signer). Found by comparing bytes, not by hashing them: a receipt asks
        /// once, and hashing its kilobyte cost more than the rest of the look-up.
        static func cached(_ bytes: [UInt8]) -> Prefix {
            if let found = cache.withLock({ entries in entries.first { $0.bytes == bytes }?.prefix }) { return found }
            let made = Prefix(bytes)
            cache.withLock { entries in
                if entries.count >= cacheSize { entries.removeFirst() }
                entries.append((bytes, made))
            }
            return made
        }

        static let cacheSize = 32
        private static let cache = Mutex<[(bytes: [UInt8], prefix: Prefix)]>([])
    }

    /// A deflate state of `mes_deflate_init_raw_small` at the best compression, at a fixed
    /// address (zlib's state points back to its `z_stream`). A state that is only copied
    /// (`deflateCopy` reads its source and nothing else) may serve every thread at once.
    final class State: @unchecked Sendable {
        let z: UnsafeMutablePointer<z_stream>

        /// A new state, with `dictionary` (the bytes just before what it will compress) set.
        init(dictionary: [UInt8]) {
            z = .allocate(capacity: 1)
            z.initialize(to: z_stream())
            guard mes_deflate_init_raw_small(z, 9) == Z_OK else { preconditionFailure("zlib cannot start") }
            if !dictionary.isEmpty {
                let set = dictionary.withUnsafeBufferPointer { deflateSetDictionary(z, $0.baseAddress, uInt($0.count)) }
                precondition(set == Z_OK, "zlib refused the dictionary")
            }
        }

        /// A copy of `source`: the same bytes out for the same bytes in as `source` would give.
        init(copying source: State) {
            z = .allocate(capacity: 1)
            z.initialize(to: z_stream())
            guard deflateCopy(z, source.z) == Z_OK else { preconditionFailure("zlib cannot copy its state") }
        }

        deinit {
            deflateEnd(z)
            z.deinitialize(count: 1)
            z.deallocate()
        }

        /// A state with no dictionary, only ever copied.
        static let blank = State(dictionary: [])
    }

    /// A complete zlib stream of `prefix`'s bytes then `rest`.
    static func stream(prefix: Prefix?, _ rest: [UInt8]) -> [UInt8] {
        var out = header
        out.reserveCapacity(header.count + (prefix?.blocks.count ?? 0) + rest.count + rest.count / 8 + 64)
        var adler = Flate.adler(rest)
        if let prefix {
            out += prefix.blocks
            adler = UInt(adler32_combine(uLong(prefix.adler), uLong(adler), off_t(rest.count)))
        }
        deflate(rest, final: true, from: prefix?.primed ?? .blank, appendingTo: &out)
        for shift in [24, 16, 8, 0] { out.append(UInt8(truncatingIfNeeded: adler >> UInt(shift))) }
        return out
    }

    /// A complete zlib stream of `bytes`.
    static func stream(_ bytes: [UInt8]) -> [UInt8] { stream(prefix: nil, bytes) }

    static func adler(_ bytes: [UInt8]) -> UInt {
        bytes.withUnsafeBufferPointer { UInt(adler32(adler32(0, nil, 0), $0.baseAddress, uInt($0.count))) }
    }

    /// The deflate window of `mes_deflate_init_raw_small` (bytes).
    static let window = 4096

    /// Raw deflate of `bytes` at the best compression: the last block final, or (not `final`)
    /// ended by a sync flush; `state`: where to start from (`State.blank`, or one with the
    /// bytes just before as its dictionary, which the output may refer to).
    static func raw(_ bytes: [UInt8], final: Bool, from state: State) -> [UInt8] {
        var out: [UInt8] = []
        deflate(bytes, final: final, from: state, appendingTo: &out)
        return out
    }

    /// `raw`, its output appended to `out`.
    static func deflate(_ bytes: [UInt8], final: Bool, from state: State, appendingTo out: inout [UInt8]) {
        let s = State(copying: state)
        let z = s.z
        let start = out.count
        let bound = Int(deflateBound(z, uLong(bytes.count))) + 16
        out.append(contentsOf: repeatElement(0, count: bound))
        let produced: Int = bytes.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { all in
                z.pointee.next_in = UnsafeMutablePointer(mutating: src.baseAddress)
                z.pointee.avail_in = uInt(src.count)
                z.pointee.next_out = all.baseAddress! + start
                z.pointee.avail_out = uInt(bound)
                let status = CZlib.deflate(z, final ? Z_FINISH : Z_SYNC_FLUSH)
                precondition(final ? status == Z_STREAM_END : status == Z_OK && z.pointee.avail_in == 0, "deflate failed")
                return bound - Int(z.pointee.avail_out)
            }
        }
        out.removeLast(bound - produced)
    }

    /// The bytes of a zlib stream, or nil when it is damaged or would give more than `limit` bytes.
    /// The checksum is not checked (the signature covers the file).
    static func inflate(_ data: ArraySlice<UInt8>, limit: Int) -> [UInt8]? {
        guard data.count > 2, data[data.startIndex] & 0x0F == 8, data[data.startIndex + 1] & 0x20 == 0 else { return nil }
        var z = z_stream()
        guard mes_inflate_init_raw(&z) == Z_OK else { return nil }
        defer { inflateEnd(&z) }
        var out: [UInt8] = []
        let chunkSize = 16 * 1024
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        let ok: Bool = data.withUnsafeBufferPointer { src in
            chunk.withUnsafeMutableBufferPointer { buf in
                z.next_in = UnsafeMutablePointer(mutating: src.baseAddress! + 2)
                z.avail_in = uInt(src.count - 2)
                while true {
                    z.next_out = buf.baseAddress
                    z.avail_out = uInt(chunkSize)
                    let status = CZlib.inflate(&z, Z_NO_FLUSH)
                    let produced = chunkSize - Int(z.avail_out)
                    guard produced <= limit - out.count else { return false }
                    out.append(contentsOf: buf[0..<produced])
                    if status == Z_STREAM_END { return true }
                    if status != Z_OK || (produced == 0 && z.avail_in == 0) { return false }
                }
            }
        }
        return ok ? out : nil
    }
}
