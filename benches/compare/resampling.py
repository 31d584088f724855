"""Compare counterfact's resampling against scipy on the same data.

Generates seeded numpy data (little-endian f64 files), times scipy.stats.bootstrap (BCa,
difference in means, vectorized, batched to fit memory) and scipy.stats.permutation_test
(vectorized, 10,000 permutations), then runs the release example `bench_resampling` on the same
files and prints wall/CPU times and ratios.

scipy's BCa on 2 x 500k cannot run to completion in reasonable time: its jackknife builds every
leave-one-out sample (O(n^2) = 2.5e11 values per sample). For that size the scipy time is
extrapolated: the resampling part is timed on fewer resamples and scaled linearly to 10,000, and
the jackknife part is timed on a few of its batches and scaled linearly to all of them (each
batch does identical work). A full, non-extrapolated BCa comparison is run on 2 x 20k.

Usage (repo root): tests/reference/.venv/bin/python benches/compare/resampling.py [--quick]
"""

import json
import pathlib
import subprocess
import sys
import time

import numpy as np
from scipy import stats
from scipy.stats._resampling import _jackknife_resample

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = pathlib.Path("/tmp/counterfact-bench-resampling")
QUICK = "--quick" in sys.argv


def mean_diff(x, y, axis=-1):
    return np.mean(x, axis=axis) - np.mean(y, axis=axis)


def timed(fn):
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w0, time.process_time() - c0


def write_data():
    DATA.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(2026)
    files = {}
    for name, n, shift in [("boot", 500_000, 0.01), ("boot_small", 20_000, 0.02),
                           ("perm", 50_000, 0.01)]:
        for g, mu in [("x", 10.0), ("y", 10.0 + shift)]:
            path = DATA / f"{name}_{g}.f64"
            rng.normal(mu, 2.0, n).astype("<f8").tofile(path)
            files[f"{name}_{g}"] = path
    return files


def load(path):
    return np.fromfile(path, dtype="<f8")


def rust(task, x, y, b):
    exe = ROOT / "target" / "release" / "examples" / "bench_resampling"
    import os
    target = os.environ.get("CARGO_TARGET_DIR")
    if target:
        exe = pathlib.Path(target) / "release" / "examples" / "bench_resampling"
    out = subprocess.run([str(exe), task, str(x), str(y), str(b)], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def report(label, scipy_wall, scipy_cpu, r, note=""):
    print(f"{label}: scipy {scipy_wall:.2f} s wall / {scipy_cpu:.2f} s CPU{note}; "
          f"counterfact {r['wall_s']:.3f} s wall / {r['cpu_s']:.2f} s CPU "
          f"({r['threads']} threads); ratio {scipy_wall / r['wall_s']:.1f}x wall, "
          f"{scipy_cpu / max(r['cpu_s'], 1e-3):.1f}x CPU")


def main():
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "counterfact-stats", "--example",
                    "bench_resampling"], check=True, cwd=ROOT)
    f = write_data()
    b = 10_000

    # Permutation test, 2 x 50k, 10,000 permutations, full run.
    px, py = load(f["perm_x"]), load(f["perm_y"])
    b_perm = 1000 if QUICK else b
    res, w, c = timed(lambda: stats.permutation_test(
        (px, py), mean_diff, vectorized=True, n_resamples=b_perm, batch=100,
        rng=np.random.default_rng(1)))
    r = rust("permutation", f["perm_x"], f["perm_y"], b_perm)
    print(f"permutation p: scipy {res.pvalue:.4f}, counterfact {r['p_value']:.4f}")
    report(f"permutation test 2x50k, {b_perm} permutations", w, c, r)

    # Bootstrap BCa, full run on 2 x 20k.
    sx, sy = load(f["boot_small_x"]), load(f["boot_small_y"])
    b_small = 1000 if QUICK else b
    res, w, c = timed(lambda: stats.bootstrap(
        (sx, sy), mean_diff, vectorized=True, n_resamples=b_small, method="BCa", batch=100,
        rng=np.random.default_rng(1)))
    r = rust("bootstrap-bca", f["boot_small_x"], f["boot_small_y"], b_small)
    ci = res.confidence_interval
    print(f"BCa 2x20k ci: scipy [{ci.low:.5f}, {ci.high:.5f}], "
          f"counterfact [{r['ci'][0]:.5f}, {r['ci'][1]:.5f}]")
    report(f"bootstrap BCa mean diff 2x20k, {b_small} resamples", w, c, r)

    # Bootstrap BCa on 2 x 500k: scipy extrapolated (see module docstring).
    bx, by = load(f["boot_x"]), load(f["boot_y"])
    b_part = 50 if QUICK else 200
    _, w_res, c_res = timed(lambda: stats.bootstrap(
        (bx, by), mean_diff, vectorized=True, n_resamples=b_part, method="percentile",
        batch=10, rng=np.random.default_rng(1)))
    jack_batch, jack_batches = 100, (3 if QUICK else 10)

    def jackknife_part():
        for sample in (bx, by):
            gen = _jackknife_resample(sample, jack_batch, xp=np)
            for _ in range(jack_batches):
                np.mean(next(gen), axis=-1)

    _, w_jack, c_jack = timed(jackknife_part)
    all_batches = (len(bx) + len(by)) / jack_batch
    scale_jack = all_batches / (2 * jack_batches)
    w_total = w_res * b / b_part + w_jack * scale_jack
    c_total = c_res * b / b_part + c_jack * scale_jack
    print(f"scipy 2x500k: resampling {w_res:.2f} s for {b_part} resamples (x{b / b_part:.0f}), "
          f"jackknife {w_jack:.2f} s for {2 * jack_batches} of {all_batches:.0f} batches "
          f"(x{scale_jack:.0f})")
    b_big = 1000 if QUICK else b
    r = rust("bootstrap-bca", f["boot_x"], f["boot_y"], b_big)
    if b_big != b:
        r = dict(r, wall_s=r["wall_s"] * b / b_big, cpu_s=r["cpu_s"] * b / b_big)
    report(f"bootstrap BCa mean diff 2x500k, {b} resamples", w_total, c_total, r,
           note=" (extrapolated)")
    w_res_only = w_res * b / b_part
    c_res_only = c_res * b / b_part
    report("  resampling part only (scipy percentile path, no jackknife)", w_res_only,
           c_res_only, r, note=" (extrapolated)")


if __name__ == "__main__":
    main()
