import MESCore

/// The font a page embeds when a line holds letters the standard fonts lack (Ł, Ş, ı, Đ, ễ…):
/// DejaVu Sans cut down to `NameRepertoire` (`LatinFontData.swift`, generated), of which each
/// document embeds only the glyphs it draws (`subset`), with the widths and the map back to
/// Unicode (`/ToUnicode`) that let `pdftotext` and `receipt verify` read the text again.
public struct LatinFont: Sendable {
    /// The font built into `mes`.
    public static let shared = LatinFont(bytes: Base64.decode(LatinFont.base64))

    let font: [UInt8]
    /// Table tag → (offset, length).
    let tables: [String: (offset: Int, length: Int)]
    let unitsPerEm: Int
    let numGlyphs: Int
    let numberOfHMetrics: Int
    let longLoca: Bool
    /// Unicode scalar value → glyph.
    let glyphOf: [UInt32: UInt16]
    /// Ascent, descent and bounding box in thousandths of an em.
    let ascent: Int, descent: Int
    let bbox: [Int]

    init(bytes: [UInt8]) {
        font = bytes
        var t: [String: (Int, Int)] = [:]
        let count = Self.u16(bytes, 4)
        for i in 0..<count {
            let r = 12 + 16 * i
            let tag = String(decoding: bytes[r..<r + 4], as: UTF8.self)
            t[tag] = (Self.u32(bytes, r + 8), Self.u32(bytes, r + 12))
        }
        tables = t
        let head = t["head"]!.0, hhea = t["hhea"]!.0
        unitsPerEm = Self.u16(bytes, head + 18)
        longLoca = Self.u16(bytes, head + 50) == 1
        numGlyphs = Self.u16(bytes, t["maxp"]!.0 + 4)
        numberOfHMetrics = Self.u16(bytes, hhea + 34)
        let em = unitsPerEm
        func scaled(_ v: Int) -> Int { (v * 1000 / em) }
        ascent = scaled(Self.s16(bytes, hhea + 4))
        descent = scaled(Self.s16(bytes, hhea + 6))
        bbox = [36, 38, 40, 42].map { scaled(Self.s16(bytes, head + $0)) }
        glyphOf = Self.readCmap(bytes, at: t["cmap"]!.0)
    }

    /// Whether the font draws every character of `text`.
    public func covers(_ text: some StringProtocol) -> Bool {
        text.unicodeScalars.allSatisfy { glyphOf[$0.value] != nil }
    }

    /// The width of `text` at `size` points (characters the font lacks count as nothing).
    public func width(_ text: some StringProtocol, size: Double) -> Double {
        var units = 0
        for u in text.unicodeScalars { if let g = glyphOf[u.value] { units += metrics(g).advance } }
        return Double(units) * size / Double(unitsPerEm)
    }

    // MARK: subsetting

    /// The font a document embeds: the glyphs of the characters it draws and nothing else.
    public struct Subset: Sendable {
        /// A TrueType file holding `.notdef`, then one glyph per character in scalar order, then
        /// the components of composite glyphs.
        public let font: [UInt8]
        /// Character → glyph in `font` (the code a content stream writes, Identity-H).
        public let code: [UInt32: UInt16]
        /// Each glyph's advance in thousandths of an em, by glyph.
        public let widths: [Int]
        /// A six-letter tag naming this subset (`/BaseFont /ABCDEF+DejaVuSans`).
        public let tag: String
    }

    /// The subset drawing `scalars` (characters the font lacks are left out).
    public func subset(_ scalars: Set<UInt32>) -> Subset {
        var order: [UInt16] = [0]
        var newID: [UInt16: UInt16] = [0: 0]
        var code: [UInt32: UInt16] = [:]
        func add(_ g: UInt16) -> UInt16 {
            if let n = newID[g] { return n }
            let n = UInt16(order.count)
            order.append(g)
            newID[g] = n
            return n
        }
        for s in scalars.sorted() {
            guard let g = glyphOf[s] else { continue }
            code[s] = add(g)
        }
        // Composite glyphs name their components: those come along (and their own, in turn).
        var i = 0
        while i < order.count {
            for c in components(of: order[i]) { _ = add(c) }
            i += 1
        }
        var glyf: [UInt8] = []
        var loca: [Int] = []
        for g in order {
            loca.append(glyf.count)
            var bytes = glyph(g)
            rewriteComponents(&bytes) { newID[$0]! }
            glyf += bytes
            while glyf.count % 4 != 0 { glyf.append(0) }
        }
        loca.append(glyf.count)
        var hmtx: [UInt8] = []
        var widths: [Int] = []
        for g in order {
            let (advance, lsb) = metrics(g)
            Self.put16(&hmtx, advance)
            Self.put16(&hmtx, lsb)
            widths.append((advance * 1000 + unitsPerEm / 2) / unitsPerEm)
        }
        var locaBytes: [UInt8] = []
        for o in loca { Self.put32(&locaBytes, o) }
        var head = table("head")
        head.replaceSubrange(8..<12, with: [0, 0, 0, 0])       // checkSumAdjustment, set below
        head.replaceSubrange(50..<52, with: [0, 1])            // long offsets
        var hhea = table("hhea")
        hhea.replaceSubrange(34..<36, with: [UInt8(order.count >> 8), UInt8(order.count & 0xFF)])
        var maxp = table("maxp")
        maxp.replaceSubrange(4..<6, with: [UInt8(order.count >> 8), UInt8(order.count & 0xFF)])
        var post = Array(table("post").prefix(32))
        post.replaceSubrange(0..<4, with: [0, 3, 0, 0])        // version 3: no glyph names
        var tablesOut: [(String, [UInt8])] = [("OS/2", table("OS/2")), ("glyf", glyf), ("head", head), ("hhea", hhea),
                                              ("hmtx", hmtx), ("loca", locaBytes), ("maxp", maxp), ("post", post)]
        tablesOut.sort { $0.0 < $1.0 }
        var file = Self.assemble(tablesOut)
        let adjust = UInt32(truncatingIfNeeded: 0xB1B0_AFBA &- Int(Self.checksum(file[...])))
        if let h = Self.tableOffset(file, "head") {
            file.replaceSubrange(h + 8..<h + 12, with: [UInt8(adjust >> 24), UInt8(adjust >> 16 & 0xFF), UInt8(adjust >> 8 & 0xFF), UInt8(adjust & 0xFF)])
        }
        // The tag: six capitals drawn from the glyph list (the same subset, the same name).
        var h: UInt64 = 1_469_598_103_934_665_603
        for g in order { h = (h ^ UInt64(g)) &* 1_099_511_628_211 }
        var tag = ""
        for _ in 0..<6 { tag.append(Character(Unicode.Scalar(UInt8(65 + h % 26)))); h /= 26 }
        return Subset(font: file, code: code, widths: widths, tag: tag)
    }

    func table(_ tag: String) -> [UInt8] {
        guard let (o, l) = tables[tag] else { return [] }
        return Array(font[o..<o + l])
    }

    func glyph(_ g: UInt16) -> [UInt8] {
        let (start, end) = glyphRange(g)
        let base = tables["glyf"]!.offset
        return Array(font[base + start..<base + end])
    }

    func glyphRange(_ g: UInt16) -> (Int, Int) {
        let loca = tables["loca"]!.offset
        let i = Int(g)
        if longLoca { return (Self.u32(font, loca + 4 * i), Self.u32(font, loca + 4 * i + 4)) }
        return (Self.u16(font, loca + 2 * i) * 2, Self.u16(font, loca + 2 * i + 2) * 2)
    }

    func metrics(_ g: UInt16) -> (advance: Int, lsb: Int) {
        let hmtx = tables["hmtx"]!.offset
        let i = Int(g)
        if i < numberOfHMetrics { return (Self.u16(font, hmtx + 4 * i), Self.u16(font, hmtx + 4 * i + 2)) }
        let advance = Self.u16(font, hmtx + 4 * (numberOfHMetrics - 1))
        return (advance, Self.u16(font, hmtx + 4 * numberOfHMetrics + 2 * (i - numberOfHMetrics)))
    }

    /// The glyphs a composite glyph is made of (none for a simple one).
    func components(of g: UInt16) -> [UInt16] {
        var out: [UInt16] = []
        var bytes = glyph(g)
        rewriteComponents(&bytes) { out.append($0); return $0 }
        return out
    }

    /// Calls `map` on each component of a composite glyph and writes its answer in place.
    func rewriteComponents(_ b: inout [UInt8], _ map: (UInt16) -> UInt16) {
        guard b.count >= 10, Self.s16(b, 0) < 0 else { return }
        var p = 10
        while p + 4 <= b.count {
            let flags = Self.u16(b, p)
            let n = map(UInt16(Self.u16(b, p + 2)))
            b[p + 2] = UInt8(n >> 8)
            b[p + 3] = UInt8(n & 0xFF)
            p += 4 + (flags & 0x0001 != 0 ? 4 : 2)             // ARG_1_AND_2_ARE_WORDS
            if flags & 0x0008 != 0 { p += 2 }                   // WE_HAVE_A_SCALE
            else if flags & 0x0040 != 0 { p += 4 }              // WE_HAVE_AN_X_AND_Y_SCALE
            else if flags & 0x0080 != 0 { p += 8 }              // WE_HAVE_A_TWO_BY_TWO
            if flags & 0x0020 == 0 { break }                    // MORE_COMPONENTS
        }
    }

    // MARK: the file's structure

    static func readCmap(_ b: [UInt8], at cmap: Int) -> [UInt32: UInt16] {
        var map: [UInt32: UInt16] = [:]
        let n = u16(b, cmap + 2)
        for i in 0..<n {
            let r = cmap + 4 + 8 * i
            let platform = u16(b, r), encoding = u16(b, r + 2)
            let sub = cmap + u32(b, r + 4)
            guard (platform == 3 && encoding == 1) || platform == 0, u16(b, sub) == 4 else { continue }
            let segments = u16(b, sub + 6) / 2
            let ends = sub + 14, starts = ends + 2 * segments + 2
            let deltas = starts + 2 * segments, offsets = deltas + 2 * segments
            for s in 0..<segments {
                let end = u16(b, ends + 2 * s), start = u16(b, starts + 2 * s)
                let delta = u16(b, deltas + 2 * s), rangeOffset = u16(b, offsets + 2 * s)
                guard start <= end, end != 0xFFFF else { continue }
                for c in start...end {
                    var g: Int
                    if rangeOffset == 0 {
                        g = (c + delta) & 0xFFFF
                    } else {
                        let at = offsets + 2 * s + rangeOffset + 2 * (c - start)
                        g = u16(b, at)
                        if g != 0 { g = (g + delta) & 0xFFFF }
                    }
                    if g != 0 { map[UInt32(c)] = UInt16(g) }
                }
            }
            return map
        }
        return map
    }

    static func assemble(_ tables: [(String, [UInt8])]) -> [UInt8] {
        var out: [UInt8] = [0, 1, 0, 0]
        let n = tables.count
        var power = 1, log = 0
        while power * 2 <= n { power *= 2; log += 1 }
        put16(&out, n)
        put16(&out, power * 16)
        put16(&out, log)
        put16(&out, n * 16 - power * 16)
        var offset = 12 + 16 * n
        var body: [UInt8] = []
        for (tag, data) in tables {
            out += Array(tag.utf8)
            put32(&out, Int(checksum(data[...])))
            put32(&out, offset)
            put32(&out, data.count)
            var padded = data
            while padded.count % 4 != 0 { padded.append(0) }
            body += padded
            offset += padded.count
        }
        return out + body
    }

    static func tableOffset(_ b: [UInt8], _ tag: String) -> Int? {
        let t = Array(tag.utf8)
        for i in 0..<u16(b, 4) where Array(b[12 + 16 * i..<16 + 16 * i]) == t { return u32(b, 12 + 16 * i + 8) }
        return nil
    }

    static func checksum(_ b: ArraySlice<UInt8>) -> UInt32 {
        var sum: UInt32 = 0
        var i = b.startIndex
        while i < b.endIndex {
            var w: UInt32 = 0
            for k in 0..<4 { w = w << 8 | UInt32(i + k < b.endIndex ? b[i + k] : 0) }
            sum = sum &+ w
            i += 4
        }
        return sum
    }

    static func u16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) << 8 | Int(b[i + 1]) }
    static func s16(_ b: [UInt8], _ i: Int) -> Int { Int(Int16(bitPattern: UInt16(u16(b, i)))) }
    static func u32(_ b: [UInt8], _ i: Int) -> Int { u16(b, i) << 16 | u16(b, i + 2) }
    static func put16(_ b: inout [UInt8], _ v: Int) { b.append(UInt8(v >> 8 & 0xFF)); b.append(UInt8(v & 0xFF)) }
    static func put32(_ b: inout [UInt8], _ v: Int) { put16(&b, v >> 16 & 0xFFFF); put16(&b, v & 0xFFFF) }
}

/// Base64 decoding of text the build itself wrote (line breaks skipped).
enum Base64 {
    static func decode(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 3 / 4)
        var acc: UInt32 = 0, bits = 0
        for c in text.utf8 {
            let v: UInt32
            switch c {
            case 65...90: v = UInt32(c - 65)
            case 97...122: v = UInt32(c - 71)
            case 48...57: v = UInt32(c + 4)
            case 43: v = 62
            case 47: v = 63
            default: continue
            }
            acc = acc << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(acc >> UInt32(bits) & 0xFF))
            }
        }
        return out
    }
}
