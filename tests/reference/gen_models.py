"""Reference values for the readout analysis (counterfact-models) -> tests/data/models_readout.json.

Implements docs/readout.md independently of the Rust code, from seeded unit-level samples:
scipy.stats.ttest_ind(equal_var=False) / ttest_ind_from_stats for Welch, statsmodels OLS with
arm dummies for the pooled within-arm CUPED slope θ and R², numpy for the delta-method ratio and
relative effects, numpy.quantile plus the outer-CI rank rule for quantiles, statsmodels
multipletests for Holm/BH and scipy.stats.chisquare for SRM. Each case carries the sufficient
statistics the Rust code is fed (computed here with numpy) and the expected outputs.
"""

import math
import os
import sys

import numpy as np
import scipy.stats as st
import statsmodels.api as sm
from statsmodels.stats.multitest import multipletests

sys.path.insert(0, os.path.dirname(__file__))
from common import write  # noqa: E402

RNG = np.random.default_rng(20261127)
VARIANTS3 = ["control", "treat_a", "treat_b"]


def zcrit(alpha):
    return st.norm.ppf(1 - alpha / 2)


def est(e, se, lo, hi):
    return {"estimate": e, "std_error": se, "ci": [lo, hi]}


def relative_est(a, b, var_a, var_b, alpha):
    ratio = a / b
    se = math.sqrt(var_a + ratio * ratio * var_b) / abs(b)
    r = ratio - 1
    z = zcrit(alpha)
    return est(r, se, r - z * se, r + z * se)


def definition(name, kind, role="primary", higher=True, margin=None, quantile=None, cov=()):
    return {"name": name, "kind": kind, "role": role, "higher_is_better": higher,
            "margin": margin, "quantile": quantile, "covariates": list(cov)}


def non_inferiority(rel, margin, higher, alpha):
    z = (rel["estimate"] + margin) / rel["std_error"] if higher else \
        (margin - rel["estimate"]) / rel["std_error"]
    p = st.norm.sf(z)
    return {"margin": margin, "p_value": p, "non_inferior": bool(p < alpha)}


# ---------------------------------------------------------------- mean-type metrics

def sample(kind, n, shift, p_cov=0, rng=RNG):
    """Unit values y (and covariates X, n×p) for one arm."""
    x = rng.normal(3.0, 1.0, size=(n, p_cov)) if p_cov else np.zeros((n, 0))
    if kind in ("proportion", "retention"):
        base = 0.3 + shift
        if p_cov:
            lin = -0.8 + 0.35 * x.sum(axis=1) / max(p_cov, 1) + shift * 3
            prob = 1 / (1 + np.exp(-lin))
        else:
            prob = np.full(n, base)
        y = (rng.random(n) < prob).astype(float)
    elif kind == "count":
        lam = np.full(n, 2.0 + shift) + (0.5 * x.sum(axis=1) if p_cov else 0)
        y = rng.poisson(lam).astype(float)
    elif kind == "sum":
        y = np.round(rng.lognormal(1.0 + shift, 0.6, size=n), 3)
        if p_cov:
            y = y + 0.8 * x[:, 0]
    else:
        coef = np.array([1.2, -0.6, 0.4][:p_cov])
        y = 5.0 + shift + (x @ coef if p_cov else 0) + rng.normal(0, 2.0, size=n)
    return y, x


def sums(variant, y, x):
    return {"variant": variant, "n": int(len(y)), "sum_y": float(y.sum()),
            "sum_yy": float((y * y).sum()), "sum_x": x.sum(axis=0).tolist(),
            "sum_xy": (x * y[:, None]).sum(axis=0).tolist(),
            "sum_xx": (x.T @ x).reshape(-1).tolist()}


def mean_comparison(kind, yt, yc, alpha):
    """Unadjusted comparison of two samples: (absolute, statistic, df, p, relative)."""
    mt, mc = yt.mean(), yc.mean()
    vt, vc = yt.var(ddof=1), yc.var(ddof=1)
    nt, nc = len(yt), len(yc)
    rel = relative_est(mt, mc, vt / nt, vc / nc, alpha)
    if kind in ("proportion", "retention"):
        se = math.sqrt(vt / nt + vc / nc)
        d = mt - mc
        z = d / se
        q = zcrit(alpha)
        return est(d, se, d - q * se, d + q * se), z, None, 2 * st.norm.sf(abs(z)), rel
    res = st.ttest_ind(yt, yc, equal_var=False)
    ci = res.confidence_interval(1 - alpha)
    se = math.sqrt(vt / nt + vc / nc)
    return est(mt - mc, se, ci.low, ci.high), res.statistic, res.df, res.pvalue, rel


def welch_from_stats(kind, mt, vt, nt, mc, vc, nc, alpha):
    se = math.sqrt(vt / nt + vc / nc)
    d = mt - mc
    if kind in ("proportion", "retention"):
        z = d / se
        q = zcrit(alpha)
        return est(d, se, d - q * se, d + q * se), z, None, 2 * st.norm.sf(abs(z))
    res = st.ttest_ind_from_stats(mt, math.sqrt(vt), nt, mc, math.sqrt(vc), nc, equal_var=False)
    a, b = vt / nt, vc / nc
    df = (a + b) ** 2 / (a * a / (nt - 1) + b * b / (nc - 1))
    t = st.t.ppf(1 - alpha / 2, df)
    return est(d, se, d - t * se, d + t * se), res.statistic, df, res.pvalue


def cuped_comparison(kind, yt, xt, yc, xc, alpha):
    """θ from statsmodels OLS of y on an arm dummy and X over the pair; adjusted stats."""
    y = np.concatenate([yc, yt])
    X = np.vstack([xc, xt])
    dummy = np.concatenate([np.zeros(len(yc)), np.ones(len(yt))])
    design = sm.add_constant(np.column_stack([dummy, X]))
    fit = sm.OLS(y, design).fit()
    theta = fit.params[2:]
    within = ((yc - yc.mean()) ** 2).sum() + ((yt - yt.mean()) ** 2).sum()
    r2 = 1 - fit.ssr / within
    xbar = X.mean(axis=0)

    def adjusted(ya, xa):
        e = ya - ya.mean() - (xa - xa.mean(axis=0)) @ theta
        return ya.mean() - (xa.mean(axis=0) - xbar) @ theta, (e @ e) / (len(ya) - 1)

    mt, vt = adjusted(yt, xt)
    mc, vc = adjusted(yc, xc)
    absolute, stat, df, p = welch_from_stats(kind, mt, vt, len(yt), mc, vc, len(yc), alpha)
    rel = relative_est(mt, mc, vt / len(yt), vc / len(yc), alpha)
    unadj, _, _, _, _ = mean_comparison(kind, yt, yc, alpha)
    adjustment = {"theta": theta.tolist(), "r_squared": r2,
                  "variance_reduction": 1 - absolute["std_error"] ** 2 / unadj["std_error"] ** 2,
                  "unadjusted": unadj}
    return absolute, stat, df, p, rel, adjustment


def comparison_out(variant, absolute, stat, df, p, rel, alpha, **extra):
    out = {"variant": variant, "absolute": absolute, "relative": rel, "statistic": stat,
           "df": df, "p_value": p, "p_value_adjusted": p, "significant": bool(p < alpha)}
    out.update(extra)
    return out


def mean_case(cid, kind, sizes, shifts, alpha, p_cov=0, role="primary", higher=True,
              margin=None, winsor=None):
    variants = VARIANTS3[: len(sizes)]
    data = [sample(kind, n, s, p_cov) for n, s in zip(sizes, shifts)]
    cov = [f"pre_{j}" for j in range(p_cov)]
    defn = definition(f"{kind}_{cid}", kind, role, higher, margin, None, cov)
    uncapped_data = None
    cap = None
    if winsor is not None:
        pooled = np.concatenate([y for y, _ in data])
        cap = float(np.quantile(pooled, winsor))
        uncapped_data = data
        capped_units = int(sum((y > cap).sum() for y, _ in data))
        data = [(np.minimum(y, cap), x) for y, x in data]

    def readout(d):
        yc, xc = d[0]
        arms = [{"variant": v, "n": len(y), "value": y.mean(),
                 "total": float(y.sum()) if kind == "sum" else None}
                for v, (y, _) in zip(variants, d)]
        comps = []
        for v, (yt, xt) in zip(variants[1:], d[1:]):
            if p_cov:
                a, s, df, p, r, adj = cuped_comparison(kind, yt, xt, yc, xc, alpha)
                extra = {"adjustment": adj}
            else:
                a, s, df, p, r = mean_comparison(kind, yt, yc, alpha)
                extra = {"adjustment": None}
            if role == "guardrail":
                extra["non_inferiority"] = non_inferiority(r, margin, higher, alpha)
            comps.append(comparison_out(v, a, s, df, p, r, alpha, **extra))
        return arms, comps

    arms, comps = readout(data)
    inp = {"definition": defn,
           "data": {"shape": "sums", "arms": [sums(v, y, x) for v, (y, x) in zip(variants, data)]},
           "winsorized": None}
    if winsor is not None:
        _, ucomps = readout(uncapped_data)
        for c, u in zip(comps, ucomps):
            u.pop("non_inferiority", None)
            c["uncapped"] = u
        inp["winsorized"] = {"cap": cap, "rule": f"p{int(winsor * 100)} of pooled unit values",
                             "capped_units": capped_units,
                             "uncapped": {"shape": "sums", "arms": [
                                 sums(v, y, x) for v, (y, x) in zip(variants, uncapped_data)]}}
    return {"id": cid, "type": "metric", "alpha": alpha, "control": "control", "input": inp,
            "expected": {"arms": arms, "comparisons": comps, "cap": cap}}


# ---------------------------------------------------------------- ratio metrics

def ratio_case(cid, sizes, shifts, alpha, role="secondary", higher=True, margin=None):
    variants = VARIANTS3[: len(sizes)]
    arms_in, stats = [], []
    for v, n, s in zip(variants, sizes, shifts):
        b = RNG.poisson(3.0, size=n).astype(float) + 1
        a = RNG.poisson(b * (2.0 + s)).astype(float)
        arms_in.append({"variant": v, "n": n, "sum_a": a.sum(), "sum_b": b.sum(),
                        "sum_aa": (a * a).sum(), "sum_bb": (b * b).sum(),
                        "sum_ab": (a * b).sum()})
        r = a.sum() / b.sum()
        cov = np.cov(a, b, ddof=1)
        var = (cov[0, 0] - 2 * r * cov[0, 1] + r * r * cov[1, 1]) / (n * b.mean() ** 2)
        stats.append((r, var, n))
    rc, vc, _ = stats[0]
    comps = []
    for v, (rt, vt, _) in zip(variants[1:], stats[1:]):
        se = math.sqrt(vt + vc)
        d = rt - rc
        z = d / se
        q = zcrit(alpha)
        rel = relative_est(rt, rc, vt, vc, alpha)
        extra = {"adjustment": None}
        if role == "guardrail":
            extra["non_inferiority"] = non_inferiority(rel, margin, higher, alpha)
        comps.append(comparison_out(v, est(d, se, d - q * se, d + q * se), z, None,
                                    2 * st.norm.sf(abs(z)), rel, alpha, **extra))
    arms = [{"variant": v, "n": n, "value": r, "total": None}
            for v, (r, _, n) in zip(variants, stats)]
    defn = definition(f"ratio_{cid}", "ratio", role, higher, margin)
    return {"id": cid, "type": "metric", "alpha": alpha, "control": "control",
            "input": {"definition": defn, "data": {"shape": "ratio", "arms": arms_in},
                      "winsorized": None},
            "expected": {"arms": arms, "comparisons": comps, "cap": None}}


# ---------------------------------------------------------------- quantile metrics

def outer_ci(values, p, sigma_p, alpha):
    x = np.sort(values)
    n = len(x)
    z = zcrit(alpha)
    lo = min(max(math.floor(n * (p - z * sigma_p)), 1), n)
    hi = min(max(math.ceil(n * (p + z * sigma_p)), 1), n)
    return float(np.quantile(x, p)), (x[hi - 1] - x[lo - 1]) / (2 * z)


def quantile_case(cid, sizes, shifts, p, alpha, event=False, role="guardrail", higher=False,
                  margin=0.05):
    variants = VARIANTS3[: len(sizes)]
    arms_in, stats = [], []
    for v, n, s in zip(variants, sizes, shifts):
        if event:
            per_unit = RNG.poisson(4.0, size=n) + 1
            clusters = np.repeat(np.arange(n), per_unit)
            unit_effect = RNG.normal(0, 0.3, size=n)[clusters]
            values = np.round(RNG.lognormal(5.0 + s + unit_effect, 0.5), 2)
            q = float(np.quantile(values, p))
            k = np.bincount(clusters, weights=(values <= q).astype(float), minlength=n)
            m = np.bincount(clusters, minlength=n).astype(float)
            f = k.sum() / m.sum()
            cov = np.cov(k, m, ddof=1)
            sigma_p = math.sqrt((cov[0, 0] - 2 * f * cov[0, 1] + f * f * cov[1, 1])
                                / (n * m.mean() ** 2))
            # Shuffle so that the Rust side cannot rely on events arriving grouped by unit.
            perm = RNG.permutation(len(values))
            values, clusters = values[perm], clusters[perm]
        else:
            values = np.round(RNG.lognormal(5.0 + s, 0.5, size=n), 2)
            clusters = np.array([], dtype=int)
            sigma_p = math.sqrt(p * (1 - p) / n)
        qhat, sigma_q = outer_ci(values, p, sigma_p, alpha)
        stats.append((qhat, sigma_q, len(values)))
        arms_in.append({"variant": v, "values": values.tolist(), "clusters": clusters.tolist()})
    qc, sc, _ = stats[0]
    comps = []
    for v, (qt, stt, _) in zip(variants[1:], stats[1:]):
        se = math.sqrt(stt ** 2 + sc ** 2)
        d = qt - qc
        z = d / se
        zc = zcrit(alpha)
        rel = relative_est(qt, qc, stt ** 2, sc ** 2, alpha)
        extra = {"adjustment": None}
        if role == "guardrail":
            extra["non_inferiority"] = non_inferiority(rel, margin, higher, alpha)
        comps.append(comparison_out(v, est(d, se, d - zc * se, d + zc * se), z, None,
                                    2 * st.norm.sf(abs(z)), rel, alpha, **extra))
    arms = [{"variant": v, "n": n, "value": q, "total": None}
            for v, (q, _, n) in zip(variants, stats)]
    defn = definition(f"quantile_{cid}", "quantile", role, higher,
                      margin if role == "guardrail" else None, p)
    return {"id": cid, "type": "metric", "alpha": alpha, "control": "control",
            "input": {"definition": defn, "data": {"shape": "values", "arms": arms_in},
                      "winsorized": None},
            "expected": {"arms": arms, "comparisons": comps, "cap": None}}


# ---------------------------------------------------------------- SRM

def srm_case(cid, weights, overall, dims, alpha=0.001):
    w = np.array(weights, float) / sum(weights)
    variants = VARIANTS3[: len(weights)]

    def chi(obs):
        obs = np.array(obs, float)
        res = st.chisquare(obs, obs.sum() * w)
        return {"observed": [int(o) for o in obs], "expected": (obs.sum() * w).tolist(),
                "statistic": res.statistic, "df": len(obs) - 1.0, "p_value": res.pvalue}

    over = chi(overall)
    over.update(scope="overall", p_value_adjusted=over["p_value"],
                mismatch=bool(over["p_value"] < alpha))
    tested, notes = [], 0
    for scope, counts in dims:
        if min(w * sum(counts)) < 5:
            notes += 1
            continue
        t = chi(counts)
        t["scope"] = scope
        tested.append(t)
    if tested:
        adj = multipletests([t["p_value"] for t in tested], alpha=alpha, method="holm")[1]
        for t, a in zip(tested, adj):
            t["p_value_adjusted"] = a
            t["mismatch"] = bool(a < alpha)
    passed = not over["mismatch"] and not any(t["mismatch"] for t in tested)
    return {"id": cid, "type": "srm", "variants": variants, "weights": list(weights),
            "overall": list(overall), "by_dimension": [[s, list(c)] for s, c in dims],
            "srm_alpha": alpha,
            "expected": {"alpha": alpha, "weights": w.tolist(), "overall": over,
                         "by_dimension": tested, "passed": passed, "skipped": notes}}


# ---------------------------------------------------------------- whole readout

def readout_case(cid, correction, metric_cases, srm, alpha=0.05):
    """Multiplicity across primary + secondary metrics × arms, decisions per arm."""
    family = []
    for mi, mc in enumerate(metric_cases):
        if mc["input"]["definition"]["role"] in ("primary", "secondary"):
            for ci, c in enumerate(mc["expected"]["comparisons"]):
                family.append((mi, ci, c["p_value"]))
    method = {"holm": "holm", "bh": "fdr_bh", "bonferroni": "bonferroni"}.get(correction)
    adjusted = {}
    if method and family:
        adj = multipletests([f[2] for f in family], alpha=alpha, method=method)[1]
        adjusted = {(f[0], f[1]): a for f, a in zip(family, adj)}
    metrics = []
    for mi, mc in enumerate(metric_cases):
        comps = []
        for ci, c in enumerate(mc["expected"]["comparisons"]):
            pa = adjusted.get((mi, ci), c["p_value"])
            comps.append({"variant": c["variant"], "p_value": c["p_value"],
                          "p_value_adjusted": pa, "significant": bool(pa < alpha)})
        metrics.append({"name": mc["input"]["definition"]["name"], "comparisons": comps})
    variants = [a["variant"] for a in metric_cases[0]["expected"]["arms"]]
    decisions = []
    for v in variants[1:]:
        against, ship_ok, primaries = False, True, 0
        if not srm["expected"]["passed"]:
            against = True
        for mi, mc in enumerate(metric_cases):
            d = mc["input"]["definition"]
            c = next(c for c in mc["expected"]["comparisons"] if c["variant"] == v)
            mcmp = next(x for x in metrics[mi]["comparisons"] if x["variant"] == v)
            good = c["absolute"]["estimate"] > 0 if d["higher_is_better"] else \
                c["absolute"]["estimate"] < 0
            bad = c["absolute"]["estimate"] < 0 if d["higher_is_better"] else \
                c["absolute"]["estimate"] > 0
            if d["role"] == "primary":
                primaries += 1
                if mcmp["significant"] and bad:
                    against = True
                if not (mcmp["significant"] and good):
                    ship_ok = False
            elif d["role"] == "guardrail":
                if c["p_value"] < alpha and bad:
                    against = True
                if not c["non_inferiority"]["non_inferior"]:
                    ship_ok = False
        verdict = "dont_ship" if against else (
            "ship" if ship_ok and primaries > 0 else "inconclusive")
        decisions.append({"variant": v, "verdict": verdict})
    return {"id": cid, "type": "readout", "alpha": alpha, "correction": correction,
            "metrics": [m["input"] for m in metric_cases], "srm": srm,
            "expected": {"metrics": metrics, "decisions": decisions,
                         "trustworthy": srm["expected"]["passed"], "correction": correction}}


def main():
    cases = []
    kinds = ["mean", "count", "sum", "proportion", "retention"]
    layouts = [([800, 800], [0.0, 0.3], 0.05), ([1200, 700], [0.0, 0.0], 0.05),
               ([600, 650, 900], [0.0, 0.15, -0.2], 0.05), ([400, 1000], [0.0, 0.5], 0.1)]
    for kind in kinds:
        for i, (sizes, shifts, alpha) in enumerate(layouts):
            sh = [s * 0.1 for s in shifts] if kind in ("proportion", "retention") else shifts
            cases.append(mean_case(f"{kind}_{i}", kind, sizes, sh, alpha))
    for kind, p_cov in [("mean", 1), ("mean", 3), ("proportion", 1), ("count", 3)]:
        for i, (sizes, shifts, alpha) in enumerate(layouts[:3]):
            sh = [s * 0.1 for s in shifts] if kind == "proportion" else shifts
            cases.append(mean_case(f"cuped{p_cov}_{kind}_{i}", kind, sizes, sh, alpha, p_cov))
    cases.append(mean_case("guard_mean_hi", "mean", [900, 900], [0.0, 0.02], 0.05, role="guardrail",
                           higher=True, margin=0.05))
    cases.append(mean_case("guard_prop_lo", "retention", [900, 1000], [0.0, -0.01], 0.05,
                           role="guardrail", higher=False, margin=0.02))
    cases.append(mean_case("guard_cuped", "mean", [700, 800, 750], [0.0, 0.05, -0.3], 0.05,
                           p_cov=1, role="guardrail", higher=True, margin=0.03))
    cases.append(mean_case("winsor_mean", "sum", [800, 900], [0.0, 0.1], 0.05, winsor=0.99))
    cases.append(mean_case("winsor_3arm", "mean", [600, 700, 650], [0.0, 0.2, 0.4], 0.05,
                           winsor=0.95))
    for i, (sizes, shifts, alpha) in enumerate(layouts):
        cases.append(ratio_case(f"ratio_{i}", sizes, [s * 0.2 for s in shifts], alpha))
    cases.append(ratio_case("ratio_guard", [800, 900], [0.0, 0.02], 0.05, role="guardrail",
                            margin=0.05))
    for i, (sizes, shifts, alpha) in enumerate(layouts):
        cases.append(quantile_case(f"q_unit_{i}", sizes, [s * 0.2 for s in shifts],
                                   [0.5, 0.9, 0.75, 0.95][i], alpha))
        small = [n // 4 for n in sizes]
        cases.append(quantile_case(f"q_event_{i}", small, [s * 0.2 for s in shifts],
                                   [0.9, 0.5, 0.95, 0.75][i], alpha, event=True))
    srm_ok = srm_case("srm_ok", [1, 1, 1], [10012, 9950, 10031],
                      [("device=tv", [3000, 2980, 3050]), ("device=mobile", [7012, 6970, 6981]),
                       ("country=IS", [3, 1, 2])])
    srm_bad = srm_case("srm_bad", [1, 1], [10000, 10500],
                       [("plan=basic", [5000, 5450]), ("plan=premium", [5000, 5050])])
    srm_w = srm_case("srm_weighted", [0.5, 0.25, 0.25], [20110, 9950, 10001],
                     [("country=US", [10050, 5010, 4990]), ("country=DE", [10060, 4940, 5011]),
                      ("country=FR", [8, 2, 1])])
    srm_dims = srm_case("srm_dims_only", [1, 1], [10000, 10100],
                        [("device=tv", [2000, 2300]), ("device=web", [8000, 7800])], alpha=0.01)
    cases += [srm_ok, srm_bad, srm_w, srm_dims]
    by_id = {c["id"]: c for c in cases}
    three = [by_id["mean_2"], by_id["count_2"], by_id["guard_cuped"]]
    three[1] = dict(three[1])
    three[1]["input"] = dict(three[1]["input"])
    three[1]["input"]["definition"] = dict(three[1]["input"]["definition"], role="secondary")
    cases.append(readout_case("readout_holm", "holm", three, srm_ok))
    cases.append(readout_case("readout_bh", "bh", three, srm_ok))
    cases.append(readout_case("readout_none_srm", "none", three, srm_bad_three()))
    two = [by_id["mean_0"], by_id["proportion_0"], by_id["guard_mean_hi"]]
    two[1] = dict(two[1])
    two[1]["input"] = dict(two[1]["input"])
    two[1]["input"]["definition"] = dict(two[1]["input"]["definition"], role="primary")
    decisive = [mean_case("ship_primary", "mean", [1500, 1500, 1500], [0.0, 0.6, -0.6], 0.05),
                mean_case("ship_secondary", "proportion", [1500, 1500, 1500], [0.0, 0.01, 0.0],
                          0.05, role="secondary"),
                mean_case("ship_guard", "mean", [1500, 1500, 1500], [0.0, 0.05, 0.0], 0.05,
                          role="guardrail", higher=True, margin=0.1)]
    cases += decisive
    cases.append(readout_case("readout_ship", "holm", decisive, srm_ok))
    cases.append(readout_case("readout_two_primaries", "bonferroni", two, srm_ok_two()))
    write("models_readout", "tests/reference/gen_models.py (numpy/scipy/statsmodels, seed 20261127)",
          cases)


def srm_bad_three():
    return srm_case("srm_bad3", [1, 1, 1], [10000, 10600, 9900], [])


def srm_ok_two():
    return srm_case("srm_ok2", [1, 1], [10000, 10040], [])


if __name__ == "__main__":
    main()
