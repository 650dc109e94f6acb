import MESCore

/// The man page's hand-written sections (English).
enum Prose {
    static let description = """
    mes implements the enrolment service of France's Mon espace santé: validating social-security numbers (NIR) and Carte Vitale serials, issuing single-use provisional codes, identifying a person, recording an opposition or an activation, producing the opposition receipt (PDF), managing the profiles attached to a holder, and doing all that in batch for associations. It also produces realistic valid or deliberately invalid fixtures for other projects' tests.

    People read French (the service's own wording); scripts read stable snake_case codes and JSON (--json). Results go to standard output, diagnostics to standard error. A command that fails changes nothing.

    Long commands (import, notify, sweep, outbox send, outbox letters, fixtures --members, batch oppose) keep one progress line on standard error when it is a terminal: done/total (≈ when the total is estimated from a file's size), percentage, rate and time left; never on a pipe or a file. -q (--quiet) drops progress, notes and summaries from standard error (errors stay); -v (--verbose) says each step there (the store opened, each message sent, progress as lines when standard error is no terminal). They exclude each other.
    """

    static let environment: [(String, String)] = [
        ("MES_HOME", "Data directory, when --store is not given."),
        ("XDG_DATA_HOME", "When neither --store nor MES_HOME is set, the data directory is $XDG_DATA_HOME/mes (else ~/.local/share/mes)."),
        ("MES_NOW", "Fixed clock (ISO 8601, e.g. 2022-02-03T10:00:00Z) when --now is not given: outputs become reproducible. Honoured only by stores made for tests (init --test-clock, init --demo, demo); other stores refuse it (64, field now)."),
        ("MES_WAIT", "Seconds to wait for a store kept busy by another process, when --wait is not given (default 30; 0 gives up at once). Then exit 75, store_busy."),
        ("MES_SESSION", "The session token, when neither --session nor --session-file is given (keeps it off the command line)."),
    ] + DeliverySettings.help

    /// FILES: where the data directory is, then what it holds.
    static let dataDirectories: [(String, String)] = [
        ("$MES_HOME", "The data directory, when --store is not given."),
        ("$XDG_DATA_HOME/mes", "The data directory when neither --store nor MES_HOME is set and XDG_DATA_HOME is."),
        ("~/.local/share/mes", "The data directory otherwise."),
    ]

    static let filesIntro = "The data directory (0700, created by mes init) holds, each file 0600:"

    /// What the data directory holds, from the store's own list (`StoreLayout`).
    static var files: [(String, String)] { StoreLayout.entries.compactMap { e in e.about.map { (e.name, $0) } } }

    /// EXAMPLES: complete sequences, each pasteable as a whole into a shell (bash, zsh).
    static let examples: [(String, [String])] = [
        ("Check identifiers (no store is needed):", [
            "mes nir check '1 16 30 44 038 016 18'",
            "mes nir generate --count 5 --seed 42 > nirs.txt",
            "mes nir check --json < nirs.txt",
            "mes nir format --json 253072B07300470",
            "mes vitale check --card photo '0102457612 4'",
        ]),
        ("The opposition journey, on a new demo store with a fixed clock; the code and the session token go through files, off the command line (field prints one field of a JSON document):", [
            "export MES_HOME=$(mktemp -d) MES_NOW=2022-02-03T10:00:00Z",
            "mes init --demo",
            "mes code generate --nir 116304403801618 --birth-date 08/06/1988 --card plain --serial 953701166",
            "field() { python3 -c \"import json,sys; print(json.load(sys.stdin)['$1'])\"; }",
            "mes outbox show last --json | field provisional_code > code.txt",
            "mes identify --json --code-file code.txt --nir 116304403801618 --card plain --serial 953701166 | field session > session.txt",
            "mes oppose --session-file session.txt --yes --receipt justificatif.pdf",
            "mes receipt verify justificatif.pdf",
            "mes profiles list --session-file session.txt",
            "mes history --nir 116304403801618",
        ]),
        ("Check that receipt elsewhere, with the store's certificate only:", [
            "mes key export > mes.crt",
            "MES_HOME=/nonexistent mes receipt verify --cert mes.crt justificatif.pdf",
        ]),
        ("An association's batch, on a new store with a synthetic roster (one JSON line per member, one PDF receipt per opposition; the fixtures' members file has rows made to fail, each with its expected_status, so the batch exits 65):", [
            "export MES_HOME=$(mktemp -d)",
            "mes fixtures --count 1000 --seed 42 --roster roster.csv --members members.csv",
            "mes batch oppose members.csv --receipts justificatifs/ > results.jsonl || echo \"exit $?\"",
            "grep -c '\"opposed\"' results.jsonl",
        ]),
        ("Shell completion for the current user (installed system-wide by scripts/install):", [
            "mkdir -p ~/.local/share/bash-completion/completions ~/.zfunc ~/.config/fish/completions",
            "mes completions bash > ~/.local/share/bash-completion/completions/mes",
            "mes completions zsh > ~/.zfunc/_mes",
            "mes completions fish > ~/.config/fish/completions/mes.fish",
        ]),
    ]

    /// The line zsh users add to ~/.zshrc for ~/.zfunc (shown after the examples).
    static let examplesNote = "For zsh, ~/.zshrc needs fpath=(~/.zfunc $fpath) before compinit. In bash, source <(mes completions bash) completes in the current shell only."

    static let sections: [(String, String)] = [
        ("RULE SETS", """
            Every NIR is cleaned first (stdnum and cnam clean as their validators do, below): spaces, dots and dashes are ignored, surrounding tabs and carriage returns are dropped, 2a/2b are upper-cased. The key is 97 minus the first 13 digits modulo 97, with department 2A counted as 19 and 2B as 18 (one key function serves every rule set).

            insee (default): the structure INSEE allocates. Sex 1 or 2, or 3, 4, 7, 8 for temporary numbers; month 01 to 12 or the pseudo-months 20, 30 to 42 and 50 to 99; department 01 to 96 (91 to 96 also Algeria, Morocco and Tunisia before their independence, as service-public.fr explains the number), 2A, 2B, an overseas code of INSEE's official geographic code (971 to 978, 984, 986 to 989) followed by a 2-digit commune, or 99 followed by a country code for births abroad; commune (or country) and order number not 000; and the key. It never accepts a NIR that python-stdnum rejects, separators aside (stdnum does not accept dashes).

            stdnum: exactly the verdict of python-stdnum's stdnum.fr.nir.is_valid, its cleaning included (Unicode look-alike digits, spaces and dots mapped as stdnum.util does, spaces and dots removed, Python whitespace stripped, upper-cased): 15 characters, digits except 2A or 2B at the department, and the key. For users who must agree with stdnum.

            app: what the official enrolment app accepts: exactly 15 characters ("Le numéro de sécurité sociale doit contenir 15 caractères"), sex 1 or 2, month 01 to 12, a 2-digit department or 2A/2B, and the key; anything else is "Format invalide, vérifier le format du numéro de sécurité sociale".

            cnam: exactly the verdict of the Assurance Maladie's own validator (assurance-maladie-digital/nir-validation, PHP, version 2), for suites that must agree with it. Its cleaning: spaces removed (only U+0020: dots and dashes are characters), then tab, line feed, carriage return, NUL and vertical tab trimmed at both ends, then upper-cased (full Unicode case mapping). Then 13 or 15 characters (length); sex 1 or 2, month 01 to 12 or 20 to 99, any 2-digit department or 2A/2B, commune and order 000 allowed, a key 00 to 97 (format); and, at 15 characters only, the key (97 minus the body modulo 97, 2A as 19, 2B as 18). A valid 13-character NIR is printed with its computed key. Its three errors are the reasons empty or length (LENGTH_ERROR), key (NIR_KEY_INVALID; a key of 98 or 99 is its NIR_INVALID) and every other reason (NIR_INVALID). Input that is not valid UTF-8 is always invalid, as there, but its reason may differ.

            Reasons (the JSON reason field): empty, length, character, sex, month, department, commune, order, key.
            """),
        ("INVALID NIRS", """
            nir generate --invalid (and the broken NIRs of a fixtures members file) makes inputs that break one rule of the insee rules, each labelled with the reason nir check gives it and, in JSON, its code (empty and length: nir_length; character: nir_character; the others: nir_format). nir check --expect invalid on them exits 0, each with exactly that reason and code. The reasons are drawn as often as each other (empty only with --reason empty), and within each:

            empty: nothing, or separators only (give it as an argument: standard input skips blank lines). length: 1 to 30 digits but 15, the beginning of a NIR or more digits after it. character: a letter where a digit goes, in upper or lower case (2a and 2b are Corsica, valid); A or B after a department digit other than 2; a digit of another script (Arabic-Indic, extended Arabic-Indic, Devanagari or full-width), or every digit full-width; the groups joined by a separator the rules refuse (/, _, a comma, a no-break or narrow no-break space, an en dash, a middle dot). sex: 0, 5, 6, 9. month: every month INSEE never gives: 00, 13 to 19, 21 to 29, 43 to 49. department: 00, or 970, 979, 980 to 983, 985. commune: 000, or 00 overseas. order: 000. key: 00, 98 or 99 (never a key), another key, two digits of the order number swapped, and for Corsica the key computed with 2A or 2B read as 20, or the department in lower case with another key.

            One input in four is written as people type a NIR: grouped by spaces, dots, dashes or a mix of them, or with spaces, dots or dashes before or after (never a dash first, which a command line reads as an option; never a tab or a line end). The rules ignore them, so the reason stays.

            python-stdnum differs on some of them by design, and a suite that compares with it must say so: it does not check the structure (sex, month, department, commune, order: it accepts those); it removes spaces and dots but not dashes (it refuses a structure fault written with dashes for its dash); and it maps look-alike characters to ASCII (full-width digits, no-break spaces, a middle dot), so it accepts some NIRs whose only fault here is such a character. nir check --rules stdnum gives its verdict on every one.
            """),
        ("PROFILES AND DECISIONS", """
            A profile is identified by NIR and birth date: the profiles attached to a holder (children, dependants) share the holder's NIR and Carte Vitale and differ by birth date. Several attached people with the same birth date (twins) are told apart with --first-name. States: pending (En attente de décision), opposed (Profil opposé le JJ/MM/AAAA), active (Profil actif), closed (Profil clôturé).

            An opposition is refused (69) on an active space (close it first) and reported, not repeated, on an opposed one. A decision for a person under 18 needs --legal-representative. A deceased person's profile can be opposed (that only prevents the automatic creation) but never activated (Ce profil ne peut pas être activé).

            Every decision is recorded with its time, channel (web, phone, batch, automatic) and actor (self, legal_representative, association, adviser with its id, system); mes history prints the trail.
            """),
        ("CODES AND SECURITY", """
            Provisional codes are 12 characters of A-Z a-z 0-9 drawn from OpenSSL's CSPRNG by rejection sampling (no modulo bias). The store keeps only their HMAC-SHA-256 under a per-store 32-byte key (secret.key), compares them in constant time, and consumes a code with one conditional update (unused, not superseded, not locked, unexpired), so two processes can never both use it. A new code supersedes the person's earlier ones. Notification codes last 6 weeks, on-demand codes 15 minutes (6 weeks when they go by letter). At least 30 seconds between two code requests for one person.

            One attempt limit for every secret a person types: 5 failures in a row lock for 15 minutes, and each following lock lasts twice as long as the one before (30 minutes, 1 hour...) up to 24 hours, until a success. An account has one count for both sign-in steps and its recovery codes: a right password clears nothing, only a completed sign-in or recovery does; 100 failures within 30 days hold the account until an adviser of the phone service checks the person's identity and lifts it (mes advisers release, audited). Failures are recorded even though the command fails. 5 wrong codes in a row on one Carte Vitale lock it and its live codes (error locked); the person must ask for a new code, which lifts the lock. An unknown card, a wrong serial and an unknown identifier are counted the same way, so a wrong code, a wrong serial and an unknown person give the same message, status and time, and locked says nothing about existence. The phone service's identity questions (oppose --assisted) count per NIR and per adviser; only registered advisers (mes advisers add) may file, and every attempt is audited. With 62^12 (about 3.2e21) possible codes, one code can be guessed with probability at most 5/3.2e21, about 1.5e-21; with the 30-second throttle an attacker gets at most 10 guesses a minute, about 5.3 million a year, so about 1.7e-15 a year per card.

            Session tokens (32 characters, valid 30 minutes) and 6-digit one-time codes (contact changes and sign-in access codes, valid 15 minutes, spent after 5 wrong tries; a new one at most every 30 seconds) are stored as keyed digests too. Passwords are stored only as scrypt hashes (OpenSSL EVP_PBE_scrypt, N = 2^15, r = 8, p = 1, 16-byte random salt, 32-byte output: 32 MiB of memory per hash); 5 failed sign-ins in a row (password or access code) lock the identifier for 15 minutes, whether it exists or not. Closing a space ends its sessions; a new sign-in ends the older sign-in sessions; mes logout ends one.

            At most one letter per person within 7 days and 3 within six weeks, whatever asks for it (a code by letter, a batch's --request-codes): a letter held back is refused with letter_limit (75), saying when the next may go, and audited. Credentials and token files (MES_MAIL_CREDENTIALS_FILE, MES_SMS_TOKEN_FILE) readable by others or owned by someone else are refused (78, secret_file_exposed). A password recovery does the same store work whether the identifier exists or not.

            Secrets typed on the command line can be read by other users (/proc/PID/cmdline): prefer --code-file, --session-file, --otp-file, --email-otp-file, --mobile-otp-file (FILE or - for standard input) and MES_SESSION. Passwords are never taken from the command line.

            Closure (art. R1111-36): a closed space's content is kept archived for 10 years and then deleted, or deleted within 3 months when the holder asks with --delete. The automatic creation window is 6 weeks from the notification (art. R1111-28; mes sweep --window-days changes it). A failed identification never says which field was wrong. Error messages never echo personal data the user did not type.
            """),
        ("ASSOCIATIONS", """
            mes batch oppose files the oppositions of an association's members from the CSV its spreadsheet exports (see mes help batch oppose for the columns). Each opposed member gets a PDF receipt in the receipts folder; --report writes the association's CSV (UTF-8 with BOM, ';', the status in French); mes history --channel batch --actor association:NAME lists what an association filed (NAME as given with --association: 1 to 100 printable characters, not starting with another actor kind such as adviser:).

            Minors: certify each row with a legal_representative (representant_legal) column, oui or non, and name who signed in signatory (signataire); or certify every row with --legal-representative. The audit trail records who certified, row by row.

            Members without a usable code, in two passes. Pass 1: mes batch oppose members.csv --receipts DIR --request-codes --report report.csv sends each member whose row has no code, or an expired, used or superseded one, a new code by postal letter, valid 6 weeks (code_requested; the report gives the date until which it is valid). Running pass 1 again sends no second letter to a member who holds a live code. The members pass their codes back; the association writes them in the code column. Pass 2, within the 6 weeks: mes batch oppose members.csv --receipts DIR --report report.csv --force files them (opposed, each with its receipt).
            """),
        ("STORE", """
            The data directory holds mes.db (SQLite in WAL mode, synchronous=FULL, a versioned schema migrated on open), secret.key, outbox/ (messages queued before schema 8, as files; newer ones are rows of mes.db, their bytes sealed with AES-256-GCM under a key derived from secret.key, so that the database alone holds no code in clear) and receipts/ (receipts written by default). Directories are created 0700 and files 0600.

            The signing identity is one row of mes.db, its private key sealed under secret.key: mes key import replaces key and certificate together in one transaction. Each queued message's sealed bytes are bound to its row (channel, recipient, Message-ID, number shown, subject): a body moved to another row or a recipient changed does not open, and mes outbox send marks it failed (message_tampered) instead of sending it. Before a store made by an older version is migrated, mes.db is copied byte for byte to mes.db.before-schema-N beside it (see BACKUP).

            Every command's writes happen in one BEGIN IMMEDIATE transaction, together with the files it creates (outbox messages, receipts): a command that fails changes nothing, except that a wrong code on a known card is recorded for the lockout. Files are written to a temporary name, synced and then linked or renamed. Several mes processes may use one store at once: a busy store is waited for, up to --wait SECONDS in all (else $MES_WAIT, else 30), retried with backoff, before exit 75 (store_busy); after half a second of waiting a line on standard error says so (unless --quiet).
            """),
        ("RECEIPTS", """
            The opposition receipt (and the closure's) is a one-page A4 PDF, signed (see below), in the standard Helvetica fonts with WinAnsiEncoding and, for names beyond them, an embedded DejaVu Sans subset (accents render in any viewer): Page 1/1, Numéro de l'assuré (grouped NIR), Nom de l'assuré, the date, Votre justificatif d'opposition, Bonjour NAME, the sentence of the service with the date of the opposition, and a footer with the receipt's reference (JO-...) and its verification code: a keyed HMAC of the reference, NIR, names and date under the store's key. The same record and clock give the same bytes.

            For a person under 18 on the day of the decision the page speaks to the legal representative: Bonjour, then the sentence "... pour votre enfant NAME a bien été prise en compte le ...". An opposition filed by an association (batch oppose --association) adds "Elle a été enregistrée à la demande de l'association « NAME »". Both are recorded with the receipt (schema 16) and covered by its verification code and its signature; receipt verify reads them back. E-mails and letters about a minor speak to the legal representative too (letters are addressed "Aux représentants légaux de" above the child's name), and a code letter an association asked for says so, and nothing about the member's contacts.

            Names print exactly: a name may hold, in Unicode NFC, the characters of the standard fonts and the Latin Extended letters (U+0100 to U+024F, U+1E00 to U+1EFB: Ł, Ş, ı, Đ, ễ...), which are drawn in an embedded subset of DejaVu Sans with a ToUnicode map; anything else is refused at import, naming the character and the column. A line too long for the page is set smaller, whole. Receipts are signed (ECDSA P-256, canonical low S, CAdES detached, PAdES B-B): any PDF reader shows the signature.

            mes receipt verify reads the fields the file shows, checks the signature against the store's certificates, and answers authentique (signed by this store and unchanged since, its fields and code matching the record: exit 0), altéré (a field, the code or a signed byte differs, the file was re-saved or appended to, or it was signed by another key: exit 65), non signé (a receipt without a signature: exit 65) or inconnu (no such receipt in this store, or not a receipt: exit 65); --json gives the same verdict as status: authentic, altered, unsigned, unknown.
            """),
        ("FIXTURES", """
            mes fixtures writes a synthetic population in the proportions of the real service: families whose holder has children (some twins) or an adult dependant attached to the card; births in Corsica (2A, 2B, 4%), overseas (97x, 5%) and abroad (99, 4%; a third of them, and of the temporary NIRs, with a pseudo-month), the others in metropolitan France (01 to 95: those born there before 1963 in 91 to 94 read as Algeria); temporary NIRs (sex 3, 4, 7, 8: 1%); both card models (60% with photo); 9% of people without e-mail, as seed 003 says of the French (5% with neither e-mail nor mobile, who get letters; 4% a mobile only), 15% with an e-mail only and 76% with both (attached profiles share their holder's contacts); parents 17 to 45 years older than their minor children, most often about 30 (a parent too old or too young for a minor has none attached); deceased people (1%); and decisions already taken, with their dates in the last year: opposed (4%; half of their children too), active (3%), closed (0.5%). mes import accepts every row.

            Every roster row ends with person_id, its number in the file from 1 (the members file's data row of the same number, line person_id + 1, and the batch's row person_id + 1, are the same person: the join between the two files), and tags, the person's cases separated by spaces: corsica, overseas, abroad, algeria-morocco-tunisia (91 to 94 born before 1963, 95 or 96 before 1957), temporary, pseudo-month, twins, deceased, minor (under 18 at the fixtures' date), adult-dependant (an adult attached to a holder's card). --case CASE (repeatable) keeps only the families that have a member of one of the cases asked, the last family cut to the count. nir generate --case takes the six cases a NIR shows, in turn, and its JSON lines carry tags too. mes import reads and ignores person_id and tags.

            The members file (--members) has, for every row, expected_status and expected_reason, then the person's person_id and tags as in the roster (the same person, and its cases, whatever the row's fault): the status and error code that mes batch oppose FILE --receipts DIR gives the row, run on the same store at the same clock without --legal-representative or --request-codes (minors are refused: legal_representative_required). Most rows carry the member's live code; then the state machine decides (opposed, already_opposed, refused with already_active or already_closed; a deceased person is opposed). One row in 16 exercises, in turn: a wrong code, a wrong birth date or a wrong serial (identity_mismatch), an expired, used or superseded code, a card locked by five wrong codes (locked, for every row of that family), and one invalid field for each reason a row can have (field_required, nir_length, nir_character, nir_format, birth_date_invalid, birth_date_future, card_type_invalid, serial_digits, serial_photo_length, serial_plain_length, code_required, code_length, code_character, name_invalid, csv_extra_field, csv_malformed_row; e-mail addresses are not in the file, so email_invalid is not, and the file is written as a program writes it, so the spreadsheet export traps, export_* and encoding_invalid, are not). From 384 rows on, every one of them is in the file. The broken NIRs (nir_length, nir_character, nir_format for a month or a key) are drawn, row by row, as nir generate --invalid draws them (INVALID NIRS), but for the few a spreadsheet export would have made (1841275123456E8 reads as a number). The batch ignores the four columns expected_status, expected_reason, person_id and tags: the file goes as it is into mes batch oppose, --check included. Beside no expected_status, a column named tags, person_id or expected_reason is an association's own and unknown like any other (keep it with --keep-column). With --format jsonl both files are JSON Lines for other programs (one object per row, the CSV's columns as keys, empty cells as null; in the members file's, a valid NIR is compact, a valid date ISO 8601 and a card type photo or plain, as in the roster's, while a value made invalid on purpose stays as the CSV has it, and the code is provisional_code, with code, its former name, beside it until schema_version 3); mes import and mes batch oppose read the CSV.

            Memory does not grow with --count: no person is kept. Each file is written as its rows are made, through a temporary file in the same folder put in place whole at the end (a failure or a kill leaves nothing at its path), or to standard output as it goes; the population is made again from the seed for each use (the roster file, the import, the members file). With --members the import, the codes and both files land together or not at all (what already went to standard output stays there): a run that fails or is killed leaves the store as it was, so the same command can run again.

            Stability: the date decides ages, states and their dates, and the codes' validity. Without --now (or MES_NOW) fixtures are made as of 2026-01-01T10:00:00Z, a fixed date, so the same --seed and version of mes give byte-identical files on any day; --now makes them as of another date, and the same --seed, --now and version give the same bytes. A members file expects the batch to run at that date: mes batch oppose --now 2026-01-01T10:00:00Z (the summary, and its now in JSON, say which); at another date codes may have expired. nir generate and vitale generate do not depend on the date. Without --seed, nir generate and vitale generate draw one and say it on standard error (--seed N replays the run). A change to the generators changes them; such a change is named in the release notes and the test that pins a seed's first rows is updated with it.
            """),
        ("DIFFERENCES FROM THE REAL SERVICE", """
            Receipts: mes signs every receipt (PAdES) and can re-issue numbered duplicates (mes receipt); the service offers a download. Codes by letter last 6 weeks, like notification codes; on-demand codes by e-mail or SMS last 15 minutes. The phone service (3422) is modelled by a registered adviser, within its hours (Monday to Friday, 8:30 to 17:30, Paris time), with NIR, birth date and last name as identity questions: oppose --assisted, code generate --assisted, contacts show --assisted, advisers release; an adviser does not activate a space for the caller (activation needs the person's own identifier and password). Closure gives a signed receipt (JC-...) and an e-mail when an address is on file. A space created automatically is entered the first time by activation (identify, then activate). Growing locks, the account hold and the letters' ceiling are mes's own figures (the seeds give none). Names are limited to what a receipt prints; e-mail addresses to ASCII mailboxes. The outbox is a queue: without a configured transport nothing leaves the machine. Fixtures and the test clock (--now) exist for other projects' tests only.
            """),
        ("BACKUP", """
            mes backup FILE writes, while other mes commands go on, a consistent snapshot of mes.db (every transaction committed before it began, none half), secret.key (without it codes, sessions and sealed messages cannot be read) and mes.conf into one file, mode 0600, put in place whole; the signing identity and every certificate receipts were signed with are inside the database. The file is sealed in pieces of 1 MiB with AES-256-GCM under a key derived from a passphrase with scrypt, each bound to the header, its position and the end: without the passphrase it reveals no code, key or contact, and a changed or truncated file restores nothing. The passphrase comes from --passphrase-file or is typed twice on a terminal; --plain writes the file unencrypted (it then holds every contact and the keys in clear). Back up at least daily and before upgrading mes, and keep copies on another machine. Receipt files outside the store are not in it: mes receipt writes them again.

            mes restore FILE DIR makes a new store in DIR (missing or empty: a restore never writes over a store), staged beside it and renamed into place once whole; receipts issued before the backup verify against it. mes check verifies a store (database pages, references, each decision against its receipt record, the audit trail's order, sealed messages, the signing identity, stray files; --receipts DIR, a folder of receipts): exit 0 when whole, 65 otherwise, each problem with its code.

            Upgrades: before a newer mes migrates a store to its schema, it copies mes.db byte for byte to mes.db.before-schema-N (N: the old schema) and says so. To go back: stop every mes, put the copy back as mes.db, remove mes.db-wal and mes.db-shm, and use the previous mes.
            """),
        ("JSON OUTPUT", """
            With --json every command prints one JSON document on standard output, and commands that stream many inputs (nir check, nir generate, batch oppose) print JSON Lines, one object per input, in input order. Every document and every line carries "schema_version": 2; within a version, fields are only ever added. Dates are ISO 8601 (2022-02-03; times 2022-02-03T10:00:00Z), numbers are numbers.

            nir check: {"input", "valid", "nir", "formatted"} for a valid NIR; {"input", "valid": false, "reason", "code", "message"} for an invalid one. nir generate: {"nir", "valid", "reason"}.

            Errors: under --json an error is a JSON document on standard error: {"schema_version": 2, "error": {"code", "message", "field", "exit"}}, plus "errors": [{"line", "field", "code", "message"}] when there are several (an import refused row by row). field is the snake_case name of the option or column (birth_date, file, id). Without --json it is one line, "mes: FIELD: message". The code is stable; the message is French.

            Every output has a JSON Schema (draft 2020-12): schemas/COMMAND.schema.json in the source tree (schemas/oppose.schema.json, schemas/nir-check.schema.json for its lines, schemas/error.schema.json), made by scripts/make-schemas.py; the tests validate every command's output against them.

            Changes since version 1: schema_version 2 on every JSON Lines row too; the receipt's path is receipt_file everywhere (batch rows and receipt re-issues said file); already_opposed gives decided_on (a date) like opposed, instead of opposed_at; history's profile is an object {id, name, nir} (it was an id, with name and nir beside it); the batch summary's seconds is a number; error fields are snake_case names; an import's row errors are an errors array (they were packed into the message and field "ligne N, column").
            """),
    ]
}
