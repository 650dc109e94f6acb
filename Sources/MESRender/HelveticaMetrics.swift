/// Glyph widths (1/1000 em) of the standard Helvetica and Helvetica-Bold fonts (Adobe AFM),
/// for WinAnsi bytes; accented letters take their base letter's width.
enum HelveticaMetrics {
    // Bytes 32...126.
    static let regular: [Int] = [
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
        556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
        1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
        333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
        556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
    ]
    static let bold: [Int] = [
        278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
        556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
        975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
        333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
        611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
    ]

    static func width(_ b: UInt8, bold isBold: Bool) -> Int {
        let table = isBold ? bold : regular
        func base(_ c: Character) -> Int { table[Int(c.asciiValue!) - 32] }
        switch b {
        case 32...126: return table[Int(b) - 32]
        case 0xC0...0xC5: return base("A")
        case 0xC7: return base("C")
        case 0xC8...0xCB: return base("E")
        case 0xCC...0xCF, 0xEC...0xEF: return 278
        case 0xD1: return base("N")
        case 0xD2...0xD6: return base("O")
        case 0xD9...0xDC: return base("U")
        case 0xE0...0xE5: return base("a")
        case 0xE7: return base("c")
        case 0xE8...0xEB: return base("e")
        case 0xF1: return base("n")
        case 0xF2...0xF6: return base("o")
        case 0xF9...0xFC: return base("u")
        case 0xFD, 0xFF: return base("y")
        case 0x91, 0x92: return isBold ? 278 : 222
        case 0x93, 0x94: return isBold ? 500 : 333
        case 0x97: return 1000
        case 0xA0: return 278
        default: return 556
        }
    }
}
