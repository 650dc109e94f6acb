import CZlib

/// A ZIP archive built in memory: entries stored or deflated by zlib, CRC-32 from zlib, every
/// timestamp 1980-01-01 00:00 so the same entries give the same bytes.
struct ZipWriter {
    private var out: [UInt8] = []
    private var directory: [UInt8] = []
    private var count = 0

    /// 1980-01-01 00:00 in MS-DOS form (date: day 1, month 1, year 0 from 1980; time 0).
    private static let dosDate: UInt16 = 0x0021, dosTime: UInt16 = 0

    private static func le16(_ v: UInt16, _ to: inout [UInt8]) { to += [UInt8(v & 0xFF), UInt8(v >> 8)] }
    private static func le32(_ v: UInt32, _ to: inout [UInt8]) { le16(UInt16(v & 0xFFFF), &to); le16(UInt16(v >> 16), &to) }

    /// Adds an entry; `compress: false` stores it (the ODF `mimetype` must be stored).
    mutating func add(_ name: String, _ data: [UInt8], compress: Bool = true) {
        let crc = UInt32(truncatingIfNeeded: data.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) })
        let packed = compress ? Self.deflate(data) : data
        let method: UInt16 = compress ? 8 : 0
        let nameBytes = Array(name.utf8)
        let offset = UInt32(out.count)
        // Local file header.
        Self.le32(ZipArchive.localSignature, &out)
        // What the local header and the central record share: version needed (2.0), flags (names
        // in UTF-8), method, time, date, CRC, sizes, the name's length.
        func shared(_ out: inout [UInt8]) {
            Self.le16(20, &out)
            Self.le16(0x0800, &out)
            Self.le16(method, &out)
            Self.le16(Self.dosTime, &out)
            Self.le16(Self.dosDate, &out)
            Self.le32(crc, &out)
            Self.le32(UInt32(packed.count), &out)
            Self.le32(UInt32(data.count), &out)
            Self.le16(UInt16(nameBytes.count), &out)
        }
        shared(&out)
        Self.le16(0, &out)                    // no extra field
        out += nameBytes
        out += packed
        // Its central directory record.
        Self.le32(ZipArchive.centralSignature, &directory)
        Self.le16(20, &directory)             // made by: MS-DOS, 2.0
        shared(&directory)
        Self.le16(0, &directory)              // extra
        Self.le16(0, &directory)              // comment
        Self.le16(0, &directory)              // disk
        Self.le16(0, &directory)              // internal attributes
        Self.le32(0, &directory)              // external attributes
        Self.le32(offset, &directory)
        directory += nameBytes
        count += 1
    }

    /// The archive: entries, central directory, end record.
    func finish() -> [UInt8] {
        var bytes = out
        bytes += directory
        Self.le32(ZipArchive.endSignature, &bytes)
        Self.le16(0, &bytes)
        Self.le16(0, &bytes)
        Self.le16(UInt16(count), &bytes)
        Self.le16(UInt16(count), &bytes)
        Self.le32(UInt32(directory.count), &bytes)
        Self.le32(UInt32(out.count), &bytes)
        Self.le16(0, &bytes)
        return bytes
    }

    /// Raw deflate (no zlib header) at zlib's default level, in one call sized by deflateBound.
    static func deflate(_ data: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        guard mes_deflate_init_raw(&stream, Z_DEFAULT_COMPRESSION) == Z_OK else { fatalError("zlib: deflateInit2 failed") }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(data.count)))
        var packed = [UInt8](repeating: 0, count: bound)
        let status: Int32 = data.withUnsafeBufferPointer { src in
            packed.withUnsafeMutableBufferPointer { dst in
                stream.next_in = UnsafeMutablePointer(mutating: src.baseAddress)
                stream.avail_in = uInt(src.count)
                stream.next_out = dst.baseAddress
                stream.avail_out = uInt(dst.count)
                return CZlib.deflate(&stream, Z_FINISH)
            }
        }
        precondition(status == Z_STREAM_END, "zlib: deflate did not finish within deflateBound")
        packed.removeLast(Int(stream.avail_out))
        return packed
    }
}
