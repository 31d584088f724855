"""Reference values for the resampling module (permutation tests, bootstrap intervals).

Kinds of cases:
- permutation_exact: scipy.stats.permutation_test p-values where scipy enumerates every split;
  deterministic, compared to 1e-12.
- permutation_mc: Monte Carlo p-values from scipy with 100,000 permutations; compared
  statistically (our RNG stream differs from numpy's).
- bca_acceleration: the jackknife acceleration `a`, computed in 50-digit mpmath from the
  leave-one-out statistics (scipy's own float64 value is stored too and checked against it here).
- bias_correction: z0 = ndtri(share of replicates below the estimate, ties half) for fixed
  replicate sets, as scipy's _bca_interval computes it.
- bootstrap_ci: scipy.stats.bootstrap intervals and standard errors with 100,000 resamples;
  compared within Monte Carlo error.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

import mpmath  # noqa: E402
import numpy as np  # noqa: E402
from scipy import special, stats  # noqa: E402
from scipy.stats._resampling import _bca_interval  # noqa: E402

from common import write  # noqa: E402

mpmath.mp.dps = 50

B_REF = 100_000


def stat_fn(name):
    """Vectorized statistic (axis=-1) matching the Rust names."""
    if name == "mean-diff":
        return lambda x, y, axis=-1: np.mean(x, axis=axis) - np.mean(y, axis=axis)
    if name == "median-diff":
        return lambda x, y, axis=-1: np.median(x, axis=axis) - np.median(y, axis=axis)
    if name == "mean-ratio":
        return lambda x, y, axis=-1: np.mean(x, axis=axis) / np.mean(y, axis=axis)
    if name.startswith("quantile-diff:"):
        q = float(name.split(":")[1])
        return lambda x, y, axis=-1: (
            np.quantile(x, q, axis=axis) - np.quantile(y, q, axis=axis)
        )
    if name == "mean":
        return lambda x, axis=-1: np.mean(x, axis=axis)
    if name == "median":
        return lambda x, axis=-1: np.median(x, axis=axis)
    if name == "sd":
        return lambda x, axis=-1: np.std(x, ddof=1, axis=axis)
    if name.startswith("quantile:"):
        q = float(name.split(":")[1])
        return lambda x, axis=-1: np.quantile(x, q, axis=axis)
    raise ValueError(name)


def permutation_exact_cases():
    rng = np.random.default_rng(101)
    datasets = [
        ("doc 3v3", [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]),
        ("continuous 5v6", rng.normal(0, 1, 5), rng.normal(0.8, 1, 6)),
        ("integer ties 6v7", rng.integers(0, 5, 6).astype(float),
         rng.integers(1, 6, 7).astype(float)),
        ("skewed 4v9", rng.exponential(1, 4), rng.exponential(2, 9)),
        ("pair 2v7", [2.5, 0.5], rng.normal(2, 1, 7)),
        ("integer 7v7 large offset", 1e6 + rng.integers(0, 9, 7),
         1e6 + rng.integers(2, 11, 7)),
        ("positive 5v5", rng.gamma(2, 1, 5) + 1, rng.gamma(3, 1, 5) + 1),
    ]
    stats_for = {
        "doc 3v3": ["mean-diff", "median-diff"],
        "continuous 5v6": ["mean-diff", "median-diff", "quantile-diff:0.75"],
        "integer ties 6v7": ["mean-diff", "median-diff"],
        "skewed 4v9": ["mean-diff", "quantile-diff:0.3"],
        "pair 2v7": ["mean-diff", "median-diff"],
        "integer 7v7 large offset": ["mean-diff"],
        "positive 5v5": ["mean-ratio", "mean-diff"],
    }
    cases = []
    for label, x, y in datasets:
        x, y = np.asarray(x, float), np.asarray(y, float)
        for sname in stats_for[label]:
            for alt in ["two-sided", "less", "greater"]:
                res = stats.permutation_test(
                    (x, y), stat_fn(sname), vectorized=True, n_resamples=9999,
                    alternative=alt, permutation_type="independent",
                )
                assert len(res.null_distribution) <= 9999
                cases.append({
                    "kind": "permutation_exact", "label": label, "x": x, "y": y,
                    "statistic": sname, "alternative": alt, "n_resamples": 9999,
                    "observed": float(res.statistic), "p_value": float(res.pvalue),
                    "n_splits": len(res.null_distribution),
                })
    return cases


def permutation_mc_cases():
    rng = np.random.default_rng(202)
    out = []
    specs = [
        ("mean-diff", "two-sided", rng.normal(0, 1, 60), rng.normal(0.35, 1, 70)),
        ("mean-diff", "greater", rng.exponential(1, 80), rng.exponential(0.8, 50)),
        ("median-diff", "two-sided", rng.normal(0, 1, 40), rng.normal(0.4, 1.5, 45)),
        ("mean-diff", "less", rng.normal(0, 1, 100), rng.normal(0.05, 1, 90)),
    ]
    for sname, alt, x, y in specs:
        res = stats.permutation_test(
            (x, y), stat_fn(sname), vectorized=True, n_resamples=B_REF,
            alternative=alt, rng=np.random.default_rng(7), batch=2000,
        )
        out.append({
            "kind": "permutation_mc", "x": x, "y": y, "statistic": sname, "alternative": alt,
            "n_resamples": B_REF, "observed": float(res.statistic), "p_value": float(res.pvalue),
        })
    return out


def mp_quantile(sorted_vals, q):
    n = len(sorted_vals)
    h = mpmath.mpf(q) * (n - 1)
    lo = int(mpmath.floor(h))
    frac = h - lo
    if frac == 0 or lo + 1 >= n:
        return sorted_vals[lo]
    return sorted_vals[lo] + frac * (sorted_vals[lo + 1] - sorted_vals[lo])


def mp_stat(name, vals):
    v = [mpmath.mpf(float(t)) for t in vals]
    if name in ("mean",):
        return mpmath.fsum(v) / len(v)
    if name == "sd":
        m = mpmath.fsum(v) / len(v)
        return mpmath.sqrt(mpmath.fsum((t - m) ** 2 for t in v) / (len(v) - 1))
    if name == "median":
        return mp_quantile(sorted(v), mpmath.mpf(1) / 2)
    if name.startswith("quantile:"):
        return mp_quantile(sorted(v), float(name.split(":")[1]))
    raise ValueError(name)


def mp_two(name, x, y):
    if name == "mean-diff":
        return mp_stat("mean", x) - mp_stat("mean", y)
    if name == "mean-ratio":
        return mp_stat("mean", x) / mp_stat("mean", y)
    if name == "median-diff":
        return mp_stat("median", x) - mp_stat("median", y)
    if name.startswith("quantile-diff:"):
        q = name.split(":")[1]
        return mp_stat(f"quantile:{q}", x) - mp_stat(f"quantile:{q}", y)
    raise ValueError(name)


def mp_acceleration(jack_sets):
    """Efron's jackknife acceleration from per-sample lists of leave-one-out statistics."""
    num = mpmath.mpf(0)
    den = mpmath.mpf(0)
    for th in jack_sets:
        n = len(th)
        tbar = mpmath.fsum(th) / n
        u = [(n - 1) * (tbar - t) for t in th]
        num += mpmath.fsum(t ** 3 for t in u) / n ** 3
        den += mpmath.fsum(t ** 2 for t in u) / n ** 2
    return num / (6 * den ** mpmath.mpf(1.5))


def scipy_acceleration(data, fn):
    dummy = np.array([0.0, 1.0])
    return float(_bca_interval(tuple(np.asarray(d) for d in data), fn, axis=-1,
                               alpha=0.025, theta_hat_b=dummy, batch=None, xp=np)[2])


def acceleration_cases():
    rng = np.random.default_rng(303)
    cases = []
    one = [
        ("mean", rng.exponential(2, 40)),
        ("mean", rng.lognormal(0, 1, 150)),
        ("median", rng.exponential(1, 32)),
        ("median", rng.gamma(2, 1, 60)),
        ("quantile:0.9", rng.lognormal(0, 0.7, 80)),
        ("quantile:0.25", rng.exponential(1, 53)),
        ("sd", rng.exponential(1, 45)),
    ]
    for name, x in one:
        jack = [mp_stat(name, np.delete(x, i)) for i in range(len(x))]
        a = mp_acceleration([jack])
        a_scipy = scipy_acceleration([x], stat_fn(name))
        assert abs(a_scipy - float(a)) <= 1e-9 * abs(float(a)) + 1e-14, (name, a_scipy, a)
        cases.append({"kind": "bca_acceleration", "statistic": name, "x": x,
                      "acceleration": float(a), "acceleration_scipy": a_scipy})
    two = [
        ("mean-diff", rng.exponential(1, 30), rng.exponential(3, 45)),
        ("mean-diff", rng.lognormal(0, 1, 120), rng.normal(5, 1, 100)),
        ("mean-ratio", rng.gamma(2, 1, 40) + 0.5, rng.gamma(4, 1, 35) + 0.5),
        ("median-diff", rng.exponential(1, 41), rng.exponential(2, 38)),
        ("quantile-diff:0.8", rng.lognormal(0, 1, 70), rng.exponential(1, 65)),
    ]
    for name, x, y in two:
        jx = [mp_two(name, np.delete(x, i), y) for i in range(len(x))]
        jy = [mp_two(name, x, np.delete(y, i)) for i in range(len(y))]
        a = mp_acceleration([jx, jy])
        a_scipy = scipy_acceleration([x, y], stat_fn(name))
        assert abs(a_scipy - float(a)) <= 1e-9 * abs(float(a)) + 1e-14, (name, a_scipy, a)
        cases.append({"kind": "bca_acceleration", "statistic": name, "x": x, "y": y,
                      "acceleration": float(a), "acceleration_scipy": a_scipy})
    return cases


def bias_correction_cases():
    rng = np.random.default_rng(404)
    cases = []
    sets = [
        (rng.normal(0.1, 1, 999), 0.0),
        (np.round(rng.normal(0, 2, 500)), 0.0),
        (rng.exponential(1, 2000), 0.8),
    ]
    for reps, est in sets:
        share = (np.count_nonzero(reps < est) + np.count_nonzero(reps <= est)) / (2 * len(reps))
        cases.append({"kind": "bias_correction", "replicates": reps, "estimate": est,
                      "z0": float(special.ndtri(share))})
    return cases


def bootstrap_ci_cases():
    rng = np.random.default_rng(505)
    cases = []
    specs = [
        ("mean", "percentile", "two-sided", [rng.exponential(1, 80)]),
        ("mean", "basic", "two-sided", [rng.exponential(1, 80)]),
        ("mean", "bca", "two-sided", [rng.exponential(1, 80)]),
        ("mean", "bca", "less", [rng.lognormal(0, 1, 60)]),
        ("median", "percentile", "two-sided", [rng.normal(3, 1, 101)]),
        ("median", "bca", "two-sided", [rng.normal(3, 1, 150)]),
        ("quantile:0.9", "percentile", "two-sided", [rng.normal(0, 1, 200)]),
        ("sd", "bca", "two-sided", [rng.normal(0, 2, 70)]),
        ("mean-diff", "percentile", "two-sided", [rng.normal(0, 1, 60), rng.normal(0.5, 2, 80)]),
        ("mean-diff", "basic", "greater", [rng.normal(0, 1, 60), rng.normal(0.5, 2, 80)]),
        ("mean-diff", "bca", "two-sided",
         [rng.exponential(1, 70), rng.exponential(1.5, 90)]),
        ("mean-ratio", "bca", "two-sided", [rng.gamma(3, 1, 60), rng.gamma(4, 1, 50)]),
        ("mean-ratio", "percentile", "two-sided", [rng.gamma(3, 1, 60), rng.gamma(4, 1, 50)]),
        ("median-diff", "percentile", "two-sided", [rng.normal(0, 1, 90), rng.normal(1, 1, 110)]),
        ("quantile-diff:0.75", "bca", "two-sided",
         [rng.normal(0, 1, 120), rng.exponential(1, 100)]),
    ]
    for name, method, alt, data in specs:
        res = stats.bootstrap(tuple(data), stat_fn(name), n_resamples=B_REF, method=method,
                              alternative=alt, confidence_level=0.95, vectorized=True,
                              rng=np.random.default_rng(9), batch=5000)
        case = {"kind": "bootstrap_ci", "statistic": name, "interval": method,
                "alternative": alt, "confidence": 0.95, "n_resamples": B_REF,
                "x": data[0], "ci": [res.confidence_interval.low, res.confidence_interval.high],
                "std_error": float(res.standard_error)}
        if len(data) == 2:
            case["y"] = data[1]
        cases.append(case)
    return cases


if __name__ == "__main__":
    all_cases = (permutation_exact_cases() + permutation_mc_cases() + acceleration_cases()
                 + bias_correction_cases() + bootstrap_ci_cases())
    write("resampling", "scipy.stats.permutation_test, scipy.stats.bootstrap (+ mpmath jackknife)",
          all_cases)
