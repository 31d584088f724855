"""Reference values for the moment-based tests (counterfact_stats::parametric).

t-tests from scipy.stats (ttest_1samp, ttest_ind, ttest_rel, ttest_ind_from_stats and their
confidence_interval()); z-tests, TOST and non-inferiority from statsmodels; proportion tests from
statsmodels.stats.proportion; odds and risk ratios from statsmodels Table2x2. The relative-lift
intervals (delta method, Fieller), the known-sigma z-tests and Cohen's d / Hedges' g are computed
here from their closed forms in mpmath at 50 digits, an implementation independent of the Rust one.

Each case: {"kind", "input", "expected"}; an expected {"error": "<Variant>"} means the Rust
function must return that StatsError variant.
"""

import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import mpmath  # noqa: E402
import numpy as np  # noqa: E402
from scipy import stats  # noqa: E402
from statsmodels.stats import proportion as smp  # noqa: E402
from statsmodels.stats import weightstats as smw  # noqa: E402
from statsmodels.stats.contingency_tables import Table2x2  # noqa: E402

from common import write  # noqa: E402

mpmath.mp.dps = 50
warnings.simplefilter("ignore")
RNG = np.random.default_rng(20261127)
ALTS = ["two-sided", "less", "greater"]
SM_ALT = {"two-sided": "two-sided", "less": "smaller", "greater": "larger"}
CASES = []


def add(kind, inp, expected):
    CASES.append({"kind": kind, "input": inp, "expected": expected})


def ci_of(res, conf):
    ci = res.confidence_interval(conf)
    return [float(ci.low), float(ci.high)]


def datasets():
    """(name, x, y) pairs covering ties, n=2, 1:9 allocation, zero variance, large effects."""
    out = []
    out.append(("small", RNG.normal(10, 2, 8), RNG.normal(9, 3, 11)))
    out.append(("ties", np.round(RNG.normal(5, 1, 15)), np.round(RNG.normal(5.5, 1, 12))))
    out.append(("n2", np.array([1.5, 2.75]), np.array([0.25, 3.5])))
    out.append(("alloc19", RNG.normal(0.3, 1, 20), RNG.normal(0, 1, 180)))
    out.append(("zero_var_x", np.full(6, 4.0), RNG.normal(3, 1, 9)))
    out.append(("big_shift", RNG.normal(100, 1, 400), RNG.normal(98, 1.5, 380)))
    out.append(("huge_effect", RNG.normal(1.2, 1, 1500), RNG.normal(0, 1, 1500)))
    out.append(("offset", 1e4 + RNG.normal(0, 0.5, 50), 1e4 + RNG.normal(0.3, 0.5, 60)))
    out.append(("null", RNG.normal(0, 1, 40), RNG.normal(0, 1, 40)))
    return out


def t_cases():
    confs = [0.9, 0.95, 0.99]
    for i, (name, x, y) in enumerate(datasets_cache):
        for j, alt in enumerate(ALTS):
            conf = confs[(i + j) % 3]
            # Welch and Student
            for kind, eq in [("welch-t", False), ("student-t", True)]:
                if name == "n2" and kind == "welch-t" and alt != "two-sided":
                    continue
                r = stats.ttest_ind(x, y, equal_var=eq, alternative=alt)
                add(kind, {"name": name, "x": x, "y": y, "alternative": alt, "confidence": conf},
                    {"statistic": r.statistic, "p_value": r.pvalue, "df": r.df,
                     "estimate": float(np.mean(x) - np.mean(y)), "ci": ci_of(r, conf)})
            # one-sample against a null near the mean
            mu0 = float(np.round(np.mean(y), 1)) if name != "zero_var_x" else 3.5
            r = stats.ttest_1samp(x, mu0, alternative=alt)
            add("one-sample-t", {"name": name, "x": x, "mu0": mu0, "alternative": alt,
                                 "confidence": conf},
                {"statistic": r.statistic, "p_value": r.pvalue, "df": float(r.df),
                 "estimate": float(np.mean(x)), "ci": ci_of(r, conf)})
            # paired on the common prefix
            m = min(len(x), len(y))
            if name != "zero_var_x":
                r = stats.ttest_rel(x[:m], y[:m], alternative=alt)
                add("paired-t", {"name": name, "x": x[:m], "y": y[:m], "alternative": alt,
                                 "confidence": conf},
                    {"statistic": r.statistic, "p_value": r.pvalue, "df": float(r.df),
                     "estimate": float(np.mean(x[:m] - y[:m])), "ci": ci_of(r, conf)})


datasets_cache = datasets()


def t_from_stats_cases():
    """Summaries with large n: p-values far below 1e-100."""
    rows = [
        (10.0, 2.0, 1_000_000, 9.99, 2.0, 1_000_000),
        (10.5, 2.0, 50_000, 10.0, 2.5, 450_000),
        (1.0, 1.0, 2_000_000, 0.9, 1.0, 2_000_000),
        (0.3, 1.0, 5_000, 0.0, 3.0, 5_000),
        (5.0, 0.5, 3, 4.0, 0.7, 2),
    ]
    for k, (m1, s1, n1, m2, s2, n2) in enumerate(rows):
        for j, alt in enumerate(ALTS):
            conf = [0.9, 0.95, 0.99][(k + j) % 3]
            for kind, eq in [("welch-t-stats", False), ("student-t-stats", True)]:
                r = stats.ttest_ind_from_stats(m1, s1, n1, m2, s2, n2, equal_var=eq,
                                               alternative=alt)
                # ttest_ind_from_stats has no confidence_interval: closed form with t.ppf.
                if eq:
                    df = n1 + n2 - 2
                    sp2 = ((n1 - 1) * s1**2 + (n2 - 1) * s2**2) / df
                    se = np.sqrt(sp2 * (1 / n1 + 1 / n2))
                else:
                    a1, a2 = s1**2 / n1, s2**2 / n2
                    se = np.sqrt(a1 + a2)
                    df = (a1 + a2) ** 2 / (a1**2 / (n1 - 1) + a2**2 / (n2 - 1))
                d = m1 - m2
                if alt == "two-sided":
                    c = stats.t.isf((1 - conf) / 2, df)
                    ci = [d - c * se, d + c * se]
                elif alt == "less":
                    ci = ["-inf", d + stats.t.isf(1 - conf, df) * se]
                else:
                    ci = [d - stats.t.isf(1 - conf, df) * se, "inf"]
                add(kind, {"mean_x": m1, "sd_x": s1, "n_x": n1, "mean_y": m2, "sd_y": s2,
                           "n_y": n2, "alternative": alt, "confidence": conf},
                    {"statistic": r.statistic, "p_value": r.pvalue, "df": float(df),
                     "estimate": d, "ci": ci})


def norm_isf(q):
    return -mpmath.sqrt(2) * mpmath.erfinv(2 * mpmath.mpf(q) - 1)


def norm_p(z, alt):
    z = mpmath.mpf(z)
    if alt == "less":
        return float(mpmath.ncdf(z))
    if alt == "greater":
        return float(mpmath.ncdf(-z))
    return float(min(1, 2 * mpmath.ncdf(-abs(z))))


def wald_ci(est, se, conf, alt):
    est, se = mpmath.mpf(est), mpmath.mpf(se)
    if alt == "two-sided":
        c = norm_isf((1 - mpmath.mpf(conf)) / 2)
        return [float(est - c * se), float(est + c * se)]
    c = norm_isf(1 - mpmath.mpf(conf))
    if alt == "less":
        return ["-inf", float(est + c * se)]
    return [float(est - c * se), "inf"]


def mp_moments(v):
    v = [mpmath.mpf(float(a)) for a in v]
    n = len(v)
    mean = mpmath.fsum(v) / n
    var = mpmath.fsum((a - mean) ** 2 for a in v) / (n - 1)
    return n, mean, var


def z_cases():
    for i, (name, x, y) in enumerate(datasets_cache):
        if name in ("n2",):
            continue
        for j, alt in enumerate(ALTS):
            conf = [0.9, 0.95, 0.99][(i + j) % 3]
            # estimated sigma, statsmodels ztest / zconfint_diff (unequal variances)
            z, p = smw.ztest(x, y, alternative=SM_ALT[alt], usevar="unequal")
            cm = smw.CompareMeans(smw.DescrStatsW(x), smw.DescrStatsW(y))
            lo, hi = cm.zconfint_diff(alpha=1 - conf, alternative=SM_ALT[alt], usevar="unequal")
            add("z-means", {"name": name, "x": x, "y": y, "sigma": None, "alternative": alt,
                            "confidence": conf},
                {"statistic": z, "p_value": p, "estimate": float(np.mean(x) - np.mean(y)),
                 "ci": [lo, hi]})
            # known sigma: closed form in mpmath
            sx, sy = 1.5, 2.25
            nx, mx, _ = mp_moments(x)
            ny, my, _ = mp_moments(y)
            se = mpmath.sqrt(mpmath.mpf(sx) ** 2 / nx + mpmath.mpf(sy) ** 2 / ny)
            zz = (mx - my) / se
            add("z-means", {"name": name, "x": x, "y": y, "sigma": [sx, sy], "alternative": alt,
                            "confidence": conf},
                {"statistic": float(zz), "p_value": norm_p(zz, alt), "estimate": float(mx - my),
                 "ci": wald_ci(mx - my, se, conf, alt)})
            # one sample, estimated sigma (statsmodels) and known sigma (mpmath)
            mu0 = float(np.round(np.mean(y), 1))
            z, p = smw.ztest(x, value=mu0, alternative=SM_ALT[alt])
            lo, hi = smw.zconfint(x, alpha=1 - conf, alternative=SM_ALT[alt])
            add("z-mean-one", {"name": name, "x": x, "mu0": mu0, "sigma": None,
                               "alternative": alt, "confidence": conf},
                {"statistic": z, "p_value": p, "estimate": float(np.mean(x)), "ci": [lo, hi]})
            se1 = mpmath.mpf(sx) / mpmath.sqrt(nx)
            z1 = (mx - mu0) / se1
            add("z-mean-one", {"name": name, "x": x, "mu0": mu0, "sigma": sx,
                               "alternative": alt, "confidence": conf},
                {"statistic": float(z1), "p_value": norm_p(z1, alt), "estimate": float(mx),
                 "ci": wald_ci(mx, se1, conf, alt)})


def proportion_cases():
    rows = [
        (45, 100, 30, 100),
        (3, 10, 7, 12),
        (1_234_567, 10_000_000, 1_200_000, 10_000_000),
        (510_000, 1_000_000, 500_000, 1_000_000),
        (0, 50, 5, 60),
        (20, 20, 15, 30),
        (120, 1000, 900, 9000),
        (9, 1000, 1, 9000),
    ]
    for k, (c1, n1, c2, n2) in enumerate(rows):
        for j, alt in enumerate(ALTS):
            conf = [0.9, 0.95, 0.99][(k + j) % 3]
            z, p = smp.proportions_ztest([c1, c2], [n1, n2], alternative=SM_ALT[alt])
            # Wald CI for the difference (unpooled); statsmodels gives two-sided intervals,
            # so a one-sided bound is the matching end of the interval at level 1 − 2α.
            if alt == "two-sided":
                lo, hi = smp.confint_proportions_2indep(c1, n1, c2, n2, method="wald",
                                                        alpha=1 - conf)
                ci = [lo, hi]
            else:
                lo, hi = smp.confint_proportions_2indep(c1, n1, c2, n2, method="wald",
                                                        alpha=2 * (1 - conf))
                ci = ["-inf", hi] if alt == "less" else [lo, "inf"]
            inp = {"successes_x": c1, "trials_x": n1, "successes_y": c2, "trials_y": n2,
                   "alternative": alt, "confidence": conf}
            add("z-proportions", dict(inp, pooled=True),
                {"statistic": z, "p_value": p, "estimate": c1 / n1 - c2 / n2, "ci": ci})
            r = smp.test_proportions_2indep(c1, n1, c2, n2, method="wald", compare="diff",
                                            alternative=SM_ALT[alt])
            add("z-proportions", dict(inp, pooled=False),
                {"statistic": r.statistic, "p_value": r.pvalue, "estimate": c1 / n1 - c2 / n2,
                 "ci": ci})
            # one-sample score test against p0
            p0 = 0.4
            z, p = smp.proportions_ztest(c1, n1, value=p0, alternative=SM_ALT[alt], prop_var=p0)
            ph = mpmath.mpf(c1) / n1
            se = mpmath.sqrt(ph * (1 - ph) / n1)
            ci = wald_ci(ph, se, conf, alt) if se > 0 else None
            if ci is not None:
                add("z-proportion-one", {"successes": c1, "trials": n1, "p0": p0,
                                         "alternative": alt, "confidence": conf},
                    {"statistic": z, "p_value": p, "estimate": float(ph), "ci": ci})


def lift_cases():
    rows = [
        (10.3, 2.0, 500, 10.0, 2.1, 500),
        (0.052, 0.22, 200_000, 0.050, 0.218, 200_000),
        (105.0, 40.0, 30, 100.0, 35.0, 25),
        (2.0, 5.0, 40, 1.0, 5.0, 40),       # Fieller unbounded at most levels
        (0.0, 1.0, 100, 3.0, 1.0, 100),     # zero numerator mean
        (-4.0, 2.0, 80, -5.0, 2.5, 90),     # negative means
        (12.0, 0.0, 50, 10.0, 3.0, 50),     # zero variance in x
    ]
    for k, (m1, s1, n1, m2, s2, n2) in enumerate(rows):
        for j, alt in enumerate(ALTS):
            conf = [0.9, 0.95, 0.99][(k + j) % 3]
            mx, my = mpmath.mpf(m1), mpmath.mpf(m2)
            ax, ay = mpmath.mpf(s1) ** 2 / n1, mpmath.mpf(s2) ** 2 / n2
            ratio = mx / my
            lift = ratio - 1
            se = mpmath.sqrt(ax + ratio**2 * ay) / abs(my)
            inp = {"mean_x": m1, "sd_x": s1, "n_x": n1, "mean_y": m2, "sd_y": s2, "n_y": n2,
                   "alternative": alt, "confidence": conf}
            zd = lift / se
            add("lift-delta", inp, {"statistic": float(zd), "p_value": norm_p(zd, alt),
                                    "estimate": float(lift), "std_error": float(se),
                                    "ci": wald_ci(lift, se, conf, alt)})
            zf = (mx - my) / mpmath.sqrt(ax + ay)
            alpha = 1 - mpmath.mpf(conf)
            q = norm_isf(alpha / 2 if alt == "two-sided" else alpha)
            a = my**2 - q**2 * ay
            if a > 0:
                b = mx * my
                c = mx**2 - q**2 * ax
                s = mpmath.sqrt(b**2 - a * c)
                r1, r2 = (b - s) / a, (b + s) / a
                lo, hi = float(r1 - 1), float(r2 - 1)
                ci = {"two-sided": [lo, hi], "less": ["-inf", hi], "greater": [lo, "inf"]}[alt]
            else:
                ci = ["-inf", "inf"]
            add("lift-fieller", inp, {"statistic": float(zf), "p_value": norm_p(zf, alt),
                                      "estimate": float(lift), "std_error": float(se),
                                      "ci": ci})


def tost_cases():
    for i, (name, x, y) in enumerate(datasets_cache):
        if name in ("n2", "zero_var_x"):
            continue
        d = float(np.mean(x) - np.mean(y))
        spread = float(np.std(np.concatenate([x, y]), ddof=1))
        low, upp = -0.5 * spread + 0.3 * d, 0.5 * spread + 0.3 * d
        conf = [0.9, 0.95][i % 2]
        for usevar in ["pooled", "unequal"]:
            cm = smw.CompareMeans(smw.DescrStatsW(x), smw.DescrStatsW(y))
            p, t1, t2 = smw.ttost_ind(x, y, low, upp, usevar=usevar)
            lo, hi = cm.tconfint_diff(alpha=1 - conf, usevar=usevar)
            add("tost", {"name": name, "x": x, "y": y, "lower": low, "upper": upp,
                         "relative": False, "pooled": usevar == "pooled", "confidence": conf},
                {"p_value": p, "statistic_lower": t1[0], "p_value_lower": t1[1],
                 "statistic_upper": t2[0], "p_value_upper": t2[1], "df": t1[2],
                 "margin_lower": low, "margin_upper": upp, "ci": [lo, hi]})
            # relative bounds: fractions of |mean_y|
            if abs(np.mean(y)) > 0.5:
                rl, ru = -0.03, 0.05
                my = abs(float(np.mean(y)))
                p, t1, t2 = smw.ttost_ind(x, y, rl * my, ru * my, usevar=usevar)
                add("tost", {"name": name, "x": x, "y": y, "lower": rl, "upper": ru,
                             "relative": True, "pooled": usevar == "pooled",
                             "confidence": conf},
                    {"p_value": p, "statistic_lower": t1[0], "p_value_lower": t1[1],
                     "statistic_upper": t2[0], "p_value_upper": t2[1], "df": t1[2],
                     "margin_lower": rl * my, "margin_upper": ru * my, "ci": [lo, hi]})


def non_inferiority_cases():
    for i, (name, x, y) in enumerate(datasets_cache):
        if name in ("n2", "zero_var_x"):
            continue
        spread = float(np.std(np.concatenate([x, y]), ddof=1))
        conf = [0.9, 0.95, 0.99][i % 3]
        for higher in [True, False]:
            for usevar in ["pooled", "unequal"]:
                for relative in [False, True]:
                    my = abs(float(np.mean(y)))
                    if relative and my < 0.5:
                        continue
                    margin = 0.02 if relative else 0.25 * spread
                    delta = margin * my if relative else margin
                    value = -delta if higher else delta
                    alt = "larger" if higher else "smaller"
                    t, p, df = smw.ttest_ind(x, y, alternative=alt, usevar=usevar, value=value)
                    cm = smw.CompareMeans(smw.DescrStatsW(x), smw.DescrStatsW(y))
                    lo, hi = cm.tconfint_diff(alpha=1 - conf, alternative=alt, usevar=usevar)
                    ci = [lo, "inf"] if higher else ["-inf", hi]
                    add("non-inferiority",
                        {"name": name, "x": x, "y": y, "margin": margin, "relative": relative,
                         "higher_is_better": higher, "pooled": usevar == "pooled",
                         "confidence": conf},
                        {"statistic": t, "p_value": p, "df": df, "margin": delta, "ci": ci})


def effect_size_cases():
    for i, (name, x, y) in enumerate(datasets_cache):
        if name == "zero_var_x":
            continue
        conf = [0.9, 0.95, 0.99][i % 3]
        nx, mx, vx = mp_moments(x)
        ny, my, vy = mp_moments(y)
        df = nx + ny - 2
        sp = mpmath.sqrt(((nx - 1) * vx + (ny - 1) * vy) / df)
        d = (mx - my) / sp
        se = mpmath.sqrt(mpmath.mpf(nx + ny) / (nx * ny) + d**2 / (2 * (nx + ny)))
        z = norm_isf((1 - mpmath.mpf(conf)) / 2)
        add("cohens-d", {"name": name, "x": x, "y": y, "confidence": conf},
            {"estimate": float(d), "ci": [float(d - z * se), float(d + z * se)]})
        m = mpmath.mpf(df) / 2
        j = mpmath.gamma(m) / (mpmath.sqrt(m) * mpmath.gamma(m - mpmath.mpf(1) / 2))
        g = j * d
        add("hedges-g", {"name": name, "x": x, "y": y, "confidence": conf},
            {"estimate": float(g), "ci": [float(g - z * j * se), float(g + z * j * se)],
             "j": float(j)})
    for df in [2, 3, 5, 10, 39, 40, 41, 100, 1000, 1e6]:
        m = mpmath.mpf(df) / 2
        j = mpmath.gamma(m) / (mpmath.sqrt(m) * mpmath.gamma(m - mpmath.mpf(1) / 2))
        add("hedges-j", {"df": df}, {"j": float(j)})
    rows = [(45, 100, 30, 100), (0, 50, 5, 60), (20, 20, 15, 30), (3, 10, 7, 12),
            (1_234_567, 10_000_000, 1_200_000, 10_000_000), (120, 1000, 900, 9000)]
    for k, (c1, n1, c2, n2) in enumerate(rows):
        conf = [0.9, 0.95, 0.99][k % 3]
        cells = [c1, n1 - c1, c2, n2 - c2]
        if min(cells) == 0:
            cells = [c + 0.5 for c in cells]
        t = Table2x2(np.array([cells[:2], cells[2:]], dtype=float), shift_zeros=False)
        inp = {"successes_x": c1, "trials_x": n1, "successes_y": c2, "trials_y": n2,
               "confidence": conf}
        add("odds-ratio", inp, {"estimate": t.oddsratio,
                                "ci": list(t.oddsratio_confint(alpha=1 - conf))})
        add("risk-ratio", inp, {"estimate": t.riskratio,
                                "ci": list(t.riskratio_confint(alpha=1 - conf))})


def error_cases():
    add("welch-t", {"x": [1.0, 1.0, 1.0], "y": [1.0, 1.0, 1.0], "alternative": "two-sided",
                    "confidence": 0.95}, {"error": "Degenerate"})
    add("student-t", {"x": [2.0, 2.0], "y": [2.0, 2.0, 2.0], "alternative": "two-sided",
                      "confidence": 0.95}, {"error": "Degenerate"})
    add("one-sample-t", {"x": [1.0], "mu0": 0.0, "alternative": "two-sided",
                         "confidence": 0.95}, {"error": "TooFew"})
    add("welch-t", {"x": [1.0], "y": [1.0, 2.0], "alternative": "two-sided",
                    "confidence": 0.95}, {"error": "TooFew"})
    add("welch-t", {"x": [], "y": [1.0, 2.0], "alternative": "two-sided",
                    "confidence": 0.95}, {"error": "Empty"})
    add("welch-t", {"x": [1.0, "nan"], "y": [1.0, 2.0], "alternative": "two-sided",
                    "confidence": 0.95}, {"error": "NonFinite"})
    add("paired-t", {"x": [1.0, 2.0, "nan"], "y": [1.0, 2.0, 3.0], "alternative": "two-sided",
                     "confidence": 0.95}, {"error": "NonFinite"})
    add("paired-t", {"x": [1.0, 2.0, 4.0], "y": [1.0, 2.0], "alternative": "two-sided",
                     "confidence": 0.95}, {"error": "InvalidArgument"})
    add("welch-t", {"x": [1.0, 2.0], "y": [1.0, 2.0], "alternative": "two-sided",
                    "confidence": 1.0}, {"error": "InvalidArgument"})
    for c1, n1, c2, n2 in [(11, 10, 3, 10), (-1, 10, 3, 10), (0, 0, 3, 10), (0, 10, 0, 20),
                           (10, 10, 20, 20)]:
        add("z-proportions", {"successes_x": c1, "trials_x": n1, "successes_y": c2,
                              "trials_y": n2, "pooled": True, "alternative": "two-sided",
                              "confidence": 0.95},
            {"error": "Degenerate" if c1 >= 0 and n1 > 0 and c1 <= n1 else "InvalidArgument"})


def compact(cases):
    """Store each dataset once (kind "dataset") and let cases refer to it by name with
    the number of leading values used, "len_x" and "len_y" (paired cases use a common prefix)."""
    out = [{"kind": "dataset", "input": {"name": n, "x": x, "y": y}, "expected": {}}
           for n, x, y in datasets_cache]
    for c in cases:
        inp = c["input"]
        if "name" in inp and "x" in inp:
            inp = dict(inp)
            inp["len_x"] = len(inp.pop("x"))
            if "y" in inp:
                inp["len_y"] = len(inp.pop("y"))
            c = dict(c, input=inp)
        out.append(c)
    return out


if __name__ == "__main__":
    t_cases()
    t_from_stats_cases()
    z_cases()
    proportion_cases()
    lift_cases()
    tost_cases()
    non_inferiority_cases()
    effect_size_cases()
    error_cases()
    write("parametric", "tests/reference/gen_parametric.py", compact(CASES))
