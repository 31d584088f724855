"""Reference values for contingency-table tests and multiple-testing adjustment.

scipy.stats: chisquare, power_divergence (G-test), chi2_contingency (correction True/False,
lambda_ "pearson" and "log-likelihood"), fisher_exact (all alternatives) and
scipy.stats.contingency.odds_ratio(kind="conditional") for the conditional MLE odds ratio and its
exact CI (the same definition as R's fisher.test). statsmodels.stats.multitest.multipletests for
the six adjustment methods.

Run from the repository root: tests/reference/.venv/bin/python tests/reference/gen_contingency.py
"""

import os
import sys

import mpmath
import numpy as np
from scipy import stats
from scipy.stats.contingency import odds_ratio
from statsmodels.stats.multitest import multipletests

sys.path.insert(0, os.path.dirname(__file__))
from common import write  # noqa: E402

rng = np.random.default_rng(20261127)
cases = []


def gof_cases():
    observed_sets = [
        ([10, 20, 30], None),
        ([16, 18, 16, 14, 12, 12], None),
        ([16, 18, 16, 14, 12, 12], [16, 16, 16, 16, 16, 8]),
        ([43, 52, 54, 40], [0.25, 0.25, 0.25, 0.25]),
        ([0, 5, 9], [1, 2, 3]),
        ([500, 500], None),
        ([498, 502], None),
        ([5015, 4985], None),
        # 50/50 design with 1,000,000 units, arms off by 0.3%.
        ([501500, 498500], None),
        ([500750, 499250], None),
        ([1_000_000, 997_000], [1, 1]),
        # 90/10 and 3-arm designs.
        ([9012, 988], [0.9, 0.1]),
        ([90100, 9900], [9, 1]),
        ([334000, 333000, 333000], None),
        ([200000, 200500, 599500], [0.2, 0.2, 0.6]),
        # Far tails: p below 1e-100.
        ([1_000_000, 960_000], None),
        ([1_000_000, 900_000, 1_000_000], None),
        ([1000, 100], None),
        ([2.5, 3.5, 4.0], None),
        ([1, 0], None),
        ([3, 0, 0, 0], None),
    ]
    for obs, w in observed_sets:
        obs = np.asarray(obs, dtype=float)
        if w is None:
            f_exp = np.full(len(obs), obs.sum() / len(obs))
        else:
            w = np.asarray(w, dtype=float)
            f_exp = obs.sum() * (w / w.sum())
        chi = stats.chisquare(obs, f_exp)
        g = stats.power_divergence(obs, f_exp, lambda_="log-likelihood")
        base = {"observed": obs, "weights": None if w is None else w, "df": len(obs) - 1}
        cases.append({"kind": "chi2-gof", **base, "statistic": chi.statistic, "p_value": chi.pvalue})
        cases.append({"kind": "g-gof", **base, "statistic": g.statistic, "p_value": g.pvalue})
    for k in range(8):
        cells = int(rng.integers(2, 7))
        obs = rng.integers(0, 300, size=cells).astype(float)
        obs[0] += 1
        w = rng.uniform(0.5, 3.0, size=cells)
        f_exp = obs.sum() * (w / w.sum())
        chi = stats.chisquare(obs, f_exp)
        g = stats.power_divergence(obs, f_exp, lambda_="log-likelihood")
        base = {"observed": obs, "weights": w, "df": cells - 1}
        cases.append({"kind": "chi2-gof", **base, "statistic": chi.statistic, "p_value": chi.pvalue})
        cases.append({"kind": "g-gof", **base, "statistic": g.statistic, "p_value": g.pvalue})


def independence_cases():
    tables = [
        [[10, 20], [30, 40]],
        [[12, 5], [7, 7]],
        [[3, 0], [0, 3]],
        [[0, 5], [5, 10]],
        [[1, 1], [1, 1]],
        [[100, 100], [100, 101]],
        [[10, 10.2], [10, 10]],
        [[50000, 50400], [50000, 49600]],
        [[1_000_000, 1_010_000], [1_000_000, 990_000]],
        [[1_000_000, 900_000], [900_000, 1_000_000]],
        [[5000, 100], [100, 5000]],
        [[10, 20, 30], [6, 9, 17]],
        [[2, 3, 5], [4, 1, 0], [7, 8, 2]],
        [[7, 8, 9, 10]],
        [[5], [6], [7]],
    ]
    for r, c in [(2, 3), (3, 4), (4, 4), (5, 6), (3, 2), (5, 5), (2, 6), (4, 3)]:
        tables.append(rng.integers(1, 60, size=(r, c)).tolist())
    tables.append((rng.integers(100_000, 400_000, size=(5, 6))).tolist())
    tables.append([[300, 100, 50], [100, 300, 50], [50, 50, 400]])
    for table in tables:
        t = np.asarray(table, dtype=float)
        expected = stats.contingency.expected_freq(t)
        for correction in (True, False):
            for lam, kind in (("pearson", "chi2-independence"), ("log-likelihood", "g-independence")):
                res = stats.chi2_contingency(t, correction=correction, lambda_=lam)
                cases.append({
                    "kind": kind, "table": t, "correction": correction,
                    "statistic": res.statistic, "p_value": res.pvalue, "df": res.dof,
                    "expected": expected,
                })


def fisher_cases():
    tables = [
        [[8, 2], [1, 5]],
        [[1, 9], [11, 3]],
        [[3, 1], [1, 3]],
        [[7, 15], [58, 472]],
        [[0, 5], [5, 0]],
        [[0, 0], [3, 4]],
        [[5, 0], [0, 5]],
        [[0, 3], [4, 9]],
        [[6, 0], [2, 7]],
        [[2, 7], [8, 2]],
        [[1, 0], [0, 1]],
        [[10, 10], [10, 10]],
        [[20, 15], [15, 20]],
        [[100, 90], [80, 110]],
        [[200, 20], [20, 200]],
        [[300, 10], [10, 300]],
        [[500, 0], [0, 500]],
        [[1234, 567], [890, 1011]],
        [[500_000, 500_000], [499_000, 501_000]],
        [[1_000_000, 990_000], [990_000, 1_000_000]],
        [[2_000_000, 1_000_000], [1_000_000, 2_000_000]],
        [[10, 1_000_000], [1_000_000, 10]],
        [[1, 2_000_000], [3, 1_500_000]],
        [[25, 2_000_000], [5, 2_100_000]],
    ]
    for _ in range(6):
        tables.append(rng.integers(0, 40, size=(2, 2)).tolist())
    for table in tables:
        t = np.asarray(table, dtype=np.int64)
        empty_margin = 0 in t.sum(axis=0) or 0 in t.sum(axis=1)
        for alternative in ("two-sided", "less", "greater"):
            res = stats.fisher_exact(t, alternative=alternative)
            case = {
                "kind": "fisher", "table": t, "alternative": alternative,
                "statistic": res.statistic, "p_value": res.pvalue,
            }
            if not empty_margin:
                conf = 0.95 if t.sum() % 3 else 0.9
                cond = odds_ratio(t, kind="conditional")
                case.update({"confidence": conf, "odds_ratio_mle": cond.statistic})
                # scipy's CI sums BiasedUrn cdfs over the whole support at every root-finding
                # step: minutes for tables with every cell in the thousands, so those get the
                # MLE only.
                if t.min() < 2000:
                    ci = cond.confidence_interval(confidence_level=conf, alternative=alternative)
                    case["ci"] = [ci.low, ci.high]
            cases.append(case)


def fisher_mpmath_cases():
    # scipy's brentq stops at xtol = 1e-13 absolute in the odds ratio, too coarse when the odds
    # ratio is ~1e-11, and its BiasedUrn sums drift by ~1e-9 on million-count tables with a short
    # support: these come from 40-digit sums over the (short) effective support.
    mpmath.mp.dps = 40
    for table, conf in (([[10, 1_000_000], [1_000_000, 10]], 0.95),
                        ([[3, 500_000], [400_000, 2]], 0.9),
                        ([[1, 2_000_000], [3, 1_500_000]], 0.95),
                        ([[25, 2_000_000], [5, 2_100_000]], 0.95)):
        (a, b), (c, d) = table
        r0, r1, c0 = a + b, c + d, a + c
        lo, hi = max(0, c0 - r1), min(r0, c0)
        ks = range(lo, min(hi, a + 400) + 1)
        logw = [mpmath.log(mpmath.binomial(r0, k)) + mpmath.log(mpmath.binomial(r1, c0 - k))
                for k in ks]

        def tails(log_psi):
            w = [mpmath.exp(lw + k * log_psi) for lw, k in zip(logw, ks)]
            tot = mpmath.fsum(w)
            below = mpmath.fsum(wi for wi, k in zip(w, ks) if k <= a)
            above = mpmath.fsum(wi for wi, k in zip(w, ks) if k >= a)
            mean = mpmath.fsum(wi * k for wi, k in zip(w, ks)) / tot
            return mean, below / tot, above / tot

        alpha = (1 - mpmath.mpf(conf)) / 2
        start = mpmath.log(mpmath.mpf(a * d) / (b * c))
        mle = mpmath.findroot(lambda u: tails(u)[0] - a, start)
        low = mpmath.findroot(lambda u: tails(u)[2] - alpha, start - 1)
        high = mpmath.findroot(lambda u: tails(u)[1] - alpha, start + 1)
        cases.append({
            "kind": "fisher-mpmath", "table": table, "confidence": conf,
            "odds_ratio_mle": float(mpmath.exp(mle)),
            "ci": [float(mpmath.exp(low)), float(mpmath.exp(high))],
        })


def adjust_cases():
    methods = {
        "bonferroni": "bonferroni", "holm": "holm", "hochberg": "simes-hochberg",
        "hommel": "hommel", "bh": "fdr_bh", "by": "fdr_by",
    }
    p_sets = [
        [0.01, 0.02, 0.03, 0.04, 0.05],
        [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216],
        [0.5],
        [0.0, 1.0, 0.03, 0.03, 0.2],
        [0.02, 0.02, 0.02, 0.02],
        [0.01, 0.04, 0.04, 0.04, 0.3, 0.3, 0.9, 0.01],
        [1e-300, 1e-12, 0.049, 0.051, 0.6],
    ]
    p_sets.append(list(rng.uniform(size=25)))
    p_sets.append(list(np.round(rng.uniform(0, 0.2, size=40), 2)))
    p_sets.append(list(np.concatenate([rng.uniform(0, 0.01, 10), rng.uniform(size=30)])))
    for p in p_sets:
        for name, sm in methods.items():
            for alpha in (0.05, 0.1):
                reject, adj, _, _ = multipletests(p, alpha=alpha, method=sm)
                cases.append({
                    "kind": "adjust", "method": name, "p": p, "alpha": alpha,
                    "p_adjusted": adj, "reject": reject,
                })


gof_cases()
independence_cases()
fisher_cases()
fisher_mpmath_cases()
adjust_cases()
write("contingency", "scipy.stats chisquare/power_divergence/chi2_contingency/fisher_exact/"
      "contingency.odds_ratio; statsmodels multipletests", cases)
