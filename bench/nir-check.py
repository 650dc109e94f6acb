#!/usr/bin/env python3
"""Benchmark: 1,000,000 NIRs through `mes nir check --json` and through the
equivalent python-stdnum loop (bench/stdnum_check.py), in the same run, whole
process, stdin to stdout. Prints both throughputs and the ratio.

Usage: python3 bench/nir-check.py [--count 1000000] [--runs 3]
Needs: pip install python-stdnum; builds mes in release mode first.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(cmd, stdin_path):
    with open(stdin_path, "rb") as fin, open(os.devnull, "wb") as fout:
        t = time.perf_counter()
        p = subprocess.run(cmd, stdin=fin, stdout=fout)
        elapsed = time.perf_counter() - t
    if p.returncode not in (0, 65):
        sys.exit(f"{cmd[0]} failed with {p.returncode}")
    return elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    subprocess.run(["swift", "build", "-c", "release", "-q"], cwd=ROOT, check=True)
    mes = os.path.join(ROOT, ".build/release/mes")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "nirs.txt")
        # 90% valid, 10% invalid of every kind, grouped and compact forms.
        valid = subprocess.run([mes, "nir", "generate", "--count", str(a.count * 9 // 10), "--seed", "bench"],
                               capture_output=True, check=True).stdout.decode().split("\n")[:-1]
        invalid = subprocess.run([mes, "nir", "generate", "--invalid", "--count", str(a.count - len(valid)), "--seed", "bench"],
                                 capture_output=True, check=True).stdout.decode().split("\n")[:-1]
        lines = valid + [l.split("\t")[0] for l in invalid]
        lines = [" ".join([l[:1], l[1:3], l[3:5], l[5:7], l[7:10], l[10:13], l[13:]]) if i % 2 else l
                 for i, l in enumerate(lines)]
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        mes_t = min(timed([mes, "nir", "check", "--json"], path) for _ in range(a.runs))
        py_t = timed([sys.executable, os.path.join(ROOT, "bench/stdnum_check.py")], path)
    n = len(lines)
    print(f"inputs:              {n:,} NIRs (90% valid, half grouped with spaces)")
    print(f"mes nir check --json: {mes_t:8.3f} s  {n / mes_t:12,.0f} NIRs/s  (best of {a.runs})")
    print(f"python-stdnum loop:   {py_t:8.3f} s  {n / py_t:12,.0f} NIRs/s")
    print(f"ratio:                {py_t / mes_t:8.1f}x  (goal: 50x)")


if __name__ == "__main__":
    main()
