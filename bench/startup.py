#!/usr/bin/env python3
"""Start-up of `mes` beside a Swift "hello" built here with -static-stdlib (issue 31).

Builds /tmp's hello world with `swiftc -O -static-stdlib`, makes a 1,000-person test store with
`mes init --test-clock` and `mes import` of a fixtures roster, then runs, alternating every
binary given with --mes (a base build and a branch, say) and the hello world, --runs times each:

  --version                                        no store
  nir check 1 16 30 44 038 016 18                  no store
  history --limit 1                                the 1,000-person store
  identify (a NIR the store does not hold)          the store; the code on standard input
  code generate --no-send (a NIR it does not hold)  the store

Each run is spawned by bench/spawn_time.c (built here with gcc), which times it and reads its
peak RSS from wait4. Prints each command's median and best wall time, the median and largest of its peak RSS, and the ratio
of the medians to the hello world's (goal: --version and nir check at most 1.5x; the store
commands at most 10 ms; --version at most 12 MiB).

Usage: python3 bench/startup.py --mes PATH [--mes PATH2] [--runs 60]
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timed import NOW  # noqa: E402


def run(launcher, cmd, env, stdin):
    """(wall seconds, peak RSS in KiB, exit status) of one run, spawned by bench/spawn_time.c."""
    out = subprocess.run([launcher, stdin] + cmd, env=env, stdout=subprocess.PIPE, check=True).stdout.split()
    return int(out[0]) / 1e6, int(out[1]), int(out[2])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mes", action="append", required=True, help="a mes binary (twice: side by side)")
    ap.add_argument("--runs", type=int, default=60)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="mes-startup-")
    hello_src = os.path.join(work, "hello.swift")
    with open(hello_src, "w") as f:
        f.write('print("hello")\n')
    hello = os.path.join(work, "hello")
    subprocess.run(["swiftc", "-O", "-static-stdlib", hello_src, "-o", hello], check=True)
    launcher = os.path.join(work, "spawn_time")
    subprocess.run(["gcc", "-O2", "-o", launcher, os.path.join(ROOT, "bench", "spawn_time.c")], check=True)
    code = os.path.join(work, "code.txt")
    with open(code, "w") as f:
        f.write("ABCDEF123456\n")
    mes0 = os.path.abspath(a.mes[0])
    store = os.path.join(work, "store")
    env = {"PATH": "/usr/bin:/bin", "MES_HOME": store, "MES_NOW": NOW, "LANG": "C.UTF-8"}
    subprocess.run([mes0, "init", "--test-clock"], env=env, check=True, stdout=subprocess.DEVNULL)
    roster = os.path.join(work, "roster.csv")
    subprocess.run([mes0, "fixtures", "--count", "1000", "--seed", "startup", "--roster", roster], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run([mes0, "import", roster], env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    unknown = "2 99 12 99 123 456 62"  # valid structure; no such person in the store
    commands = {
        "--version": (["--version"], "-"),
        "nir check": (["nir", "check", "1 16 30 44 038 016 18"], "-"),
        "history --limit 1": (["history", "--limit", "1"], "-"),
        "identify": (["identify", "--nir", unknown, "--card", "photo", "--serial", "12345678901", "--code-file", "-"], code),
        "code generate": (["code", "generate", "--nir", unknown, "--birth-date", "1999-12-01", "--card", "photo", "--serial", "12345678901", "--no-send"], "-"),
    }
    binaries = [("hello", hello)] + [(m, os.path.abspath(m)) for m in a.mes]
    walls = {(b, c): [] for b, _ in binaries for c in commands}
    rss = {(b, c): [] for b, _ in binaries for c in commands}
    for i in range(a.runs):
        order = binaries if i % 2 == 0 else binaries[::-1]
        for name, path in order:
            for c, (args, stdin) in commands.items():
                if name == "hello" and c != "--version":
                    continue
                t, m, _ = run(launcher, [path] + args, env, stdin)
                walls[(name, c)].append(t)
                rss[(name, c)].append(m)
    hello_median = statistics.median(walls[("hello", "--version")])
    load = os.getloadavg()
    print(f"{a.runs} runs each, alternating; load average {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f}; 2 cores"
          if os.cpu_count() == 2 else f"{a.runs} runs each, alternating; load average {load[0]:.1f}")
    hello_rss = rss[("hello", "--version")]
    print(f"hello (swiftc -O -static-stdlib): median {hello_median * 1000:.2f} ms, peak RSS median {statistics.median(hello_rss) / 1024:.1f} MiB")
    for name, _ in binaries[1:]:
        print(name)
        for c in commands:
            w = walls[(name, c)]
            med = statistics.median(w)
            print(f"  {c:<18} median {med * 1000:6.2f} ms (best {min(w) * 1000:6.2f}), {med / hello_median:4.2f}x hello, "
                  f"peak RSS median {statistics.median(rss[(name, c)]) / 1024:5.1f} MiB (max {max(rss[(name, c)]) / 1024:.1f})")


if __name__ == "__main__":
    main()
