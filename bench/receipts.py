#!/usr/bin/env python3
"""Signed receipts side by side (issue 31): the batch of N members with their signed PDF
receipts, by two `mes` builds alternately, with the C yardstick `bench/files_syncfs.c` (N files
of 4,000 bytes, one syncfs) in the same rounds. Prints per run wall, user and system CPU and
peak RSS; then medians, the receipts' sizes (max, median, how many over 4,096 bytes) and
pdfsig's verdict on a sample.

Usage: python3 bench/receipts.py --old PATH/TO/mes --new PATH/TO/mes [--members 100000] [--runs 3] [--out bench-out]
Build the old one in another checkout (git worktree add /tmp/rcpt-base 56ea03c; swift build -c
release there), the new one here (swift build -c release). Each run files the same members into
a fresh store (the fixtures are made once, by the new build, and the store copied); nothing is
deleted until the end (ext4 creates files more slowly right after mass deletions).
"""
import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(cmd, env=None, stdout=subprocess.DEVNULL):
    """Runs cmd under /usr/bin/time; returns (wall s, user s, system s, peak RSS MB, exit status)."""
    t = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%U %S %M"] + cmd, env=env, stdout=stdout, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t
    user, system, rss = p.stderr.decode().strip().split("\n")[-1].split()
    return wall, float(user), float(system), int(rss) / 1024, p.returncode


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--old", required=True)
    ap.add_argument("--new", required=True)
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench-out"))
    a = ap.parse_args()
    run = os.path.join(a.out, time.strftime("receipts-%Y%m%d-%H%M%S"))
    os.makedirs(run)
    cloop = os.path.join(run, "files_syncfs")
    subprocess.run(["cc", "-O2", "-o", cloop, os.path.join(ROOT, "bench", "files_syncfs.c")], check=True)

    # The members, made once: the first N rows a batch with --legal-representative files.
    env = dict(os.environ, MES_NOW="2022-02-03T10:00:00Z", MES_HOME=os.path.join(run, "store"))
    members = os.path.join(run, "members.csv")
    subprocess.run([a.new, "fixtures", "--count", str(a.members * 2), "--seed", "bench", "--roster", os.path.join(run, "roster.csv"),
                    "--members", members], env=env, check=True, stdout=subprocess.DEVNULL)
    lines = open(members, encoding="utf-8-sig").read().split("\n")
    header = lines[0].split(";")
    s, r = header.index("expected_status"), header.index("expected_reason")
    rows = [l for l in lines[1:] if l and (l.split(";")[s] == "opposed" or l.split(";")[r] == "legal_representative_required")]
    assert len(rows) >= a.members, "too few filable members"
    with open(members, "w", encoding="utf-8") as f:
        f.write("\n".join([lines[0]] + rows[:a.members]) + "\n")

    results = {}
    for i in range(a.runs):
        order = [("old", a.old), ("new", a.new), ("C loop", None)]
        if i % 2:
            order = [order[1], order[0], order[2]]
        for label, mes in order:
            d = os.path.join(run, f"{label.replace(' ', '-')}-{i}")
            if mes is None:
                res = timed([cloop, d, str(a.members)])
            else:
                shutil.copytree(os.path.join(run, "store"), os.path.join(d, "store"))
                e = dict(env, MES_HOME=os.path.join(d, "store"))
                res = timed([mes, "batch", "oppose", members, "--receipts", os.path.join(d, "receipts"), "--legal-representative",
                             "--quiet"], e)
                if res[4] not in (0, 65):
                    sys.exit(f"{label}: batch exited with {res[4]}")
            results.setdefault(label, []).append(res)
            print(f"run {i + 1} {label:6} wall {res[0]:6.2f} s  user {res[1]:6.2f} s  sys {res[2]:6.2f} s  peak RSS {res[3]:5.0f} MB",
                  flush=True)

    print()
    med = {k: [statistics.median(r[j] for r in v) for j in range(4)] for k, v in results.items()}
    for k, (w, u, sy, m) in med.items():
        print(f"median {k:6}  wall {w:6.2f} s  user {u:6.2f} s  sys {sy:6.2f} s  peak RSS {m:5.0f} MB "
              f"(peak RSS max {max(r[3] for r in results[k]):.0f} MB)")
    c = med["C loop"][0]
    print(f"wall: new/old {med['new'][0] / med['old'][0]:.2f}, new/C loop {med['new'][0] / c:.2f}, old/C loop {med['old'][0] / c:.2f}; "
          f"user CPU new/old {med['new'][1] / med['old'][1]:.2f}")
    for label in ("old", "new"):
        folder = os.path.join(run, f"{label}-0", "receipts")
        names = [n for n in os.listdir(folder) if n.endswith(".pdf")]
        sizes = sorted(os.path.getsize(os.path.join(folder, n)) for n in names)
        over = sum(1 for x in sizes if x > 4096)
        sample = random.Random(1).sample(names, min(20, len(names)))
        valid = 0
        for n in sample:
            out = subprocess.run(["pdfsig", os.path.join(folder, n)], capture_output=True).stdout.decode()
            valid += "Signature is Valid." in out and "Total document signed" in out
        print(f"{label} receipts: {len(sizes):,} files, max {sizes[-1]:,} B, median {statistics.median(sizes):,.0f} B, "
              f"{over:,} over 4,096 B; pdfsig valid and whole: {valid}/{len(sample)}")
    shutil.rmtree(run, ignore_errors=True)


if __name__ == "__main__":
    main()
