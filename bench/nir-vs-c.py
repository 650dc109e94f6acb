#!/usr/bin/env python3
"""`mes nir check --json` beside a naive C validator (bench/nir_naive.c, built here with
gcc -O2) on the same input, for several mixes of 1,000,000 lines (issue 31: the slowest mix
close to the C loop):

  half       half valid, half invalid NIRs from `mes nir generate` (the original mix)
  valid      95 % valid
  invalid    95 % invalid (every reason)
  formatted  valid NIRs written with spaces, dots and dashes, as people type them
  cases      Corsica, temporary and pseudo-month NIRs (`nir generate --case`)
  garbage    long garbage lines (50 to 400 printable characters) among valid NIRs

Prints the CPU time (user + system) of each over --runs runs, alternating, and the ratio of the
medians per mix.

Usage: python3 bench/nir-vs-c.py [--mes .build/release/mes] [--lines 1000000] [--runs 5] [--mix NAME ...]
"""
import argparse
import os
import random
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
    ap.add_argument("--mix", action="append", help="a mix to run (repeatable; default: all)")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="nir-vs-c-")
    naive = os.path.join(work, "nir_naive")
    subprocess.run(["gcc", "-O2", "-o", naive, os.path.join(root, "bench", "nir_naive.c")], check=True)
    def generate(*args):
        out = subprocess.run([a.mes, "nir", "generate", *args, "--seed", "c"], capture_output=True, check=True).stdout.decode()
        return [l.split("\t")[0] for l in out.split("\n")[:-1]]

    n = a.lines
    rng = random.Random(31)
    valid = generate("--count", str(n))
    invalid = generate("--invalid", "--count", str(n))

    def formatted(nir):
        sep = rng.choice([" ", ".", "-", " "])
        parts = [nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13], nir[13:15]]
        return sep.join(parts) if rng.random() < 0.8 else " ".join(parts[:3]) + "." + ".".join(parts[3:])

    def garbage():
        return "".join(chr(rng.randrange(33, 127)) for _ in range(rng.randrange(50, 401)))

    cases = []
    for case in ["corsica", "temporary", "pseudo-month"]:
        cases += generate("--case", case, "--count", str(n // 3 + 1))
    mixes = {
        "half": [l for pair in zip(valid[: n // 2], invalid[: n - n // 2]) for l in pair],
        "valid": [invalid[i] if i % 20 == 0 else valid[i] for i in range(n)],
        "invalid": [valid[i] if i % 20 == 0 else invalid[i] for i in range(n)],
        "formatted": [formatted(v) for v in valid],
        "cases": cases[:n],
        "garbage": [garbage() if i % 4 == 0 else valid[i] for i in range(n)],
    }
    chosen = a.mix or list(mixes)
    print(f"{n:,} lines per mix, CPU seconds (user + system), median of {a.runs} runs alternating")
    print(f"{'mix':<10} {'mes':>8} {'C':>8} {'mes/C':>6}")
    for name in chosen:
        data = os.path.join(work, name + ".txt")
        with open(data, "w", encoding="utf-8") as f:
            f.write("\n".join(mixes[name]) + "\n")
        times = {"mes": [], "C": []}
        for i in range(a.runs):
            order = [("mes", [a.mes, "nir", "check", "--json"]), ("C", [naive])]
            for who, cmd in (order if i % 2 == 0 else order[::-1]):
                times[who].append(cpu(cmd, data))
        m, c = statistics.median(times["mes"]), statistics.median(times["C"])
        print(f"{name:<10} {m:8.3f} {c:8.3f} {m / c:6.2f}")


if __name__ == "__main__":
    main()
