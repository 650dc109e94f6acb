@testable import MESRender

/// A signed receipt with its page changed as a forger would: the page's stream (object 5)
/// inflated, `edit` applied, compressed again and padded to its former length, so that every
/// offset stays right and PDF readers show the change; the signature is left as it was. Nil
/// when the file has no such stream or the changed page compresses to more bytes.
public func forgingPage(_ pdf: [UInt8], _ edit: ([UInt8]) -> [UInt8]) -> [UInt8]? {
    let head = Array("5 0 obj\n<< /Length ".utf8)
    guard let at = ReceiptReader.firstIndex(of: head, in: pdf) else { return nil }
    let lengthAt = at + head.count
    let digits = pdf[lengthAt...].prefix { $0 >= 0x30 && $0 <= 0x39 }
    guard let length = Int(String(decoding: digits, as: UTF8.self)),
          let data = ReceiptReader.firstIndex(of: Array(">>\nstream\n".utf8), in: pdf, from: lengthAt).map({ $0 + 10 }),
          data + length <= pdf.count,
          let page = Flate.inflate(pdf[data..<data + length], limit: 1 << 20) else { return nil }
    let z = Flate.stream(edit(page))
    guard z.count <= length else { return nil }
    var out = pdf
    out.replaceSubrange(data..<data + length, with: z + [UInt8](repeating: 0x0A, count: length - z.count))
    return out
}

/// `bytes` with the first `old` made `new` (nil when `old` is not in it).
public func replacingFirst(_ old: [UInt8], with new: [UInt8], in bytes: [UInt8]) -> [UInt8] {
    guard let at = ReceiptReader.firstIndex(of: old, in: bytes) else { return bytes }
    var out = bytes
    out.replaceSubrange(at..<at + old.count, with: new)
    return out
}
