#!/usr/bin/env python3
"""Letters at scale: a store of N people with a postal address and no e-mail (default
1,000,000), notified by letter, then `mes outbox letters --pdf` (every letter into one
print-ready PDF) and `--posted` (their windows start). Prints wall time and peak RSS of each
step, the PDF's size and pages, and, with --check, how long `qpdf --check` takes on it and
whether `pdftotext -layout` finds every address block.

Usage: python3 bench/letters.py [--mes .build/release/mes] [--people 1000000] [--check]
           [--out bench-out/letters-…]
Build first: swift build -c release. Disk: about 1.2 KB per person in the store and 2.2 KB
per letter in the PDF. The store and the PDF are left under --out (ignored by git).
"""
import argparse
import os
import re
import subprocess
import time

from timed import run
TOWNS = [("75011", "Paris", "PARIS"), ("13001", "Marseille", "MARSEILLE"), ("97400", "Saint-Denis", "SAINT DENIS"),
         ("20000", "Ajaccio", "AJACCIO"), ("29200", "Brest", "BREST"), ("67000", "Strasbourg", "STRASBOURG"),
         ("69003", "Lyon", "LYON"), ("59800", "Lille", "LILLE"), ("06300", "Nice", "NICE"), ("44000", "Nantes", "NANTES")]


def nir(i):
    """A valid NIR for person i (unique for i < 18,791,190), with its birth year and month."""
    order, commune, dept = 1 + i % 999, 1 + (i // 999) % 990, 1 + (i // (999 * 990)) % 19  # departments 01-19
    sex, year, month = 1 + i % 2, 40 + i % 60, 1 + i % 12
    body = int(f"{sex}{year:02d}{month:02d}{dept:02d}{commune:03d}{order:03d}")
    return f"{body}{97 - body % 97:02d}", year, month


def roster(path, people):
    with open(path, "w", encoding="utf-8") as f:
        f.write("nir,birth_date,first_name,last_name,card_type,serial,address\n")
        for k in range(people):
            n, year, month = nir(k)
            town = TOWNS[k % len(TOWNS)]
            f.write(f'{n},15/{month:02d}/19{year:02d},P{k},Nom,plain,{10_000_000 + k},"{k % 200 + 1} rue de l\'Église, {town[0]} {town[1]}"\n')


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser()
    ap.add_argument("--mes", default=os.path.join(root, ".build", "release", "mes"))
    ap.add_argument("--people", type=int, default=1_000_000)
    ap.add_argument("--check", action="store_true", help="run qpdf --check and pdftotext -layout on the PDF")
    ap.add_argument("--out", default=os.path.join(root, "bench-out", time.strftime("letters-%Y%m%d-%H%M%S")))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    store, csv, pdf = (os.path.join(a.out, x) for x in ("store", "roster.csv", "lettres.pdf"))
    roster(csv, a.people)
    rows = []
    for name, args in [("init", ["init", "--test-clock"]), ("import", ["import", csv]),
                       ("notify --no-send", ["notify", "--no-send"]),
                       ("outbox letters --pdf", ["outbox", "letters", "--pdf", pdf]),
                       ("outbox letters --posted", ["outbox", "letters", "--posted", pdf])]:
        t, rss, _ = run(a.mes, store, args)
        rows.append((name, t, rss))
    for name, t, rss in rows[1:]:
        print(f"{name:26} {t:8.2f} s {rss:7.0f} MB")
    pages = subprocess.run(["pdfinfo", pdf], stdout=subprocess.PIPE).stdout.decode()
    pages = re.search(r"Pages:\s+(\d+)", pages)
    print(f"{'PDF':26} {os.path.getsize(pdf) / 1e6:8.1f} MB, {pages.group(1) if pages else '?'} pages, "
          f"{rows[3][1] / a.people * 1e6:.0f} µs a letter")
    if a.check:
        t = time.perf_counter()
        q = subprocess.run(["qpdf", "--check", pdf], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        print(f"{'qpdf --check':26} {time.perf_counter() - t:8.2f} s, exit {q.returncode}")
        t = time.perf_counter()
        text = subprocess.run(["pdftotext", "-layout", pdf, "-"], stdout=subprocess.PIPE).stdout.decode()
        lines = [x.strip() for x in text.split("\n")]
        found = set()
        for n, line in enumerate(lines[:-2]):
            m = re.fullmatch(r"P(\d+) Nom", line)
            if m:
                k = int(m.group(1))
                town = TOWNS[k % len(TOWNS)]
                if lines[n + 1] == f"{k % 200 + 1} rue de l'Église" and lines[n + 2] == f"{town[0]} {town[2]}":
                    found.add(k)
        print(f"{'pdftotext -layout':26} {time.perf_counter() - t:8.2f} s, {len(found):,} of {a.people:,} address blocks found")
    print(f"store and PDF under {a.out}")


if __name__ == "__main__":
    main()
