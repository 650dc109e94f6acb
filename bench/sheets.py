#!/usr/bin/env python3
"""Benchmark of reading members from a spreadsheet against the same rows as CSV (issue 32).

1. `mes fixtures` makes the members file of N members (default 100,000), with the association's
   French headers; LibreOffice Calc (headless) saves the same rows as .xlsx and as .ods, as a
   volunteer's spreadsheet would be. `mes batch oppose FILE --check` reads and checks every row
   of each (no store write, no receipt: the cost of reading; every column imported as text, as
   a volunteer formats a NIR or serial column), alternating CSV, .xlsx and .ods
   runs; then a real `batch oppose` of the CSV and of the .xlsx, each on a fresh copy of the
   store. Prints wall time and peak RSS, and the .xlsx / CSV ratio (goal: at most 1.5).
2. A 1,000,000-row .xlsx (written here with Python's zipfile, one shared-string table as Excel
   writes it): what `--check` does with it (reads it within the limits, or refuses it with a
   clear error), its time and peak RSS.

Usage: python3 bench/sheets.py [--members 100000] [--runs 3] [--out bench-out] [--mes PATH [--mes PATH2]] [--check-only]
Runs in a fresh folder under --out (default bench-out/, ignored by git); builds mes in release
mode unless --mes names a binary. Given --mes twice (say a base commit's build and a branch's),
the --check runs alternate both binaries as well as the three files, and each is reported:
median (and best) wall time, median user CPU time, peak RSS, with the load average before and
after (on a machine busy with other work, the best runs are the ones least disturbed).
--check-only leaves out the whole batches and the 1,000,000-row file.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timed import NOW  # noqa: E402

HEADER = "N° de sécurité sociale;Date de naissance;Type de carte Vitale;N° de série;Code provisoire;Nom;Prénom"


def timed(cmd, env, cpu=False):
    """(seconds, peak RSS MB, exit status, stderr's last lines) of cmd under /usr/bin/time;
    with cpu, the user CPU seconds after them."""
    t = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%U %M"] + cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t
    lines = p.stderr.decode(errors="replace").strip().split("\n")
    user, rss = lines[-1].split()
    result = (elapsed, int(rss) / 1024, p.returncode, " ".join(lines[:-1])[-300:])
    return result + (float(user),) if cpu else result


def load():
    """The load averages over 1, 5 and 15 minutes."""
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def soffice(src, fmt, outdir, profile):
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--infilter=CSV:59,34,76,1,1/2/2/2/3/2/4/2/5/2/6/2/7/2",
                    "--convert-to", fmt, "--outdir", outdir, src], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return os.path.join(outdir, os.path.splitext(os.path.basename(src))[0] + "." + fmt)


def million_row_xlsx(path, rows):
    """A one-sheet .xlsx of `rows` member rows, shared strings as Excel writes them."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                   '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                   '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                   'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Membres" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                   '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
        shared = ["nir", "date_naissance", "type_carte", "numero_serie", "code", "sans photo"]
        z.writestr("xl/sharedStrings.xml", '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                   + "".join(f"<si><t>{s}</t></si>" for s in shared) + "</sst>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            f.write(b'<row r="1">' + b"".join(f'<c r="{c}1" t="s"><v>{i}</v></c>'.encode() for i, c in enumerate("ABCDE")) + b"</row>")
            for r in range(2, rows + 2):
                nir = 100000000000000 + r * 97
                f.write(f'<row r="{r}"><c r="A{r}"><v>{nir}</v></c><c r="B{r}" t="inlineStr"><is><t>01/01/1980</t></is></c>'
                        f'<c r="C{r}" t="s"><v>5</v></c><c r="D{r}" t="inlineStr"><is><t>{10000000 + r}</t></is></c>'
                        f'<c r="E{r}" t="inlineStr"><is><t>AAAAAAAAAAAA</t></is></c></row>'.encode())
            f.write(b"</sheetData></worksheet>")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench-out"))
    ap.add_argument("--mes", action="append", help="a binary to measure (default: a release build of this tree); twice to compare two")
    ap.add_argument("--check-only", action="store_true", help="only the --check runs: no whole batch, no 1,000,000-row file")
    a = ap.parse_args()
    if not shutil.which("soffice"):
        sys.exit("LibreOffice (soffice) is needed to write the spreadsheets: apt-get install libreoffice-calc-nogui")
    binaries = [os.path.abspath(m) for m in a.mes or []]
    if not binaries:
        subprocess.run(["swift", "build", "-c", "release", "-q"], cwd=ROOT, check=True)
        binaries = [os.path.join(ROOT, ".build/release/mes")]
    mes = binaries[-1]
    run = os.path.join(a.out, time.strftime("sheets-%Y%m%d-%H%M%S"))
    os.makedirs(run)
    env = dict(os.environ, MES_NOW=NOW, MES_HOME=os.path.join(run, "store"))
    subprocess.run([mes, "init", "--test-clock"], env=env, check=True, stdout=subprocess.DEVNULL)

    # 1. The same members as CSV, .xlsx and .ods.
    roster, members = os.path.join(run, "roster.csv"), os.path.join(run, "membres.csv")
    t, rss, rc, err = timed([mes, "fixtures", "--count", str(a.members * 2), "--seed", "sheets", "--roster", roster, "--members", members], env)
    assert rc == 0, err
    lines = open(members, encoding="utf-8-sig").read().splitlines()
    kept = [";".join(l.split(";")[:7]) for l in lines[1:] if l.split(";")[7:9] == ["opposed", ""]][:a.members]
    assert len(kept) == a.members, "too few opposable members"
    with open(members, "w", encoding="utf-8") as f:
        f.write("\n".join([HEADER] + kept) + "\n")
    profile = os.path.join(run, "lo-profile")
    t0 = time.perf_counter()
    xlsx = soffice(members, "xlsx", run, profile)
    ods = soffice(members, "ods", run, profile)
    sizes = {p: os.path.getsize(p) for p in (members, xlsx, ods)}
    print(f"{a.members:,} members: CSV {sizes[members] / 1e6:.1f} MB, .xlsx {sizes[xlsx] / 1e6:.1f} MB, .ods {sizes[ods] / 1e6:.1f} MB"
          f" (LibreOffice wrote both in {time.perf_counter() - t0:.0f} s)")

    files = ((members, "CSV  "), (xlsx, ".xlsx"), (ods, ".ods "))
    runs = {(m, f): [] for m in binaries for f, _ in files}
    before = load()
    for _ in range(a.runs):
        for m in binaries:  # alternated, so that a noisy moment hits every binary and file
            for f, _ in files:
                t, rss, rc, err, user = timed([m, "batch", "oppose", f, "--check", "--quiet"], env, cpu=True)
                assert rc == 0, f"{m} {f}: {rc} {err}"
                runs[m, f].append((t, user, rss))
    print(f"load average (1/5/15 min) before: {before}, after: {load()}; {os.cpu_count()} cores")
    for m in binaries:
        if len(binaries) > 1:
            print(m)
        med = {}
        for f, name in files:
            walls, users, rsss = zip(*runs[m, f])
            med[f] = statistics.median(walls)
            print(f"--check {name}: wall median {med[f]:6.3f} s (best {min(walls):.3f}) of {', '.join(f'{x:.3f}' for x in walls)}; "
                  f"user CPU median {statistics.median(users):6.3f} s; peak RSS {max(rsss):5.0f} MB")
        best = {f: min(w for w, _, _ in runs[m, f]) for f, _ in files}
        print(f"wall ratio .xlsx / CSV: {med[xlsx] / med[members]:.2f} (goal: at most 1.5; best runs {best[xlsx] / best[members]:.2f}); "
              f".ods / CSV: {med[ods] / med[members]:.2f} (best runs {best[ods] / best[members]:.2f})")
    if a.check_only:
        return

    # A real batch of each, on a fresh copy of the store (receipts written and signed).
    base = env["MES_HOME"]
    for f, name in ((members, "CSV"), (xlsx, ".xlsx")):
        copy = base + "-" + name.strip(".")
        shutil.copytree(base, copy)
        t, rss, rc, err = timed([mes, "batch", "oppose", f, "--receipts", os.path.join(run, "recus-" + name.strip(".")), "--quiet"],
                                dict(env, MES_HOME=copy))
        assert rc == 0, f"{f}: {rc} {err}"
        print(f"batch oppose {name:5}: {t:6.2f} s wall, peak RSS {rss:5.0f} MB")

    # 2. A 1,000,000-row .xlsx.
    big = os.path.join(run, "million.xlsx")
    million_row_xlsx(big, 1_000_000)
    t, rss, rc, err = timed([mes, "batch", "oppose", big, "--check", "--quiet"], env)
    print(f"1,000,000-row .xlsx ({os.path.getsize(big) / 1e6:.1f} MB): exit {rc} in {t:.2f} s, peak RSS {rss:.0f} MB; {err[-200:]}")


if __name__ == "__main__":
    main()
