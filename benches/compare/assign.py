"""Compare `counterfact assign` with GrowthBook's Python SDK on 10,000,000 unit ids.

Writes ids "member-<i>" (i = 0..n-1, shuffled with a fixed seed) to a one-column CSV, then
times, best of --reps:
- GrowthBook's Python SDK (growthbook 4.0.0): gbhash(seed, id, v) for v = 1 and 2 plus
  chooseVariation on 50/50 ranges, over the ids held in a Python list (no I/O);
- the library (release build of the counterfact-design example bench_assign): the same hash
  and variant choice per scheme, single-threaded, ids in memory (no I/O);
- the CLI end to end (release `counterfact assign`, per scheme): reading the CSV, hashing on
  all threads, writing the assignments CSV and the summary.
Prints units/s and the ratio to GrowthBook's SDK. Run from the repository root with a Python
that has growthbook installed (tests/reference/requirements.txt):

    python benches/compare/assign.py [--n 10000000] [--reps 3]
"""

import argparse
import json
import os
import pathlib
import random
import subprocess
import tempfile
import time

from growthbook.core import chooseVariation, gbhash, getBucketRanges

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMES = ["fast", "growthbook-v1", "growthbook-v2", "planout"]


def best_of(reps, f):
    best, out = float("inf"), None
    for _ in range(reps):
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return best, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000_000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--python-reps", type=int, default=1)
    args = ap.parse_args()
    ids = [f"member-{i}" for i in range(args.n)]
    random.Random(2026).shuffle(ids)
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="counterfact-assign-"))
    units = tmp / "units.csv"
    with open(units, "w") as f:
        f.write("member_id\n")
        f.write("\n".join(ids))
        f.write("\n")

    ranges = getBucketRanges(2, 1.0, [0.5, 0.5])
    python = {}
    for version in (1, 2):
        def run(version=version):
            return sum(1 for u in ids if chooseVariation(gbhash("bench-salt", u, version), ranges) == 1)
        python[version], _ = best_of(args.python_reps, run)

    target = os.environ.get("CARGO_TARGET_DIR", str(ROOT / "target"))
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "counterfact-design",
                    "--example", "bench_assign"], cwd=ROOT, check=True)
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "counterfact-cli"], cwd=ROOT,
                   check=True)
    lib = json.loads(subprocess.run(
        [str(pathlib.Path(target) / "release" / "examples" / "bench_assign"), str(units),
         str(args.reps)], check=True, capture_output=True, text=True).stdout)
    cli = {}
    exe = str(pathlib.Path(target) / "release" / "counterfact")
    for scheme in SCHEMES:
        out = tmp / f"out-{scheme}.csv"
        cmd = [exe, "assign", "--units", str(units), "--id-col", "member_id", "--salt",
               "bench-salt", "--weights", "50,50", "--scheme", scheme, "--out", str(out), "--json"]
        cli[scheme], _ = best_of(args.reps, lambda: subprocess.run(cmd, check=True,
                                                                    capture_output=True))

    n = args.n
    gb_v2 = n / python[2]
    print(f"n = {n:,} ids, cores = {os.cpu_count()}, best of {args.reps} (Python: {args.python_reps})")
    print(f"{'what':48s} {'seconds':>9s} {'units/s':>14s} {'vs GB v2 SDK':>13s}")
    rows = [
        ("GrowthBook Python SDK, gbhash v1 + chooseVariation", python[1]),
        ("GrowthBook Python SDK, gbhash v2 + chooseVariation", python[2]),
    ]
    for scheme in SCHEMES:
        rows.append((f"counterfact library, {scheme} (1 thread)",
                     lib[scheme.replace('-', '_') + "_seconds"]))
    for scheme in SCHEMES:
        rows.append((f"counterfact assign CLI, {scheme} (CSV in/out)", cli[scheme]))
    for what, secs in rows:
        print(f"{what:48s} {secs:9.3f} {n / secs:14,.0f} {n / secs / gb_v2:12.1f}x")
    for scheme in ("growthbook-v1", "growthbook-v2"):
        v = 1 if scheme.endswith("1") else 2
        print(f"{scheme}: library vs SDK same scheme "
              f"{python[v] / lib[scheme.replace('-', '_') + '_seconds']:.1f}x, "
              f"CLI vs SDK {python[v] / cli[scheme]:.1f}x")


if __name__ == "__main__":
    main()
