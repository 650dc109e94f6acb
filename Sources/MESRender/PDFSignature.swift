// PDF signatures (ISO 32000-1 §12.8), the PDF side only: a signature field with a fixed-size
// placeholder, filling it with a DER signature made elsewhere (MESCrypto), and a bounded,
// linear-time scanner that finds the signature of a file for verification. No cryptography here.
//
// Layout written by `PDFWriter` when `signature` is set (objects after the pages):
//   catalog   << … /AcroForm << /Fields [W 0 R] /SigFlags 3 >> >>
//   page 1    << … /Annots [W 0 R] >>
//   W         << /Type /Annot /Subtype /Widget /FT /Sig /T … /V S 0 R /Rect [0 0 0 0] /F 132 /P 6 0 R >>
//   S = W+1   << /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached
//                /ByteRange [0 a b c]<spaces> /Contents <00…00> /M (D:…) /Name … /Reason … >>
// The signature covers the whole file but the `/Contents` hex string: [0, a) and [b, b + c).

extension PDFWriter {
    /// An invisible signature field and its signature dictionary, with room for a DER signature.
    public struct SignatureSlot: Sendable {
        public enum SubFilter: String, Sendable {
            /// PAdES (ETSI EN 319 142-1): CMS with the ESS signing-certificate-v2 attribute.
            case cadesDetached = "ETSI.CAdES.detached"
            /// The older PKCS#7 detached form.
            case pkcs7Detached = "adbe.pkcs7.detached"
        }

        public var subFilter: SubFilter = .cadesDetached
        /// The largest DER signature the slot holds, in bytes (written as twice as many hex digits).
        public var capacity: Int = 8192
        /// The field's name (`/T`).
        public var fieldName: TextString = "Signature"
        /// `/M`, `D:20220203110000+01'00'`; none if empty.
        public var signingTime: [UInt8] = []
        /// `/Name`, `/Reason`, `/Location`: omitted when empty.
        public var name: TextString = ""
        public var reason: TextString = ""
        public var location: TextString = ""

        public init() {}

        /// The fixed width of the `/ByteRange` array with its padding: `[0 a b c]` with up to ten
        /// digits each, so that filling it in moves nothing.
        static let byteRangeWidth = 36

        func appendWidget(signatureObject: Int, page: Int, to out: inout [UInt8]) {
            out += "<< /Type /Annot /Subtype /Widget /FT /Sig /T ".utf8
            out += fieldName.encoded
            out += " /V ".utf8
            PDFWriter.appendInt(signatureObject, to: &out)
            out += " 0 R /Rect [0 0 0 0] /F 132 /P ".utf8
            PDFWriter.appendInt(page, to: &out)
            out += " 0 R >>".utf8
        }

        /// Appends the signature dictionary; returns where its `/ByteRange` array starts and where
        /// its `/Contents` hex string is (angle brackets included).
        func appendDictionary(to out: inout [UInt8]) -> (byteRange: Int, contents: Range<Int>) {
            out += "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /".utf8
            out += subFilter.rawValue.utf8
            out += " /ByteRange ".utf8
            let byteRange = out.count
            out += "[0 0 0 0]".utf8
            out.append(contentsOf: repeatElement(0x20, count: Self.byteRangeWidth - 9))
            out += " /Contents ".utf8
            let start = out.count
            out.append(0x3C)
            out.append(contentsOf: repeatElement(0x30, count: 2 * max(capacity, 1)))
            out.append(0x3E)
            let contents = start..<out.count
            if !signingTime.isEmpty { out += " /M (".utf8; out += signingTime; out.append(0x29) }
            if !name.isEmpty { out += " /Name ".utf8; out += name.encoded }
            if !reason.isEmpty { out += " /Reason ".utf8; out += reason.encoded }
            if !location.isEmpty { out += " /Location ".utf8; out += location.encoded }
            out += " >>".utf8
            return (byteRange, contents)
        }
    }

    /// The document with its `/ByteRange` filled in and an empty signature, ready to be signed:
    /// nil without a `signature` slot.
    public func renderSignable() -> SignablePDF? {
        let (bytes, slot) = renderDocument()
        guard let slot else { return nil }
        return SignablePDF(bytes: bytes, byteRangeAt: slot.byteRange, contents: slot.contents)
    }
}

public enum PDFSignatureError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The signature has more bytes than the placeholder holds.
    case signatureTooLarge(size: Int, capacity: Int)

    public var description: String {
        switch self {
        case let .signatureTooLarge(size, capacity): "the signature (\(size) bytes) does not fit its placeholder (\(capacity) bytes)"
        }
    }
}

/// A rendered document whose signature is still to be written: its `/ByteRange` is final, so
/// `signedPieces` are the exact bytes a signature must cover.
public struct SignablePDF: Sendable {
    public private(set) var bytes: [UInt8]
    /// The `/Contents` hex string, `<` to `>` included: the one part not signed.
    public let contents: Range<Int>

    init(bytes: [UInt8], byteRangeAt: Int, contents: Range<Int>) {
        self.bytes = bytes
        self.contents = contents
        var text: [UInt8] = [0x5B, 0x30, 0x20]  // "[0 "
        PDFWriter.appendInt(contents.lowerBound, to: &text)
        text.append(0x20)
        PDFWriter.appendInt(contents.upperBound, to: &text)
        text.append(0x20)
        PDFWriter.appendInt(bytes.count - contents.upperBound, to: &text)
        text.append(0x5D)
        precondition(text.count <= PDFWriter.SignatureSlot.byteRangeWidth, "document too large to sign")
        self.bytes.replaceSubrange(byteRangeAt..<byteRangeAt + text.count, with: text)
    }

    /// `[0, a, b, c]`.
    public var byteRange: [Int] { [0, contents.lowerBound, contents.upperBound, bytes.count - contents.upperBound] }

    /// What the signature covers: everything but the `/Contents` hex string.
    public var signedPieces: [ArraySlice<UInt8>] { [bytes[..<contents.lowerBound], bytes[contents.upperBound...]] }

    /// The largest DER signature that fits.
    public var capacity: Int { (contents.count - 2) / 2 }

    /// Writes a DER signature into `/Contents` (upper-case hex, zero-padded).
    public mutating func embed(signature der: [UInt8]) throws(PDFSignatureError) {
        guard der.count <= capacity else { throw .signatureTooLarge(size: der.count, capacity: capacity) }
        let digits = PDFWriter.hexDigits
        let start = contents.lowerBound + 1
        bytes.withUnsafeMutableBufferPointer { out in
            var k = start
            for b in der {
                out[k] = digits[Int(b >> 4)]
                out[k + 1] = digits[Int(b & 15)]
                k += 2
            }
            while k < contents.upperBound - 1 { out[k] = 0x30; k += 1 }
        }
    }
}

/// A signed file's signature as found by `PDFSignatureScanner`.
public struct PDFSignedRegion: Sendable {
    /// `[0, a, b, c]`.
    public let byteRange: [Int]
    /// The DER signature, its zero padding removed.
    public let der: [UInt8]
    /// The signed bytes: `[0, a)` and `[b, b + c)`, which is the whole file but the signature.
    public let signedPieces: [ArraySlice<UInt8>]
}

/// Why a file has no acceptable signature.
public enum PDFScanFailure: Error, Equatable, Sendable {
    /// Larger than `PDFSignatureScanner.maximumSize`: not read.
    case tooLarge
    /// No signature dictionary (no `/ByteRange` outside comments, strings and streams).
    case notSigned
    /// More than one signature.
    case multipleSignatures
    /// `/ByteRange` is not `[0 a b c]` with a < b, or its gap is not exactly the `/Contents` hex string.
    case byteRangeInvalid
    /// The file is shorter than what the signature covers.
    case truncated
    /// Bytes after what the signature covers (an incremental update was appended).
    case doesNotCoverWholeFile
    /// The `/Contents` hex string does not hold one DER value followed by zero padding.
    case malformed
}

public typealias PDFScanResult = Result<PDFSignedRegion, PDFScanFailure>

/// Finds the signature of a PDF in one forward pass over its bytes, skipping comments, literal
/// and hex strings and stream data (so nothing in them counts), and checks that it covers the
/// whole file but its own `/Contents`. Linear time and bounded input: at most `maximumSize`
/// bytes, each looked at a bounded number of times.
///
/// Strict on purpose (it checks `mes`'s own receipts): exactly one signature, `/ByteRange [0 a b c]`
/// of plain integers, the gap `[a, b)` exactly `<…>` right after `/Contents`, upper-case hex
/// digits only, b + c = the file's length.
public enum PDFSignatureScanner {
    /// 4 MiB: a receipt is about 5 KiB.
    public static let maximumSize = 4 * 1024 * 1024

    public static func scan(_ bytes: [UInt8]) -> PDFScanResult {
        guard bytes.count <= maximumSize else { return .failure(.tooLarge) }
        let found: (count: Int, values: [Int]?) = bytes.withUnsafeBufferPointer { findByteRanges($0) }
        guard found.count > 0 else { return .failure(.notSigned) }
        guard found.count == 1 else { return .failure(.multipleSignatures) }
        guard let r = found.values, r.count == 4, r[0] == 0 else { return .failure(.byteRangeInvalid) }
        let n = bytes.count
        let (a, b, c) = (r[1], r[2], r[3])
        guard a > 0, b > a + 1 else { return .failure(.byteRangeInvalid) }
        guard b <= n, b + c <= n else { return .failure(.truncated) }
        guard b + c == n else { return .failure(.doesNotCoverWholeFile) }
        guard bytes[a] == 0x3C, bytes[b - 1] == 0x3E, (b - a - 2) % 2 == 0, precededByContents(bytes, a) else {
            return .failure(.byteRangeInvalid)
        }
        // Decode the hex digits (upper-case only: what the writer writes).
        var der = [UInt8]()
        der.reserveCapacity((b - a - 2) / 2)
        var k = a + 1
        while k < b - 1 {
            guard let hi = hexValue(bytes[k]), let lo = hexValue(bytes[k + 1]) else { return .failure(.byteRangeInvalid) }
            der.append(hi << 4 | lo)
            k += 2
        }
        guard let length = derLength(der) else { return .failure(.malformed) }
        for z in der[length...] where z != 0 { return .failure(.malformed) }
        der.removeSubrange(length...)
        return .success(PDFSignedRegion(byteRange: [0, a, b, c], der: der, signedPieces: [bytes[..<a], bytes[b..<n]]))
    }

    @inline(__always)
    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x41...0x46: c - 0x41 + 10
        default: nil
        }
    }

    /// The length of the DER value at the start of `der` (a SEQUENCE, definite minimal length).
    static func derLength(_ der: [UInt8]) -> Int? {
        guard der.count >= 2, der[0] == 0x30 else { return nil }
        let first = Int(der[1])
        var header = 2, length = first
        if first >= 0x80 {
            let count = first & 0x7F
            guard count >= 1, count <= 3, der.count >= 2 + count, der[2] != 0 else { return nil }
            length = 0
            for k in 0..<count { length = length << 8 | Int(der[2 + k]) }
            guard length >= 0x80 else { return nil }
            header = 2 + count
        }
        let total = header + length
        return total <= der.count ? total : nil
    }

    /// Whether `/Contents` and whitespace come right before `at`.
    static func precededByContents(_ b: [UInt8], _ at: Int) -> Bool {
        var k = at - 1, spaces = 0
        while k >= 0 && isWhitespace(b[k]) && spaces < 16 { k -= 1; spaces += 1 }
        let name = Array("/Contents".utf8)
        guard spaces >= 1, k + 1 >= name.count else { return false }
        return b[(k + 1 - name.count)...k].elementsEqual(name)
    }

    @inline(__always)
    static func isWhitespace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 || c == 0x0C || c == 0x00
    }

    @inline(__always)
    static func isDelimiter(_ c: UInt8) -> Bool {
        switch c {
        case 0x28, 0x29, 0x3C, 0x3E, 0x5B, 0x5D, 0x7B, 0x7D, 0x2F, 0x25: true
        default: false
        }
    }

    static let byteRangeName = Array("ByteRange".utf8)
    static let streamKeyword = Array("stream".utf8)
    static let endstreamKeyword = Array("endstream".utf8)

    /// How many `/ByteRange` names appear as PDF tokens, and the array after the last one (nil
    /// if it is not an array of plain non-negative integers).
    static func findByteRanges(_ b: UnsafeBufferPointer<UInt8>) -> (count: Int, values: [Int]?) {
        let n = b.count
        var count = 0
        var values: [Int]?
        var i = 0
        while i < n {
            let c = b[i]
            switch c {
            case 0x25:  // % comment, to the end of the line
                while i < n && b[i] != 0x0A && b[i] != 0x0D { i += 1 }
            case 0x28:  // ( literal string ), balanced, with escapes
                var depth = 0
                while i < n {
                    let d = b[i]
                    if d == 0x5C { i += 2; continue }
                    if d == 0x28 { depth += 1 } else if d == 0x29 { depth -= 1; if depth == 0 { i += 1; break } }
                    i += 1
                }
            case 0x3C:  // << or a <hex string>
                if i + 1 < n && b[i + 1] == 0x3C { i += 2; continue }
                while i < n && b[i] != 0x3E { i += 1 }
                i += 1
            case 0x2F:  // /Name
                var j = i + 1
                while j < n && !isWhitespace(b[j]) && !isDelimiter(b[j]) { j += 1 }
                if j - i - 1 == byteRangeName.count && equal(b, i + 1, byteRangeName) {
                    count += 1
                    values = integerArray(b, from: j)
                }
                i = max(j, i + 1)
            case 0x73 where (i == 0 || isWhitespace(b[i - 1]) || isDelimiter(b[i - 1])) && equal(b, i, streamKeyword)
                && i + 6 < n && (b[i + 6] == 0x0A || b[i + 6] == 0x0D):
                // Stream data: skipped to `endstream` whatever it holds.
                i += 6
                while i < n && !(b[i] == 0x65 && equal(b, i, endstreamKeyword)) { i += 1 }
                i += endstreamKeyword.count
            default:
                i += 1
            }
        }
        return (count, values)
    }

    @inline(__always)
    static func equal(_ b: UnsafeBufferPointer<UInt8>, _ at: Int, _ word: [UInt8]) -> Bool {
        guard at + word.count <= b.count else { return false }
        for k in 0..<word.count where b[at + k] != word[k] { return false }
        return true
    }

    /// `[n n n n]` of plain decimal integers (at most 10 digits each) after optional whitespace;
    /// reads a bounded number of bytes.
    static func integerArray(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> [Int]? {
        let n = b.count
        var i = start
        while i < n && isWhitespace(b[i]) && i - start < 16 { i += 1 }
        guard i < n, b[i] == 0x5B else { return nil }
        i += 1
        var out: [Int] = []
        while out.count <= 4 {
            var spaces = 0
            while i < n && isWhitespace(b[i]) && spaces < 16 { i += 1; spaces += 1 }
            guard i < n else { return nil }
            if b[i] == 0x5D { return out }
            var v = 0, digits = 0
            while i < n && b[i] >= 0x30 && b[i] <= 0x39 && digits < 11 { v = v * 10 + Int(b[i] - 0x30); digits += 1; i += 1 }
            guard digits >= 1, digits <= 10, i < n, isWhitespace(b[i]) || b[i] == 0x5D else { return nil }
            out.append(v)
        }
        return nil
    }
}
