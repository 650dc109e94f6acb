import Foundation
import Testing
import TestSupport
@testable import MESStore
import MESCore
import MESCrypto

/// A fresh store path that does not exist yet.
func tempDir() -> String { temporaryPath("mes-store") }

let now = Instant.parse("2022-02-03T10:00:00Z")!

/// Adds Martine, in a transaction of its own unless `inside` one already.
func demoPerson(_ store: Store, state: ProfileState = .pending, inside: Bool = false) throws -> Person {
    let nir = NIRValidator().validate("116304403801618").nir!
    var p = Person(nir: nir, birthDate: CalendarDate(year: 1988, month: 6, day: 8)!, firstName: "Martine", lastName: "Leguellec",
                   card: .plain, serial: "953701166", email: "m@example.fr", state: state)
    p.id = inside ? try store.insert(p) : try store.transaction { try store.insert(p) }
    return p
}

@Suite struct StoreTests {
    @Test func createsFilesWithPrivateModes() throws {
        let dir = tempDir()
        let (store, created) = try Store.create(dir)
        #expect(created)
        #expect(store.schemaVersion == Schema.migrations.count)
        for (path, mode) in [(dir, 0o700), (dir + "/outbox", 0o700), (dir + "/mes.db", 0o600), (dir + "/secret.key", 0o600)] {
            let attrs = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attrs[.posixPermissions] as! NSNumber).intValue & 0o777 == mode, "\(path)")
        }
        #expect(try !Store.create(dir).1)
        #expect(try store.db.first("PRAGMA journal_mode")?.text(0) == "wal")
    }

    @Test func missingStoreIsNoInput() {
        #expect(throws: MESError.self) { try Store.open(tempDir()) }
        do { _ = try Store.open(tempDir()) } catch let e as MESError { #expect(e.status == .noInput) } catch { Issue.record() }
    }

    // Identification with a code (single use, states, lockout, unknown cards, two connections)
    // is the service's: see MESServiceTests/IdentificationGateTests.

    @Test func loadIntoAnEmptyRegisterUsesARollbackJournalThenWAL() throws {
        let (store, _) = try Store.create(tempDir())
        let mode = { try store.db.first("PRAGMA journal_mode")?.text(0) }
        let during = try store.loadTransaction { _ = try demoPerson(store, inside: true); return try mode() }
        #expect(during == "delete")
        #expect(try mode() == "wal")
        #expect(try store.peopleCount() == 1)
        // Not empty any more: an ordinary WAL transaction.
        #expect(try store.loadTransaction { try mode() } == "wal")
    }

    @Test func loadWithAnotherConnectionOpenStaysInWAL() throws {
        let dir = tempDir()
        let (store, _) = try Store.create(dir)
        let other = try Store.open(dir)
        _ = try other.peopleCount()
        let started = Date()
        let during = try store.loadTransaction { _ = try demoPerson(store, inside: true); return try store.db.first("PRAGMA journal_mode")?.text(0) }
        #expect(during == "wal")
        #expect(Date().timeIntervalSince(started) < 2, "the switch must not wait for the other connection")
        #expect(try other.peopleCount() == 1)
    }

    @Test func failedLoadLeavesAnEmptyRegisterInWAL() throws {
        let (store, _) = try Store.create(tempDir())
        struct Boom: Error {}
        #expect(throws: Boom.self) { try store.loadTransaction { _ = try demoPerson(store, inside: true); throw Boom() } }
        #expect(try store.peopleCount() == 0)
        #expect(try store.db.first("PRAGMA journal_mode")?.text(0) == "wal")
        #expect(!FileManager.default.fileExists(atPath: store.databasePath + "-journal"))
    }

    @Test func failedTransactionRemovesItsFiles() throws {
        let (store, _) = try Store.create(tempDir())
        let p = try demoPerson(store)
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try store.transaction {
                try store.deliver(OutgoingMessage(channel: .sms, recipientMasked: "x", subject: "s", body: [1, 2]), to: p.id, now: now)
                throw Boom()
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.outboxDirectory).isEmpty)
        #expect(try store.outbox().isEmpty)
    }

    @Test func sessionsExpire() throws {
        let (store, _) = try Store.create(tempDir())
        let p = try demoPerson(store)
        let token = try store.transaction { try store.openSession(for: p.id, codeID: nil, now: now, expiresAt: now.adding(seconds: Policy.standard.sessionValidity)) }
        #expect(try store.session(token, now: now.adding(seconds: 60)).person.id == p.id)
        #expect(throws: MESError.sessionExpired) { try store.session(token, now: now.adding(seconds: 1800)) }
        #expect(try store.db.query("SELECT digest FROM sessions")[0].blob(0) != Array(token.utf8))
    }

    @Test func receiptVerificationCodeDependsOnEveryField() throws {
        let (store, _) = try Store.create(tempDir())
        let base = store.verificationCode(id: "JO-1", nir: "116304403801618", name: "A", greeting: "B", decidedOn: "2022-02-03")
        #expect(base.count == 14)
        // Groups of four characters of the Base32 encoding of the keyed hash of the canonical text.
        let mac = Base32.encode(store.hmac.mac(OppositionReceipt.canonical(id: "JO-1", nir: "116304403801618", name: "A", greeting: "B",
                                                                          decidedOn: "2022-02-03")), count: 12)
        let c = Array(mac)
        #expect(base == String(c[0..<4]) + "-" + String(c[4..<8]) + "-" + String(c[8..<12]))
        #expect(base != store.verificationCode(id: "JO-1", nir: "116304403801618", name: "A.", greeting: "B", decidedOn: "2022-02-03"))
        #expect(base != store.verificationCode(id: "JO-1", nir: "116304403801618", name: "A", greeting: "B", decidedOn: "2022-02-04"))
        let (other, _) = try Store.create(tempDir())
        #expect(base != other.verificationCode(id: "JO-1", nir: "116304403801618", name: "A", greeting: "B", decidedOn: "2022-02-03"))
    }
}

/// The outbox's packing of message bytes (a storage format: its dictionary is frozen).
@Suite struct MessagePackingTests {
    @Test func packingGivesBackTheSameBytesAndShrinksTheServicesMessages() throws {
        let letter = Array("Bonjour,\n\nVous allez bénéficier de Mon espace santé. Ce nouveau service public, numérique et sécurisé, hébergé en France, vous permet d'être acteur au quotidien de votre santé et de celle de vos proches.\n\nCode provisoire pour Léa : AAAAAAAAAAAA\n\nAvec toute mon attention,\nVotre correspondant Mon espace santé\n".utf8)
        let packed = MessagePacking.pack(letter)
        #expect(packed.count < letter.count / 3)
        #expect(MessagePacking.unpack(packed) == letter)
        // Anything at all comes back as it was: raw bytes, a marker byte, a phrase cut short.
        var rng = SystemRandomNumberGenerator()
        for n in [0, 1, 2, 50, 3000] {
            let bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            #expect(MessagePacking.unpack(MessagePacking.pack(bytes)) == bytes)
        }
        for text in ["\u{1}Bonjour,", "Bonjour", "Code provisoire pou", "Code provisoire pour ", "Date: Date: \r\nTo: <"] {
            #expect(MessagePacking.unpack(MessagePacking.pack(Array(text.utf8))) == Array(text.utf8), "\(text.debugDescription)")
        }
        // Unknown formats and references are refused, not guessed.
        #expect(MessagePacking.unpack([]) == nil && MessagePacking.unpack([7, 1]) == nil)
        #expect(MessagePacking.unpack([1, 1]) == nil && MessagePacking.unpack([1, 1, 200]) == nil)
    }

    /// Messages packed with a dictionary must read back the same forever: their phrases are pinned.
    @Test func dictionariesAreFrozen() {
        func pin(_ d: [[UInt8]]) -> String { hex(Crypto.hmacSHA256(key: [], message: d.reduce(into: [UInt8]()) { $0 += $1 + [0] })) }
        #expect(MessagePacking.dictionary1.count == 27)
        #expect(pin(MessagePacking.dictionary1) == "3dea48ddc74ef37e3a2cb60c3c52fdd2eefbc6a46434574f1d4c027eeb1d82cf")
        #expect(MessagePacking.dictionary2.count == 26)
        #expect(pin(MessagePacking.dictionary2) == "452c723a9c3a4282071c6ac03e94453df43dc357477be4ca56920b95b3a16d04")
        // A message packed with dictionary 1 (as a build of the day wrote it) still reads back.
        let v1: [UInt8] = [1, 1, 21, 0x0A, 0x41, 1, 23, 0x31, 1, 24]  // "Bonjour,\nA" "Message-ID: <" "1" "@mes.invalid>"
        #expect(MessagePacking.unpack(v1) == Array("Bonjour,\nAMessage-ID: <1@mes.invalid>".utf8))
        #expect(MessagePacking.pack(Array("Bonjour,\n".utf8)).first == 2)
    }
}
