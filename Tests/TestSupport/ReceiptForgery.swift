import CZlib

/// A signed receipt with its page changed as a forger would: the page's stream (object 5)
/// inflated, `edit` applied, compressed again (zlib) and padded to its former length, so that
/// every offset stays right and PDF readers show the change; the signature is left as it was.
/// Nil when the file has no such stream or the changed page compresses to more bytes.
public func forgingPage(_ pdf: [UInt8], _ edit: ([UInt8]) -> [UInt8]) -> [UInt8]? {
    let head = Array("5 0 obj\n<< /Length ".utf8)
    guard let at = firstIndex(of: head, in: pdf) else { return nil }
    let lengthAt = at + head.count
    let digits = pdf[lengthAt...].prefix { $0 >= 0x30 && $0 <= 0x39 }
    guard let length = Int(String(decoding: digits, as: UTF8.self)),
          let data = firstIndex(of: Array(">>\nstream\n".utf8), in: pdf, from: lengthAt).map({ $0 + 10 }),
          data + length <= pdf.count else { return nil }
    var page = [UInt8](repeating: 0, count: 1 << 20)
    var pageLength = uLongf(page.count)
    let source = Array(pdf[data..<data + length])
    guard uncompress(&page, &pageLength, source, uLong(source.count)) == Z_OK else { return nil }
    let changed = edit(Array(page[..<Int(pageLength)]))
    var z = [UInt8](repeating: 0, count: Int(compressBound(uLong(changed.count))))
    var zLength = uLongf(z.count)
    guard compress2(&z, &zLength, changed, uLong(changed.count), 9) == Z_OK, Int(zLength) <= length else { return nil }
    var out = pdf
    out.replaceSubrange(data..<data + length, with: z[..<Int(zLength)] + [UInt8](repeating: 0x0A, count: length - Int(zLength)))
    return out
}

/// `bytes` with the first `old` made `new` (unchanged when `old` is not in it).
public func replacingFirst(_ old: [UInt8], with new: [UInt8], in bytes: [UInt8]) -> [UInt8] {
    guard let at = firstIndex(of: old, in: bytes) else { return bytes }
    var out = bytes
    out.replaceSubrange(at..<at + old.count, with: new)
    return out
}

func firstIndex(of needle: [UInt8], in bytes: [UInt8], from: Int = 0) -> Int? {
    guard !needle.isEmpty, bytes.count >= needle.count, from <= bytes.count - needle.count else { return nil }
    return (from...(bytes.count - needle.count)).first { bytes[$0..<$0 + needle.count].elementsEqual(needle) }
}
