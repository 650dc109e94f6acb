"""`mes` used the way another project's CI uses it (issue 33): the release binary, no Swift
toolchain needed, as a source of fixtures it pins, checks and trusts.

Run by `swift test` (CIUserTests, with the venv of scripts/test), or by hand:
    MES_BIN=dist/.../bin/mes .build/venv/bin/python -m pytest -q Tests/CIUser
MES_BIN is the binary under test (default: mes on PATH).
"""
import csv
import hashlib
import json
import os
import shutil
import subprocess

import pytest
from stdnum.fr import nir as stdnum_nir

MES = os.environ.get("MES_BIN") or shutil.which("mes")
FIXED = "2026-01-01T10:00:00Z"  # the date fixtures are made at without --now (mes(1), FIXTURES)


def mes(*args, stdin=None, env=None, check=True):
    """Runs mes with no MES_ variable from the caller; returns the CompletedProcess."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("MES_")}
    base.update(env or {})
    p = subprocess.run([MES, *args], input=stdin, capture_output=True, env=base, timeout=600)
    if check and p.returncode != 0:
        raise AssertionError(f"mes {' '.join(args)} exited {p.returncode}: {p.stderr.decode(errors='replace')[:2000]}")
    return p


def jsonl(data):
    return [json.loads(line) for line in data.decode().splitlines() if line.strip()]


def stdnum_valid(text):
    try:
        return bool(stdnum_nir.is_valid(text))
    except Exception:
        return False


def test_the_binary_is_there_and_says_its_versions():
    assert MES and os.access(MES, os.X_OK), "MES_BIN names no executable"
    v = json.loads(mes("--version", "--json").stdout)
    assert v["schema_version"] == 2
    assert v["version"].count(".") == 2
    assert isinstance(v["fixtures_version"], int) and v["fixtures_version"] >= 2
    assert v["commit"] == "unknown" or len(v["commit"].split("-")[0]) == 40
    assert set(v["generators"]) >= {"population", "nir", "vitale"}


def test_a_seed_gives_the_same_bytes_every_time(tmp_path):
    runs = [mes("fixtures", "--count", "500", "--seed", "ci-user", "--roster", "-").stdout for _ in range(2)]
    assert runs[0] == runs[1] and len(runs[0]) > 20_000
    # Without --now: the fixed, documented date, whatever MES_NOW a runner has.
    dated = mes("fixtures", "--count", "500", "--seed", "ci-user", "--roster", "-", "--now", FIXED).stdout
    assert dated == runs[0]
    # Two stores, two members files: the same bytes.
    digests = []
    for k in range(2):
        d = tmp_path / str(k)
        d.mkdir()
        mes("fixtures", "--count", "300", "--seed", "ci-user", "--roster", str(d / "r.csv"), "--members", str(d / "m.csv"),
            env={"MES_HOME": str(d / "store")})
        digests.append((hashlib.sha256((d / "r.csv").read_bytes()).hexdigest(),
                        hashlib.sha256((d / "m.csv").read_bytes()).hexdigest()))
    assert digests[0] == digests[1]
    for args in (["nir", "generate", "--count", "300", "--seed", "7"], ["vitale", "generate", "--card", "photo", "--count", "300",
                                                                      "--seed", "7", "--invalid"]):
        assert mes(*args).stdout == mes(*args, env={"MES_NOW": "2031-05-05T05:05:05Z"}).stdout


def test_stdnum_accepts_every_valid_nir():
    rows = jsonl(mes("nir", "generate", "--count", "5000", "--seed", "ci-user", "--json").stdout)
    assert len(rows) == 5000 and all(r["valid"] for r in rows)
    rejected = [r["nir"] for r in rows if not stdnum_valid(r["nir"])]
    assert rejected == []
    # The roster's NIRs too (families share their holder's).
    roster = jsonl(mes("fixtures", "--count", "2000", "--seed", "ci-user", "--roster", "-", "--format", "jsonl").stdout)
    assert [r["nir"] for r in roster if not stdnum_valid(r["nir"])] == []
    # And `nir check` says so under the default rules and stdnum's; app and cnam accept only
    # sex 1 or 2 (mes(1), NIR RULES): temporary numbers (sex 7 or 8) are their one refusal.
    text = "\n".join(r["nir"] for r in rows).encode() + b"\n"
    for rules in ("insee", "stdnum"):
        assert all(line["valid"] for line in jsonl(mes("nir", "check", "--rules", rules, "--json", stdin=text).stdout)), rules
    for rules in ("app", "cnam"):
        refused = [line for line in jsonl(mes("nir", "check", "--rules", rules, "--json", stdin=text, check=False).stdout)
                   if not line["valid"]]
        assert all(line["reason"] == "sex" and line["input"][0] in "3478" for line in refused), (rules, refused[:3])


# python-stdnum checks the characters, the length and the key, not the structure INSEE
# allocates (mes(1), RULE SETS: "stdnum: … 15 characters, digits except 2A or 2B at the
# department, and the key"), and it cleans input its own way (mes(1), INVALID NIRS). Where its
# verdict and mes's differ by design, each invalid NIR is put in one of these named classes;
# none is skipped, and each class must come up.
STDNUM_CHECKS = {"length", "character", "key"}
STDNUM_DOES_NOT_CHECK = {"sex", "month", "department", "commune", "order"}
DIFFERENCES = {
    # stdnum accepts it: mes refuses the structure (sex, month, department, commune, order).
    "structure",
    # mes ignores dashes (SPEC: "with or without spaces, dots or dashes"), stdnum removes only
    # spaces and dots: a structure fault written with dashes is refused by both, by stdnum for its dash.
    "dash",
    # stdnum maps look-alikes to ASCII (full-width digits, no-break spaces, a middle dot) and
    # accepts the result; mes refuses any character outside ASCII (character).
    "look-alike",
}


def stdnum_class(row):
    """How stdnum's verdict on one of mes's invalid NIRs compares: "agree" (both refuse it, for
    a reason stdnum checks too), one of DIFFERENCES, or "unexplained"."""
    text, reason = row["nir"], row["reason"]
    if stdnum_valid(text):
        if reason in STDNUM_DOES_NOT_CHECK:
            return "structure"
        if reason == "character" and not text.isascii() and stdnum_nir.compact(text).isascii():
            return "look-alike"
        return "unexplained"
    if reason in STDNUM_CHECKS:
        return "agree"
    if "-" in text and stdnum_valid(text.replace("-", "")):
        return "dash"
    return "unexplained"


def test_stdnum_agrees_on_invalid_nirs_except_where_documented():
    rows = jsonl(mes("nir", "generate", "--count", "8000", "--seed", "ci-user", "--invalid", "--json").stdout)
    reasons = {r["reason"] for r in rows}
    assert reasons == STDNUM_CHECKS | STDNUM_DOES_NOT_CHECK, reasons
    classes = {}
    for r in rows:
        classes.setdefault(stdnum_class(r), []).append(r)
    assert "unexplained" not in classes, classes.get("unexplained", [])[:5]
    assert set(classes) == {"agree"} | DIFFERENCES, {k: len(v) for k, v in classes.items()}
    # mes's own stdnum rule set gives stdnum's verdict on every one of them.
    p = mes("nir", "check", "--rules", "stdnum", "--json", stdin="\n".join(r["nir"] for r in rows).encode() + b"\n", check=False)
    verdicts = jsonl(p.stdout)
    assert len(verdicts) == len(rows)
    assert [v["valid"] for v in verdicts] == [stdnum_valid(r["nir"]) for r in rows]
    # And the default rules reject every one, each with its reason and code.
    p = mes("nir", "check", "--json", "--expect", "invalid", stdin="\n".join(r["nir"] for r in rows).encode() + b"\n")
    assert [(v["valid"], v.get("reason"), v.get("code")) for v in jsonl(p.stdout)] == [(False, r["reason"], r["code"]) for r in rows]
    # The example of issue 33: born 1950 in Tunisia (department 96) is valid everywhere.
    for rules in ("insee", "app", "cnam", "stdnum"):
        assert mes("nir", "check", "--rules", rules, "150109612345640").returncode == 0, rules
    assert stdnum_valid("150109612345640")


def compact(text):
    """What mes's rules look at: spaces, dots and dashes left out, upper-cased."""
    return "".join(c for c in text if c not in " .-").upper()


def test_the_invalid_nirs_cover_what_a_validator_must_refuse():
    rows = jsonl(mes("nir", "generate", "--count", "20000", "--seed", "ci-user", "--invalid", "--json").stdout)
    by = {}
    for r in rows:
        by.setdefault(r["reason"], []).append(r["nir"])
    # Every month INSEE never gives: 00, 13 to 19, 21 to 29, 43 to 49 (20, 30 to 42 and 50 to 99 are pseudo-months).
    assert {int(compact(n)[3:5]) for n in by["month"]} == {0, *range(13, 20), *range(21, 30), *range(43, 50)}
    # Keys that are never keys, and keys that do not match (Corsica in lower case among them).
    assert {"00", "98", "99"} <= {compact(n)[13:] for n in by["key"]}
    assert any("2a" in n or "2b" in n for n in by["key"])
    # Lengths 1 to 30 (0: --reason empty), digits only.
    assert {len(compact(n)) for n in by["length"]} == set(range(1, 31)) - {15}
    # Letters in either case, digits of other scripts, separators mes refuses.
    chars = by["character"]
    assert any(any(c.islower() for c in n) for n in chars) and any(any("C" <= c <= "Z" for c in n) for n in chars)
    assert any(any(0x660 <= ord(c) <= 0x669 for c in n) for n in chars), "Arabic-Indic digits"
    assert any(any(0xFF10 <= ord(c) <= 0xFF19 for c in n) for n in chars), "full-width digits"
    assert any("/" in n or "_" in n for n in chars) and any("\u00a0" in n for n in chars)
    # Written as people type them: spaces, dots, dashes, mixed, before and after; never a dash first.
    typed = [n for n in (r["nir"] for r in rows) if set(n) & set(" .-")]
    assert len(typed) > len(rows) // 5
    assert any(n.startswith((" ", ".")) for n in typed) and any(n.endswith((" ", ".", "-")) for n in typed)
    assert any({" ", ".", "-"} <= set(n) for n in typed)
    assert not any(n.startswith("-") for n in typed)
    # The empty input, by name (standard input skips blank lines: give it as an argument).
    for r in jsonl(mes("nir", "generate", "--count", "20", "--seed", "e", "--invalid", "--reason", "empty", "--json").stdout):
        assert compact(r["nir"]) == "" and r["code"] == "nir_length"
        p = mes("nir", "check", "--json", "--expect", "invalid", "--", r["nir"])
        assert jsonl(p.stdout)[0]["reason"] == "empty"
        assert not stdnum_valid(r["nir"])


def members_and_results(tmp_path, count=600, seed="ci-user"):
    store = tmp_path / "store"
    env = {"MES_HOME": str(store)}
    roster, members = tmp_path / "r.csv", tmp_path / "m.csv"
    summary = json.loads(mes("fixtures", "--count", str(count), "--seed", seed, "--roster", str(roster), "--members", str(members),
                             "--json", env=env).stdout)
    assert summary["now"] == FIXED and summary["population"] == "imported"
    # The batch runs at the fixtures' date; refused rows make it exit non-zero, as they should.
    batch = mes("batch", "oppose", str(members), "--receipts", str(tmp_path / "rec"), "--quiet", "--now", summary["now"],
                env=env, check=False)
    assert batch.returncode in (0, 65, 69, 77), batch.stderr
    results = tmp_path / "results.jsonl"
    results.write_bytes(batch.stdout)
    # Each members row names its person (person_id, the roster row of that number) and its tags.
    rows = [line.split(";") for line in members.read_text(encoding="utf-8-sig").splitlines()]
    assert rows[0][-2:] == ["person_id", "tags"]
    people = list(csv.reader(roster.read_text(encoding="utf-8").splitlines()))
    assert people[0][-2:] == ["person_id", "tags"] and len(people) == len(rows)
    pairs = [(p[-2:], r[-2:]) for p, r in zip(people[1:], rows[1:]) if len(r) == len(rows[0])]  # not the row with a field too many
    assert len(pairs) > count * 9 // 10 and all(a == b for a, b in pairs)
    return env, members, results


def test_fixtures_verify_passes_the_fixtures_own_batch_and_fails_a_tampered_one(tmp_path):
    env, members, results = members_and_results(tmp_path)
    ok = mes("fixtures", "verify", str(members), str(results), "--json", env=env, check=False)
    assert ok.returncode == 0, ok.stdout[:2000]
    verdict = json.loads(ok.stdout)
    assert verdict["status"] == "as_expected" and verdict["rows"] == 600 and verdict["difference_count"] == 0
    # Tampered: one row's status changed, one row dropped.
    lines = results.read_text().splitlines()
    rows = [json.loads(line) for line in lines]
    opposed = next(i for i, r in enumerate(rows) if r.get("status") == "opposed")
    rows[opposed]["status"] = "identity_mismatch"
    dropped = rows.pop(opposed + 1)
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_text("".join(json.dumps(r) + "\n" for r in rows))
    bad = mes("fixtures", "verify", str(members), str(tampered), "--json", env=env, check=False)
    assert bad.returncode == 65
    verdict = json.loads(bad.stdout)
    kinds = {(d["kind"], d.get("row")) for d in verdict["differences"]}
    assert ("mismatch", rows[opposed]["row"]) in kinds and ("missing", dropped["row"]) in kinds
    assert verdict["status"] == "different" and verdict["difference_count"] == 2
    # The batch's own results read from standard input too.
    assert mes("fixtures", "verify", str(members), "-", stdin=results.read_bytes(), env=env, check=False).returncode == 0


def test_fixtures_again_on_the_same_store_reuse_it(tmp_path):
    env, members, results = members_and_results(tmp_path, count=200, seed="again")
    # The batch changed the store: reusing it would promise stale statuses, so it is refused…
    refused = mes("fixtures", "--count", "200", "--seed", "again", "--roster", str(tmp_path / "r3.csv"), "--members",
                  str(tmp_path / "m3.csv"), "--json", env=env, check=False)
    assert refused.returncode == 69 and json.loads(refused.stderr)["error"]["code"] == "fixtures_present"
    # … and --force replaces it: the same rows again, and the batch finds them as expected.
    replaced = json.loads(mes("fixtures", "--count", "200", "--seed", "again", "--roster", str(tmp_path / "r3.csv"), "--members",
                              str(tmp_path / "m3.csv"), "--json", "--force", env=env).stdout)
    assert replaced["population"] == "replaced"
    assert (tmp_path / "m3.csv").read_bytes() == members.read_bytes()
    reused = json.loads(mes("fixtures", "--count", "200", "--seed", "again", "--roster", str(tmp_path / "r4.csv"), "--members",
                            str(tmp_path / "m4.csv"), "--json", env=env).stdout)
    assert reused["population"] == "reused" and (tmp_path / "m4.csv").read_bytes() == members.read_bytes()


def test_schemas_come_with_the_binary():
    names = mes("schema", "--list").stdout.decode().split()
    assert {"batch-oppose", "fixtures-verify", "nir-check", "error"} <= set(names)
    schema = json.loads(mes("schema", "batch-oppose").stdout)
    reason = schema["oneOf"][0]["properties"]["reason"]
    assert "identity_not_found" in reason["enum"] and "locked" in reason["enum"]


CASES = ["corsica", "overseas", "abroad", "algeria-morocco-tunisia", "temporary", "pseudo-month", "twins", "deceased", "minor",
         "adult-dependant"]


@pytest.mark.parametrize("case", CASES)
def test_a_case_on_demand_is_in_every_family_by_its_tags(case):
    rows = jsonl(mes("fixtures", "--count", "200", "--seed", "ci-user", "--roster", "-", "--format", "jsonl", "--case", case).stdout)
    assert len(rows) == 200 and [r["person_id"] for r in rows] == [str(k) for k in range(1, 201)]
    families = []
    for r in rows:
        if r["holder_birth_date"] is None:
            families.append([])
        families[-1].append(r)
    assert len(families) > 1
    for family in families[:-1]:  # the last may be cut to the count
        assert any(case in (r["tags"] or "").split() for r in family), family
    # The tags say what the rows are: checked here without mes.
    for r in rows:
        tags = (r["tags"] or "").split()
        department = r["nir"][5:7]
        assert ("corsica" in tags) == (department in ("2A", "2B"))
        assert ("abroad" in tags) == (department == "99")
        assert ("temporary" in tags) == (r["nir"][0] in "3478")
        assert ("deceased" in tags) == (r["deceased"] == "oui")
        assert stdnum_valid(r["nir"])


@pytest.mark.parametrize("case", CASES[:6])
def test_nir_generate_makes_nirs_of_a_case(case):
    rows = jsonl(mes("nir", "generate", "--count", "300", "--seed", "ci-user", "--case", case, "--json").stdout)
    assert all(case in r["tags"] and r["valid"] and stdnum_valid(r["nir"]) for r in rows)
