#!/usr/bin/env python3
"""`mes notify` side by side: two (or more) builds, alternating, each on a fresh store of the
same N people (default 10,000,000, from `mes fixtures --seed scale`, as bench/scale.py makes
them). For each run: `import` time, then `notify --no-send` wall time, peak RSS and profiles
per second. The stores are removed after each run (about 25 GB each at 10,000,000).

Usage: python3 bench/notify.py --mes OLD --mes NEW [--people 10000000] [--rounds 2]
           [--out bench-out/notify-…]
e.g. build the previous commit in a worktree (git worktree add ../base 2fa2707 && cd ../base
&& swift build -c release) and pass both binaries.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import time

from timed import run


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser()
    ap.add_argument("--mes", action="append", required=True, help="a build to measure (give two or more)")
    ap.add_argument("--people", type=int, default=10_000_000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--out", default=os.path.join(root, "bench-out", time.strftime("notify-%Y%m%d-%H%M%S")))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    roster = os.path.join(a.out, f"roster-{a.people}.csv")
    if not os.path.exists(roster):
        scratch = os.path.join(a.out, "fixtures-store")
        run(a.mes[0], scratch, ["init", "--test-clock"])
        run(a.mes[0], scratch, ["fixtures", "--count", str(a.people), "--seed", "scale", "--roster", roster])
        shutil.rmtree(scratch)
    results = {m: [] for m in a.mes}
    for r in range(a.rounds):
        order = a.mes if r % 2 == 0 else list(reversed(a.mes))
        for mes in order:
            store = os.path.join(a.out, "store")
            shutil.rmtree(store, ignore_errors=True)
            run(mes, store, ["init", "--test-clock"])
            ti, _, _ = run(mes, store, ["import", roster])
            t, rss, out = run(mes, store, ["notify", "--no-send", "--json"])
            notified = json.loads(out)["notified"]
            results[mes].append((t, rss, notified / t))
            print(f"round {r + 1} {mes}: import {ti:.1f} s, notify {t:.1f} s, {rss:.0f} MB, {notified / t:,.0f} profiles/s "
                  f"({notified:,} profiles)", flush=True)
            shutil.rmtree(store)
            time.sleep(30)  # ext4 creates files slowly right after a mass deletion
    for mes, rs in results.items():
        print(f"{mes}: median {statistics.median(x[2] for x in rs):,.0f} profiles/s, peak RSS {max(x[1] for x in rs):.0f} MB")


if __name__ == "__main__":
    main()
