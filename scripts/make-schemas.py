#!/usr/bin/env python3
"""Writes the JSON Schemas (draft 2020-12) of every `mes --json` output into schemas/.

One file per command (`oppose.schema.json`, `nir-check.schema.json` for its JSON Lines rows…)
plus `error.schema.json`. Schemas give the required fields and their types, and every object is
closed (`additionalProperties: false`): a field renamed or added without its schema fails
validation. Within a schema_version, fields are only ever added, each with a new release of the
schemas. Run it after changing an output, then `swift test` (SchemaTests validates the outputs of
every command against them, and checks that an extra field is refused).
"""
import json
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASE = "https://mes.invalid/schemas/"


def swift_cases(path, enum):
    """The raw values of a Swift `enum NAME: String` (a case's name when it gives none), in order."""
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        text = f.read()
    body = text[text.index("enum " + enum + ":"):]
    body = body[body.index("{") + 1:]
    values = []
    for line in body.split("\n"):
        line = line.strip()
        if line.startswith(("public var", "public init", "var ", "init", "static", "public static", "}")):
            break
        m = re.match(r"^case (.+)$", line)
        if not m:
            continue
        for part in m.group(1).split(","):
            part = part.strip()
            named = re.match(r'^(\w+)\s*=\s*"([^"]+)"$', part)
            values.append(named.group(2) if named else part.strip("`"))
    return values


# Every stable error code (`ErrorCode`): what `code`, `reason` and `expected_reason` may be.
ERROR_CODES = swift_cases("Sources/MESCore/ErrorCode.swift", "ErrorCode")
CODE = {"enum": ERROR_CODES}
# The NIR rule a NIR breaks (`NIRReason`).
NIR_REASONS = swift_cases("Sources/MESCore/NIRValidator.swift", "NIRReason")
# The cases of `--case` and of `tags` (`FixtureCase`); a NIR alone shows the first six.
CASES = swift_cases("Sources/MESCore/FixtureCase.swift", "FixtureCase")
NIR_CASE = {"enum": CASES[:6]}
# A roster row's tags: cases separated by spaces.
TAGS = {"type": "string", "pattern": "^(" + "|".join(CASES) + ")?( (" + "|".join(CASES) + "))*$"}

S, I, B, N = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}, {"type": "number"}
DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
TIME = {"type": "string", "format": "date-time", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"}


def opt(t):
    return {"anyOf": [t, {"type": "null"}]}


def obj(required, optional=None):
    props = dict(required)
    props.update(optional or {})
    return {"type": "object", "required": sorted(required), "properties": props, "additionalProperties": False}


def arr(items):
    return {"type": "array", "items": items}


PROFILE = obj({"id": I, "first_name": S, "last_name": S, "birth_date": DATE, "state": {"enum": ["pending", "opposed", "active", "closed"]},
               "state_label": S, "minor": B, "deceased": B, "holder": B}, {"since": TIME})
STATUS = {"enum": ["queued", "sent", "failed", "letter", "printed"]}
MESSAGE = obj({"id": I, "channel": {"enum": ["email", "sms", "letter"]}, "to": S, "subject": S, "created_at": TIME, "file": opt(S),
               "status": STATUS, "attempts": I, "last_error": opt(S), "sent_at": opt(TIME)})
DELIVERY = {"delivery": STATUS, "delivery_error": S}
# The six weeks before an automatic creation (`NotificationWindow`): counted from the sending.
# started_at, ends_at and ends_on only once it has started.
WINDOW = obj({"stage": {"enum": ["not_notified", "awaiting_sending", "started", "unreachable"]}},
             {"started_at": TIME, "ends_at": TIME, "ends_on": DATE})


def doc(required, optional=None):
    d = obj(dict(required, schema_version={"const": 2}), optional)
    return d


COUNTS = obj({"people": I, "decisions": I, "receipts": I, "messages": I, "audit_lines": I, "schema_version": I})

SCHEMAS = {
    "error": doc({"error": obj({"code": CODE, "message": S, "exit": I},
                               {"field": S, "help": S, "errors": arr(obj({"field": S, "code": CODE, "message": S}, {"line": I}))})}),
    # commit: the git commit scripts/release built from ("-dirty" with uncommitted changes), or
    # "unknown" (a plain swift build).
    "version": doc({"version": S}, {"commit": {"type": "string", "pattern": "^([0-9a-f]{40}(-dirty)?|unknown)$"},
                                    "fixtures_version": I, "json_schema_version": I,
                                    "generators": obj({"population": I, "nir": I, "vitale": I})}),
    "nir-check": {"oneOf": [doc({"input": S, "valid": {"const": True}, "nir": S, "formatted": S}),
                            doc({"input": S, "valid": {"const": False}, "reason": {"enum": NIR_REASONS}, "code": CODE, "message": S})]},
    "nir-format": doc({"nir": S, "formatted": S, "sex": I, "sex_label": S, "birth_year": S, "birth_month": S, "department": S,
                       "commune": S, "order": S, "key": S}),
    "nir-key": doc({"key": S, "nir": S}),
    # An invalid NIR's reason and code are those `nir check` gives it (insee rules).
    "nir-generate": doc({"nir": S, "valid": B, "tags": arr(NIR_CASE)},
                        {"reason": {"enum": NIR_REASONS}, "code": {"enum": ["nir_length", "nir_character", "nir_format"]}}),
    "vitale-check": doc({"valid": B, "card": {"enum": ["photo", "plain"]}},
                        {"serial": S, "printed": S, "input": S, "code": CODE, "message": S}),
    "vitale-generate": doc({"card": {"enum": ["photo", "plain"]}, "serial": S, "valid": B},
                           {"reason": {"enum": ["digits", "length"]}, "code": CODE}),
    "init": doc({"status": {"enum": ["created", "exists"]}, "store": S, "schema": I, "demo_people": I}),
    "import": doc({"status": {"const": "imported"}, "people": I},
                  {"encoding": {"enum": ["utf-8", "windows-1252", "utf-16le", "utf-16be"]}, "notice": S}),
    "fixtures": doc({"status": {"const": "written"}, "profiles": I, "roster": S, "codes": I},
                    {"members": S, "expected": {"type": "object", "additionalProperties": I}, "now": TIME,
                     "population": {"enum": ["imported", "reused", "replaced"]}}),
    # `mes fixtures --format jsonl`: one object per row of the roster and of the members file.
    "fixtures-roster-row": doc({k: S for k in ["nir", "birth_date", "first_name", "last_name", "card_type", "serial"]},
                               {**{k: opt(S) for k in ["email", "mobile", "address", "holder_birth_date", "deceased", "state_since",
                                                       "notified_at"]},
                                "person_id": {"type": "string", "pattern": "^[1-9][0-9]*$"}, "tags": opt(TAGS),
                                "state": opt({"enum": ["opposed", "active", "closed"]})}),
    "fixtures-members-row": doc({"expected_status": {"enum": ["opposed", "already_opposed", "invalid", "identity_mismatch", "code_expired",
                                                              "code_used", "code_superseded", "locked", "refused"]},
                                 "first_name": S, "last_name": S},
                                # A valid NIR compact, a valid date ISO 8601, a card type its enum word; a value
                                # made invalid on purpose as the CSV has it (so plain strings here).
                                {**{k: opt(S) for k in ["nir", "birth_date", "card_type", "serial", "code", "provisional_code"]},
                                 "expected_reason": opt(CODE),
                                 # The person, as in the roster row of the same number.
                                 "person_id": {"type": "string", "pattern": "^[1-9][0-9]*$"}, "tags": opt(TAGS),
                                 "extra": S}),
    "notify": doc({"status": {"const": "notified"}, "notified": I, "email": I, "letter": I, "without_address": I, "messages": I,
                   "email_messages": I, "letter_messages": I}),
    "outbox-list": doc({"messages": arr(MESSAGE)}),
    "outbox-show": doc(dict(MESSAGE["properties"], body=S), {"provisional_code": opt(S), "provisional_codes": arr(S),
                                                             # their former names, until schema_version 3
                                                             "code": opt(S), "codes": arr(S),
                                                             "windows": arr(obj({"profile": I, "window": WINDOW}))}),
    "outbox-send": doc({"sent": I, "deferred": I, "failed": I, "queued": I, "fallback_letters": I, "unreachable": I},
                       {"stopped_by": opt(S)}),
    "outbox-letters": {"oneOf": [
        doc({"status": {"enum": ["printed", "nothing_to_print"]}, "batch": opt(I), "letters": I, "pages": I, "file": opt(S),
             "non_standard_addresses": I}),
        doc({"status": {"const": "posted"}, "batch": I, "posted_at": TIME, "letters": I, "windows_started": I})]},
    "outbox-export": doc({"written": I}),
    "history": doc({"events": arr(obj({"at": TIME, "event": S},
                                      {"profile": obj({"id": I, "name": S, "nir": S}), "channel": S, "actor": S, "actor_id": S, "detail": S}))}),
    "code-generate": doc({"status": {"const": "code_sent"}, "channel": {"enum": ["email", "sms", "letter"]}, "destination": S,
                          "outbox_id": I, "expires_at": TIME}, DELIVERY),
    "identify": doc({"status": {"const": "identified"}, "session": S, "expires_at": TIME, "profile": PROFILE, "profiles": arr(PROFILE),
                     "decisions": arr(obj({"action": {"enum": ["activate", "oppose", "close"]}, "label": S, "text": S}))},
                    {"window": opt(WINDOW)}),
    "oppose": {"oneOf": [
        doc({"status": {"const": "opposed"}, "profile": PROFILE, "receipt": S, "receipt_file": S, "verification": S, "decided_on": DATE,
             "profiles": arr(PROFILE)}),
        doc({"status": {"const": "already_opposed"}, "profile": PROFILE, "decided_on": DATE}, {"receipt": S})]},
    "activate": {"oneOf": [
        doc({"status": {"const": "otp_sent"}, "channels": arr({"enum": ["email", "mobile"]})}),
        doc({"status": {"const": "contacts_to_check"}, "contacts": obj({"postal_address": B, "masked": B},
                                                                       {"email": opt(S), "mobile": opt(S), "to_activate": B})}),
        doc({"status": {"const": "activated"}, "username": S, "profile": PROFILE}, {"previously_opposed_at": TIME}),
        # --assisted: an adviser started the activation; the code went to the contact on file.
        doc({"status": {"const": "code_sent"}, "channel": {"enum": ["email", "sms", "letter"]}, "destination": S,
             "outbox_id": I, "expires_at": TIME}, DELIVERY)]},
    "close": doc({"status": {"enum": ["closed", "already_closed"]}, "content": {"enum": ["archive_10_years", "delete_within_3_months"]},
                  "content_deleted_after": opt(TIME), "receipt": opt(S), "receipt_file": opt(S), "profile": PROFILE}),
    "sweep": doc({"status": {"enum": ["swept", "dry_run"]}, "created": I, "window_days": I, "content_deleted": I,
                  "awaiting_sending": I, "unreachable": I, "not_notified": I},
                 {"profiles": arr(I), "content_deleted_profiles": arr(I)}),
    "recover-identifier": {"oneOf": [
        doc(dict({"status": {"const": "code_sent"}, "recovery": {"const": "identifier"}, "channel": {"enum": ["email", "sms"]},
                  "destination": S}), DELIVERY),
        doc({"status": {"const": "identifier_recovered"}, "username": S})]},
    "recover-password": {"oneOf": [
        doc({"status": {"const": "code_sent"}, "recovery": {"const": "password"}}),
        doc({"status": {"const": "password_reset"}, "username": S})]},
    "login": {"oneOf": [
        doc(dict({"status": {"const": "code_sent"}, "channel": {"enum": ["email", "sms"]}, "destination": S}), DELIVERY),
        doc({"status": {"const": "signed_in"}, "session": S, "profile": PROFILE})]},
    "logout": doc({"status": {"const": "signed_out"}}),
    "contacts-show": doc({"email": opt(S), "mobile": opt(S), "postal_address": B, "masked": B}, {"to_activate": B}),
    "profiles-list": doc({"profile": PROFILE, "profiles": arr(PROFILE)}),
    "profiles-oppose": None,  # the same as oppose
    "profiles-activate": doc({"status": {"const": "activated"}, "profile": PROFILE}),
    "receipt": doc({"status": {"const": "reissued"}, "receipt": S, "copy": I, "format": {"enum": ["pdf", "text", "json"]}},
                   {"receipt_file": S}),
    "receipt-document": doc({"receipt": S, "nir": S, "nir_formatted": S, "name": S, "greeting": S, "decided_on": DATE,
                             "issued_at": TIME, "kind": {"enum": ["opposition", "closure"]}, "duplicate": B, "copy": I, "verification": S, "sentences": arr(S),
                             # issue 32: whom the page speaks to (a minor's legal representative) and who filed it
                             "for_minor": B, "association": opt(S)}),
    "receipt-verify": doc({"status": {"enum": ["authentic", "altered", "unknown", "unsigned"]}, "mismatch": arr(S)},
                          {"receipt": S, "reason": S, "signer": S, "legacy_status": S}),
    "key-export": doc({"certificate": S, "fingerprint": S, "name": S}),
    "key-import": doc({"status": {"const": "imported"}, "fingerprint": S, "name": S}),
    "advisers-add": doc({"status": {"enum": ["added", "exists"]}, "adviser": S}),
    "advisers-release": doc({"status": {"const": "released"}, "username": S, "profile_id": I, "at": TIME}),
    "backup": doc({"status": {"const": "written"}, "path": S, "encrypted": B, "taken_at": TIME, "counts": COUNTS, "files": arr(S)}),
    "restore": doc({"status": {"const": "restored"}, "directory": S, "counts": COUNTS, "files": arr(S)}),
    "check": doc({"status": {"enum": ["whole", "damaged"]}, "receipt_files": I,
                  "problems": arr(obj({"code": S, "message": S}))}),
    "advisers-list": doc({"advisers": arr(obj({"id": S, "added_at": TIME}))}),
    "batch-oppose": {"oneOf": [
        doc({"row": I, "status": {"enum": ["opposed", "already_opposed", "code_requested", "invalid", "identity_mismatch", "code_expired",
                                           "code_used", "code_superseded", "locked", "too_soon", "refused", "letter_limit",
                                           "code_still_valid", "not_retried", "ready"]}},
            {"nir": S, "receipt": S, "receipt_file": S, "destination": S, "code_expires_at": TIME, "mail": S, "field": S, "reason": CODE,
             "message": S, "letter_sent_at": TIME, "created_automatically_at": TIME,
             "filed_by": {"enum": ["this_association", "another_association", "member", "adviser", "other"]},
             "previous_status": S, "previous_at": TIME, "locked_until": TIME, "tries": I, "max_tries": I, "warning": S}),
        doc({"summary": {"type": "object", "additionalProperties": I}, "rows": I, "receipts": S, "seconds": N},
            {"check": {"type": "boolean"}, "interrupted_after": I, "encoding": {"enum": ["utf-8", "windows-1252", "utf-16le", "utf-16be"]}})]},
    "fixtures-verify": doc({"status": {"enum": ["as_expected", "different"]}, "rows": I, "as_expected": I, "difference_count": I,
                            "differences": arr(obj({"kind": {"enum": ["mismatch", "missing", "duplicate", "unexpected", "unreadable"]}},
                                                   {"row": I, "line": I, "expected_status": S, "expected_reason": S, "status": S,
                                                    "reason": S}))}),
    # `mes schema --list`; `mes schema NAME` prints that JSON Schema itself.
    "schema": {"oneOf": [doc({"schemas": arr(obj({"name": S, "title": S}))}),
                         {"type": "object", "required": ["$schema", "$id", "title"], "not": {"required": ["schema_version"]}}]},
    "demo": doc({"status": {"enum": ["opposed", "already_opposed"]}, "steps": arr(obj({"step": S, "result": S}))}),
}


SCHEMAS["profiles-oppose"] = SCHEMAS["oppose"]


EMBEDDED = "Sources/MESCLI/EmbeddedSchemas.swift"


def swift_source(texts):
    """`EmbeddedSchemas.swift`: every schema's text, for `mes schema NAME` (raw string literals)."""
    out = ["// Generated by scripts/make-schemas.py from schemas/: do not edit (a test compares it with schemas/).",
           "",
           "/// The JSON Schemas of schemas/, in the binary: `mes schema NAME` prints one.",
           "enum EmbeddedSchemas {",
           "    /// Name (`oppose`), title and text (the file's bytes without its last line feed), by name.",
           "    static let all: [(name: String, title: String, text: String)] = ["]
    for name, title, text in texts:
        body = text[:-1] if text.endswith("\n") else text
        assert '"""#' not in body
        assert '"' not in title and "\\" not in title
        out.append(f'        ("{name}", "{title}", #"""')
        out.append(body)
        out.append('"""#),')
    out += ["    ]", "}", ""]
    return "\n".join(out)


def main():
    out = os.path.join(ROOT, "schemas")
    os.makedirs(out, exist_ok=True)
    texts = []
    for name, schema in sorted(SCHEMAS.items()):
        full = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": BASE + name + ".schema.json",
                "title": "mes " + name.replace("-", " ") + " (--json)"}
        full.update(schema)
        text = json.dumps(full, indent=2, ensure_ascii=False) + "\n"
        texts.append((name, full["title"], text))
        with open(os.path.join(out, name + ".schema.json"), "w", encoding="utf-8") as f:
            f.write(text)
    with open(os.path.join(ROOT, EMBEDDED), "w", encoding="utf-8") as f:
        f.write(swift_source(texts))
    print(f"wrote {len(SCHEMAS)} schemas into schemas/ and {EMBEDDED}")


if __name__ == "__main__":
    main()
