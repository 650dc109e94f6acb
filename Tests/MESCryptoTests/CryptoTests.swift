import Testing
import MESCore
@testable import MESCrypto

@Suite struct CryptoTests {
    @Test func hmacMatchesRFC4231() {
        // RFC 4231 test case 2.
        let mac = Crypto.hmacSHA256(key: Array("Jefe".utf8), "what do ya want for nothing?")
        #expect(hex(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func randomStringsUseTheWholeAlphabetUniformly() {
        var counts = [UInt8: Int]()
        for _ in 0..<2_000 { for c in SystemRandom().provisionalCode().utf8 { counts[c, default: 0] += 1 } }
        #expect(counts.count == 62)
        let expected = 24_000.0 / 62
        #expect(counts.values.allSatisfy { abs(Double($0) - expected) < expected * 0.35 })
    }

    @Test func constantTimeEqual() {
        #expect(Crypto.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!Crypto.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!Crypto.constantTimeEqual([1, 2], [1, 2, 3]))
        // Bytes read in place (a digest column) against an array.
        let stored: [UInt8] = [9, 8, 7]
        stored.withUnsafeBufferPointer { p in
            #expect(Crypto.constantTimeEqual(p, [9, 8, 7]))
            #expect(!Crypto.constantTimeEqual(p, [9, 8, 6]))
            #expect(!Crypto.constantTimeEqual(p, [9, 8]))
            #expect(Crypto.constantTimeEqual(UnsafeBufferPointer(rebasing: p[0..<0]), []))
        }
    }
}

@Suite struct PasswordHasherTests {
    @Test func hashAndVerify() {
        let h = PasswordHasher.hash("Soleil#2022x", logN: 10)
        #expect(h.hasPrefix("$scrypt$ln=10,r=8,p=1$"))
        #expect(!h.contains("Soleil"))
        #expect(PasswordHasher.verify("Soleil#2022x", against: h))
        #expect(!PasswordHasher.verify("Soleil#2022y", against: h))
        #expect(h != PasswordHasher.hash("Soleil#2022x", logN: 10))  // salted
        #expect(!PasswordHasher.verify("x", against: "garbage"))
    }

    @Test func hmacKeyMatchesOneShotHMAC() {
        let key = Crypto.randomBytes(32)
        let k = HMACKey(key: key)
        for m in ["", "a", "code\u{0}HuqZF3KXCz8k", String(repeating: "x", count: 1000)] {
            #expect(k.mac(m) == Crypto.hmacSHA256(key: key, m))
        }
    }
}

/// AES-256-GCM sealing of queued messages.
@Suite struct SealingKeyTests {
    let key = SealingKey(key: [UInt8](repeating: 7, count: 32))
    let context = Array("ctx".utf8)

    @Test func aSealedBoxOpensOnlyWithItsKeyAndContextUnchanged() {
        let message = Array("Code provisoire pour Martine : HuqZF3KXCz8k".utf8)
        let box = key.seal(message, context: context)
        #expect(box.count == message.count + 28)
        #expect(!box.indices.dropLast(message.count).contains { Array(box[$0..<min($0 + 12, box.count)]) == Array("HuqZF3KXCz8k".utf8) })
        #expect(key.open(box, context: context) == message)
        #expect(key.open(box, context: Array("other".utf8)) == nil)
        #expect(SealingKey(key: [UInt8](repeating: 8, count: 32)).open(box, context: context) == nil)
        for i in [0, 12, box.count - 1] {
            var altered = box
            altered[i] ^= 1
            #expect(key.open(altered, context: context) == nil, "byte \(i)")
        }
        #expect(key.open(Array(box.prefix(27)), context: context) == nil)
    }

    @Test func eachSealUsesAFreshNonceAndEmptyMessagesSealToo() {
        let a = key.seal([1, 2, 3]), b = key.seal([1, 2, 3])
        #expect(a != b && Array(a.prefix(12)) != Array(b.prefix(12)))
        #expect(key.open(key.seal([])) == [])
    }
}

/// Small random requests come from a block of CSPRNG output, each byte handed out once.
@Suite struct RandomBlockTests {
    @Test func piecesAreFreshAcrossRefills() {
        var seen = Set<[UInt8]>()
        for n in [1, 12, 24, 64, 7, 64] {
            for _ in 0..<200 {  // several 4 KiB refills
                let b = Crypto.randomBytes(n)
                #expect(b.count == n)
                if n >= 12 { #expect(seen.insert(b).inserted, "a repeated \(n)-byte piece") }
            }
        }
        #expect(Crypto.randomBytes(65).count == 65 && Crypto.randomBytes(5000).count == 5000)
        // Over many bytes, every value shows up (not a constant or a short cycle).
        #expect(Set((0..<100).flatMap { _ in Crypto.randomBytes(64) }).count > 250)
    }
}
