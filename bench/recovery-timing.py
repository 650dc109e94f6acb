#!/usr/bin/env python3
"""`mes recover password` for a known and an unknown identifier, alternated, with 4 ms added to
every fdatasync by strace (what a slow disk makes visible): the medians and their ratio, and the
syscall counts of each. Issue 27's acceptance: the same counts, medians within 1.2x over 200
samples.

Usage: python3 bench/recovery-timing.py [--mes .build/release/mes] [--samples 200]
Needs strace (apt-get install strace). Makes its own demo store in a temporary folder.
"""
import argparse, json, os, statistics, subprocess, tempfile, time


def run(mes, env, *args, stdin=None):
    return subprocess.run([mes, *args], env=env, capture_output=True, text=True, input=stdin)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mes", default=".build/release/mes")
    ap.add_argument("--samples", type=int, default=200)
    a = ap.parse_args()
    d = tempfile.mkdtemp(prefix="mes-recovery-")
    now = [1643882400]
    def env():
        e = {k: v for k, v in os.environ.items() if not k.startswith("MES_")}
        e.update(MES_HOME=os.path.join(d, "store"), MES_NOW=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now[0])))
        return e
    card = ["--nir", "116304403801618", "--card", "plain", "--serial", "953701166"]
    run(a.mes, env(), "init", "--demo")
    run(a.mes, env(), "code", "generate", "--birth-date", "08/06/1988", *card)
    code = json.loads(run(a.mes, env(), "outbox", "show", "last", "--json").stdout)["code"]
    token = json.loads(run(a.mes, env(), "identify", "--json", "--code", code, *card).stdout)["session"]
    pw = os.path.join(d, "pw")
    open(pw, "w").write("Soleil-Levant-2024!\n")
    assert run(a.mes, env(), "activate", "--session", token, "--accept-cgu", "--username", "martine.leguellec",
               "--password-file", pw).returncode == 0
    times = {"known": [], "unknown": []}
    counts = {}
    for k in range(a.samples):
        now[0] += 120
        for label, name in (("known", "martine.leguellec"), ("unknown", f"personne.inconnue{k}")):
            t = time.perf_counter()
            subprocess.run(["strace", "-f", "-o", "/dev/null", "-e", "trace=fdatasync", "-e", "inject=fdatasync:delay_exit=4000",
                            a.mes, "recover", "password", "--username", name], env=env(), capture_output=True, check=True)
            times[label].append(time.perf_counter() - t)
            if k == 0:
                out = os.path.join(d, f"c-{label}")
                subprocess.run(["strace", "-f", "-c", "-o", out, "-e", "trace=fdatasync,fsync,pwrite64,pread64,write", a.mes,
                                "recover", "password", "--username", name], env=env(), capture_output=True, check=True)
                counts[label] = {l.split()[-1]: int(l.split()[3]) for l in open(out) if len(l.split()) >= 5 and l.split()[3].isdigit()}
    mk, mu = statistics.median(times["known"]), statistics.median(times["unknown"])
    print(f"samples: {a.samples} each, alternated, 4 ms injected per fdatasync")
    print(f"median known {mk * 1000:.1f} ms, unknown {mu * 1000:.1f} ms, ratio {max(mk, mu) / min(mk, mu):.3f}")
    print(f"syscalls known   {counts['known']}")
    print(f"syscalls unknown {counts['unknown']}")


if __name__ == "__main__":
    main()
