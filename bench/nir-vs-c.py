#!/usr/bin/env python3
"""`mes nir check --json` beside a naive C validator (bench/nir_naive.c, built here with
gcc -O2) on the same mixed input: 1,000,000 lines, half valid and half invalid NIRs from
`mes nir generate`. Prints the CPU time (user + system) of each over --runs runs, alternating,
and the ratio of the medians (the goal: mes within 1.5x).

Usage: python3 bench/nir-vs-c.py [--mes .build/release/mes] [--lines 1000000] [--runs 5]
"""
import argparse
import os
import resource
import statistics
import subprocess
import tempfile


def cpu(cmd, stdin):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(stdin, "rb") as fin:
        subprocess.run(cmd, stdin=fin, stdout=subprocess.DEVNULL, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser()
    ap.add_argument("--mes", default=os.path.join(root, ".build", "release", "mes"))
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="nir-vs-c-")
    naive = os.path.join(work, "nir_naive")
    subprocess.run(["gcc", "-O2", "-o", naive, os.path.join(root, "bench", "nir_naive.c")], check=True)
    valid = subprocess.run([a.mes, "nir", "generate", "--count", str(a.lines // 2), "--seed", "c"], capture_output=True,
                           check=True).stdout.decode().split("\n")[:-1]
    invalid = subprocess.run([a.mes, "nir", "generate", "--invalid", "--count", str(a.lines - len(valid)), "--seed", "c"],
                             capture_output=True, check=True).stdout.decode().split("\n")[:-1]
    lines = [l for pair in zip(valid, [i.split("\t")[0] for i in invalid]) for l in pair]
    data = os.path.join(work, "nirs.txt")
    with open(data, "w") as f:
        f.write("\n".join(lines) + "\n")
    times = {"mes": [], "C": []}
    for i in range(a.runs):
        order = [("mes", [a.mes, "nir", "check", "--json"]), ("C", [naive])]
        for name, cmd in (order if i % 2 == 0 else order[::-1]):
            times[name].append(cpu(cmd, data))
    m, c = statistics.median(times["mes"]), statistics.median(times["C"])
    print(f"{len(lines):,} lines, CPU seconds over {a.runs} runs")
    print(f"mes nir check --json  median {m:.3f} s  ({', '.join(f'{t:.3f}' for t in times['mes'])})")
    print(f"naive C               median {c:.3f} s  ({', '.join(f'{t:.3f}' for t in times['C'])})")
    print(f"ratio mes/C {m / c:.2f}")


if __name__ == "__main__":
    main()
