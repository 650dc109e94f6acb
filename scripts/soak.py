#!/usr/bin/env python3
"""Soak: the reliability proofs of the test suite, longer and on the release build.

  concurrency  N processes each filing M decisions (overlapping people) on one store:
               0 lost, 0 duplicated, no "busy" reaching the user.
  crashes      a batch killed with SIGKILL at random moments K times, re-run until done:
               every member exactly one opposition and one whole PDF; integrity_check ok.
  hostile      random argv through the binary, and a file of hostile CSV rows:
               0 crashes or signals, documented exit codes only, store unchanged.

Usage: python3 scripts/soak.py [--procs 8] [--per-proc 5000] [--rows 50000] [--kills 50]
                               [--argv 5000] [--csv-rows 200000] [--seed 1]
Prints the figures; exits 1 on any violation. Works in bench-out/ (ignored by git).
"""
import argparse
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MES = os.path.join(ROOT, ".build/release/mes")
DOCUMENTED = {0, 64, 65, 66, 69, 73, 75, 77}
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("  FAIL:", what)


def exactly_once(store, receipts, members):
    db = sqlite3.connect(os.path.join(store, "mes.db"))
    check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "integrity_check")
    check(db.execute("PRAGMA foreign_key_check").fetchall() == [], "foreign_key_check")
    n = db.execute("SELECT count(*) FROM decisions WHERE kind='opposition'").fetchone()[0]
    dup = db.execute("SELECT count(*) FROM (SELECT person_id FROM decisions WHERE kind='opposition' GROUP BY person_id HAVING count(*)>1)").fetchone()[0]
    ids = {r[0] for r in db.execute("SELECT id FROM receipts")}
    files = [f for f in os.listdir(receipts) if f.startswith("JO-") and f.endswith(".pdf")]
    whole = all(open(os.path.join(receipts, f), "rb").read().endswith(b"%%EOF\n") for f in files)
    check(n == members, f"{n} oppositions for {members} members")
    check(dup == 0, f"{dup} people opposed twice")
    check({f.split("_")[0] for f in files} == ids and len(files) == members, f"{len(files)} receipt files for {len(ids)} receipts")
    check(whole, "a receipt file is not a whole PDF")
    return n


def fixtures(env, run, count, seed):
    """A members file of `count` rows that the batch files: the fixtures' rows expected `opposed`."""
    roster, members = os.path.join(run, f"r-{seed}.csv"), os.path.join(run, f"m-{seed}.csv")
    subprocess.run([MES, "fixtures", "--count", str(count * 2 + 100), "--seed", seed, "--roster", roster, "--members", members],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    lines = open(members, encoding="utf-8-sig").read().splitlines()
    kept = [l for l in lines[1:] if l.split(";")[7:9] == ["opposed", ""]][:count]
    check(len(kept) == count, f"only {len(kept)} opposable members")
    with open(members, "w", encoding="utf-8") as f:
        f.write("\n".join([lines[0]] + kept) + "\n")
    return members


def concurrency(a, run):
    env = dict(os.environ, MES_HOME=os.path.join(run, "store-conc"), MES_NOW="2022-02-03T10:00:00Z")
    people = a.procs * a.per_proc // 2
    members = fixtures(env, run, people, "conc")
    lines = open(members, encoding="utf-8-sig").read().splitlines()
    header, rows = lines[0], lines[1:]
    parts = []
    for k in range(a.procs):
        p = os.path.join(run, f"part-{k}.csv")
        with open(p, "w") as f:
            f.write(header + "\n" + "\n".join(rows[(k * a.per_proc // 2 + i) % len(rows)] for i in range(a.per_proc)) + "\n")
        parts.append(p)
    receipts = os.path.join(run, "rec-conc")
    t = time.perf_counter()
    procs = [subprocess.Popen([MES, "batch", "oppose", p, "--receipts", receipts, "--legal-representative"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for p in parts]
    outs = [p.communicate() for p in procs]
    elapsed = time.perf_counter() - t
    statuses = {}
    for p, (out, err) in zip(procs, outs):
        check(p.returncode == 0, f"a batch exited {p.returncode}: {err.decode()[-300:]}")
        check(b"locked" not in err and b"occup" not in err, "busy or locked reached the user")
        for line in out.splitlines()[:-1]:
            s = line.split(b'"status":"')[1].split(b'"')[0].decode()
            statuses[s] = statuses.get(s, 0) + 1
    n = exactly_once(env["MES_HOME"], receipts, people)
    print(f"concurrency: {a.procs} processes x {a.per_proc} decisions, {people} people: {elapsed:.1f} s, statuses {statuses}, {n} oppositions")


def crashes(a, run):
    env = dict(os.environ, MES_HOME=os.path.join(run, "store-crash"), MES_NOW="2022-02-03T10:00:00Z")
    members = fixtures(env, run, a.rows, "crash")
    receipts = os.path.join(run, "rec-crash")
    rng = random.Random(a.seed)
    t = time.perf_counter()
    for _ in range(a.kills):
        p = subprocess.Popen([MES, "batch", "oppose", members, "--receipts", receipts, "--legal-representative", "--quiet"],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 2.0))
        p.send_signal(signal.SIGKILL)
        p.wait()
    runs = 0
    while True:
        runs += 1
        p = subprocess.run([MES, "batch", "oppose", members, "--receipts", receipts, "--legal-representative", "--quiet"],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if p.returncode == 0 or runs > 3:
            break
    check(p.returncode == 0, f"final run exited {p.returncode}")
    n = exactly_once(env["MES_HOME"], receipts, a.rows)
    print(f"crashes: {a.rows} rows, {a.kills} SIGKILLs, {runs} final run(s): {time.perf_counter() - t:.1f} s, {n} oppositions, integrity ok")


def hostile(a, run):
    env = dict(os.environ, MES_HOME=os.path.join(run, "store-hostile"), MES_NOW="2022-02-03T10:00:00Z")
    subprocess.run([MES, "init", "--demo"], env=env, check=True, stdout=subprocess.DEVNULL)
    rng = random.Random(a.seed)
    pool = ["", " ", "-", "--", "\"", "'", "\\", "😀", "é", "'; DROP TABLE people; --", "31/02/2020", "01/01/3000",
            "1 55 12 55 555 555 55", "116304403801618", "116304403801619", "2C0000000000000", "HuqZF3KXCz8k", "x" * 5000,
            "9" * 100000, "photo", "plain", "gold", "-1", "0", "NaN", "JO-0000000000", "email", "sms", "%s%n", "$(id)"]
    help_text = subprocess.run([MES, "--help"], capture_output=True, text=True).stdout
    commands = [l.split("  ")[0].strip() for l in help_text.split("COMMANDS:")[1].split("GLOBAL OPTIONS")[0].strip().splitlines()]
    commands = [c for c in commands if c.split() and c.split()[0] not in ("init", "demo", "notify", "sweep", "fixtures", "import")]
    db_before = open(os.path.join(env["MES_HOME"], "mes.db"), "rb").read()
    codes = {}
    t = time.perf_counter()
    for _ in range(a.argv):
        args = rng.choice(commands).split()
        for _ in range(rng.randint(0, 6)):
            args.append(rng.choice(pool + ["--nir", "--code", "--card", "--serial", "--birth-date", "--session", "--json", "--bogus", "--yes"]))
        p = subprocess.run([MES] + args, env=env, capture_output=True, cwd=run)  # relative paths land in the run folder
        codes[p.returncode] = codes.get(p.returncode, 0) + 1
        check(p.returncode in DOCUMENTED, f"{args} -> {p.returncode} {p.stderr[-200:]}")
    print(f"hostile argv: {a.argv} runs in {time.perf_counter() - t:.1f} s, exit statuses {dict(sorted(codes.items()))}")
    path = os.path.join(run, "hostile.csv")
    with open(path, "wb") as f:
        f.write("\ufeffnir;date_naissance;type_carte;numero_serie;code;nom;prenom\n".encode())
        for i in range(a.csv_rows):
            fields = [rng.choice(pool).replace("\n", " ") for _ in range(7)]
            row = ";".join('"' + v.replace('"', '""') + '"' if (";" in v or '"' in v) else v for v in fields).encode()
            if i % 13 == 0:
                row += b"\xff\xfe"
            f.write(row + b"\n")
    t = time.perf_counter()
    p = subprocess.run([MES, "batch", "oppose", path, "--receipts", os.path.join(run, "rec-hostile"), "--quiet"], env=env, capture_output=True)
    check(p.returncode == 65, f"hostile CSV exited {p.returncode}")
    check(p.stdout.count(b"\n") == a.csv_rows + 1, "one line per hostile row")
    print(f"hostile CSV: {a.csv_rows} rows in {time.perf_counter() - t:.1f} s, exit {p.returncode}")
    changed = open(os.path.join(env["MES_HOME"], "mes.db"), "rb").read() != db_before
    # Wrong codes on known cards are the one thing recorded (lockout counters): compare the records instead of bytes.
    db = sqlite3.connect(os.path.join(env["MES_HOME"], "mes.db"))
    for table in ("decisions", "receipts", "outbox", "accounts"):
        check(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, f"hostile input wrote to {table}")
    print(f"hostile: store records unchanged (database bytes {'changed by lockout counters only' if changed else 'unchanged'})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--procs", type=int, default=8)
    ap.add_argument("--per-proc", type=int, default=5000)
    ap.add_argument("--rows", type=int, default=50000)
    ap.add_argument("--kills", type=int, default=50)
    ap.add_argument("--argv", type=int, default=5000)
    ap.add_argument("--csv-rows", type=int, default=200000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    subprocess.run(["swift", "build", "-c", "release", "-q"], cwd=ROOT, check=True)
    run = os.path.join(ROOT, "bench-out", time.strftime("soak-%Y%m%d-%H%M%S"))
    os.makedirs(run)
    concurrency(a, run)
    crashes(a, run)
    hostile(a, run)
    shutil.rmtree(run, ignore_errors=True)
    print("soak:", "FAILED" if failures else "all proofs held", f"({len(failures)} violations)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
