import MESCore
import MESRender

/// The per-line output of `nir check`, written straight into the output buffer.
enum NIRCheckOutput {
    /// `{"schema_version":N,"input":`, made once.
    static let prefix = Array(#"{"schema_version":\#(JSON.schemaVersion),"input":"#.utf8)

    static let validNIR = Array(#","valid":true,"nir":""#.utf8)
    static let formatted = Array(#"","formatted":""#.utf8)
    static let validEnd = Array("\"}\n".utf8)

    /// What follows the input for each reason, made once: `,"valid":false,"reason":…,"code":…,
    /// "message":…}` and the line feed (a million invalid lines copy it, not build it).
    static let invalidEnd: [NIRReason: [UInt8]] = Dictionary(uniqueKeysWithValues: NIRReason.allCases.map { reason in
        var out = Array(#","valid":false,"reason":""#.utf8)
        out += reason.rawValue.utf8
        out += #"","code":""#.utf8
        out += reason.code.rawValue.utf8
        out += #"","message":"#.utf8
        JSON.writeString(reason.message, into: &out)
        out += "}\n".utf8
        return (reason, out)
    })

    static func json(input: UnsafeBufferPointer<UInt8>, verdict: NIRVerdict, into out: inout [UInt8]) {
        out.append(contentsOf: prefix)
        JSON.writeString(repairing: input, into: &out)
        switch verdict {
        case .valid(let nir):
            out.append(contentsOf: validNIR)
            var c = nir.compact
            c.withUTF8 { b in
                out.append(contentsOf: b)
                out.append(contentsOf: formatted)
                grouped(b, into: &out)
            }
            out.append(contentsOf: validEnd)
        case .invalid(let reason):
            out.append(contentsOf: invalidEnd[reason]!)
        }
    }

    static func text(input: UnsafeBufferPointer<UInt8>, verdict: NIRVerdict, into out: inout [UInt8]) {
        switch verdict {
        case .valid(let nir):
            var c = nir.compact
            c.withUTF8 { grouped($0, into: &out) }
            out.append(contentsOf: "\tvalide\n".utf8)
        case .invalid(let reason):
            TextEscaping.appendTerminalSafe(input, to: &out)
            out.append(contentsOf: "\tinvalide (\(reason.rawValue)) : \(reason.message)\n".utf8)
        }
    }

    static func grouped(_ b: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        guard b.count == 15 else { out.append(contentsOf: b); return }
        var g: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &g) { raw in
            var j = 0
            for i in 0..<15 {
                if i == 1 || i == 3 || i == 5 || i == 7 || i == 10 || i == 13 { raw[j] = 32; j += 1 }
                raw[j] = b[i]
                j += 1
            }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[0..<21]))
        }
    }
}
