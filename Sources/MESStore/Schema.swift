/// The versioned schema. Each migration runs once, in order, inside one transaction;
/// `PRAGMA user_version` records how many have run.
enum Schema {
    static let migrations: [String] = [
        // 1: register, codes, sessions, decisions, receipts, outbox, audit.
        """
        CREATE TABLE people (
            id INTEGER PRIMARY KEY,
            nir TEXT NOT NULL,
            birth_date TEXT NOT NULL,
            first_name TEXT NOT NULL,
            last_name TEXT NOT NULL,
            card_type TEXT NOT NULL CHECK (card_type IN ('photo', 'plain')),
            serial TEXT NOT NULL,
            email TEXT,
            mobile TEXT,
            address TEXT,
            holder_id INTEGER REFERENCES people(id),
            deceased INTEGER NOT NULL DEFAULT 0,
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'opposed', 'active', 'closed')),
            state_since INTEGER,
            notified_at INTEGER,
            last_code_request INTEGER,
            failed_attempts INTEGER NOT NULL DEFAULT 0
        );
        -- One index only, the identity of a profile: lookups by NIR, by card and by family all start
        -- with the NIR (a NIR has a handful of profiles). A separate index (not a table constraint)
        -- so that a bulk import into an empty register can build it once, sorted, at the end.
        CREATE UNIQUE INDEX people_identity ON people (nir, birth_date, first_name);

        CREATE TABLE codes (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES people(id),
            kind TEXT NOT NULL CHECK (kind IN ('notification', 'on_demand')),
            digest BLOB NOT NULL,
            issued_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            used_at INTEGER,
            superseded_at INTEGER,
            locked_at INTEGER
        );
        CREATE INDEX codes_person ON codes (person_id);

        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            digest BLOB NOT NULL UNIQUE,
            person_id INTEGER NOT NULL REFERENCES people(id),
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            code_id INTEGER REFERENCES codes(id)
        );

        CREATE TABLE decisions (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES people(id),
            kind TEXT NOT NULL,
            at INTEGER NOT NULL,
            channel TEXT NOT NULL,
            actor TEXT NOT NULL,
            actor_id TEXT,
            code_id INTEGER REFERENCES codes(id)
        );
        CREATE INDEX decisions_person ON decisions (person_id);
        CREATE UNIQUE INDEX decisions_code ON decisions (code_id) WHERE code_id IS NOT NULL;

        CREATE TABLE receipts (
            id TEXT PRIMARY KEY,
            decision_id INTEGER NOT NULL UNIQUE REFERENCES decisions(id),
            person_id INTEGER NOT NULL REFERENCES people(id),
            nir TEXT NOT NULL,
            name TEXT NOT NULL,
            greeting TEXT NOT NULL,
            decided_on TEXT NOT NULL,
            issued_at INTEGER NOT NULL,
            verification TEXT NOT NULL,
            copies INTEGER NOT NULL DEFAULT 1
        );

        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            person_id INTEGER REFERENCES people(id),
            channel TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'letter')),
            recipient_masked TEXT NOT NULL,
            subject TEXT NOT NULL,
            file TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );

        CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            at INTEGER NOT NULL,
            event TEXT NOT NULL,
            person_id INTEGER REFERENCES people(id),
            channel TEXT,
            actor TEXT,
            actor_id TEXT,
            detail TEXT
        );
        CREATE INDEX audit_person ON audit (person_id);
        """,
        // 2: accounts (identifier, memory-hard password hash) and one-time codes (contact changes, login).
        """
        CREATE TABLE accounts (
            person_id INTEGER PRIMARY KEY REFERENCES people(id),
            username TEXT NOT NULL UNIQUE,
            password_hash TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            failed_logins INTEGER NOT NULL DEFAULT 0,
            locked_until INTEGER,
            closed_at INTEGER
        );

        CREATE TABLE otps (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES people(id),
            purpose TEXT NOT NULL CHECK (purpose IN ('email', 'mobile', 'login')),
            target TEXT,
            digest BLOB NOT NULL,
            issued_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            used_at INTEGER,
            failed_attempts INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX otps_person ON otps (person_id, purpose);
        """,
        // 3: the register's CHECK on `state` as comparisons rather than an IN list: SQLite 3.40 runs an
        // IN list of more than two values through a temporary b-tree opened on every INSERT and
        // UPDATE, which was two thirds of the cost of loading a roster. Same rows, same meaning; the
        // table is rebuilt (SQLite cannot alter a CHECK), with foreign keys off around the migration.
        """
        CREATE TABLE people_v3 (
            id INTEGER PRIMARY KEY,
            nir TEXT NOT NULL,
            birth_date TEXT NOT NULL,
            first_name TEXT NOT NULL,
            last_name TEXT NOT NULL,
            card_type TEXT NOT NULL CHECK (card_type = 'photo' OR card_type = 'plain'),
            serial TEXT NOT NULL,
            email TEXT,
            mobile TEXT,
            address TEXT,
            holder_id INTEGER REFERENCES people(id),
            deceased INTEGER NOT NULL DEFAULT 0,
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state = 'pending' OR state = 'opposed' OR state = 'active' OR state = 'closed'),
            state_since INTEGER,
            notified_at INTEGER,
            last_code_request INTEGER,
            failed_attempts INTEGER NOT NULL DEFAULT 0
        );
        INSERT INTO people_v3 SELECT id, nir, birth_date, first_name, last_name, card_type, serial, email, mobile, address,
            holder_id, deceased, state, state_since, notified_at, last_code_request, failed_attempts FROM people;
        DROP TABLE people;
        ALTER TABLE people_v3 RENAME TO people;
        CREATE UNIQUE INDEX people_identity ON people (nir, birth_date, first_name);
        """,
        // 4: attempt counters for every secret a person types, keyed by a digest of what was tried
        // (cards that exist or not, identifiers, the assisted path's NIRs and advisers); the
        // registered advisers of the phone service; store settings (a test clock).
        """
        CREATE TABLE attempts (
            key BLOB PRIMARY KEY,
            failures INTEGER NOT NULL DEFAULT 0,
            locked_until INTEGER,
            updated_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE advisers (
            id TEXT PRIMARY KEY,
            added_at INTEGER NOT NULL
        );
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """,
        // 5: every certificate the store has signed receipts with (the current one and those an
        // imported key replaced), so that older receipts still verify.
        """
        CREATE TABLE signing_certificates (
            fingerprint TEXT PRIMARY KEY,
            der BLOB NOT NULL,
            added_at INTEGER NOT NULL
        );
        """,
        // 6: the outbox becomes a queue and a journal: each message's real recipient (to send it),
        // Message-ID, status (queued, sent, failed; letters are printed, never sent), attempts,
        // the next try, the last error and what the server answered.
        """
        ALTER TABLE outbox ADD COLUMN status TEXT NOT NULL DEFAULT 'queued';
        ALTER TABLE outbox ADD COLUMN recipient TEXT;
        ALTER TABLE outbox ADD COLUMN message_id TEXT;
        ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE outbox ADD COLUMN next_attempt_at INTEGER;
        ALTER TABLE outbox ADD COLUMN last_error TEXT;
        ALTER TABLE outbox ADD COLUMN sent_at INTEGER;
        ALTER TABLE outbox ADD COLUMN reply TEXT;
        UPDATE outbox SET status = 'letter' WHERE channel = 'letter';
        CREATE INDEX outbox_queue ON outbox (status, next_attempt_at);
        """,
        // 7: retention after a closure (when the space's content is deleted: 3 months after a
        // closure that asked for deletion, 10 years otherwise; cleared when the space is active
        // again), and one-time codes for recovering a forgotten identifier or password (the
        // purposes' CHECK widened: the table is rebuilt, SQLite cannot alter a CHECK).
        """
        ALTER TABLE people ADD COLUMN delete_content_after INTEGER;
        CREATE INDEX people_retention ON people (delete_content_after) WHERE delete_content_after IS NOT NULL;
        -- Spaces closed before this version: their deadline from their latest closure and the
        -- retention it chose (SQLite's month arithmetic; `Policy.contentDeletion` from now on).
        UPDATE people SET delete_content_after = (
            SELECT CAST(strftime('%s', d.at, 'unixepoch',
                CASE WHEN (SELECT a.detail FROM audit a WHERE a.person_id = d.person_id AND a.event = 'closure_content'
                           ORDER BY a.id DESC LIMIT 1) = 'delete_within_3_months' THEN '+3 months' ELSE '+120 months' END) AS INTEGER)
            FROM decisions d WHERE d.person_id = people.id AND d.kind = 'closure' ORDER BY d.id DESC LIMIT 1)
        WHERE state = 'closed';
        CREATE TABLE otps_v7 (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES people(id),
            purpose TEXT NOT NULL CHECK (purpose IN ('email', 'mobile', 'login', 'recover_identifier', 'recover_password')),
            target TEXT,
            digest BLOB NOT NULL,
            issued_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            used_at INTEGER,
            failed_attempts INTEGER NOT NULL DEFAULT 0
        );
        INSERT INTO otps_v7 SELECT id, person_id, purpose, target, digest, issued_at, expires_at, used_at, failed_attempts FROM otps;
        DROP TABLE otps;
        ALTER TABLE otps_v7 RENAME TO otps;
        CREATE INDEX otps_person ON otps (person_id, purpose);
        """,
        // 8: a message's bytes live in the database, sealed: the outbox writes no file per message
        // (a national wave would be tens of millions of files). In a table of their own, so that
        // the queue's rows stay small for listings and sends. Older rows keep their file in outbox/.
        """
        CREATE TABLE outbox_bodies (
            id INTEGER PRIMARY KEY REFERENCES outbox(id),
            sealed BLOB NOT NULL
        );
        """,
        // 9: an SMS keeps its framing as a field: the number as on file, shown above its text
        // ("À : …"), while its sealed bytes hold only the text the gateway receives. NULL for
        // older rows, whose bytes hold the framing (`SMSFraming.legacyText`).
        """
        ALTER TABLE outbox ADD COLUMN shown_to TEXT;
        """,
        // 10: the signing identity lives in the database as one row, its key sealed under the
        // store's key: replacing it is one transaction, so a failure at any point leaves the
        // previous key and certificate together (the files signing.key and signing.crt of earlier
        // versions are taken in at the first open, then removed).
        """
        CREATE TABLE signing_identity (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            key_sealed BLOB NOT NULL,
            certificate_pem BLOB NOT NULL,
            fingerprint TEXT NOT NULL,
            installed_at INTEGER NOT NULL
        );
        """,
        // 11: a message's sealed bytes are bound to its row: its channel, recipient, Message-ID,
        // number as shown and subject are the sealing's associated data (`seal` 2). A body moved
        // to another row, or a row whose recipient was changed, no longer opens. NULL: sealed
        // before, under the constant context alone.
        """
        ALTER TABLE outbox ADD COLUMN seal INTEGER;
        """,
        // 12: locks that grow and a hold: how many times a subject was locked since its last
        // success, its failures within the current 30-day window (and when that began), and
        // whether it is held until an adviser lifts it.
        """
        ALTER TABLE attempts ADD COLUMN locks INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE attempts ADD COLUMN window_start INTEGER;
        ALTER TABLE attempts ADD COLUMN window_failures INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE attempts ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
        """,
        // 13: each person's letters, newest first, for the letters' ceiling.
        """
        CREATE INDEX outbox_letters ON outbox (person_id, created_at) WHERE channel = 'letter';
        """,
        // 14: the six weeks run from the sending of the information (art. R1111-28), not from its
        // queueing. A profile's notification names its message (`notice_id`, not indexed: a
        // message's profiles are found under its NIR); `notified_at` is set
        // when that message is really sent (the server's acknowledgement, a letter's recorded
        // posting). Letters are printed in batches (`print_batches`: when, the PDF's digest, when
        // posted). Profiles whose notification was queued by an earlier version and not yet sent
        // (same family, same second as its message) go back to waiting for it; those sent take
        // their message's time of sending.
        """
        ALTER TABLE people ADD COLUMN notice_id INTEGER;
        CREATE TABLE print_batches (
            id INTEGER PRIMARY KEY,
            printed_at INTEGER NOT NULL,
            digest BLOB NOT NULL,
            letters INTEGER NOT NULL,
            posted_at INTEGER
        );
        ALTER TABLE outbox ADD COLUMN print_batch INTEGER REFERENCES print_batches(id);
        CREATE INDEX outbox_print_batch ON outbox (print_batch) WHERE print_batch IS NOT NULL;
        CREATE TEMP TABLE notices_v14 AS
            SELECT o.id AS id, o.created_at AS created_at, o.status AS status, o.sent_at AS sent_at, h.nir AS nir
            FROM outbox o JOIN people h ON h.id = o.person_id
            WHERE o.message_id LIKE '%.n@mes.invalid';
        UPDATE people SET notice_id = m.id,
            notified_at = CASE WHEN m.status = 'sent' THEN coalesce(m.sent_at, people.notified_at) END
        FROM notices_v14 AS m
        WHERE people.nir = m.nir AND people.notified_at = m.created_at AND people.state = 'pending';
        DROP TABLE notices_v14;
        """,
        // 15: an association's re-runs never lock a member. A batch row whose identity and code
        // were refused in a way that counts against the card is remembered under a keyed digest
        // of both (`batch_failures`: never the code itself), and not tried again unless asked.
        // A receipt mailed by a batch names its message (`receipt_mails`), so that a later
        // run's report still says whether it was sent.
        """
        CREATE TABLE batch_failures (
            key BLOB PRIMARY KEY,
            status TEXT NOT NULL,
            failed_at INTEGER NOT NULL,
            actor_id TEXT
        ) WITHOUT ROWID;
        CREATE TABLE receipt_mails (
            receipt_id TEXT PRIMARY KEY,
            outbox_id INTEGER NOT NULL REFERENCES outbox(id)
        ) WITHOUT ROWID;
        """,
        // 16: a receipt says whom it speaks to and who asked: `for_minor` (the person was under
        // 18 on the day of the decision: the page greets the legal representative and names
        // "votre enfant …") and `association` (the association that filed it, named on the
        // page). Older receipts keep what they showed: 0 and NULL, their verification codes
        // unchanged (`OppositionReceipt.canonical` v1).
        """
        ALTER TABLE receipts ADD COLUMN for_minor INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE receipts ADD COLUMN association TEXT;
        """,
    ]
}