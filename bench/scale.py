#!/usr/bin/env python3
"""National scale on one machine: a store of N people (default 10,000,000) beside a store of
1,000, measured with the same `mes` build. For each store it prints wall time and peak RSS of
`import`, `notify`, `sweep` (after the 6-week window), `history --limit 100` and
`outbox list --limit 100`, the rates of `notify` and `sweep`, and the p50/p99 latency of
`code generate`, `identify` and `oppose` over --samples people.

Usage: python3 bench/scale.py [--mes .build/release/mes] [--people 10000000] [--small 1000]
           [--samples 40] [--out bench-out]
Build first: swift build -c release. Disk: about 2.5 KB per person (the register, the
notification messages sealed in the store, the audit trail): 25 GB for 10,000,000.
The stores are left under --out (ignored by git); remove them when done.
"""
import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import time

NOW = "2022-02-03T10:00:00Z"
AFTER_WINDOW = "2022-03-20T10:00:00Z"


def run(mes, store, args, now=NOW, check=True):
    """Runs mes under /usr/bin/time: (seconds, peak RSS MB, exit status, stdout)."""
    env = dict(os.environ, MES_HOME=store, MES_NOW=now)
    t = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M", mes] + args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t
    err = p.stderr.decode(errors="replace").strip().split("\n")
    rss = int(err[-1]) / 1024 if err and err[-1].isdigit() else float("nan")
    if check and p.returncode not in (0, 65):
        sys.exit(f"mes {' '.join(args[:3])} failed ({p.returncode}): {' '.join(err[:-1])[:300]}")
    return elapsed, rss, p.returncode, p.stdout


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def sample_people(roster, count, seed):
    """Holders with an e-mail address (a code can reach them), chosen by reservoir sampling."""
    rng = random.Random(seed)
    chosen, seen = [], 0
    with open(roster, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["holder_birth_date"] or not row["email"] or row.get("deceased") or row.get("state"):
                continue
            seen += 1
            if len(chosen) < count:
                chosen.append(row)
            else:
                j = rng.randrange(seen)
                if j < count:
                    chosen[j] = row
    return chosen


def measure(mes, people, samples, out):
    store = os.path.join(out, f"scale-{people}")
    roster = os.path.join(out, f"roster-{people}.csv")
    os.makedirs(out, exist_ok=True)
    if os.path.exists(store):
        sys.exit(f"{store} exists: remove it or use another --out")
    r = {"people": people}
    run(mes, store, ["init", "--test-clock"])
    if not os.path.exists(roster):
        t, _, _, _ = run(mes, store, ["fixtures", "--count", str(people), "--seed", "scale", "--roster", roster])
        r["fixtures_s"] = t
    r["import"] = run(mes, store, ["import", roster, "--json"])[:2]
    t, rss, _, o = run(mes, store, ["notify", "--no-send", "--json"])
    wave = json.loads(o)
    r["notify"] = (t, rss)
    r["notified"] = wave["notified"]
    r["messages"] = wave["messages"]
    # Single commands on the notified register (people still pending).
    lat = {"code generate": [], "identify": [], "oppose": []}
    for i, p in enumerate(sample_people(roster, samples, people)):
        now = f"2022-02-04T10:{i // 60:02d}:{i % 60:02d}Z"
        card = ["--nir", p["nir"], "--card", p["card_type"], "--serial", p["serial"]]
        t, _, s, _ = run(mes, store, ["code", "generate", "--birth-date", p["birth_date"]] + card, now=now, check=False)
        if s != 0:
            continue
        lat["code generate"].append(t)
        code = json.loads(run(mes, store, ["outbox", "show", "last", "--json"], now=now)[3])["code"]
        t, _, s, o = run(mes, store, ["identify", "--json", "--code", code] + card, now=now, check=False)
        if s != 0:
            continue
        lat["identify"].append(t)
        token = json.loads(o)["session"]
        t, _, s, _ = run(mes, store, ["oppose", "--session", token, "--yes"], now=now, check=False)
        if s == 0:
            lat["oppose"].append(t)
    r["latency"] = {k: (percentile(v, 0.5), percentile(v, 0.99), len(v)) for k, v in lat.items() if v}
    t, rss, _, o = run(mes, store, ["sweep", "--json"], now=AFTER_WINDOW)
    r["sweep"] = (t, rss)
    r["created"] = json.loads(o)["created"]
    for name, args in [("history --limit 100", ["history", "--limit", "100", "--json"]),
                       ("outbox list --limit 100", ["outbox", "list", "--limit", "100", "--json"])]:
        t, rss, s, _ = run(mes, store, args, now=AFTER_WINDOW, check=False)
        r[name] = (t, rss) if s == 0 else None
    r["disk_mb"] = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(store) for f in fs) / 1e6
    return r


def main():
    ap = argparse.ArgumentParser()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--mes", default=os.path.join(root, ".build", "release", "mes"))
    ap.add_argument("--people", type=int, default=10_000_000)
    ap.add_argument("--small", type=int, default=1_000)
    ap.add_argument("--samples", type=int, default=40)
    ap.add_argument("--out", default=os.path.join(root, "bench-out", time.strftime("scale-%Y%m%d-%H%M%S")))
    a = ap.parse_args()
    results = [measure(a.mes, n, a.samples, a.out) for n in (a.small, a.people)]
    small, big = results
    print(f"{'':28}{small['people']:>22,}{big['people']:>22,}")
    for key in ["import", "notify", "sweep", "history --limit 100", "outbox list --limit 100"]:
        cells = [f"{r[key][0]:8.2f} s {r[key][1]:7.0f} MB" if r.get(key) else "n/a" for r in results]
        print(f"{key:28}{cells[0]:>22}{cells[1]:>22}")
    for r in results:
        r["notify_rate"] = r["notified"] / r["notify"][0]
        r["sweep_rate"] = r["created"] / r["sweep"][0]
    print(f"{'notify (profiles/s)':28}{small['notify_rate']:>22,.0f}{big['notify_rate']:>22,.0f}")
    print(f"{'  messages':28}{small['messages']:>22,}{big['messages']:>22,}")
    print(f"{'sweep (profiles/s)':28}{small['sweep_rate']:>22,.0f}{big['sweep_rate']:>22,.0f}")
    for k in ["code generate", "identify", "oppose"]:
        cells = [f"p50 {r['latency'][k][0] * 1000:5.0f} ms p99 {r['latency'][k][1] * 1000:5.0f} ms" if k in r["latency"] else "n/a"
                 for r in results]
        print(f"{k:28}{cells[0]:>22}{cells[1]:>22}")
    print(f"{'store on disk (MB)':28}{small['disk_mb']:>22,.0f}{big['disk_mb']:>22,.0f}")
    print(f"stores under {a.out}")


if __name__ == "__main__":
    main()
