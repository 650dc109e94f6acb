#!/usr/bin/env python3
"""Build Fixtures/nir-stdnum-corpus.jsonl: NIR-like inputs labelled by python-stdnum.

Each line: {"input": ..., "stdnum": bool, "stdnum_nodash": bool}
  stdnum         stdnum.fr.nir.is_valid(input)  (an exception other than
                 ValidationError counts as not valid)
  stdnum_nodash  the same with '-' removed: `mes` accepts dashes as separators.
Deterministic: the same seed gives the same file. No input holds '\\n' or '\\r'
(the corpus is fed to `mes nir check` one input per line).

Usage: python3 scripts/make_stdnum_corpus.py [--count 24000] [--seed 2026] [-o FILE]
"""
import argparse
import json
import random

from stdnum.fr import nir


def verdict(text):
    try:
        return bool(nir.is_valid(text))
    except Exception:
        return False


def key(body13):
    b = body13.upper()
    if b[5:7] == "2A":
        b = b[:5] + "19" + b[7:]
    elif b[5:7] == "2B":
        b = b[:5] + "18" + b[7:]
    return "%02d" % (97 - int(b) % 97)


def body(r):
    sex = r.choice("1111122222345678" + "09")
    year = "%02d" % r.randrange(100)
    month = r.choice(["%02d" % r.randint(1, 12)] * 6 + ["00", "13", "20", "35", "42", "45", "50", "99"])
    dep = r.choice(["%02d" % r.randint(1, 95)] * 8 + ["2A", "2B", "2a", "2b", "00", "96", "97", "98", "99", "20"])
    if dep in ("97", "98"):
        place = dep + str(r.randint(0, 9)) + "%02d" % r.randrange(100)
    else:
        place = dep + "%03d" % r.randrange(1000)
    order = "%03d" % r.randrange(1000)
    return sex + year + month + place + order


SPACES = [" ", "  ", ".", "\u00a0", "\u2009", "\u202f", "\u3000", "\u00b7", "\u2022", "-", "\t", "_", "/"]
STRIP = ["\t", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\u2028", "\u2029", " ", "\u00a0"]
FULLWIDTH = {str(d): chr(0xFF10 + d) for d in range(10)}
MATH = {str(d): chr(0x1D7CE + d) for d in range(10)}


def grouped(n, sep):
    parts = [n[:1], n[1:3], n[3:5], n[5:7], n[7:10], n[10:13], n[13:]]
    return sep.join(parts)


def variant(r, n):
    k = r.randrange(14)
    if k == 0:
        return grouped(n, r.choice(SPACES))
    if k == 1:
        return r.choice(STRIP) + n + r.choice(STRIP)
    if k == 2:
        return "".join(FULLWIDTH.get(c, c) if r.random() < 0.3 else c for c in n)
    if k == 3:
        return "".join(MATH.get(c, c) if r.random() < 0.2 else c for c in n)
    if k == 4:
        i = r.randrange(len(n) + 1)
        return n[:i] + r.choice(SPACES) + n[i:]
    if k == 5:
        return n.lower()
    if k == 6:
        return grouped(n, " ").replace(" ", r.choice([" .", ". ", "  "]))
    if k == 7:
        i = r.randrange(len(n))
        return n[:i] + r.choice("ABCabcxZ\u00e9\u0662\u0966") + n[i + 1:]
    if k == 8:
        return n[: r.randrange(len(n))]
    if k == 9:
        return n + r.choice("0123456789 .A")
    if k == 10:
        i = r.randrange(13)
        return n[:i] + str((int(n[i]) + r.randint(1, 9)) % 10) + n[i + 1:] if n[i].isdigit() else n
    if k == 11:
        return n[:13] + "%02d" % r.randrange(100)
    if k == 12:
        return r.choice(["", " ", ".", "\t", "2A", "x" * r.randint(1, 40), "' OR 1=1 --", "\U0001F600" * 3,
                         "1" * r.randint(1, 30), "\x00" + n, n + "\x00", "null", "NaN", "0" * 15])
    return n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=24000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("-o", "--output", default="Fixtures/nir-stdnum-corpus.jsonl")
    a = ap.parse_args()
    r = random.Random(a.seed)
    seen = set()
    rows = []
    while len(rows) < a.count:
        b = body(r)
        n = b + key(b)
        text = n if r.random() < 0.25 else variant(r, n)
        if "\n" in text or "\r" in text or text in seen:
            continue
        seen.add(text)
        rows.append({"input": text, "stdnum": verdict(text), "stdnum_nodash": verdict(text.replace("-", ""))})
    with open(a.output, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=True) + "\n")
    valid = sum(r["stdnum"] for r in rows)
    print(f"{len(rows)} inputs, {valid} valid for stdnum, {len(rows) - valid} invalid -> {a.output}")


if __name__ == "__main__":
    main()
