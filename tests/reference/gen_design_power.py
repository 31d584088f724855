"""Reference values for power / sample size / MDE / alpha (counterfact-design `power`).

- statsmodels 0.15.0 NormalIndPower, TTestIndPower (two independent samples, `ratio` =
  nobs2/nobs1) and TTestPower (one sample / paired), `solve_power` for each unknown
  (nobs1, power, effect_size, alpha) with alternative 'two-sided', 'larger', 'smaller';
- proportions by Cohen's h (statsmodels.stats.proportion.proportion_effectsize with
  NormalIndPower); the solved h is mapped back to p2 = sin^2(asin(sqrt(p1)) + h/2);
- the textbook unpooled two-proportion formula (Chow, Shao & Wang 2008, 4.2), which ignores the
  far rejection region of a two-sided test, solved in mpmath (40 digits):
  n1 = (z_{1-a'} + z_{power})^2 (p1 q1 + p2 q2 / r) / (p2 - p1)^2 with a' = alpha/2 (two-sided)
  or alpha (one-sided).

statsmodels' `solve_power` stops at loose tolerances for some unknowns (its solved alpha can be
off by ~2e-5 relative), so each solved value is refined by scipy.optimize.brentq (xtol 1e-15,
rtol 1e-15) on statsmodels' own `power` method in a +-5% bracket around it: `expected` is the
refined root of statsmodels' power equation, `statsmodels` the raw `solve_power` output.

Each case: family, solve (n | power | mde | alpha), the given quantities, and `expected`.

Family "sequential": the maximum-sample-size inflation of Pocock and O'Brien-Fleming designs
with K = 2..5 equally spaced looks (two-sided alpha = 0.05, power 0.8 / 0.9), computed from the
joint normal law of the K statistics (corr sqrt(i/j)) with scipy's multivariate normal CDF
(Genz quasi-Monte Carlo, ~1e-5) and brentq (xtol 1e-6), to check the Jennison & Turnbull (2000)
table counterfact uses to +-2e-3.
"""

import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(__file__))

import mpmath as mp  # noqa: E402
import numpy as np  # noqa: E402
from scipy import stats  # noqa: E402
from scipy.optimize import brentq  # noqa: E402
from common import write  # noqa: E402
from statsmodels.stats.power import NormalIndPower, TTestIndPower, TTestPower  # noqa: E402
from statsmodels.stats.proportion import proportion_effectsize  # noqa: E402

mp.mp.dps = 40
warnings.simplefilter("ignore")

SOLVERS = {"normal_ind": NormalIndPower(), "ttest_ind": TTestIndPower(), "ttest_one": TTestPower()}
KEY = {"n": "nobs1", "power": "power", "mde": "effect_size", "alpha": "alpha"}

# (family, alternative, d, n, ratio, alpha, power)
CONFIGS = [
    ("normal_ind", "two-sided", 0.2, 400.0, 1.0, 0.05, 0.8),
    ("normal_ind", "two-sided", 0.5, 50.0, 2.0, 0.01, 0.9),
    ("normal_ind", "larger", 0.1, 1500.0, 0.5, 0.05, 0.8),
    ("normal_ind", "smaller", -0.3, 120.0, 3.0, 0.1, 0.95),
    ("normal_ind", "two-sided", 0.05, 8000.0, 1.0, 0.05, 0.5),
    ("ttest_ind", "two-sided", 0.5, 64.0, 1.0, 0.05, 0.8),
    ("ttest_ind", "two-sided", 0.8, 12.0, 1.5, 0.05, 0.9),
    ("ttest_ind", "larger", 0.3, 100.0, 0.5, 0.025, 0.8),
    ("ttest_ind", "smaller", -1.2, 6.0, 1.0, 0.05, 0.8),
    ("ttest_ind", "two-sided", 0.1, 2000.0, 2.0, 0.01, 0.85),
    ("ttest_one", "two-sided", 0.5, 30.0, None, 0.05, 0.8),
    ("ttest_one", "larger", 0.25, 80.0, None, 0.05, 0.9),
    ("ttest_one", "smaller", -0.9, 8.0, None, 0.01, 0.8),
]


def refine(solver, key, kw, raw):
    """Root of solver.power(**kw with key=x) - power near the raw solve_power value."""
    target = kw["power"]
    args = {k: v for k, v in kw.items() if k != "power"}

    def f(x):
        return float(solver.power(**(args | {key: x}))) - target

    lo, hi = raw * 0.95, raw * 1.05
    if key == "alpha":
        hi = min(hi, 1.0)
    if raw < 0:
        lo, hi = hi, lo
    return float(brentq(f, lo, hi, xtol=1e-15, rtol=1e-15, maxiter=500))


def solve_sm(family, solve, alt, d, n, ratio, alpha, power):
    """(refined, raw) solution of statsmodels' power equation for `solve`."""
    kw = {"effect_size": d, "alpha": alpha, "power": power, "alternative": alt}
    if family == "ttest_one":
        kw["nobs"] = n
        key = "nobs" if solve == "n" else KEY[solve]
    else:
        kw["nobs1"] = n
        kw["ratio"] = ratio
        key = KEY[solve]
    kw[key] = None
    solver = SOLVERS[family]
    raw = float(solver.solve_power(**kw))
    if solve == "power":
        return raw, raw
    return refine(solver, key, kw, raw), raw


def statsmodels_cases():
    cases = []
    for family, alt, d, n, ratio, alpha, power in CONFIGS:
        # power at (d, n); then each other unknown at that power, so all four describe one design
        p = solve_sm(family, "power", alt, d, n, ratio, alpha, None)[0]
        base = {"family": family, "alternative": alt, "ratio": ratio if ratio else 1.0}
        cases.append(base | {"solve": "power", "effect": d, "n": n, "alpha": alpha, "expected": p})
        e, raw = solve_sm(family, "n", alt, d, None, ratio, alpha, power)
        cases.append(base | {"solve": "n", "effect": d, "alpha": alpha, "power": power,
                             "expected": e, "statsmodels": raw})
        e, raw = solve_sm(family, "mde", alt, None, n, ratio, alpha, power)
        cases.append(base | {"solve": "mde", "n": n, "alpha": alpha, "power": power,
                             "expected": e, "statsmodels": raw})
        if p > alpha and p < 0.999:
            e, raw = solve_sm(family, "alpha", alt, d, n, ratio, None, p)
            cases.append(base | {"solve": "alpha", "effect": d, "n": n, "power": p,
                                 "expected": e, "statsmodels": raw})
    return cases


# (alternative, p1, p2, n, ratio, alpha, power)
PROPS = [
    ("two-sided", 0.10, 0.12, 4000.0, 1.0, 0.05, 0.8),
    ("two-sided", 0.50, 0.45, 800.0, 2.0, 0.05, 0.9),
    ("larger", 0.03, 0.036, 20000.0, 1.0, 0.05, 0.8),
    ("smaller", 0.30, 0.25, 600.0, 0.5, 0.01, 0.8),
    ("two-sided", 0.90, 0.93, 1500.0, 1.0, 0.1, 0.7),
]


def arcsine_cases():
    cases = []
    solver = NormalIndPower()
    for alt, p1, p2, n, ratio, alpha, power in PROPS:
        h = float(proportion_effectsize(p2, p1))
        base = {"family": "prop_arcsine", "alternative": alt, "ratio": ratio, "baseline": p1}
        pw = float(solver.solve_power(h, nobs1=n, alpha=alpha, ratio=ratio, alternative=alt))
        cases.append(base | {"solve": "power", "effect": p2 - p1, "n": n, "alpha": alpha,
                             "expected": pw, "h": h})
        kw = {"effect_size": h, "power": power, "alpha": alpha, "ratio": ratio, "alternative": alt}
        raw = float(solver.solve_power(**(kw | {"nobs1": None})))
        nn = refine(solver, "nobs1", kw, raw)
        cases.append(base | {"solve": "n", "effect": p2 - p1, "alpha": alpha, "power": power,
                             "expected": nn, "statsmodels": raw, "h": h})
        kw = {"nobs1": n, "power": power, "alpha": alpha, "ratio": ratio, "alternative": alt}
        raw = float(solver.solve_power(**(kw | {"effect_size": None})))
        hh = refine(solver, "effect_size", kw, raw)
        p2s = float(np.sin(np.arcsin(np.sqrt(p1)) + hh / 2) ** 2)
        cases.append(base | {"solve": "mde", "n": n, "alpha": alpha, "power": power,
                             "expected": p2s - p1, "h": hh})
        kw = {"effect_size": h, "nobs1": n, "power": pw, "ratio": ratio, "alternative": alt}
        raw = float(solver.solve_power(**(kw | {"alpha": None})))
        aa = refine(solver, "alpha", kw, raw)
        cases.append(base | {"solve": "alpha", "effect": p2 - p1, "n": n, "power": pw,
                             "expected": aa, "statsmodels": raw, "h": h})
    return cases


def z(p):
    """Upper quantile z_{1-p} of the standard normal."""
    return -mp.sqrt(2) * mp.erfinv(2 * mp.mpf(p) - 1)


def unpooled_cases():
    cases = []
    for alt, p1, p2, n, ratio, alpha, power in PROPS:
        p1m, p2m, r = mp.mpf(p1), mp.mpf(p2), mp.mpf(ratio)
        tail = mp.mpf(alpha) / 2 if alt == "two-sided" else mp.mpf(alpha)

        def sd(q2):
            return mp.sqrt(p1m * (1 - p1m) + q2 * (1 - q2) / r)

        delta = abs(p2m - p1m)
        base = {"family": "prop_unpooled", "alternative": alt, "ratio": ratio, "baseline": p1}
        pw = mp.ncdf(delta * mp.sqrt(n) / sd(p2m) - z(tail))
        cases.append(base | {"solve": "power", "effect": p2 - p1, "n": n, "alpha": alpha,
                             "expected": float(pw)})
        nn = (z(tail) + z(1 - mp.mpf(power))) ** 2 * sd(p2m) ** 2 / delta**2
        cases.append(base | {"solve": "n", "effect": p2 - p1, "alpha": alpha, "power": power,
                             "expected": float(nn)})
        sign = -1 if alt == "smaller" else 1
        target = z(tail) + z(1 - mp.mpf(power))
        bracket = (p1m + mp.mpf(10) ** -12, 1 - mp.mpf(10) ** -12) if sign > 0 else (
            mp.mpf(10) ** -12, p1m - mp.mpf(10) ** -12)
        q2 = mp.findroot(lambda q: sign * (q - p1m) * mp.sqrt(n) / sd(q) - target, bracket,
                         solver="anderson")
        cases.append(base | {"solve": "mde", "n": n, "alpha": alpha, "power": power,
                             "expected": float(q2 - p1m)})
        a_tail = 1 - mp.ncdf(delta * mp.sqrt(n) / sd(p2m) - z(1 - mp.mpf(power)))
        aa = 2 * a_tail if alt == "two-sided" else a_tail
        cases.append(base | {"solve": "alpha", "effect": p2 - p1, "n": n, "power": power,
                             "expected": float(aa)})
    return cases


def _no_crossing(bounds, mean):
    k = len(bounds)
    t = np.arange(1, k + 1)
    cov = np.sqrt(np.minimum.outer(t, t) / np.maximum.outer(t, t))
    mvn = stats.multivariate_normal(mean=mean, cov=cov, allow_singular=True)
    return mvn.cdf(bounds, lower_limit=-bounds, rng=np.random.default_rng(1))


def inflation(design, looks, power, alpha=0.05):
    """n_max / n_fixed of a two-sided group-sequential design with equally spaced looks."""
    k = np.arange(1, looks + 1)
    shape = np.ones(looks) if design == "pocock" else np.sqrt(looks / k)
    c = brentq(lambda c: 1 - _no_crossing(c * shape, np.zeros(looks)) - alpha, 1.5, 6,
               xtol=1e-6)
    drift = stats.norm.isf(alpha / 2) + stats.norm.isf(1 - power)
    return brentq(
        lambda r: 1 - _no_crossing(c * shape, drift * np.sqrt(r * k / looks)) - power,
        0.9, 1.6, xtol=1e-6)


def sequential_cases():
    return [
        {"family": "sequential", "design": design, "looks": looks, "power": power,
         "expected": float(inflation(design, looks, power))}
        for design in ("pocock", "obrien_fleming")
        for power in (0.8, 0.9)
        for looks in (2, 3, 4, 5)
    ]


def main():
    cases = statsmodels_cases() + arcsine_cases() + unpooled_cases() + sequential_cases()
    write(
        "design_power",
        "statsmodels NormalIndPower/TTestIndPower/TTestPower solve_power, proportion_effectsize; "
        "textbook unpooled two-proportion formula in mpmath; group-sequential inflation from scipy "
        "multivariate normal",
        cases,
    )


if __name__ == "__main__":
    main()
