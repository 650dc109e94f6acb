import Foundation
import Testing
@testable import MESStore
import MESCore
import MESCrypto
@testable import MESSystem

@Suite struct MigrationTests {
    /// A store's folder (its key, an outbox folder) whose database the first `version`
    /// migrations made, as an earlier `mes` left it; the database to add rows to.
    func store(atVersion version: Int) throws -> (dir: String, db: Database) {
        let dir = tempDir()
        try FileManager.default.createDirectory(atPath: dir + "/outbox", withIntermediateDirectories: true)
        try FileIO.writeAtomically(dir + "/secret.key", Crypto.randomBytes(32), overwrite: false)
        let db = try Database(path: dir + "/mes.db", create: true)
        try db.exec("PRAGMA journal_mode=WAL")
        for m in Schema.migrations.prefix(version) { try db.exec(m) }
        return (dir, db)
    }

    /// A store left at schema 2 (by an earlier `mes`), with a family, a code and a decision.
    func storeAtVersion2() throws -> String {
        let (dir, db) = try store(atVersion: 2)
        try db.exec("""
            PRAGMA user_version = 2;
            INSERT INTO people (id, nir, birth_date, first_name, last_name, card_type, serial, state, failed_attempts)
                VALUES (1, '116304403801618', '1988-06-08', 'Martine', 'Leguellec', 'plain', '953701166', 'opposed', 2);
            INSERT INTO people (id, nir, birth_date, first_name, last_name, card_type, serial, holder_id)
                VALUES (2, '116304403801618', '2015-01-02', 'Léa', 'Leguellec', 'plain', '953701166', 1);
            INSERT INTO codes (person_id, kind, digest, issued_at, expires_at) VALUES (1, 'on_demand', x'00', 1, 2);
            INSERT INTO decisions (person_id, kind, at, channel, actor, code_id) VALUES (1, 'opposition', 1, 'web', 'self', 1);
            """)
        return dir
    }

    /// Spaces closed before retention was applied get their deadline from their closure.
    @Test func spacesClosedBeforeVersion7GetTheirDeletionDate() throws {
        let (dir, db) = try store(atVersion: 6)
        let closedAt = Instant.parse("2022-02-03T10:00:00Z")!.seconds
        try db.exec("""
            PRAGMA user_version = 6;
            INSERT INTO people (id, nir, birth_date, first_name, last_name, card_type, serial, state)
                VALUES (1, '116304403801618', '1988-06-08', 'Martine', 'Leguellec', 'plain', '953701166', 'closed'),
                       (2, '290063155510117', '1990-06-15', 'Claire', 'Martin', 'plain', '12345678', 'closed'),
                       (3, '185034410912379', '1985-03-15', 'Karim', 'B', 'plain', '87654321', 'active');
            INSERT INTO decisions (person_id, kind, at, channel, actor) VALUES (1, 'closure', \(closedAt), 'web', 'self'),
                (2, 'closure', \(closedAt), 'web', 'self'), (3, 'activation', \(closedAt), 'web', 'self');
            INSERT INTO audit (at, event, person_id, detail) VALUES (\(closedAt), 'closure_content', 1, 'delete_within_3_months'),
                (\(closedAt), 'closure_content', 2, 'archive_10_years');
            INSERT INTO otps (person_id, purpose, digest, issued_at, expires_at) VALUES (1, 'login', x'00', 1, 2);
            """)
        let store = try Store.open(dir)
        #expect(try store.contentDeletion(personID: 1)?.iso8601 == "2022-05-03T10:00:00Z")
        #expect(try store.contentDeletion(personID: 2)?.iso8601 == "2032-02-03T10:00:00Z")
        #expect(try store.contentDeletion(personID: 3) == nil)
        // The one-time codes kept their rows, and take the recovery purposes now.
        #expect(try store.db.first("SELECT count(*) FROM otps")?.int(0) == 1)
        try store.recordOTP("123456", personID: 1, purpose: .recoverPassword, target: nil, now: Instant(seconds: 10), validity: 900)
    }

    /// Schema 13 started the six weeks at the queueing: a notification not yet sent goes back
    /// to waiting for its sending (linked to its message), one sent takes its time of sending,
    /// and a person whose window did not come from a notification message keeps it.
    @Test func version13NotificationsWaitForTheirSending() throws {
        let (dir, db) = try store(atVersion: 13)
        let queued = Instant.parse("2022-02-03T10:00:00Z")!.seconds, sent = queued + 3 * 86_400
        try db.exec("""
            PRAGMA user_version = 13;
            INSERT INTO people (id, nir, birth_date, first_name, last_name, card_type, serial, state, notified_at) VALUES
                (1, '116304403801618', '1988-06-08', 'Martine', 'Leguellec', 'plain', '953701166', 'pending', \(queued)),
                (2, '116304403801618', '2015-01-02', 'Léa', 'Leguellec', 'plain', '953701166', 'pending', \(queued)),
                (3, '290063155510117', '1990-06-15', 'Claire', 'Martin', 'plain', '12345678', 'pending', \(queued)),
                (4, '185034410912379', '1985-03-15', 'Karim', 'Benali', 'plain', '87654321', 'pending', \(queued)),
                (5, '152072A00401756', '1952-07-01', 'Paul', 'Rossi', 'plain', '11223344', 'pending', \(queued - 86_400));
            UPDATE people SET holder_id = 1 WHERE id = 2;
            INSERT INTO outbox (id, person_id, channel, recipient_masked, subject, file, created_at, status, message_id, sent_at) VALUES
                (1, 1, 'email', 'm***@example.fr', 'Mon espace santé', '', \(queued), 'queued', '\(queued).1.n@mes.invalid', NULL),
                (2, 3, 'email', 'c***@example.fr', 'Mon espace santé', '', \(queued), 'sent', '\(queued).2.n@mes.invalid', \(sent)),
                (3, 4, 'letter', 'courrier postal', 'Mon espace santé', '', \(queued), 'letter', '\(queued).3.n@mes.invalid', NULL);
            """)
        let store = try Store.open(dir)
        let rows = try store.db.query("SELECT id, notice_id, notified_at FROM people ORDER BY id").map { ($0.int(1), $0.int(2)) }
        #expect(rows[0] == (1, nil) && rows[1] == (1, nil), "Martine's household waits for its e-mail: \(rows)")
        #expect(rows[2] == (2, sent), "Claire's window runs from the sending: \(rows)")
        #expect(rows[3] == (3, nil), "Karim's letter waits to be printed and posted: \(rows)")
        #expect(rows[4] == (nil, queued - 86_400), "no message of its own: kept")
        #expect(try store.db.first("SELECT count(*) FROM print_batches")?.int(0) == 0)
    }

    /// Schema 15 records whom a receipt speaks to and who asked: receipts issued before keep
    /// what their pages showed (an adult greeted by name, no association), so their
    /// verification codes still hold; new ones record both.
    @Test func version14ReceiptsKeepWhatTheyShowed() throws {
        let (dir, db) = try store(atVersion: 14)
        let at = Instant.parse("2022-02-03T10:00:00Z")!.seconds
        try db.exec("""
            PRAGMA user_version = 14;
            INSERT INTO people (id, nir, birth_date, first_name, last_name, card_type, serial, state) VALUES
                (1, '116304403801618', '1988-06-08', 'Martine', 'Leguellec', 'plain', '953701166', 'opposed'),
                (2, '116304403801618', '2015-01-02', 'Léa', 'Leguellec', 'plain', '953701166', 'pending');
            UPDATE people SET holder_id = 1 WHERE id = 2;
            INSERT INTO decisions (id, person_id, kind, at, channel, actor, actor_id) VALUES
                (1, 1, 'opposition', \(at), 'batch', 'association', 'Les Amis');
            """)
        // The receipt as schema 14 made it, with its code under the store's key.
        let old = try Store.open(dir)
        let v1 = old.verificationCode(id: "JO-OLD0000001", nir: "116304403801618", name: "LEGUELLEC Martine", greeting: "Martine Leguellec",
                                      decidedOn: "2022-02-03")
        try old.db.run("""
            INSERT INTO receipts (id, decision_id, person_id, nir, name, greeting, decided_on, issued_at, verification)
            VALUES ('JO-OLD0000001', 1, 1, '116304403801618', 'LEGUELLEC Martine', 'Martine Leguellec', '2022-02-03', \(at), ?)
            """, .text(v1))
        #expect(old.schemaVersion == Schema.migrations.count)
        let r = try #require(try old.receipt(id: "JO-OLD0000001"))
        #expect(!r.forMinor && r.association == nil && !r.isAddressed && r.verification == v1)
        #expect(r.salutation == "Bonjour Martine Leguellec,", "the page it always showed")
        // A receipt for the child, filed by the association, records both and binds them.
        let child = try #require(try old.person(id: 2))
        let decision = try old.recordDecision(.opposition, person: child, state: .opposed, now: Instant(seconds: at), channel: .batch,
                                              actor: .association, actorID: "Les Amis")
        let new = try old.createReceipt(decisionID: decision, person: child, codeID: nil, decidedAt: Instant(seconds: at), now: Instant(seconds: at),
                                        forMinor: true, association: "Les Amis")
        let back = try #require(try old.receipt(id: new.id))
        #expect(back == new && back.forMinor && back.association == "Les Amis")
        #expect(new.verification == old.verificationCode(id: new.id, nir: "116304403801618", name: "LEGUELLEC Léa", greeting: "Léa Leguellec",
                                                         decidedOn: "2022-02-03", forMinor: true, association: "Les Amis"))
        for (minor, association) in [(false, "Les Amis" as String?), (true, nil), (true, "Les Ennemis")] {
            #expect(new.verification != old.verificationCode(id: new.id, nir: "116304403801618", name: "LEGUELLEC Léa", greeting: "Léa Leguellec",
                                                             decidedOn: "2022-02-03", forMinor: minor, association: association))
        }
        // A duplicate keeps them.
        let copy = try old.reissue(back, now: Instant(seconds: at + 60), actor: .system, personID: 2)
        #expect(copy.copy == 2 && copy.forMinor && copy.association == "Les Amis")
    }

    @Test func version2StoreIsRebuiltWithItsRows() throws {
        let dir = try storeAtVersion2()
        let store = try Store.open(dir)
        #expect(store.schemaVersion == Schema.migrations.count)
        let rows = try store.db.query("SELECT id, first_name, state, holder_id, failed_attempts FROM people ORDER BY id")
        #expect(rows.count == 2)
        #expect(rows[0].text(1) == "Martine" && rows[0].text(2) == "opposed" && rows[0].int(4) == 2)
        #expect(rows[1].text(1) == "Léa" && rows[1].int(3) == 1)
        #expect(try store.db.first("SELECT count(*) FROM decisions JOIN people ON people.id = decisions.person_id")?.int(0) == 1)
        #expect(try store.db.first("PRAGMA foreign_key_check") == nil)
        #expect(try store.db.first("PRAGMA foreign_keys")?.int(0) == 1)
        // The identity index came back, and the CHECKs still hold.
        #expect(throws: SQLiteError.self) {
            try store.db.run("INSERT INTO people (nir, birth_date, first_name, last_name, card_type, serial) VALUES ('116304403801618', '1988-06-08', 'Martine', 'X', 'plain', '1')")
        }
        #expect(throws: SQLiteError.self) { try store.db.run("UPDATE people SET state = 'gone' WHERE id = 1") }
        #expect(throws: SQLiteError.self) { try store.db.run("UPDATE people SET card_type = 'paper' WHERE id = 1") }
        // Foreign keys are enforced again after the migration.
        #expect(throws: SQLiteError.self) { try store.db.run("INSERT INTO codes (person_id, kind, digest, issued_at, expires_at) VALUES (99, 'on_demand', x'00', 1, 2)") }
    }

    @Test func registerChecksNeedNoTemporaryTable() throws {
        let (store, _) = try Store.create(tempDir())
        let plan = try store.db.query("""
            EXPLAIN UPDATE people SET state = 'opposed' WHERE id = 1
            """).map { $0.text(1) ?? "" }
        #expect(!plan.contains("OpenEphemeral"))
        #expect(plan.contains("Eq") || plan.contains("Ne"))
    }
}
