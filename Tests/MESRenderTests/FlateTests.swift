import CZlib
import Dispatch
import Foundation
import Testing
@testable import MESRender
import MESCore

/// `Flate`'s streams start from copies of deflate states made once (`Flate.State`): their bytes
/// must be those of a deflate set up anew for each stream, on any thread, since a signed
/// receipt already issued is judged whole (`ReceiptSigner.isWhole`) by rendering it again.
@Suite struct FlateTests {
    /// What `Flate.stream(prefix:_:)` gave before it reused states: a deflate set up for this
    /// stream alone (`deflateInit2`, the dictionary set, then the bytes).
    static func freshStream(prefix: [UInt8], _ rest: [UInt8]) -> [UInt8] {
        func raw(_ bytes: [UInt8], final: Bool, dictionary: [UInt8]) -> [UInt8] {
            var z = z_stream()
            #expect(mes_deflate_init_raw_small(&z, 9) == Z_OK)
            defer { deflateEnd(&z) }
            if !dictionary.isEmpty {
                #expect(dictionary.withUnsafeBufferPointer { deflateSetDictionary(&z, $0.baseAddress, uInt($0.count)) } == Z_OK)
            }
            var out = [UInt8](repeating: 0, count: Int(deflateBound(&z, uLong(bytes.count))) + 16)
            let produced: Int = bytes.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    z.next_in = UnsafeMutablePointer(mutating: src.baseAddress)
                    z.avail_in = uInt(src.count)
                    z.next_out = dst.baseAddress
                    z.avail_out = uInt(dst.count)
                    _ = deflate(&z, final ? Z_FINISH : Z_SYNC_FLUSH)
                    return dst.count - Int(z.avail_out)
                }
            }
            return Array(out[..<produced])
        }
        let adler = Flate.adler(prefix + rest)
        var out: [UInt8] = [0x78, 0x9C]
        if !prefix.isEmpty { out += raw(prefix, final: false, dictionary: []) }
        out += raw(rest, final: true, dictionary: prefix.isEmpty ? [] : Array(prefix.suffix(Flate.window - 262)))
        for shift in [24, 16, 8, 0] { out.append(UInt8(truncatingIfNeeded: adler >> UInt(shift))) }
        return out
    }

    /// Page-like text: the prefix a receipt's page has, then lines of its own.
    static func lines(_ seed: Int, count: Int) -> [UInt8] {
        var s = ""
        for i in 0..<count {
            s += "BT /F1 11 Tf 0 g 72 \(735 - 15 * i) Td (Ligne \(i) du justificatif \(seed * 7919 % 10_007) : LEGUELLEC Martine) Tj ET\n"
        }
        return Array(s.utf8)
    }

    @Test(arguments: [0, 1, 40, 200])
    func aStreamIsTheBytesOfAFreshDeflate(prefixLines: Int) throws {
        let prefixBytes = Self.lines(1, count: prefixLines)
        let prefix = prefixLines == 0 ? nil : Flate.Prefix(prefixBytes)
        for rest in [[], Array("x".utf8), Self.lines(2, count: 12), Self.lines(3, count: 60)] {
            let stream = Flate.stream(prefix: prefix, rest)
            #expect(stream == Self.freshStream(prefix: prefix == nil ? [] : prefixBytes, rest))
            #expect(Flate.inflate(stream[...], limit: 1 << 20) == (prefix == nil ? [] : prefixBytes) + rest)
            // The same again: a copied state leaves the one it was copied from as it was.
            #expect(Flate.stream(prefix: prefix, rest) == stream)
        }
    }

    @Test func threadsSharingAPrefixGetTheSameBytes() {
        let prefix = Flate.Prefix.cached(Self.lines(4, count: 30))
        let rests = (0..<64).map { Self.lines($0, count: 3 + $0 % 9) }
        let expected = rests.map { Flate.stream(prefix: prefix, $0) }
        final class Results: @unchecked Sendable {
            let lock = NSLock()
            var byIndex: [Int: [[UInt8]]] = [:]
        }
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 4 * rests.count) { i in
            let k = i % rests.count
            let bytes = Flate.stream(prefix: Flate.Prefix.cached(Self.lines(4, count: 30)), rests[k])
            results.lock.withLock { results.byIndex[k, default: []].append(bytes) }
        }
        for k in rests.indices { #expect(results.byIndex[k] == Array(repeating: expected[k], count: 4)) }
    }

    @Test func theCacheKeepsOnePrefixPerContent() {
        let a = Flate.Prefix.cached(Self.lines(5, count: 10)), b = Flate.Prefix.cached(Self.lines(6, count: 10))
        #expect(a.blocks != b.blocks)
        #expect(Flate.Prefix.cached(Self.lines(5, count: 10)).blocks == a.blocks)
        #expect(Flate.Prefix.cached([]).blocks == Flate.Prefix([]).blocks)
    }

    /// A signed receipt of layout 2 as issued since receipts fit one block (32111b0), before
    /// its signature: a repair judges an earlier file whole only if rendering its receipt again
    /// gives these bytes, so they may not change within the layout (its size and checksum).
    @Test func aLayout2ReceiptKeepsItsBytes() {
        let r = OppositionReceipt(id: "JO-TEST000001", nir: NIRValidator().validate("116304403801618").nir!, name: "LEGUELLEC Martine Julie",
                                  greeting: "Martine Julie Leguellec", decidedOn: CalendarDate(year: 2021, month: 9, day: 28)!,
                                  issuedAt: Instant.parse("2021-09-28T08:00:00Z")!, verification: "ABCD-EFGH-JKMN", copy: 1)
        let doc = ReceiptRenderer.pdf(r, signed: ReceiptRenderer.SignedPage(signerName: "Association Exemple", capacity: 72))
        #expect(doc.bytes.count == 1951)
        #expect(Flate.adler(doc.bytes) == 3_382_198_097)
    }
}
