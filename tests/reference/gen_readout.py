"""Independent reference of the experiment readout (docs/experiment-spec.md, docs/readout.md).

Reads a spec TOML (tomllib) and its Parquet/CSV/Arrow sources (pyarrow), and recomputes every
number of the readout with pandas, numpy, scipy and statsmodels, written from the documents only
(not from the Rust code): assignment filtering, multi-variant and unexposed units, first exposure
at or after assignment, metric windows and maturity, deduplication, per-unit values of every
metric kind, winsorization caps (numpy's linear quantile of pooled unit values), Welch t
(scipy `ttest_ind(equal_var=False)`), z tests, delta-method ratios, CUPED (θ by statsmodels OLS
with arm dummies, i.e. the pooled within-arm slope; the adjusted test is scipy's Welch t on
y − θᵀ(x − x̄)), quantile outer CIs (unit level and event level clustered by unit), relative
effects, Holm/Bonferroni/BH (statsmodels `multipletests`), SRM (scipy `chisquare`, overall and per
dimension value, Holm across dimension tests), guardrail non-inferiority and the decisions.

The user's SQL expressions (`value`, `condition`) are evaluated row by row with DuckDB over the
pandas frame of the metric's rows (table columns plus `variant` and `exposed_at`); everything
else (joins, windows, aggregation, statistics) is pandas/numpy/scipy/statsmodels.

The output uses the readout JSON field names (crates/counterfact-models/src/readout/types.rs).
Usage, from the repository root:

    /work/refvenv/bin/python tests/reference/gen_readout.py                 # fixtures (demo + toy)
    /work/refvenv/bin/python tests/reference/gen_readout.py SPEC.toml [--out readout.json]

Without arguments it writes the default demo with the Rust generator
(`cargo run -p counterfact-data --example write_demo -- DIR`) into a temporary folder and writes
tests/data/readout_demo.json, then regenerates the committed toy data set
tests/data/readout_toy/ (readout_toy.py) and writes tests/data/readout_toy.json.
"""

import argparse
import glob
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import tomllib

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.ipc as paipc
import pyarrow.parquet as pq
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.multitest import multipletests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import DATA, ROOT, clean, write  # noqa: E402

SUMS_KINDS = ("mean", "count", "sum", "proportion", "retention")
T_KINDS = ("mean", "count", "sum")
CORRECTIONS = {"none": None, "bonferroni": "bonferroni", "holm": "holm",
               "hochberg": "simes-hochberg", "hommel": "hommel", "bh": "fdr_bh",
               "benjamini-hochberg": "fdr_bh", "by": "fdr_by", "benjamini-yekutieli": "fdr_by"}
MIN_EXPECTED = 5.0  # SRM: dimension values with a smaller expected count are not tested


class SpecError(Exception):
    """The spec or the data violates docs/experiment-spec.md."""


class Unanalysable(Exception):
    """A metric that cannot be analysed (an arm with fewer than 2 units, a zero SE)."""


# ---------------------------------------------------------------- loading


def source_files(base, path, fmt):
    """Files of a source: a file, a directory (its files of the format) or a glob."""
    full = base / path
    if full.is_dir():
        ext = {"parquet": (".parquet",), "csv": (".csv",), "arrow": (".arrow", ".ipc", ".feather")}
        files = sorted(p for p in full.iterdir() if p.is_file() and p.suffix in ext[fmt])
    elif any(c in path for c in "*?["):
        files = sorted(pathlib.Path(p) for p in glob.glob(str(full)))
    else:
        files = [full]
    if not files:
        raise SpecError(f"source {path!r} matches no file")
    return files


def read_file(path, fmt):
    if fmt == "parquet":
        return pq.read_table(path)
    if fmt == "csv":
        return pacsv.read_csv(path)
    if fmt == "arrow":
        try:
            return paipc.open_file(path).read_all()
        except pa.ArrowInvalid:
            return paipc.open_stream(path).read_all()
    raise SpecError(f"unknown format {fmt!r}")


def normalise_times(df):
    """Timestamps as naive UTC datetime64 (microseconds when lossless) for pandas and DuckDB."""
    for col in df.columns:
        s = df[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            s = s.dt.tz_convert("UTC").dt.tz_localize(None)
        if pd.api.types.is_datetime64_dtype(s.dtype):
            ns = s.astype("datetime64[ns]")
            lossless = (ns.dropna().astype("int64") % 1000 == 0).all()
            df[col] = ns.astype("datetime64[us]") if lossless else ns
    return df


def load_tables(spec, base):
    tables = {}
    for name, src in spec.get("sources", {}).items():
        if isinstance(src, str):
            path, fmt = src, None
        else:
            path, fmt = src["path"], src.get("format")
        if fmt is None:
            lower = path.lower()
            fmt = "csv" if lower.endswith(".csv") else (
                "arrow" if lower.endswith((".arrow", ".ipc", ".feather")) else "parquet")
        parts = [read_file(f, fmt) for f in source_files(base, path, fmt)]
        table = pa.concat_tables(parts, promote_options="permissive")
        tables[name] = normalise_times(table.to_pandas())
    return tables


# ---------------------------------------------------------------- expressions


def sql_eval(frame, expr):
    """Evaluate a SQL expression per row with DuckDB; returns a numpy array in row order."""
    con = duckdb.connect()
    f = frame.reset_index(drop=True).copy()
    f["__rid"] = np.arange(len(f), dtype="int64")
    con.register("t", f)
    out = con.execute(f"SELECT __rid, ({expr}) AS __v FROM t ORDER BY __rid").df()
    con.close()
    return out["__v"].to_numpy()


def eval_value(frame, expr):
    if expr is None:
        return np.ones(len(frame))
    v = pd.to_numeric(pd.Series(sql_eval(frame, expr)), errors="raise")
    return v.astype("float64").to_numpy()


def eval_condition(frame, expr):
    if expr is None:
        return np.ones(len(frame), dtype=bool)
    v = pd.Series(sql_eval(frame, expr))
    return v.fillna(False).astype(bool).to_numpy()  # NULL does not satisfy a condition


# ---------------------------------------------------------------- population


def population(spec, tables):
    exp = spec["experiment"]
    unit = exp["unit"]
    asg = spec["assignment"]
    a = tables[asg["table"]]
    if asg.get("experiment_column"):
        a = a[a[asg["experiment_column"]] == exp["name"]]
    a = a[[unit, asg["variant"], asg["timestamp"]]].rename(
        columns={asg["variant"]: "variant", asg["timestamp"]: "assigned_at"})
    unknown = sorted(set(a["variant"].astype(str)) - set(exp["variants"]))
    if unknown:
        raise SpecError(f"variant labels not in the spec: {unknown}")
    assigned_units = int(a[unit].nunique())
    nvar = a.groupby(unit)["variant"].nunique()
    multi = nvar.index[nvar > 1]
    if len(multi) and asg.get("multiple_variants", "exclude") == "error":
        raise SpecError(f"{len(multi)} units have more than one variant")
    single = a[~a[unit].isin(multi)]
    units = single.groupby(unit).agg(variant=("variant", "first"),
                                     assigned_at=("assigned_at", "min"))

    ex = spec["exposure"]
    e = tables[ex["table"]][[unit, ex["timestamp"]]].rename(columns={ex["timestamp"]: "ts"})
    e = e.dropna().merge(units[["assigned_at"]], left_on=unit, right_index=True)
    before = e["ts"] < e["assigned_at"]
    if before.any() and ex.get("before_assignment", "error") == "error":
        raise SpecError(f"{int(before.sum())} exposure rows precede their unit's assignment")
    first = e[~before].groupby(unit)["ts"].min().rename("exposed_at")
    exposed = units.join(first, how="inner")
    return {
        "assigned_units": assigned_units,
        "multiple_variant_units": int(len(multi)),
        "unexposed_units": int(len(units) - len(exposed)),
    }, exposed


# ---------------------------------------------------------------- per-unit values


class Rows:
    """Metric table rows, deduplicated once per (table, key), joined to the analysed units."""

    def __init__(self, tables, units, unit):
        self.tables, self.units, self.unit = tables, units, unit
        self.cache = {}

    def table(self, name, dedupe):
        key = (name, dedupe)
        if key not in self.cache:
            t = self.tables[name]
            if dedupe:
                t = t.drop_duplicates(subset=[dedupe], keep="first")
            j = t.drop(columns=[c for c in ("variant", "exposed_at") if c in t.columns
                                and c != self.unit])
            j = j.merge(self.units[["variant", "exposed_at"]], left_on=self.unit,
                        right_index=True, how="inner")
            self.cache[key] = j
        return self.cache[key]

    def window(self, name, dedupe, ts, start_days, end_days, metric_units):
        t = self.table(name, dedupe)
        t = t[t[self.unit].isin(metric_units)]
        lo = t["exposed_at"] + pd.Timedelta(days=start_days)
        hi = t["exposed_at"] + pd.Timedelta(days=end_days)
        return t[(t[ts] >= lo) & (t[ts] < hi)]


def dedupe_groups(spec):
    """Per (table, dedupe key): the timestamp columns its metrics use and the longest window end
    (days) of its non-quantile metrics (None without any)."""
    groups = {}
    for m in spec["metric"]:
        window = m.get("window_days", spec["exposure"].get("window_days", 14))
        parts = [m["numerator"], m["denominator"]] if m["kind"] == "ratio" else [m]
        for p in parts:
            g = groups.setdefault((p["table"], p.get("dedupe")), {"ts": set(), "end": None})
            g["ts"].add(p["timestamp"])
            if m["kind"] != "quantile":
                end = m["day"] + 1 if m["kind"] == "retention" else window
                g["end"] = max(g["end"] or 0, end)
    return groups


def duplicate_rows(spec, tables, units):
    """Copies dropped by `dedupe`, per table, among the rows the metrics read: rows of analysed
    units in [exposed_at, exposed_at + longest window of the table's non-quantile metrics), or
    all their rows when the metrics of that (table, key) use several timestamp columns."""
    unit = spec["experiment"]["unit"]
    out = {}
    for (table, dedupe), g in dedupe_groups(spec).items():
        if dedupe is None or g["end"] is None:
            continue
        t = tables[table]
        t = t[t[unit].isin(units.index)]
        if len(g["ts"]) == 1:
            exposed = t[unit].map(units["exposed_at"])
            ts = t[next(iter(g["ts"]))]
            t = t[(ts >= exposed) & (ts < exposed + pd.Timedelta(days=g["end"]))]
        keyed = t[dedupe].dropna()
        out[table] = out.get(table, 0) + len(keyed) - keyed.nunique()
    return out


def per_unit_sum(rows, unit, values, index):
    s = pd.Series(values, index=rows[unit].to_numpy()).groupby(level=0).sum()
    return s.reindex(index, fill_value=0.0).astype("float64")


def per_unit_any(rows, unit, flags, index):
    s = pd.Series(flags, index=rows[unit].to_numpy()).groupby(level=0).any()
    return s.reindex(index, fill_value=False).astype("float64")


def metric_units(spec, m, units):
    """Units that enter the metric: exposed_at + maturity_days <= end."""
    window = m.get("window_days", spec["exposure"].get("window_days", 14))
    maturity = m.get("maturity_days", m["day"] + 1 if m["kind"] == "retention" else window)
    end = spec["experiment"].get("end")
    if end is None:
        return units.index, window, 0
    end = pd.Timestamp(end).tz_convert("UTC").tz_localize(None)
    ok = units["exposed_at"] + pd.Timedelta(days=maturity) <= end
    return units.index[ok], window, int((~ok).sum())


def unit_values(spec, m, units, rows):
    """Per-unit data of a metric: a frame indexed by unit with 'variant' and the values."""
    unit = spec["experiment"]["unit"]
    idx, window, immature = metric_units(spec, m, units)
    kind = m["kind"]
    out = pd.DataFrame({"variant": units.loc[idx, "variant"]})
    if kind == "ratio":
        for part in ("numerator", "denominator"):
            d = m[part]
            r = rows.window(d["table"], d.get("dedupe"), d["timestamp"], 0, window, idx)
            out[part] = per_unit_sum(r, unit, eval_value(r, d.get("value")), idx)
        return out, immature, None
    if kind == "retention":
        r = rows.window(m["table"], m.get("dedupe"), m["timestamp"], m["day"], m["day"] + 1, idx)
        out["y"] = per_unit_any(r, unit, eval_condition(r, m.get("condition")), idx)
        return out, immature, None
    r = rows.window(m["table"], m.get("dedupe"), m["timestamp"], 0, window, idx)
    if kind in ("mean", "sum"):
        out["y"] = per_unit_sum(r, unit, eval_value(r, m.get("value")), idx)
    elif kind == "count":
        out["y"] = per_unit_sum(r, unit, np.ones(len(r)), idx)
    elif kind == "proportion":
        out["y"] = per_unit_any(r, unit, eval_condition(r, m.get("condition")), idx)
    elif kind == "quantile":
        vals = eval_value(r, m.get("value"))
        if m.get("level", "event") == "unit":
            out["y"] = per_unit_sum(r, unit, vals, idx)
        else:
            events = pd.DataFrame({"unit": r[unit].to_numpy(), "variant": r["variant"].to_numpy(),
                                   "y": vals})
            return out, immature, events[~np.isnan(events["y"])]
    else:
        raise SpecError(f"unknown metric kind {kind!r}")
    return out, immature, None


# ---------------------------------------------------------------- statistics


def estimate(est, se, crit):
    return {"estimate": float(est), "std_error": float(se),
            "ci": [float(est - crit * se), float(est + crit * se)]}


def relative(m_t, v_t, m_c, v_c, z):
    """r = m_t/m_c − 1 with the delta-method SE; v_* are the variances of the arm estimates."""
    if m_c == 0:
        nan = float("nan")
        return {"estimate": nan, "std_error": nan, "ci": [nan, nan]}
    ratio = m_t / m_c
    se = np.sqrt(v_t + ratio**2 * v_c) / abs(m_c)
    return estimate(ratio - 1.0, se, z)


def sums_test(kind, y_t, y_c, alpha):
    """Welch t (mean/count/sum) or z (proportion/retention) of Δ = ȳ_t − ȳ_c."""
    z = stats.norm.ppf(1 - alpha / 2)
    n_t, n_c = len(y_t), len(y_c)
    v_t, v_c = np.var(y_t, ddof=1) / n_t, np.var(y_c, ddof=1) / n_c
    delta = np.mean(y_t) - np.mean(y_c)
    se = np.sqrt(v_t + v_c)
    if kind in T_KINDS:
        res = stats.ttest_ind(y_t, y_c, equal_var=False)
        df = float(res.df)
        ws = (v_t + v_c) ** 2 / (v_t**2 / (n_t - 1) + v_c**2 / (n_c - 1))
        assert abs(ws - df) <= 1e-9 * df, (ws, df)
        lo, hi = res.confidence_interval(1 - alpha)
        abs_est = {"estimate": float(delta), "std_error": float(se), "ci": [float(lo), float(hi)]}
        stat, p = float(res.statistic), float(res.pvalue)
    else:
        df = None
        stat = delta / se
        p = 2 * stats.norm.sf(abs(stat))
        abs_est = estimate(delta, se, z)
    rel = relative(np.mean(y_t), v_t, np.mean(y_c), v_c, z)
    return abs_est, rel, float(stat), df, float(p)


def cuped(y_t, X_t, y_c, X_c):
    """θ by OLS of y on [1, treatment dummy, X] (the pooled within-arm slope)."""
    y = np.concatenate([y_c, y_t])
    X = np.vstack([X_c, X_t])
    dummy = np.concatenate([np.zeros(len(y_c)), np.ones(len(y_t))])
    design = np.column_stack([np.ones(len(y)), dummy, X])
    theta = sm.OLS(y, design).fit().params[2:]
    # Pooled within-arm R²: regress arm-demeaned y on arm-demeaned X without a constant
    # (statsmodels then reports the uncentered R², i.e. θᵀS_xy / S_yy).
    yd = np.concatenate([y_c - y_c.mean(), y_t - y_t.mean()])
    Xd = np.vstack([X_c - X_c.mean(axis=0), X_t - X_t.mean(axis=0)])
    within = sm.OLS(yd, Xd).fit()
    assert np.allclose(within.params, theta, rtol=1e-8, atol=0), (within.params, theta)
    xbar = X.mean(axis=0)
    u_t = y_t - (X_t - xbar) @ theta
    u_c = y_c - (X_c - xbar) @ theta
    rho2 = float(np.corrcoef(yd, Xd[:, 0])[0, 1] ** 2) if X.shape[1] == 1 else None
    return theta, float(within.rsquared), u_t, u_c, rho2


def compare_sums(m, kind, t, c, covariates, alpha, extra):
    y_t, y_c = t["y"].to_numpy(), c["y"].to_numpy()
    abs_est, rel, stat, df, p = sums_test(kind, y_t, y_c, alpha)
    out = {"method": "welch_t" if kind in T_KINDS else "z", "absolute": abs_est,
           "relative": rel, "statistic": stat, "df": df, "p_value": p, "adjustment": None}
    if covariates:
        X_t, X_c = t[covariates].to_numpy(float), c[covariates].to_numpy(float)
        theta, r2, u_t, u_c, rho2 = cuped(y_t, X_t, y_c, X_c)
        a_abs, a_rel, a_stat, a_df, a_p = sums_test(kind, u_t, u_c, alpha)
        out.update(absolute=a_abs, relative=a_rel, statistic=a_stat, df=a_df, p_value=a_p,
                   method="cuped_" + out["method"])
        out["adjustment"] = {
            "covariates": list(covariates), "theta": [float(v) for v in theta],
            "variance_reduction": float(1 - a_abs["std_error"] ** 2 / abs_est["std_error"] ** 2),
            "r_squared": r2, "unadjusted": abs_est,
        }
        extra["rho_squared"] = rho2
    return out


def ratio_arm(a, b):
    n = len(a)
    r = a.sum() / b.sum()
    cov = np.cov(a, b, ddof=1)
    var = (cov[0, 0] - 2 * r * cov[0, 1] + r**2 * cov[1, 1]) / (n * b.mean() ** 2)
    return r, var


def compare_ratio(t, c, alpha):
    z = stats.norm.ppf(1 - alpha / 2)
    r_t, v_t = ratio_arm(t["numerator"].to_numpy(), t["denominator"].to_numpy())
    r_c, v_c = ratio_arm(c["numerator"].to_numpy(), c["denominator"].to_numpy())
    delta, se = r_t - r_c, np.sqrt(v_t + v_c)
    stat = delta / se
    rel_ratio = r_t / r_c
    rel_se = np.sqrt(v_t + rel_ratio**2 * v_c) / abs(r_c)
    return {"method": "z_delta_ratio", "absolute": estimate(delta, se, z),
            "relative": estimate(rel_ratio - 1, rel_se, z), "statistic": float(stat), "df": None,
            "p_value": float(2 * stats.norm.sf(abs(stat))), "adjustment": None}


def quantile_arm(values, clusters, p, alpha):
    """q̂ (numpy linear), σ_p (unit or clustered delta method), outer-CI ranks and σ_q."""
    z = stats.norm.ppf(1 - alpha / 2)
    x = np.sort(values)
    n = len(x)
    q = float(np.quantile(values, p))
    if clusters is None:
        sigma_p = np.sqrt(p * (1 - p) / n)
    else:
        k = pd.Series(values <= q).groupby(clusters).sum().to_numpy(float)
        m = pd.Series(np.ones(n)).groupby(clusters).sum().to_numpy(float)
        f = k.sum() / m.sum()
        cov = np.cov(k, m, ddof=1)
        sigma_p = np.sqrt((cov[0, 0] - 2 * f * cov[0, 1] + f**2 * cov[1, 1])
                          / (len(k) * m.mean() ** 2))
    lo = int(np.clip(np.floor(n * (p - z * sigma_p)), 1, n))
    hi = int(np.clip(np.ceil(n * (p + z * sigma_p)), 1, n))
    sigma_q = (x[hi - 1] - x[lo - 1]) / (2 * z)
    return q, float(sigma_q), n


def compare_quantile(q_t, s_t, q_c, s_c, alpha, clustered):
    z = stats.norm.ppf(1 - alpha / 2)
    delta, se = q_t - q_c, np.sqrt(s_t**2 + s_c**2)
    stat = delta / se
    ratio = q_t / q_c
    method = "quantile_outer_ci_clustered" if clustered else "quantile_outer_ci"
    return {"method": method, "absolute": estimate(delta, se, z),
            "relative": estimate(ratio - 1, np.sqrt(s_t**2 + ratio**2 * s_c**2) / abs(q_c), z),
            "statistic": float(stat), "df": None,
            "p_value": float(2 * stats.norm.sf(abs(stat))), "adjustment": None}


def non_inferiority(m, rel, alpha):
    margin = m.get("margin")
    if m["role"] != "guardrail" or margin is None:
        return None
    r, se = rel["estimate"], rel["std_error"]
    zstat = (r + margin) / se if m.get("higher_is_better", True) else (margin - r) / se
    p = float(stats.norm.sf(zstat))
    return {"margin": float(margin), "p_value": p, "non_inferior": bool(p < alpha)}


# ---------------------------------------------------------------- one metric


def metric_readout(spec, m, data, events, variants, cov_frame, cap, alpha, extra):
    """Readout of one metric on the units of `data` (arms, comparisons before multiplicity)."""
    kind = m["kind"]
    control = variants[0]
    covariates = list(m.get("cuped", []))
    if covariates:
        data = data.join(cov_frame[covariates], how="left")
        if data[covariates].isna().any().any():
            raise SpecError(f"metric {m['name']}: units without covariates {covariates}")
    arms, groups = [], {v: data[data["variant"] == v] for v in variants}
    qarms = {}
    for v in variants:
        g = groups[v]
        if len(g) < 2:
            raise Unanalysable(f"{m['name']}: {v} has {len(g)} units")
        if kind == "ratio":
            value = g["numerator"].sum() / g["denominator"].sum()
            arms.append({"variant": v, "n": len(g), "value": float(value), "total": None})
        elif kind == "quantile":
            p = m["quantile"]
            if m.get("level", "event") == "unit":
                vals, cl = g["y"].to_numpy(float), None
            else:
                ev = events[events["unit"].isin(g.index)]
                vals, cl = ev["y"].to_numpy(float), ev["unit"].to_numpy()
                if len(vals) < 2 or len(np.unique(cl)) < 2:
                    raise Unanalysable(f"{m['name']}: {v} has too few events or units")
            qarms[v] = quantile_arm(vals, cl, p, alpha)
            arms.append({"variant": v, "n": qarms[v][2], "value": qarms[v][0], "total": None})
        else:
            arms.append({"variant": v, "n": len(g), "value": float(g["y"].mean()),
                         "total": float(g["y"].sum()) if kind == "sum" else None})
    comparisons = []
    for v in variants[1:]:
        ex = {}
        if kind == "ratio":
            comp = compare_ratio(groups[v], groups[control], alpha)
        elif kind == "quantile":
            (q_t, s_t, _), (q_c, s_c, _) = qarms[v], qarms[control]
            comp = compare_quantile(q_t, s_t, q_c, s_c, alpha,
                                    m.get("level", "event") != "unit")
        else:
            comp = compare_sums(m, kind, groups[v], groups[control], covariates, alpha, ex)
        if not comp["absolute"]["std_error"] > 0:
            raise Unanalysable(f"{m['name']}: {v}: standard error 0")
        comp = {"variant": v, **comp, "p_value_adjusted": comp["p_value"],
                "significant": bool(comp["p_value"] < alpha),
                "non_inferiority": non_inferiority(m, comp["relative"], alpha),
                "uncapped": None, "true_effect": None}
        comparisons.append(comp)
        extra.setdefault(v, {}).update(ex)
    return {"name": m["name"], "kind": kind, "role": m["role"],
            "higher_is_better": bool(m.get("higher_is_better", True)), "arms": arms,
            "comparisons": comparisons, "cap": cap, "notes": []}


def order_comparison(c):
    keys = ["variant", "method", "absolute", "relative", "statistic", "df", "p_value",
            "p_value_adjusted", "significant", "adjustment", "non_inferiority", "uncapped",
            "true_effect"]
    return {k: c[k] for k in keys}


def full_metric(spec, m, data, events, variants, cov_frame, alpha, extra):
    """Capped readout with the uncapped comparisons beside (winsorized metrics)."""
    w = m.get("winsorize")
    if not w:
        r = metric_readout(spec, m, data, events, variants, cov_frame, None, alpha, extra)
    else:
        if m["kind"] not in ("mean", "count", "sum"):
            raise SpecError(f"metric {m['name']}: winsorize applies to mean, count, sum")
        cap = float(w["value"]) if "value" in w else float(np.quantile(data["y"], w["quantile"]))
        capped = data.assign(y=np.minimum(data["y"], cap))
        r = metric_readout(spec, m, capped, events, variants, cov_frame, cap, alpha, extra)
        un = metric_readout(spec, m, data, events, variants, cov_frame, None, alpha, {})
        for c, u in zip(r["comparisons"], un["comparisons"]):
            u["non_inferiority"] = None  # shown beside, not a test of the guardrail
            c["uncapped"] = order_comparison(u)
        extra["capped_units"] = int((data["y"] > cap).sum())
    r["comparisons"] = [order_comparison(c) for c in r["comparisons"]]
    return r


# ---------------------------------------------------------------- SRM, multiplicity, decision


def srm_test(scope, observed, weights):
    observed = np.asarray(observed, dtype=float)
    expected = observed.sum() * np.asarray(weights)
    res = stats.chisquare(observed, f_exp=expected)
    return {"scope": scope, "observed": [int(o) for o in observed],
            "expected": [float(e) for e in expected], "statistic": float(res.statistic),
            "df": float(len(observed) - 1), "p_value": float(res.pvalue)}


def fmt_value(v):
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def srm_from_counts(variants, weights, overall_counts, dimension_counts, srm_alpha):
    """Overall test, and one test per dimension value (Holm across the tested values; a value
    whose expected count is below MIN_EXPECTED in some variant is not tested but noted)."""
    overall = srm_test("overall", overall_counts, weights)
    overall["p_value_adjusted"] = overall["p_value"]
    overall["mismatch"] = bool(overall["p_value"] < srm_alpha)
    tests, notes = [], []
    for scope, counts in dimension_counts:
        if (sum(counts) * np.asarray(weights) < MIN_EXPECTED).any():
            notes.append(f"{scope}: expected count below {MIN_EXPECTED:g}, not tested")
            continue
        tests.append(srm_test(scope, counts, weights))
    if tests:
        adj = multipletests([t["p_value"] for t in tests], method="holm")[1]
        for t, a in zip(tests, adj):
            t["p_value_adjusted"] = float(a)
            t["mismatch"] = bool(a < srm_alpha)
    passed = not overall["mismatch"] and not any(t["mismatch"] for t in tests)
    return {"alpha": srm_alpha, "weights": [float(w) for w in weights], "overall": overall,
            "by_dimension": tests, "passed": passed, "notes": notes}


def srm(spec, units, variants, weights, dims):
    exp = spec["experiment"]
    overall = [int((units["variant"] == v).sum()) for v in variants]
    dimension_counts = []
    for d in exp.get("srm_dimensions", []):
        col = units.join(dims[[d]], how="left")[[d, "variant"]].dropna()
        col = col.assign(key=col[d].map(fmt_value))
        for value in sorted(col["key"].unique()):
            sub = col[col["key"] == value]
            dimension_counts.append((f"{d}={value}",
                                     [int((sub["variant"] == v).sum()) for v in variants]))
    return srm_from_counts(variants, weights, overall, dimension_counts,
                           exp.get("srm_alpha", 0.001))


def adjust(metrics, method, alpha):
    family = [c for m in metrics if m["role"] in ("primary", "secondary")
              for c in m["comparisons"]]
    if not family:
        return
    ps = [c["p_value"] for c in family]
    adj = ps if method is None else multipletests(ps, alpha=alpha, method=method)[1]
    for c, a in zip(family, adj):
        c["p_value_adjusted"] = float(a)
        c["significant"] = bool(a < alpha)


def good(m, estimate):
    return estimate > 0 if m["higher_is_better"] else estimate < 0


def decisions(metrics, variants, trustworthy, alpha):
    out = []
    for i, v in enumerate(variants[1:]):
        reasons, bad, ship = [], False, True
        if not trustworthy:
            bad = True
            reasons.append("sample ratio mismatch")
        primaries = [m for m in metrics if m["role"] == "primary"]
        if not primaries:
            ship = False
        for m in metrics:
            c = m["comparisons"][i]
            est = c["absolute"]["estimate"]
            if m["role"] == "primary":
                if c["significant"] and not good(m, est):
                    bad = True
                    reasons.append(f"{m['name']} significantly worse")
                elif not (c["significant"] and good(m, est)):
                    ship = False
            elif m["role"] == "guardrail":
                if c["p_value"] < alpha and not good(m, est):
                    bad = True
                    reasons.append(f"guardrail {m['name']} significantly worse")
                ni = c["non_inferiority"]
                if ni is not None and not ni["non_inferior"]:
                    ship = False
        verdict = "dont_ship" if bad else ("ship" if ship else "inconclusive")
        out.append({"variant": v, "verdict": verdict, "reasons": reasons})
    return out


# ---------------------------------------------------------------- the readout


def readout(spec_path):
    """The readout of a spec, and reference-only extras (ρ², capped units, metric units)."""
    spec_path = pathlib.Path(spec_path)
    spec = tomllib.loads(spec_path.read_text())
    base = spec_path.parent
    tables = load_tables(spec, base)
    exp = spec["experiment"]
    unit, control = exp["unit"], exp["control"]
    spec_variants = list(exp["variants"])
    weights = np.asarray(exp.get("weights", [1.0] * len(spec_variants)), dtype=float)
    order = [spec_variants.index(control)] + [i for i, v in enumerate(spec_variants)
                                              if v != control]
    variants = [spec_variants[i] for i in order]
    weights = weights[order] / weights.sum()
    alpha = float(exp.get("alpha", 0.05))
    correction = exp.get("correction", "holm")

    pop, units = population(spec, tables)
    pop["analysed_units"] = [int((units["variant"] == v).sum()) for v in variants]
    rows = Rows(tables, units, unit)

    cov_frame = None
    if "covariates" in spec:
        cv = spec["covariates"]
        cov_frame = tables[cv["table"]].set_index(unit)[cv["columns"]]
    dims = tables[exp["dimension_table"]].set_index(unit) if exp.get("dimension_table") else None

    metrics, extras, unit_data = [], {}, {}
    for m in spec["metric"]:
        data, immature, events = unit_values(spec, m, units, rows)
        unit_data[m["name"]] = (data, events)
        ex = {"immature_units": immature}
        r = full_metric(spec, m, data, events, variants, cov_frame, alpha, ex)
        metrics.append(r)
        extras[m["name"]] = ex
    adjust(metrics, CORRECTIONS[correction], alpha)
    dups = duplicate_rows(spec, tables, units)
    pop["duplicate_rows"] = [[k, int(v)] for k, v in sorted(dups.items())]

    srm_report = srm(spec, units, variants, weights, dims)
    trustworthy = srm_report["passed"]

    segments, notes = [], []
    for d in exp.get("segments", []):
        seg = units.join(dims[[d]], how="left")[d].dropna().map(fmt_value)
        for value in sorted(seg.unique()):
            keep = seg.index[seg == value]
            seg_metrics = []
            for m, base_r in zip(spec["metric"], metrics):
                data, events = unit_data[m["name"]]
                sub = data[data.index.isin(keep)]
                try:
                    r = metric_readout(spec, m, sub if base_r["cap"] is None
                                       else sub.assign(y=np.minimum(sub["y"], base_r["cap"])),
                                       events, variants, cov_frame, base_r["cap"], alpha, {})
                    if base_r["cap"] is not None:
                        # The overall cap, and the uncapped comparison beside, as overall.
                        un = metric_readout(spec, m, sub, events, variants, cov_frame, None,
                                            alpha, {})
                        for c, u in zip(r["comparisons"], un["comparisons"]):
                            u["non_inferiority"] = None
                            c["uncapped"] = order_comparison(u)
                except Unanalysable as e:
                    notes.append(f"segment {d}={value}: {e}")
                    continue
                r["comparisons"] = [order_comparison(c) for c in r["comparisons"]]
                seg_metrics.append(r)
            segments.append({"dimension": d, "value": value, "metrics": seg_metrics})

    doc = {
        "experiment": exp["name"], "control": control, "variants": variants, "alpha": alpha,
        "correction": correction,
        "decision_rule": "docs/readout.md, Multiplicity, guardrails, SRM, decision",
        "trustworthy": trustworthy,
        "decisions": decisions(metrics, variants, trustworthy, alpha),
        "srm": srm_report, "population": pop, "metrics": metrics, "segments": segments,
        "notes": notes,
    }
    return doc, extras


# ---------------------------------------------------------------- demo truth


def demo_truth(doc, extras, manifest_path):
    """Fill `true_effect` from the demo's true_effects.json and check the demo against it.

    Returns a summary: population and cap as the generator counted them versus this reference,
    and for every comparison whether the true absolute effect lies in the reference's CI.
    """
    manifest = json.loads(pathlib.Path(manifest_path).read_text())
    truth = {(t["metric"], t["variant"]): t["absolute"] for t in manifest["true_effects"]}
    checks = []
    for m in doc["metrics"]:
        for c in m["comparisons"]:
            for comp, name in ((c, m["name"]), (c["uncapped"], m["name"] + "_uncapped")):
                if comp is None or (name, c["variant"]) not in truth:
                    continue
                t = truth[(name, c["variant"])]
                comp["true_effect"] = float(t)
                lo, hi = comp["absolute"]["ci"]
                checks.append({"metric": name, "variant": c["variant"], "true_effect": t,
                               "ci": [lo, hi], "covered": bool(lo <= t <= hi)})
    pop = doc["population"]
    mpop = manifest["population"]
    population = {k: {"generator": mpop[k], "reference": pop[k]} for k in mpop}
    cap = next((m["cap"] for m in doc["metrics"] if m["name"] == "watch_hours"), None)
    return {"population": population,
            "population_agrees": all(v["generator"] == v["reference"]
                                     for v in population.values()),
            "watch_hours_cap": {"generator": manifest.get("watch_hours_cap"), "reference": cap},
            "true_effects": checks,
            "not_covered": [f"{c['metric']}/{c['variant']}" for c in checks if not c["covered"]]}


# ---------------------------------------------------------------- fixtures


def demo_dir(tmp):
    """The default demo, written by the Rust generator."""
    out = pathlib.Path(tmp) / "demo"
    subprocess.run(["cargo", "run", "-q", "--profile", "test", "-p", "counterfact-data",
                    "--example", "write_demo",
                    "--", str(out)], cwd=ROOT, check=True)
    return out / "experiment.toml"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("spec", nargs="?")
    ap.add_argument("--out")
    ap.add_argument("--toy-only", action="store_true", help="skip the demo fixture")
    ap.add_argument("--demo", metavar="DIR",
                    help="use the default demo already written to DIR (`counterfact demo --out DIR`)"
                         " instead of running the write_demo example")
    args = ap.parse_args()
    if args.spec:
        doc, extras = readout(args.spec)
        manifest = pathlib.Path(args.spec).parent / "true_effects.json"
        if manifest.exists():
            extras["demo_truth"] = demo_truth(doc, extras, manifest)
        text = json.dumps(clean({"readout": doc, "reference": extras}), indent=1)
        if args.out:
            pathlib.Path(args.out).write_text(text + "\n")
        else:
            print(text)
        return
    from readout_toy import generate
    toy = DATA / "readout_toy"
    generate(toy, 1200, 7)
    doc, extras = readout(toy / "experiment.toml")
    write("readout_toy", "gen_readout.py on tests/data/readout_toy (readout_toy.py, seed 7)",
          [{"name": "toy", "readout": doc, "reference": extras}])
    if args.toy_only:
        return
    with tempfile.TemporaryDirectory(prefix="counterfact-demo-") as tmp:
        spec = pathlib.Path(args.demo) / "experiment.toml" if args.demo else demo_dir(tmp)
        doc, extras = readout(spec)
        extras["demo_truth"] = demo_truth(doc, extras, spec.parent / "true_effects.json")
    t = extras["demo_truth"]
    print(f"demo population agrees with the generator: {t['population_agrees']}; cap "
          f"{t['watch_hours_cap']}; true effects outside the 95% CI: {t['not_covered']}")
    write("readout_demo", "gen_readout.py on the default demo (counterfact_data::demo)",
          [{"name": "demo", "readout": doc, "reference": extras}])


if __name__ == "__main__":
    main()
