#!/usr/bin/env python3
"""Benchmark of the association batch and the roster import (issue: batch opposition).

1. `mes fixtures` makes a 2N-person roster and the matching members CSV with codes, cut down
   to its first N rows expected `opposed` (default 100,000); `mes batch oppose` files all of
   them with PDF receipts. Prints wall time,
   rows/s and peak RSS.
2. `mes import` of a 1,000,000-person roster into an empty store: wall time and peak RSS.
3. Memory on 1,000,000 batch rows: a members file of 1,000,000 rows for people the store does
   not know (identity_mismatch: no receipt), to show that memory stays flat while streaming.

Usage: python3 bench/batch.py [--members 100000] [--roster 1000000] [--out bench-out] [--receipts DIR]
Runs in a fresh folder under --out (default bench-out/, ignored by git); builds mes in release mode.
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(cmd, env, stdout=subprocess.DEVNULL):
    """Runs cmd under /usr/bin/time; returns (seconds, peak RSS in MB, exit status)."""
    t = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, env=env, stdout=stdout, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t
    rss_kb = int(p.stderr.decode().strip().split("\n")[-1])
    return elapsed, rss_kb / 1024, p.returncode


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--roster", type=int, default=1_000_000)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench-out"))
    ap.add_argument("--receipts", help="directory for the receipts (e.g. on /dev/shm, to set the file system aside)")
    a = ap.parse_args()
    subprocess.run(["swift", "build", "-c", "release", "-q"], cwd=ROOT, check=True)
    mes = os.path.join(ROOT, ".build/release/mes")
    run = os.path.join(a.out, time.strftime("run-%Y%m%d-%H%M%S"))
    os.makedirs(run)
    env = dict(os.environ, MES_NOW="2022-02-03T10:00:00Z")

    # 1. Batch with receipts.
    env["MES_HOME"] = os.path.join(run, "store-batch")
    roster, members, receipts = (os.path.join(run, n) for n in ("roster.csv", "members.csv", "receipts"))
    if a.receipts:
        receipts = os.path.join(a.receipts, os.path.basename(run))
    t, rss, rc = timed([mes, "fixtures", "--count", str(a.members * 2), "--seed", "bench", "--roster", roster, "--members", members], env)
    assert rc == 0, "fixtures failed"
    print(f"fixtures (roster + members, {a.members * 2:,} people): {t:6.2f} s, peak RSS {rss:5.0f} MB")
    # The members the batch files (rows expected `opposed`), as many as asked.
    lines = open(members, encoding="utf-8-sig").read().splitlines()
    kept = [l for l in lines[1:] if l.split(";")[7:9] == ["opposed", ""]][:a.members]
    assert len(kept) == a.members, "too few opposable members"
    with open(members, "w", encoding="utf-8") as f:
        f.write("\n".join([lines[0]] + kept) + "\n")
    with open(os.path.join(run, "results.jsonl"), "wb") as out:
        t, rss, rc = timed([mes, "batch", "oppose", members, "--receipts", receipts, "--legal-representative", "--quiet"], env, out)
    n_files = len([f for f in os.listdir(receipts) if f.startswith("JO-") and f.endswith(".pdf")])
    summary = open(os.path.join(run, "results.jsonl"), "rb").read().rstrip().split(b"\n")[-1].decode()
    print(f"batch oppose {a.members:,} members:  {t:6.2f} s wall, {a.members / t:8,.0f} rows/s, peak RSS {rss:5.0f} MB,"
          f" {n_files:,} receipts (goal: < 10 s, < 200 MB)")
    print(f"  summary: {summary}")
    t2, rss2, rc = timed([mes, "batch", "oppose", members, "--receipts", receipts, "--quiet"], env)
    print(f"re-run of the same file:      {t2:6.2f} s wall (every row already_opposed), peak RSS {rss2:5.0f} MB")

    # 2. Roster import of a large roster.
    env["MES_HOME"] = os.path.join(run, "store-import")
    big = os.path.join(run, "roster-big.csv")
    t, rss, rc = timed([mes, "fixtures", "--count", str(a.roster), "--seed", "big", "--roster", big], env)
    subprocess.run([mes, "init"], env=env, check=True, stdout=subprocess.DEVNULL)
    t, rss, rc = timed([mes, "import", big], env)
    assert rc == 0, "import failed"
    print(f"import {a.roster:,} people:       {t:6.2f} s wall, {a.roster / t:8,.0f} rows/s, peak RSS {rss:5.0f} MB (goal: < 5 s)")

    # 3. Flat memory on 1,000,000 batch rows (people unknown to the store: no receipts).
    nirs = subprocess.run([mes, "nir", "generate", "--count", "1000000", "--seed", "flat"], capture_output=True, check=True).stdout.split(b"\n")[:-1]
    flat = os.path.join(run, "members-1m.csv")
    with open(flat, "wb") as f:
        f.write(b"\xef\xbb\xbfnir;date_naissance;type_carte;numero_serie;code;nom;prenom\n")
        for i, n in enumerate(nirs):
            f.write(n + b";01/02/1980;avec photo;%011d;AbCdEfGhIjKl;Nom;Prenom\n" % i)
    for rows in (100_000, 1_000_000):
        path = flat if rows == 1_000_000 else os.path.join(run, "members-100k.csv")
        if rows != 1_000_000:
            with open(flat, "rb") as src, open(path, "wb") as dst:
                for i, line in enumerate(src):
                    if i > rows:
                        break
                    dst.write(line)
        t, rss, rc = timed([mes, "batch", "oppose", path, "--receipts", os.path.join(run, "receipts-flat"), "--quiet"], env)
        print(f"batch of {rows:>9,} unknown members: {t:6.2f} s wall, peak RSS {rss:5.0f} MB")
    shutil.rmtree(run, ignore_errors=True)
    if a.receipts:
        shutil.rmtree(receipts, ignore_errors=True)


if __name__ == "__main__":
    main()
