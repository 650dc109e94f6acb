import Foundation
@testable import MESRender

/// A PDF's objects as its cross-reference stream gives them (the writer's files: one
/// cross-reference stream, its entries 1 + w + 2 bytes), each checked: an object at the top
/// level starts at its offset (`n 0 obj`), one in the object stream is listed in its header.
enum PDFStructure {
    /// Object number → nil (at the top level, found at its offset) or its body (in the
    /// object stream); nil when an entry points at nothing.
    static func objects(_ pdf: [UInt8]) -> [Int: [UInt8]?]? {
        let text = String(decoding: pdf, as: UTF8.self)
        guard let startxref = text.range(of: "startxref\n", options: .backwards),
              let at = Int(text[startxref.upperBound...].prefix { $0.isNumber }),
              let dictEnd = ReceiptReader.firstIndex(of: Array(">>\nstream\n".utf8), in: pdf, from: at) else { return nil }
        let dictionary = String(decoding: pdf[at..<dictEnd], as: UTF8.self)
        guard dictionary.contains("/Type /XRef"),
              let length = Int(dictionary.components(separatedBy: "/Length ")[1].prefix { $0.isNumber }),
              let size = Int(dictionary.components(separatedBy: "/Size ")[1].prefix { $0.isNumber }),
              let w = Int(dictionary.components(separatedBy: "/W [1 ")[1].prefix { $0.isNumber }),
              let table = Flate.inflate(pdf[(dictEnd + 10)..<(dictEnd + 10 + length)], limit: 1 << 20),
              table.count == size * (w + 3) else { return nil }
        var out: [Int: [UInt8]?] = [:]
        var packed: [Int: (stream: Int, index: Int)] = [:]
        for n in 1..<size {
            let e = Array(table[(n * (w + 3))..<((n + 1) * (w + 3))])
            let field = e[1...w].reduce(0) { $0 << 8 | Int($1) }
            let last = Int(e[w + 1]) << 8 | Int(e[w + 2])
            switch e[0] {
            case 1:
                let head = Array("\(n) 0 obj\n".utf8)
                guard field + head.count <= pdf.count, pdf[field..<field + head.count].elementsEqual(head) else { return nil }
                out[n] = .some(nil)
            case 2: packed[n] = (field, last)
            default: return nil
            }
        }
        // The object stream's header: "n offset" pairs, then the objects from /First.
        for (n, p) in packed {
            guard let streamAt = ReceiptReader.firstIndex(of: Array("\(p.stream) 0 obj\n".utf8), in: pdf),
                  let end = ReceiptReader.firstIndex(of: Array(">>\nstream\n".utf8), in: pdf, from: streamAt) else { return nil }
            let dict = String(decoding: pdf[streamAt..<end], as: UTF8.self)
            guard dict.contains("/Type /ObjStm"),
                  let length = Int(dict.components(separatedBy: "/Length ")[1].prefix { $0.isNumber }),
                  let first = Int(dict.components(separatedBy: "/First ")[1].prefix { $0.isNumber }),
                  let data = Flate.inflate(pdf[(end + 10)..<(end + 10 + length)], limit: 1 << 20) else { return nil }
            let numbers = String(decoding: data[..<first], as: UTF8.self).split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            guard 2 * p.index + 1 < numbers.count, numbers[2 * p.index] == n else { return nil }
            let start = first + numbers[2 * p.index + 1]
            let stop = 2 * p.index + 3 < numbers.count ? first + numbers[2 * p.index + 3] : data.count
            out[n] = .some(Array(data[start..<stop]))
        }
        return out
    }
}
