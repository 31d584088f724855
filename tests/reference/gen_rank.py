"""Reference values for the rank tests (tests/data/rank.json).

p-values and statistics come from scipy.stats (mannwhitneyu, wilcoxon, ks_2samp). The
Hodges-Lehmann estimates and intervals are computed here independently, by enumerating all
pairwise differences (or Walsh averages) with numpy and taking order statistics at the ranks R's
wilcox.test(conf.int = TRUE) uses (R src/library/stats/R/wilcox.test.R): with exact quantiles
(qwilcox / qsignrank, whose 10*eps slack is reproduced) when R would use them, i.e. fewer than 50
observations per sample and no ties (and, one-sample, no zeros); otherwise the tie-corrected
normal approximation C = round(N/2 - z * sigma) of Hollander & Wolfe (§3.2, §4.3), which
counterfact uses in place of R's uniroot search.
"""

import math
import os
import sys

import numpy as np
from scipy import stats

sys.path.insert(0, os.path.dirname(__file__))
from common import write  # noqa: E402

EPS = np.finfo(float).eps


def mwu_counts(m, n):
    """Number of arrangements with U = u for u = 0..m*n (exact integers)."""
    # Gaussian binomial [m+n choose m] via partitions into at most m parts each <= n.
    prev = [[1] for _ in range(n + 1)]  # sizes (0, b)
    for a in range(1, m + 1):
        cur = [[1]]
        for b in range(1, n + 1):
            c = [0] * (a * b + 1)
            for u, v in enumerate(prev[b]):
                c[u + b] += v
            for u, v in enumerate(cur[b - 1]):
                c[u] += v
            cur.append(c)
        prev = cur
    return prev[n]


def signrank_counts(n):
    c = [1] + [0] * (n * (n + 1) // 2)
    for k in range(1, n + 1):
        for s in range(k * (k + 1) // 2, k - 1, -1):
            c[s] += c[s - k]
    return c


def r_quantile(counts, p):
    """R's qwilcox/qsignrank: smallest q with P(S <= q) >= p, with R's 10*eps slack."""
    total = sum(counts)
    acc = 0.0
    if p <= 0.5:
        target = p - 10 * EPS
        for q, c in enumerate(counts):
            acc += c / total
            if acc >= target:
                return q
        return len(counts) - 1
    target = 1 - p + 10 * EPS
    for q, c in enumerate(counts):
        acc += c / total
        if acc > target:
            return len(counts) - 1 - q
    return 0


def tie_term(values):
    _, t = np.unique(values, return_counts=True)
    return float(np.sum(t.astype(float) ** 3 - t))


def hl_interval(sorted_vals, q, alternative):
    total = len(sorted_vals)
    q = min(max(q, 1), total)
    lo, hi = sorted_vals[q - 1], sorted_vals[total - q]
    if alternative == "two-sided":
        return [lo, hi]
    if alternative == "greater":
        return [lo, math.inf]
    return [-math.inf, hi]


def hl_shift(x, y, alternative, confidence):
    diffs = np.sort(np.subtract.outer(x, y).ravel())
    n1, n2 = len(x), len(y)
    nm = n1 * n2
    alpha = 1 - confidence
    tail = alpha / 2 if alternative == "two-sided" else alpha
    pooled = np.concatenate([x, y])
    ties = len(np.unique(pooled)) < len(pooled)
    if not ties and n1 < 50 and n2 < 50:
        q = r_quantile(mwu_counts(min(n1, n2), max(n1, n2)), tail)
    else:
        n = n1 + n2
        sd = math.sqrt(n1 * n2 / 12 * ((n + 1) - tie_term(pooled) / (n * (n - 1))))
        q = math.floor(nm / 2 - stats.norm.isf(tail) * sd + 0.5)
        q = min(max(q, 0), nm)
    return float(np.median(diffs)), hl_interval(diffs, q, alternative)


def hl_pseudo_median(d, alternative, confidence):
    nz = d[d != 0]
    m = len(nz)
    i, j = np.triu_indices(m)
    walsh = np.sort((nz[i] + nz[j]) / 2)
    alpha = 1 - confidence
    tail = alpha / 2 if alternative == "two-sided" else alpha
    ties = len(np.unique(np.abs(nz))) < m
    zeros = m < len(d)
    if m < 50 and not ties and not zeros:
        q = r_quantile(signrank_counts(m), tail)
    else:
        sd = math.sqrt((m * (m + 1) * (2 * m + 1) - tie_term(np.abs(nz)) / 2) / 24)
        q = math.floor(m * (m + 1) / 4 - stats.norm.isf(tail) * sd + 0.5)
        q = min(max(q, 0), len(walsh))
    return float(np.median(walsh)), hl_interval(walsh, q, alternative)


ALTS = ["two-sided", "less", "greater"]


class RoundedRng:
    """numpy Generator whose continuous draws are rounded to 8 decimals (compact fixtures)."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def __getattr__(self, name):
        f = getattr(self.rng, name)
        if name == "integers":
            return f
        return lambda *a, **k: np.round(f(*a, **k), 8)


def mwu_cases(rng):
    data = {
        "small-5-7": (rng.normal(size=5), rng.normal(0.8, size=7)),
        "n2-n3": (np.array([1.3, 2.9]), np.array([0.2, 3.4, 1.1])),
        "n1-n6": (np.array([0.5]), rng.normal(size=6)),
        "n1-n1": (np.array([2.0]), np.array([1.0])),
        "alloc-1-9": (rng.normal(0.5, size=5), rng.normal(size=45)),
        "ties-12-15": (rng.integers(0, 8, 12).astype(float), rng.integers(0, 8, 15).astype(float)),
        "heavy-ties": (rng.integers(0, 3, 30).astype(float), rng.integers(0, 3, 40).astype(float)),
        "medium-20-25": (rng.normal(size=20), rng.normal(0.4, size=25)),
        "exact-9-12": (rng.exponential(size=9), rng.exponential(1.5, size=12)),
        "shifted-400": (rng.normal(4.0, size=400), rng.normal(size=400)),
    }
    cases = []
    for name, (x, y) in data.items():
        ties = len(np.unique(np.concatenate([x, y]))) < len(x) + len(y)
        methods = ["auto", "asymptotic"]
        if len(x) * len(y) <= 400:
            methods.append("exact")
        for method in methods:
            for cc in ([True, False] if method != "exact" else [True]):
                for alt in ALTS:
                    r = stats.mannwhitneyu(x, y, use_continuity=cc, alternative=alt,
                                           method=method)
                    est, ci = hl_shift(x, y, alt, 0.95)
                    cases.append({
                        "test": "mann-whitney", "name": f"{name}/{method}/cc={cc}/{alt}",
                        "data": f"mwu/{name}", "alternative": alt, "method": method,
                        "continuity": cc, "confidence": 0.95, "ties": ties,
                        "statistic": r.statistic, "p_value": r.pvalue,
                        "u2": len(x) * len(y) - r.statistic,
                        "estimate": est, "ci": ci,
                    })
    x, y = data["medium-20-25"]
    for conf in [0.8, 0.99]:
        est, ci = hl_shift(x, y, "two-sided", conf)
        r = stats.mannwhitneyu(x, y)
        cases.append({
            "test": "mann-whitney", "name": f"medium-20-25/conf={conf}",
            "data": "mwu/medium-20-25",
            "alternative": "two-sided", "method": "auto", "continuity": True,
            "confidence": conf, "statistic": r.statistic, "p_value": r.pvalue,
            "u2": len(x) * len(y) - r.statistic, "estimate": est, "ci": ci,
        })
    return datasets("mwu", data) + cases


def datasets(prefix, data):
    out = []
    for name, v in data.items():
        x, y = v if isinstance(v, tuple) else (v, None)
        case = {"test": "data", "name": f"{prefix}/{name}", "x": x}
        if y is not None:
            case["y"] = y
        out.append(case)
    return out


def wilcoxon_cases(rng):
    data = {
        "exact-10": rng.normal(0.5, size=10),
        "n2": np.array([1.5, -0.4]),
        "n1": np.array([2.0]),
        "zeros-ties-12": np.array([0, 0, 1, -1, 2, 2, -3, 4, 5, -5, 6, 7], dtype=float),
        "ties-30": rng.integers(-3, 6, 30).astype(float),
        "zeros-ties-40": rng.integers(-2, 4, 40).astype(float),
        "continuous-25": rng.normal(0.3, size=25),
        "continuous-60": rng.normal(0.2, size=60),
        "shifted-1500": rng.normal(1.0, size=1500),
    }
    x8, y8 = rng.normal(size=8), rng.normal(0.7, size=8)
    data["paired-8"] = x8 - y8
    cases = []
    for name, d in data.items():
        methods = ["auto", "asymptotic"]
        if len(d) <= 60:
            methods.append("exact")
        for zm in (["wilcox", "pratt", "zsplit"] if np.any(d == 0) else ["wilcox"]):
            for method in methods:
                for corr in ([False, True] if method != "exact" else [False]):
                    for alt in ALTS:
                        r = stats.wilcoxon(d, zero_method=zm, correction=corr,
                                           alternative=alt, method=method)
                        est, ci = hl_pseudo_median(d, alt, 0.95)
                        case = {
                            "test": "wilcoxon", "name": f"{name}/{zm}/{method}/corr={corr}/{alt}",
                            "data": f"wilcoxon/{name}", "alternative": alt, "method": method, "zero_method": zm,
                            "correction": corr, "confidence": 0.95,
                            "statistic": r.statistic, "p_value": r.pvalue,
                            "estimate": est, "ci": ci,
                        }
                        cases.append(case)
    data = dict(data)
    data["paired-8"] = (x8, y8)
    return datasets("wilcoxon", data) + cases


def ks_cases(rng):
    data = {
        "small-5-7": (rng.normal(size=5), rng.normal(1.0, size=7)),
        "n2-n3": (np.array([0.1, 2.0]), np.array([0.5, 0.7, 3.0])),
        "equal-20": (rng.normal(size=20), rng.normal(0.6, size=20)),
        "ties-15-25": (rng.integers(0, 6, 15).astype(float), rng.integers(1, 7, 25).astype(float)),
        "alloc-10-90": (rng.normal(0.8, size=10), rng.normal(size=90)),
        "medium-60-80": (rng.normal(size=60), rng.standard_t(3, size=80)),
        "shifted-300-500": (rng.normal(2.0, size=300), rng.normal(size=500)),
        "asym-120-10050": (rng.normal(0.3, size=120), rng.normal(size=10050)),
        "asym-3-10100": (rng.normal(size=3), rng.normal(size=10100)),
        "asym-10010-10020": (rng.normal(0.04, size=10010), rng.normal(size=10020)),
    }
    # Nearly identical samples: a tiny statistic at a large effective size reaches the
    # Durbin-matrix branch of Kolmogorov's distribution (n > 140, n * d**1.5 <= 1.4).
    base = rng.normal(size=400)
    data |= {
        "asym-near-identical": (base, np.round(base + rng.normal(0, 0.03, 400), 8)),
        "separated": (np.array([1.0, 2.0, 3.0]), np.array([10.0, 11.0, 12.0, 13.0])),
    }
    cases = []
    for name, (x, y) in data.items():
        for method in ["auto", "exact", "asymp"]:
            if method == "exact" and max(len(x), len(y)) > 1000:
                continue
            for alt in ALTS:
                r = stats.ks_2samp(x, y, alternative=alt, method=method)
                cases.append({
                    "test": "ks", "name": f"{name}/{method}/{alt}", "data": f"ks/{name}",
                    "alternative": alt, "method": method, "statistic": r.statistic,
                    "p_value": r.pvalue, "location": r.statistic_location,
                    "sign": int(r.statistic_sign),
                })
    return datasets("ks", data) + cases


if __name__ == "__main__":
    import warnings
    warnings.simplefilter("ignore")
    rng = RoundedRng(20261127)
    cases = mwu_cases(rng) + wilcoxon_cases(rng) + ks_cases(rng)
    write("rank", "scipy.stats mannwhitneyu / wilcoxon / ks_2samp; Hodges-Lehmann via numpy "
          "enumeration with R wilcox.test quantile semantics", cases)
