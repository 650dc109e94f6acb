#!/usr/bin/env python3
"""Side-by-side benchmark of two `mes` builds in the same run, alternating: the batch of N
members with their PDF receipts on disk, the import of M people into an empty store, and
`nir check --json` on K lines. Prints wall time and peak RSS for each run and the medians.

Usage: python3 bench/compare.py --old PATH/TO/mes --new PATH/TO/mes
           [--members 100000] [--roster 1000000] [--nirs 1000000] [--runs 3] [--out bench-out]
Build the old one from another checkout (git worktree add ../old REV; swift build -c release
there) and the new one here (swift build -c release). Runs in a fresh folder under --out
(ignored by git), never deleting in between (ext4 file creation slows right after mass
deletions). The roster, members and NIR files are made once, by the new build.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time


def timed(cmd, env, stdin=None):
    """Runs cmd under /usr/bin/time; returns (seconds, peak RSS in MB, exit status)."""
    t = time.perf_counter()
    with open(stdin or os.devnull, "rb") as fin:
        p = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, env=env, stdin=fin, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t
    rss_kb = int(p.stderr.decode().strip().split("\n")[-1])
    return elapsed, rss_kb / 1024, p.returncode


def keep_filable(path, count):
    """Cuts a members file to its first `count` rows a batch with --legal-representative files."""
    with open(path, encoding="utf-8-sig") as f:
        lines = f.read().split("\n")
    header = lines[0].split(";")
    if "expected_status" not in header:
        rows = [l for l in lines[1:] if l]
    else:
        s, r = header.index("expected_status"), header.index("expected_reason")
        rows = [l for l in lines[1:] if l and (l.split(";")[s] == "opposed" or l.split(";")[r] == "legal_representative_required")]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join([lines[0]] + rows[:count]) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--old", required=True)
    ap.add_argument("--new", required=True)
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--roster", type=int, default=1_000_000)
    ap.add_argument("--nirs", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench-out"))
    a = ap.parse_args()
    run = os.path.join(a.out, time.strftime("compare-%Y%m%d-%H%M%S"))
    os.makedirs(run)
    base = dict(os.environ)
    base.pop("MES_NOW", None)
    # Inputs, made once.
    roster, nirs = os.path.join(run, "roster.csv"), os.path.join(run, "nirs.txt")
    subprocess.run([a.new, "fixtures", "--count", str(a.roster), "--seed", "cmp", "--roster", roster], env=base, check=True,
                   stdout=subprocess.DEVNULL)
    valid = subprocess.run([a.new, "nir", "generate", "--count", str(a.nirs // 2), "--seed", "cmp"], capture_output=True,
                           check=True).stdout.decode().split("\n")[:-1]
    invalid = subprocess.run([a.new, "nir", "generate", "--invalid", "--count", str(a.nirs - len(valid)), "--seed", "cmp"],
                             capture_output=True, check=True).stdout.decode().split("\n")[:-1]
    with open(nirs, "w") as f:
        f.write("\n".join(valid + [l.split("\t")[0] for l in invalid]) + "\n")
    results = {}
    for i in range(a.runs):
        for label, mes in (("old", a.old), ("new", a.new)) if i % 2 == 0 else (("new", a.new), ("old", a.old)):
            d = os.path.join(run, f"{label}-{i}")
            os.makedirs(d)
            env = dict(base, MES_NOW="2022-02-03T10:00:00Z", MES_HOME=os.path.join(d, "store-batch"))
            members = os.path.join(d, "members.csv")
            # Builds since the fixtures change write a mixed population with an expected outcome per
            # row: keep the rows this batch files (adults, and minors under --legal-representative),
            # as many as the older builds' all-filable files, so that both file the same work.
            subprocess.run([mes, "fixtures", "--count", str(a.members * 2), "--seed", "cmp", "--roster", os.path.join(d, "r.csv"),
                            "--members", members], env=env, check=True, stdout=subprocess.DEVNULL)
            keep_filable(members, a.members)
            batch = timed([mes, "batch", "oppose", members, "--receipts", os.path.join(d, "receipts"), "--legal-representative",
                           "--quiet"], env)
            env_imp = dict(base, MES_HOME=os.path.join(d, "store-import"))
            subprocess.run([mes, "init"], env=env_imp, check=True, stdout=subprocess.DEVNULL)
            imp = timed([mes, "import", roster], env_imp)
            nir = timed([mes, "nir", "check", "--json"], base, stdin=nirs)
            for name, r in (("batch", batch), ("import", imp), ("nir check", nir)):
                if r[2] not in (0, 65):
                    sys.exit(f"{label} {name} exited with {r[2]}")
                results.setdefault((label, name), []).append(r)
                print(f"run {i + 1} {label:3} {name:9} {r[0]:7.2f} s  {r[1]:6.0f} MB", flush=True)
    print()
    for name in ("batch", "import", "nir check"):
        o = statistics.median(r[0] for r in results[("old", name)])
        n = statistics.median(r[0] for r in results[("new", name)])
        print(f"{name:9}  old {o:6.2f} s   new {n:6.2f} s   new/old {n / o:5.2f}   "
              f"(runs old {', '.join(f'{r[0]:.2f}' for r in results[('old', name)])}; new {', '.join(f'{r[0]:.2f}' for r in results[('new', name)])})")


if __name__ == "__main__":
    main()
