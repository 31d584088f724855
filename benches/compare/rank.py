"""Compare counterfact's rank tests with scipy on 2 x 5,000,000 continuous values.

Generates two seeded normal samples with numpy (no ties), writes them as little-endian f64,
times scipy.stats.mannwhitneyu (asymptotic) and ks_2samp (asymptotic, scipy's `auto` choice at
this size), runs the release build of the bench_rank example on the same files and prints both
times and the speed-up. Run from the repository root:

    tests/reference/.venv/bin/python benches/compare/rank.py [--n 5000000] [--reps 3]
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
    """Best wall-clock seconds, mean CPU seconds per call, last result."""
    best, out = float("inf"), None
    cpu0 = time.process_time()
    for _ in range(reps):
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return best, (time.process_time() - cpu0) / reps, out


def report(name, wall, cpu, rust_wall, rust_cpu):
    print(f"{name:13s} wall: scipy {wall:7.3f} s  counterfact {rust_wall:7.3f} s  "
          f"speed-up {wall / rust_wall:5.1f}x")
    print(f"{'':13s} cpu:  scipy {cpu:7.3f} s  counterfact {rust_cpu:7.3f} s  "
          f"speed-up {cpu / rust_cpu:5.1f}x")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=5_000_000)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    rng = np.random.default_rng(12345)
    x = rng.normal(0.001, 1.0, args.n)
    y = rng.normal(0.0, 1.0, args.n)
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="counterfact-rank-"))
    xf, yf = tmp / "x.f64", tmp / "y.f64"
    x.astype("<f8").tofile(xf)
    y.astype("<f8").tofile(yf)

    t_mw, c_mw, r_mw = best_of(args.reps, lambda: stats.mannwhitneyu(x, y, method="asymptotic"))
    t_ks, c_ks, r_ks = best_of(args.reps, lambda: stats.ks_2samp(x, y, method="asymp"))

    target = os.environ.get("CARGO_TARGET_DIR", str(ROOT / "target"))
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "counterfact-stats",
                    "--example", "bench_rank"], cwd=ROOT, check=True)
    exe = pathlib.Path(target) / "release" / "examples" / "bench_rank"
    out = subprocess.run([str(exe), str(xf), str(yf), str(args.reps)], check=True,
                         capture_output=True, text=True).stdout
    rust = json.loads(out)

    print(f"n = 2 x {args.n:,}, best of {args.reps}, rust threads = {rust['threads']}")
    print("wall = best wall-clock time; cpu = mean CPU time per call (all threads)")
    report("mannwhitneyu", t_mw, c_mw, rust["mannwhitneyu_seconds"],
           rust["mannwhitneyu_cpu_seconds"])
    print(f"  U1 scipy {r_mw.statistic:.1f} counterfact {rust['mannwhitneyu_statistic']:.1f};"
          f" p scipy {r_mw.pvalue:.12e} counterfact {rust['mannwhitneyu_p']:.12e}")
    print(f"  with Hodges-Lehmann estimate + 95% CI: counterfact "
          f"{rust['mannwhitneyu_hl_seconds']:.3f} s wall, "
          f"{rust['mannwhitneyu_hl_cpu_seconds']:.3f} s cpu (estimate {rust['hl_estimate']:.6e}, "
          f"ci {rust['hl_ci']})")
    report("ks_2samp", t_ks, c_ks, rust["ks_seconds"], rust["ks_cpu_seconds"])
    print(f"  D scipy {r_ks.statistic:.12e} counterfact {rust['ks_statistic']:.12e};"
          f" p scipy {r_ks.pvalue:.12e} counterfact {rust['ks_p']:.12e}")
    for f in (xf, yf):
        f.unlink()
    tmp.rmdir()


if __name__ == "__main__":
    main()
