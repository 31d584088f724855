"""Reference values for effects over time (crates/counterfact-stats/src/over_time.rs).

Per-period Welch effects: scipy.stats.ttest_ind_from_stats(equal_var=False) and its Welch CI.
Trend: statsmodels WLS of the per-period effects on time with weights 1/SE² (slope, SE, t, p,
CI); the known-variance z and the pooled estimate by hand; Cochran's Q p-value from
scipy.stats.chi2.sf. Carryover: Welch per group and a normal z for the difference in
differences (scipy.stats.norm).
"""

import math
import os
import sys

import numpy as np
import scipy.stats as st
import statsmodels.api as sm

sys.path.insert(0, os.path.dirname(__file__))
from common import write  # noqa: E402


def welch(mt, st_, nt, mc, sc, nc, conf):
    res = st.ttest_ind_from_stats(mt, st_, nt, mc, sc, nc, equal_var=False)
    se = math.sqrt(st_ ** 2 / nt + sc ** 2 / nc)
    a = se ** 4
    b = (st_ ** 2 / nt) ** 2 / (nt - 1) + (sc ** 2 / nc) ** 2 / (nc - 1)
    df = a / b
    c = st.t.isf((1 - conf) / 2, df)
    est = mt - mc
    return {"estimate": est, "std_error": se, "statistic": float(res.statistic),
            "p_value": float(res.pvalue), "df": df, "ci": [est - c * se, est + c * se]}


def arm(rng, n, mean, sd):
    x = rng.normal(mean, sd, n)
    return {"n": n, "mean": float(np.mean(x)), "sd": float(np.std(x, ddof=1))}


def over_time_case(rng, k, slope, conf, times, n_range):
    periods = []
    for i in range(k):
        t = times[i]
        n_c = int(rng.integers(*n_range))
        n_t = int(rng.integers(*n_range))
        sd = float(rng.uniform(0.5, 3.0))
        c = arm(rng, n_c, 10.0, sd)
        tr = arm(rng, n_t, 10.0 + 0.5 + slope * t, sd * rng.uniform(0.8, 1.2))
        periods.append({"time": t, "control": c, "treatment": tr})
    effects = [welch(p["treatment"]["mean"], p["treatment"]["sd"], p["treatment"]["n"],
                     p["control"]["mean"], p["control"]["sd"], p["control"]["n"], conf)
               for p in periods]
    d = np.array([e["estimate"] for e in effects])
    se = np.array([e["std_error"] for e in effects])
    w = 1.0 / se ** 2
    tt = np.array(times[:k], dtype=float)
    fit = sm.WLS(d, sm.add_constant(tt), weights=w).fit()
    ci = fit.conf_int(alpha=1 - conf)
    pooled = float(np.sum(w * d) / np.sum(w))
    q = float(np.sum(w * (d - pooled) ** 2))
    tbar = float(np.sum(w * tt) / np.sum(w))
    sxx = float(np.sum(w * (tt - tbar) ** 2))
    z_known = float(fit.params[1] * math.sqrt(sxx))
    expected = {
        "periods": effects,
        "intercept": float(fit.params[0]), "intercept_std_error": float(fit.bse[0]),
        "slope": float(fit.params[1]), "slope_std_error": float(fit.bse[1]),
        "statistic": float(fit.tvalues[1]), "p_value": float(fit.pvalues[1]),
        "df": float(fit.df_resid), "slope_ci": [float(ci[1][0]), float(ci[1][1])],
        "scale": float(fit.scale),
        "statistic_known_variance": z_known,
        "p_value_known_variance": float(2 * st.norm.sf(abs(z_known))),
        "pooled_effect": pooled, "pooled_std_error": float(1 / math.sqrt(np.sum(w))),
        "cochran_q": q, "cochran_df": float(k - 1),
        "cochran_p_value": float(st.chi2.sf(q, k - 1)),
    }
    return {"kind": "over-time", "input": {"periods": periods, "confidence": conf},
            "expected": expected}


def carryover_case(rng, shift, conf):
    groups = {}
    for g, extra in (("exposed", shift), ("unexposed", 0.0)):
        sd = float(rng.uniform(0.5, 2.0))
        groups[g] = {"control": arm(rng, int(rng.integers(20, 400)), 5.0 + extra / 2, sd),
                     "treatment": arm(rng, int(rng.integers(20, 400)), 5.3 + extra, sd)}
    e1 = groups["exposed"]
    e0 = groups["unexposed"]
    w1 = welch(e1["treatment"]["mean"], e1["treatment"]["sd"], e1["treatment"]["n"],
               e1["control"]["mean"], e1["control"]["sd"], e1["control"]["n"], conf)
    w0 = welch(e0["treatment"]["mean"], e0["treatment"]["sd"], e0["treatment"]["n"],
               e0["control"]["mean"], e0["control"]["sd"], e0["control"]["n"], conf)
    lv = welch(e1["control"]["mean"], e1["control"]["sd"], e1["control"]["n"],
               e0["control"]["mean"], e0["control"]["sd"], e0["control"]["n"], conf)
    did = w1["estimate"] - w0["estimate"]
    se = math.hypot(w1["std_error"], w0["std_error"])
    z = did / se
    c = st.norm.isf((1 - conf) / 2)
    return {"kind": "carryover", "input": {**groups, "confidence": conf},
            "expected": {"effect_exposed": w1, "effect_unexposed": w0, "level_shift": lv,
                         "interaction": {"estimate": did, "std_error": se, "statistic": z,
                                         "p_value": float(2 * st.norm.sf(abs(z))),
                                         "ci": [did - c * se, did + c * se]}}}


def main():
    rng = np.random.default_rng(20261127)
    cases = []
    configs = [
        (3, 0.0, 0.95, list(range(3)), (5, 30)),
        (4, -0.1, 0.95, list(range(4)), (10, 60)),
        (7, -0.05, 0.95, list(range(7)), (50, 500)),
        (7, 0.0, 0.9, list(range(7)), (50, 500)),
        (7, 0.08, 0.99, list(range(7)), (50, 500)),
        (14, -0.03, 0.95, list(range(14)), (100, 1000)),
        (14, 0.0, 0.95, list(range(1, 15)), (2, 10)),
        (24, -0.01, 0.95, [h / 24 for h in range(24)], (30, 300)),
        (5, 0.2, 0.8, [0, 1, 3, 7, 14], (20, 200)),
        (10, 0.0, 0.95, [100.0 + i for i in range(10)], (1000, 5000)),
    ]
    for rep in range(2):
        for k, slope, conf, times, n_range in configs:
            cases.append(over_time_case(rng, k, slope, conf, times, n_range))
    for shift in (0.0, 0.3, -0.5, 1.0, 0.0, 0.1, -0.2, 0.0):
        cases.append(carryover_case(rng, shift, 0.95))
    cases.append(carryover_case(rng, 0.4, 0.9))
    cases.append(carryover_case(rng, 0.4, 0.99))
    write("over_time", "tests/reference/gen_over_time.py", cases)


if __name__ == "__main__":
    main()
