"""Compare counterfact's always-valid p-values with Netflix's savvi on the same stream.

The stream is n 50/50 assignments, assignment i being the top bit of splitmix64(seed + i) (both
sides compute it). counterfact (bench_sequential example, release build) runs the
Dirichlet-multinomial sample-ratio test of Lindon & Malek (2022) over all n observations with a
look after every one. savvi's Multinomial does the same per observation (update with a one-hot
count vector, calculate_p_value, running minimum) but is far too slow for 100M observations, so
it runs on the first `--savvi-n` observations and its rate is extrapolated linearly (its cost per
observation does not grow with n). The p-values after that prefix are compared. Run from the
repository root with a venv holding savvi:

    tests/reference/.venv/bin/python benches/compare/sequential.py [--n 100000000] [--savvi-n 100000]
"""

import argparse
import json
import pathlib
import subprocess
import time

import numpy as np
from savvi.multinomial import Multinomial

ROOT = pathlib.Path(__file__).resolve().parents[2]
MASK = (1 << 64) - 1


def splitmix64(x):
    z = (x + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000_000)
    ap.add_argument("--savvi-n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=20261127)
    a = ap.parse_args()

    cats = [splitmix64((a.seed + i) & MASK) >> 63 for i in range(a.savvi_n)]
    onehot = [np.array([1, 0], dtype=np.int64), np.array([0, 1], dtype=np.int64)]
    model = Multinomial(0.05, np.array([0.5, 0.5]), k=100)
    t = time.perf_counter()
    for c in cats:
        model.update(onehot[c])
        model.p_value = np.fmin(model.p_value, model.calculate_p_value())
    savvi_secs = time.perf_counter() - t
    savvi_rate = a.savvi_n / savvi_secs

    subprocess.run(["cargo", "build", "--release", "-q", "-p", "counterfact-stats",
                    "--example", "bench_sequential"], cwd=ROOT, check=True)
    out = subprocess.run(["cargo", "run", "--release", "-q", "-p", "counterfact-stats",
                          "--example", "bench_sequential", "--", str(a.n), str(a.savvi_n),
                          str(a.seed)], cwd=ROOT, check=True, capture_output=True, text=True)
    r = json.loads(out.stdout)
    print(f"stream: {a.n:,} assignments, a look after every observation")
    print(f"savvi Multinomial: {a.savvi_n:,} obs in {savvi_secs:.2f} s = {savvi_rate:,.0f} updates/s "
          f"(100M extrapolated linearly: {a.n / savvi_rate / 3600:.2f} h)")
    print(f"counterfact SRM:   {a.n:,} obs in {r['srm_seconds']:.2f} s = "
          f"{r['srm_updates_per_second']:,.0f} updates/s")
    print(f"speed-up: {r['srm_updates_per_second'] / savvi_rate:,.0f}x")
    print(f"after {a.savvi_n:,} obs: always-valid p savvi {float(model.p_value[0]):.12g} "
          f"counterfact {r['prefix_always_valid_p']:.12g}; ln B savvi {np.log(model.odds):.12g} "
          f"counterfact {r['prefix_ln_bayes_factor']:.12g}")
    print(f"counterfact mSPRT (normal mixture, push + look per observation): "
          f"{r['msprt_updates_per_second']:,.0f} updates/s (no savvi equivalent)")


if __name__ == "__main__":
    main()
