"""Compare counterfact's Welch t-test with scipy on 2 x 5,000,000 normal values.

Generates two seeded normal samples with numpy, writes them back to back to one little-endian
f64 file, times scipy.stats.ttest_ind(equal_var=False) on the in-memory arrays (compute only)
and the numpy read of the file (I/O only), then runs the release build of the bench_welch example
on the same file, which reports its I/O and compute times separately, with the default thread
count and with one thread. Prints both times and the speed-up. Run from the repository root:

    tests/reference/.venv/bin/python benches/compare/welch.py [--n 5000000] [--reps 5]
"""

import argparse
import json
import os
import pathlib
import subprocess
import tempfile
import time

import numpy as np
from scipy import stats

ROOT = pathlib.Path(__file__).resolve().parents[2]


def best_of(reps, f):
    best, out = float("inf"), None
    for _ in range(reps):
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return best, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=5_000_000)
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()
    rng = np.random.default_rng(20261127)
    x = rng.normal(0.001, 1.0, args.n)
    y = rng.normal(0.0, 1.5, args.n)
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="counterfact-welch-"))
    path = tmp / "xy.f64"
    np.concatenate([x, y]).astype("<f8").tofile(path)

    t_io, _ = best_of(1, lambda: np.fromfile(path, dtype="<f8"))
    t_sp, r_sp = best_of(args.reps, lambda: stats.ttest_ind(x, y, equal_var=False))

    target = os.environ.get("CARGO_TARGET_DIR", str(ROOT / "target"))
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "counterfact-stats",
                    "--example", "bench_welch"], cwd=ROOT, check=True)
    exe = pathlib.Path(target) / "release" / "examples" / "bench_welch"
    runs = {}
    for label, env in [("default", {}), ("1 thread", {"RAYON_NUM_THREADS": "1"})]:
        out = subprocess.run([str(exe), str(path), str(args.n), str(args.reps)], check=True,
                             capture_output=True, text=True, env={**os.environ, **env}).stdout
        runs[label] = json.loads(out)

    print(f"n = 2 x {args.n:,}, best of {args.reps}")
    print(f"I/O      numpy.fromfile {t_io:8.3f} s   counterfact read "
          f"{runs['default']['io_seconds']:8.3f} s")
    print(f"compute  scipy ttest_ind(equal_var=False) {t_sp:8.3f} s")
    for label, r in runs.items():
        print(f"compute  counterfact welch_t_test ({label}, threads = {r['threads']}) "
              f"{r['compute_seconds']:8.3f} s  speed-up {t_sp / r['compute_seconds']:6.1f}x")
    r = runs["default"]
    print(f"  t scipy {r_sp.statistic:.15e} counterfact {r['statistic']:.15e}")
    print(f"  p scipy {r_sp.pvalue:.15e} counterfact {r['p_value']:.15e}")
    print(f"  df scipy {r_sp.df:.15e} counterfact {r['df']:.15e}")
    path.unlink()
    tmp.rmdir()


if __name__ == "__main__":
    main()
