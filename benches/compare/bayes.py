"""Compare counterfact's Bayesian chance to win with GrowthBook's gbstats on 1,000 metrics x 5
arms (arm 0 control, four treatments each: 4,000 comparisons), same inputs, same run.

Needs gbstats (0.8.0) importable, so run it with the separate venv, from the repository root:

    tests/reference/.venv-gbstats/bin/python benches/compare/bayes.py [--metrics 1000] [--arms 5] [--reps 5]

Times gbstats EffectBayesianABTest(ProportionStatistic, relative lift, flat prior) over all
comparisons, then the release build of the bench_bayes example on the same counts (compute only,
best of reps), and prints both times, the ratio and the largest difference in chance to win.
"""

import argparse
import json
import os
import pathlib
import subprocess
import tempfile
import time

import numpy as np
from gbstats.bayesian.tests import EffectBayesianABTest, EffectBayesianConfig
from gbstats.models.statistics import ProportionStatistic

ROOT = pathlib.Path(__file__).resolve().parents[2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--metrics", type=int, default=1000)
    ap.add_argument("--arms", type=int, default=5)
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()
    rng = np.random.default_rng(20261127)
    n = rng.integers(1_000, 10_000_000, size=(args.metrics, args.arms))
    p = rng.uniform(0.01, 0.5, size=(args.metrics, 1)) * rng.uniform(0.97, 1.03, size=(args.metrics, args.arms))
    s = rng.binomial(n, p)
    cfg = EffectBayesianConfig(difference_type="relative")

    def gb():
        out = []
        for m in range(args.metrics):
            a = ProportionStatistic(n=int(n[m, 0]), sum=int(s[m, 0]))
            for j in range(1, args.arms):
                b = ProportionStatistic(n=int(n[m, j]), sum=int(s[m, j]))
                out.append(EffectBayesianABTest(a, b, cfg).compute_result().chance_to_win)
        return out

    best_gb, ctw_gb = float("inf"), None
    for _ in range(args.reps):
        t = time.perf_counter()
        ctw_gb = gb()
        best_gb = min(best_gb, time.perf_counter() - t)

    tmp = pathlib.Path(tempfile.mkdtemp(prefix="counterfact-bayes-"))
    path = tmp / "counts.txt"
    rows = [f"{args.metrics} {args.arms}"]
    for m in range(args.metrics):
        rows.append(" ".join(f"{int(n[m, j])} {int(s[m, j])}" for j in range(args.arms)))
    path.write_text("\n".join(rows) + "\n")
    target = os.environ.get("CARGO_TARGET_DIR", str(ROOT / "target"))
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "counterfact-stats",
                    "--example", "bench_bayes"], cwd=ROOT, check=True)
    exe = pathlib.Path(target) / "release" / "examples" / "bench_bayes"
    r = json.loads(subprocess.run([str(exe), str(path), str(args.reps)], check=True,
                                  capture_output=True, text=True).stdout)
    ours = np.array(r["chance_to_win"])
    theirs = np.array(ctw_gb, dtype=float)
    print(f"{args.metrics} metrics x {args.arms} arms = {len(theirs)} comparisons, best of {args.reps}")
    print(f"gbstats EffectBayesianABTest   {best_gb:10.5f} s")
    print(f"counterfact effect_posterior   {r['compute_seconds']:10.5f} s  "
          f"speed-up {best_gb / r['compute_seconds']:8.1f}x")
    print(f"max |chance to win difference| {np.max(np.abs(ours - theirs)):.3e}; "
          f"max relative {np.max(np.abs(ours - theirs) / np.maximum(theirs, 1e-300)):.3e}")
    path.unlink()
    tmp.rmdir()


if __name__ == "__main__":
    main()
