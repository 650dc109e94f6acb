"""One `mes` command timed under /usr/bin/time, for the bench scripts beside it."""
import os
import subprocess
import sys
import time

NOW = "2022-02-03T10:00:00Z"


def run(mes, store, args, now=NOW):
    """(seconds, peak RSS MB, stdout) of `mes ARGS` on `store`; exits the script if it fails."""
    env = dict(os.environ, MES_HOME=store, MES_NOW=now)
    t = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M", mes] + args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t
    err = p.stderr.decode(errors="replace").strip().split("\n")
    if p.returncode != 0:
        sys.exit(f"{mes} {' '.join(args[:3])} failed ({p.returncode}): {' '.join(err[:-1])[:300]}")
    return elapsed, int(err[-1]) / 1024, p.stdout.decode()
