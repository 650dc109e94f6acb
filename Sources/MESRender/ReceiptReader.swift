import Foundation
import MESCore

/// The fields a receipt file shows, read back for `mes receipt verify`.
public struct ReceiptFields: Equatable, Sendable {
    public var id: String
    public var nir: String
    public var name: String
    public var greeting: String
    /// ISO date.
    public var decidedOn: String
    public var verification: String
}

/// Reads the visible fields of a receipt file (PDF written by `mes`, its text form, or its JSON form).
public enum ReceiptReader {
    public static func read(_ bytes: [UInt8]) -> ReceiptFields? {
        if bytes.starts(with: Array("%PDF".utf8)) { return fields(lines: pdfTextLines(bytes)) }
        if bytes.first == 0x7B { return fromJSON(bytes) }
        return fields(lines: String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init))
    }

    /// The strings shown by `Tj` operators, in page order (uncompressed content streams).
    static func pdfTextLines(_ b: [UInt8]) -> [String] {
        var lines: [String] = []
        var i = 0
        let n = b.count
        while i < n {
            // Find "BT" ... "(" literal ")" " Tj"
            if b[i] == 0x28, i > 0, let (text, end) = literal(b, from: i), end + 3 < n,
               b[end + 1] == 0x20, b[end + 2] == 0x54, b[end + 3] == 0x6A {
                lines.append(WinAnsi.decode(text))
                i = end + 4
                continue
            }
            i += 1
        }
        return lines
    }

    /// Decodes a PDF literal string starting at `start` (an opening parenthesis).
    static func literal(_ b: [UInt8], from start: Int) -> ([UInt8], Int)? {
        var out: [UInt8] = []
        var depth = 0
        var i = start
        while i < b.count {
            let c = b[i]
            if c == 0x5C, i + 1 < b.count {
                let e = b[i + 1]
                switch e {
                case 0x6E: out.append(0x0A)
                case 0x72: out.append(0x0D)
                default: out.append(e)
                }
                i += 2
                continue
            }
            if c == 0x28 { depth += 1; if depth == 1 { i += 1; continue } }
            if c == 0x29 { depth -= 1; if depth == 0 { return (out, i) } }
            if c == 0x0A && depth == 0 { return nil }
            out.append(c)
            i += 1
        }
        return nil
    }

    static func fields(lines: [String]) -> ReceiptFields? {
        func after(_ label: String) -> String? {
            lines.first { $0.hasPrefix(label) }.map { String($0.dropFirst(label.count)).trimmingCharacters(in: .whitespaces) }
        }
        guard let id = after(ReceiptRenderer.referenceLabel), let v = after(ReceiptRenderer.verificationLabel),
              let nirText = after(ReceiptRenderer.nirLabel), let name = after(ReceiptRenderer.nameLabel),
              let hello = lines.first(where: { $0.hasPrefix("Bonjour ") && $0.hasSuffix(",") })
        else { return nil }
        let joined = lines.joined(separator: " ")
        guard let r = joined.range(of: "prise en compte le ") else { return nil }
        let dateText = String(joined[r.upperBound...].prefix(10))
        guard let date = CalendarDate.parse(dateText) else { return nil }
        let nir = NIRValidator(rules: .insee).validate(nirText).nir?.compact ?? nirText.replacingOccurrences(of: " ", with: "")
        return ReceiptFields(id: id, nir: nir, name: name, greeting: String(hello.dropFirst(8).dropLast()),
                             decidedOn: date.iso, verification: v)
    }

    static func fromJSON(_ bytes: [UInt8]) -> ReceiptFields? {
        guard let o = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
              let id = o["receipt"] as? String, let nir = o["nir"] as? String, let name = o["name"] as? String,
              let greeting = o["greeting"] as? String, let d = o["decided_on"] as? String, let v = o["verification"] as? String
        else { return nil }
        return ReceiptFields(id: id, nir: nir, name: name, greeting: greeting, decidedOn: d, verification: v)
    }
}
