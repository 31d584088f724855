"""Time the experiment readout of a demo folder as a Python user would compute it.

Two paths over the same files, each in its own process (wall time and peak RSS of that process):

  duckdb  DuckDB SQL (assignment, exposure, windows, dedupe, per-unit values, per-arm sums,
          winsorization quantile, order statistics, SRM counts) + scipy/numpy on the sums
          (Welch from moments, CUPED from the sum matrices, delta-method ratios, quantile
          outer CIs, chi-square, Holm).
  pandas  tests/reference/gen_readout.py: pandas + numpy + scipy + statsmodels, with DuckDB only
          for the user's SQL expressions.

Both compute every metric kind, CUPED, winsorization, SRM overall and per dimension, segments,
multiplicity and decisions. The two results are compared number by number (they are two
independent implementations). Run from the repository root:

    /work/refvenv/bin/python benches/compare/readout.py DIR [--paths duckdb,pandas]
        [--readout counterfact.json] [--json]

DIR holds experiment.toml (`counterfact demo --members N --out DIR`). With --readout, the
counterfact readout JSON is compared with both. --path NAME runs one path in this process and
prints its timing as JSON (used by the driver).
"""

import argparse
import json
import pathlib
import resource
import subprocess
import sys
import time
import tomllib

import duckdb
import numpy as np
from scipy import stats

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "reference"))
import gen_readout as ref  # noqa: E402


def q(name):
    return '"' + str(name).replace('"', '""') + '"'


def lit(value):
    return "'" + str(value).replace("'", "''") + "'"


class Sql:
    """The readout in DuckDB SQL; statistics on the per-arm sums with numpy/scipy."""

    def __init__(self, spec_path):
        self.spec_path = pathlib.Path(spec_path)
        self.spec = tomllib.loads(self.spec_path.read_text())
        self.con = duckdb.connect()
        self.con.execute("SET TimeZone = 'UTC'")
        self.exp = self.spec["experiment"]
        self.u = q(self.exp["unit"])
        self.duplicates = {}
        self.deduped = {}
        self.register_sources()

    def sql(self, text):
        return self.con.execute(text)

    def register_sources(self):
        base = self.spec_path.parent
        for name, src in self.spec["sources"].items():
            path, fmt = (src, None) if isinstance(src, str) else (src["path"], src.get("format"))
            if fmt is None:
                fmt = "csv" if path.lower().endswith(".csv") else "parquet"
            files = [str(f) for f in ref.source_files(base, path, fmt)]
            flist = "[" + ", ".join(lit(f) for f in files) + "]"
            if fmt == "parquet":
                self.sql(f"CREATE VIEW {q(name)} AS SELECT * FROM read_parquet({flist})")
            elif fmt == "csv":
                self.sql(f"CREATE VIEW {q(name)} AS SELECT * FROM read_csv({flist})")
            else:
                table = ref.load_tables({"sources": {name: src}}, base)[name]
                self.con.register(name, table)

    # ------------------------------------------------------------ units

    def units(self):
        asg, ex = self.spec["assignment"], self.spec["exposure"]
        where = ""
        if asg.get("experiment_column"):
            where = f"WHERE {q(asg['experiment_column'])} = {lit(self.exp['name'])}"
        self.sql(f"""CREATE TEMP TABLE su AS
            SELECT {self.u} AS unit, min(CAST({q(asg['variant'])} AS VARCHAR)) AS variant,
                   count(DISTINCT {q(asg['variant'])}) AS nv,
                   min({q(asg['timestamp'])}) AS assigned_at
            FROM {q(asg['table'])} {where} GROUP BY 1""")
        labels = {r[0] for r in self.sql(
            f"SELECT DISTINCT CAST({q(asg['variant'])} AS VARCHAR) FROM {q(asg['table'])} {where}"
        ).fetchall()}
        if labels - set(self.exp["variants"]):
            raise ref.SpecError(f"unknown variants {sorted(labels - set(self.exp['variants']))}")
        ets = q(ex["timestamp"])
        before = self.sql(f"""SELECT count(*) FROM {q(ex['table'])} e JOIN su
            ON e.{self.u} = su.unit WHERE su.nv = 1 AND e.{ets} < su.assigned_at""").fetchone()[0]
        if before and ex.get("before_assignment", "error") == "error":
            raise ref.SpecError(f"{before} exposure rows precede their unit's assignment")
        self.sql(f"""CREATE TEMP TABLE units AS
            SELECT su.unit, su.variant, min(e.{ets}) AS exposed_at
            FROM su JOIN {q(ex['table'])} e ON e.{self.u} = su.unit AND e.{ets} >= su.assigned_at
            WHERE su.nv = 1 GROUP BY 1, 2""")
        assigned, multi, single = self.sql(
            "SELECT count(*), count(*) FILTER (nv > 1), count(*) FILTER (nv = 1) FROM su"
        ).fetchone()
        analysed = self.sql("SELECT count(*) FROM units").fetchone()[0]
        return {"assigned_units": assigned, "multiple_variant_units": multi,
                "unexposed_units": single - analysed}

    def source(self, table, dedupe):
        if not dedupe:
            return q(table)
        key = (table, dedupe)
        if key not in self.deduped:
            name = f"dedup_{len(self.deduped)}"
            self.sql(f"""CREATE TEMP TABLE {name} AS SELECT DISTINCT ON ({q(dedupe)}) *
                         FROM {q(table)}""")
            self.deduped[key] = name
        return self.deduped[key]

    def count_duplicates(self):
        """population.duplicate_rows as the spec defines it: copies among the rows of analysed
        units inside the longest window of the table's metrics (gen_readout.dedupe_groups)."""
        for (table, dedupe), g in ref.dedupe_groups(self.spec).items():
            if dedupe is None or g["end"] is None:
                continue
            where = f"{q(dedupe)} IS NOT NULL"
            if len(g["ts"]) == 1:
                ts = q(next(iter(g["ts"])))
                where += (f" AND r.{ts} >= u.exposed_at"
                          f" AND r.{ts} < u.exposed_at + INTERVAL ({g['end']}) DAY")
            d = self.sql(f"""SELECT count(*) - count(DISTINCT {q(dedupe)}) FROM {q(table)} r
                             JOIN units u ON r.{self.u} = u.unit WHERE {where}""").fetchone()[0]
            self.duplicates[table] = self.duplicates.get(table, 0) + d

    # ------------------------------------------------------------ per-unit values

    def metric_units(self, m, i):
        window = m.get("window_days", self.spec["exposure"].get("window_days", 14))
        maturity = m.get("maturity_days", m["day"] + 1 if m["kind"] == "retention" else window)
        cond = "TRUE"
        if self.exp.get("end"):
            cond = (f"exposed_at + INTERVAL ({maturity}) DAY <= "
                    f"CAST({lit(self.exp['end'])} AS TIMESTAMPTZ)")
        self.sql(f"CREATE TEMP TABLE mu_{i} AS SELECT * FROM units WHERE {cond}")
        return window

    def windowed(self, i, part, lo, hi):
        src = self.source(part["table"], part.get("dedupe"))
        ts = q(part["timestamp"])
        return f"""(SELECT r.*, m.variant, m.exposed_at FROM {src} r JOIN mu_{i} m
                   ON r.{self.u} = m.unit
                   WHERE r.{ts} >= m.exposed_at + INTERVAL ({lo}) DAY
                     AND r.{ts} < m.exposed_at + INTERVAL ({hi}) DAY)"""

    def unit_values(self, m, i):
        """Temp table uv_{i}(unit, variant, y | a, b) and, for event quantiles, ev_{i}."""
        window = self.metric_units(m, i)
        kind = m["kind"]
        if kind == "ratio":
            parts = []
            for col, part in (("a", m["numerator"]), ("b", m["denominator"])):
                parts.append(f"""(SELECT {self.u} AS unit, SUM({part.get('value', '1')}) AS {col}
                    FROM {self.windowed(i, part, 0, window)} GROUP BY 1) {col}_t""")
            self.sql(f"""CREATE TEMP TABLE uv_{i} AS
                SELECT m.unit, m.variant, COALESCE(a_t.a, 0)::DOUBLE AS a,
                       COALESCE(b_t.b, 0)::DOUBLE AS b
                FROM mu_{i} m LEFT JOIN {parts[0]} ON a_t.unit = m.unit
                LEFT JOIN {parts[1]} ON b_t.unit = m.unit""")
            return
        if kind == "retention":
            rows = self.windowed(i, m, m["day"], m["day"] + 1)
        else:
            rows = self.windowed(i, m, 0, window)
        if kind in ("proportion", "retention"):
            expr = f"bool_or(COALESCE(({m.get('condition', 'TRUE')}), FALSE))::INTEGER"
        elif kind == "count":
            expr = "count(*)"
        elif kind == "quantile" and m.get("level", "event") != "unit":
            self.sql(f"""CREATE TEMP TABLE ev_{i} AS SELECT {self.u} AS unit, variant,
                (({m['value']}))::DOUBLE AS y FROM {rows} WHERE ({m['value']}) IS NOT NULL""")
            self.sql(f"CREATE TEMP TABLE uv_{i} AS SELECT unit, variant FROM mu_{i}")
            return
        else:
            expr = f"SUM({m.get('value', '1')})"
        self.sql(f"""CREATE TEMP TABLE uv_{i} AS
            SELECT m.unit, m.variant, COALESCE(v.y, 0)::DOUBLE AS y FROM mu_{i} m
            LEFT JOIN (SELECT {self.u} AS unit, {expr} AS y FROM {rows} GROUP BY 1) v
            ON v.unit = m.unit""")

    # ------------------------------------------------------------ statistics from sums

    def sums(self, i, covariates, cap, seg):
        ycol = "y" if cap is None else f"LEAST(y, {cap!r})"
        cov = self.spec.get("covariates", {})
        xs = [f"c.{q(c)}::DOUBLE" for c in covariates]
        sel = [f"count(*)", f"sum({ycol})", f"sum({ycol} * {ycol})"]
        sel += [f"sum({x})" for x in xs] + [f"sum({x} * {ycol})" for x in xs]
        sel += [f"sum({x} * {z})" for x in xs for z in xs]
        join = (f"JOIN {q(cov['table'])} c ON c.{self.u} = uv_{i}.unit" if covariates else "")
        rows = self.sql(f"""SELECT variant, {', '.join(sel)} FROM uv_{i} {join}
                            WHERE {seg} GROUP BY variant""").fetchall()
        p = len(covariates)
        out = {}
        for r in rows:
            n, sy, syy = r[1], r[2], r[3]
            sx = np.array(r[4:4 + p], float)
            sxy = np.array(r[4 + p:4 + 2 * p], float)
            sxx = np.array(r[4 + 2 * p:], float).reshape(p, p)
            out[r[0]] = (n, sy, syy, sx, sxy, sxx)
        return out

    def compare_sums(self, kind, st, sc, alpha):
        z = stats.norm.ppf(1 - alpha / 2)
        res = {}
        for key, (n, sy, syy, sx, sxy, sxx) in (("t", st), ("c", sc)):
            mean = sy / n
            var = (syy - n * mean * mean) / (n - 1)
            res[key] = (n, mean, var, sx / n, sxy - n * (sx / n) * mean,
                        sxx - n * np.outer(sx / n, sx / n), syy - n * mean * mean)

        def test(m_t, v_t, n_t, m_c, v_c, n_c):
            delta, se = m_t - m_c, np.sqrt(v_t / n_t + v_c / n_c)
            if kind in ref.T_KINDS:
                r = stats.ttest_ind_from_stats(m_t, np.sqrt(v_t), n_t, m_c, np.sqrt(v_c), n_c,
                                               equal_var=False)
                a, b = v_t / n_t, v_c / n_c
                df = (a + b) ** 2 / (a * a / (n_t - 1) + b * b / (n_c - 1))
                crit = stats.t.ppf(1 - alpha / 2, df)
                return ref.estimate(delta, se, crit), float(r.statistic), float(df), \
                    float(r.pvalue)
            stat = delta / se
            return ref.estimate(delta, se, z), float(stat), None, \
                float(2 * stats.norm.sf(abs(stat)))

        n_t, m_t, v_t, xb_t, sxy_t, sxx_t, syy_t = res["t"]
        n_c, m_c, v_c, xb_c, sxy_c, sxx_c, syy_c = res["c"]
        absolute, stat, df, p = test(m_t, v_t, n_t, m_c, v_c, n_c)
        out = {"method": "welch_t" if kind in ref.T_KINDS else "z", "absolute": absolute,
               "relative": ref.relative(m_t, v_t / n_t, m_c, v_c / n_c, z), "statistic": stat,
               "df": df, "p_value": p, "adjustment": None}
        if len(xb_t):
            theta = np.linalg.solve(sxx_t + sxx_c, sxy_t + sxy_c)
            xbar = (n_t * xb_t + n_c * xb_c) / (n_t + n_c)
            adj = {}
            for key, (n, mean, _, xb, sxy, sxx, syy) in res.items():
                adj[key] = (mean - theta @ (xb - xbar),
                            (syy - 2 * theta @ sxy + theta @ sxx @ theta) / (n - 1))
            (am_t, av_t), (am_c, av_c) = adj["t"], adj["c"]
            a_abs, a_stat, a_df, a_p = test(am_t, av_t, n_t, am_c, av_c, n_c)
            out.update(method="cuped_" + out["method"], absolute=a_abs, statistic=a_stat,
                       df=a_df, p_value=a_p,
                       relative=ref.relative(am_t, av_t / n_t, am_c, av_c / n_c, z))
            out["adjustment"] = {
                "theta": [float(v) for v in theta],
                "variance_reduction": float(1 - a_abs["std_error"] ** 2
                                            / absolute["std_error"] ** 2),
                "r_squared": float(theta @ (sxy_t + sxy_c) / (syy_t + syy_c)),
                "unadjusted": absolute}
        return out

    def ratio(self, i, seg, alpha):
        z = stats.norm.ppf(1 - alpha / 2)
        rows = self.sql(f"""SELECT variant, count(*), sum(a), sum(b), sum(a*a), sum(b*b),
            sum(a*b) FROM uv_{i} WHERE {seg} GROUP BY variant""").fetchall()
        arms = {}
        for v, n, sa, sb, saa, sbb, sab in rows:
            r = sa / sb
            va = (saa - sa * sa / n) / (n - 1)
            vb = (sbb - sb * sb / n) / (n - 1)
            cab = (sab - sa * sb / n) / (n - 1)
            arms[v] = (n, r, (va - 2 * r * cab + r * r * vb) / (n * (sb / n) ** 2))
        return arms, z

    def quantile(self, m, i, seg, alpha):
        z = stats.norm.ppf(1 - alpha / 2)
        p = m["quantile"]
        event = m.get("level", "event") != "unit"
        src = f"ev_{i}" if event else f"uv_{i}"
        filt = seg.replace("unit", f"{src}.unit") if seg != "TRUE" else "TRUE"
        qs = dict(self.sql(f"""SELECT variant, quantile_cont(y, {p!r}) FROM {src}
                               WHERE {filt} GROUP BY variant""").fetchall())
        arms = {}
        for v, qv in qs.items():
            vcond = f"variant = {lit(v)} AND {filt}"
            n = self.sql(f"SELECT count(*) FROM {src} WHERE {vcond}").fetchone()[0]
            if event:
                c, sk, sn, skk, snn, skn = self.sql(f"""SELECT count(*), sum(k), sum(n),
                    sum(k*k), sum(n*n), sum(k*n) FROM (SELECT unit,
                    count(*) FILTER (y <= {qv!r})::DOUBLE AS k, count(*)::DOUBLE AS n
                    FROM {src} WHERE {vcond} GROUP BY unit)""").fetchone()
                f = sk / sn
                vk, vn = (skk - sk * sk / c) / (c - 1), (snn - sn * sn / c) / (c - 1)
                ckn = (skn - sk * sn / c) / (c - 1)
                sigma_p = np.sqrt((vk - 2 * f * ckn + f * f * vn) / (c * (sn / c) ** 2))
            else:
                sigma_p = np.sqrt(p * (1 - p) / n)
            lo = int(np.clip(np.floor(n * (p - z * sigma_p)), 1, n))
            hi = int(np.clip(np.ceil(n * (p + z * sigma_p)), 1, n))
            x = dict(self.sql(f"""SELECT rn, y FROM (SELECT y, row_number() OVER (ORDER BY y)
                AS rn FROM {src} WHERE {vcond}) WHERE rn IN ({lo}, {hi})""").fetchall())
            arms[v] = (n, float(qv), (x[hi] - x[lo]) / (2 * z))
        return arms, z

    # ------------------------------------------------------------ one metric

    def metric(self, m, i, variants, alpha, seg="TRUE", cap=None, uncapped=False):
        kind, control = m["kind"], variants[0]
        if m.get("winsorize") and cap is None and not uncapped:
            w = m["winsorize"]
            cap = float(w["value"]) if "value" in w else float(self.sql(
                f"SELECT quantile_cont(y, {w['quantile']!r}) FROM uv_{i}").fetchone()[0])
        arms, comps = [], []
        if kind == "ratio":
            st, z = self.ratio(i, seg, alpha)
            for v in variants:
                arms.append({"variant": v, "n": st[v][0], "value": st[v][1], "total": None})
            for v in variants[1:]:
                (_, r_t, v_t), (_, r_c, v_c) = st[v], st[control]
                delta, se = r_t - r_c, np.sqrt(v_t + v_c)
                comps.append({"variant": v, "method": "z_delta_ratio",
                              "absolute": ref.estimate(delta, se, z),
                              "relative": ref.estimate(r_t / r_c - 1, np.sqrt(
                                  v_t + (r_t / r_c) ** 2 * v_c) / abs(r_c), z),
                              "statistic": delta / se, "df": None,
                              "p_value": float(2 * stats.norm.sf(abs(delta / se))),
                              "adjustment": None})
        elif kind == "quantile":
            st, z = self.quantile(m, i, seg, alpha)
            for v in variants:
                arms.append({"variant": v, "n": st[v][0], "value": st[v][1], "total": None})
            for v in variants[1:]:
                c = ref.compare_quantile(st[v][1], st[v][2], st[control][1], st[control][2],
                                         alpha, m.get("level", "event") != "unit")
                comps.append({"variant": v, **c})
        else:
            covs = list(m.get("cuped", []))
            st = self.sums(i, covs, cap, seg)
            for v in variants:
                n, sy = st[v][0], st[v][1]
                arms.append({"variant": v, "n": n, "value": sy / n,
                             "total": sy if kind == "sum" else None})
            for v in variants[1:]:
                c = self.compare_sums(kind, st[v], st[control], alpha)
                if c["adjustment"]:
                    c["adjustment"] = {"covariates": covs, **c["adjustment"]}
                comps.append({"variant": v, **c})
        for c in comps:
            c.update(p_value_adjusted=c["p_value"], significant=bool(c["p_value"] < alpha),
                     non_inferiority=ref.non_inferiority(m, c["relative"], alpha),
                     uncapped=None, true_effect=None)
        if cap is not None and not uncapped:
            un = self.metric(m, i, variants, alpha, seg=seg, uncapped=True)
            for c, u in zip(comps, un["comparisons"]):
                u["non_inferiority"] = None
                c["uncapped"] = u
        return {"name": m["name"], "kind": kind, "role": m["role"],
                "higher_is_better": bool(m.get("higher_is_better", True)), "arms": arms,
                "comparisons": [ref.order_comparison(c) for c in comps], "cap": cap,
                "notes": []}

    # ------------------------------------------------------------ readout

    def readout(self):
        exp = self.exp
        control = exp["control"]
        spec_variants = list(exp["variants"])
        order = [spec_variants.index(control)] + [i for i, v in enumerate(spec_variants)
                                                  if v != control]
        variants = [spec_variants[i] for i in order]
        weights = np.asarray(exp.get("weights", [1.0] * len(variants)), float)[order]
        weights = weights / weights.sum()
        alpha = float(exp.get("alpha", 0.05))
        pop = self.units()
        counts = dict(self.sql("SELECT variant, count(*) FROM units GROUP BY 1").fetchall())
        pop["analysed_units"] = [counts.get(v, 0) for v in variants]
        metrics = []
        for i, m in enumerate(self.spec["metric"]):
            self.unit_values(m, i)
            metrics.append(self.metric(m, i, variants, alpha))
        ref.adjust(metrics, ref.CORRECTIONS[exp.get("correction", "holm")], alpha)
        self.count_duplicates()
        pop["duplicate_rows"] = [[k, v] for k, v in sorted(self.duplicates.items())]
        srm = self.srm(variants, weights)
        segments = []
        dim = exp.get("dimension_table")
        for d in exp.get("segments", []):
            values = [r[0] for r in self.sql(f"""SELECT DISTINCT CAST({q(d)} AS VARCHAR)
                FROM {q(dim)} WHERE {self.u} IN (SELECT unit FROM units)
                AND {q(d)} IS NOT NULL""").fetchall()]
            for value in sorted(values):
                seg = (f"unit IN (SELECT {self.u} FROM {q(dim)} "
                       f"WHERE CAST({q(d)} AS VARCHAR) = {lit(value)})")
                seg_metrics = [self.metric(m, i, variants, alpha, seg=seg, cap=base["cap"])
                               for i, (m, base) in enumerate(zip(self.spec["metric"], metrics))]
                segments.append({"dimension": d, "value": value, "metrics": seg_metrics})
        return {"experiment": exp["name"], "control": control, "variants": variants,
                "alpha": alpha, "correction": exp.get("correction", "holm"),
                "trustworthy": srm["passed"],
                "decisions": ref.decisions(metrics, variants, srm["passed"], alpha),
                "srm": srm, "population": pop, "metrics": metrics, "segments": segments}

    def srm(self, variants, weights):
        exp = self.exp
        counts = dict(self.sql("SELECT variant, count(*) FROM units GROUP BY 1").fetchall())
        dimension_counts = []
        for d in exp.get("srm_dimensions", []):
            rows = self.sql(f"""SELECT CAST(t.{q(d)} AS VARCHAR), u.variant, count(*)
                FROM units u JOIN {q(exp['dimension_table'])} t ON t.{self.u} = u.unit
                WHERE t.{q(d)} IS NOT NULL GROUP BY 1, 2""").fetchall()
            table = {}
            for value, v, n in rows:
                table.setdefault(value, {})[v] = n
            for value in sorted(table):
                dimension_counts.append((f"{d}={value}",
                                         [table[value].get(v, 0) for v in variants]))
        return ref.srm_from_counts(variants, weights, [counts.get(v, 0) for v in variants],
                                   dimension_counts, exp.get("srm_alpha", 0.001))


def run_path(path, spec):
    t = time.perf_counter()
    if path == "duckdb":
        doc = Sql(spec).readout()
    else:
        doc, _ = ref.readout(spec)
    wall = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"path": path, "wall_seconds": wall, "peak_rss_bytes": rss}, doc


def leaves(doc, prefix=""):
    """Numeric leaves of a readout, keyed by a path with names instead of list indices."""
    out = {}
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.update(leaves(v, f"{prefix}/{k}"))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            key = v.get("name") or v.get("variant") or v.get("scope") if isinstance(v, dict) \
                else None
            if isinstance(v, dict) and "dimension" in v:
                key = f"{v['dimension']}={v['value']}"
            out.update(leaves(v, f"{prefix}/{key if key is not None else i}"))
    elif isinstance(doc, bool) or doc is None or isinstance(doc, str):
        out[prefix] = doc
    else:
        out[prefix] = float(doc)
    return out


def compare(a, b, label):
    la, lb = leaves(json.loads(json.dumps(ref.clean(a)))), leaves(json.loads(json.dumps(
        ref.clean(b))))
    worst, missing, differ = (0.0, None), [], []
    for k, va in la.items():
        if k not in lb:
            missing.append(k)
            continue
        vb = lb[k]
        if isinstance(va, float) and isinstance(vb, float):
            if va == vb or (np.isnan(va) and np.isnan(vb)):
                continue
            e = abs(va - vb) / abs(vb) if vb != 0 else abs(va)
            if e > worst[0]:
                worst = (e, k)
        elif va != vb and not k.endswith(("/method", "/reasons", "/decision_rule", "/notes")):
            differ.append((k, va, vb))
    print(f"{label}: {len(la)} leaves, worst relative difference {worst[0]:.2e} at {worst[1]}")
    for k, va, vb in differ[:20]:
        print(f"  differs {k}: {va!r} vs {vb!r}")
    if missing:
        print(f"  {len(missing)} leaves missing on the right, e.g. {missing[:5]}")
    return worst[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir", nargs="?")
    ap.add_argument("--check", nargs="+", metavar="JSON",
                    help="only compare saved readouts: the first against each of the others")
    ap.add_argument("--path", choices=["duckdb", "pandas"])
    ap.add_argument("--paths", default="duckdb,pandas")
    ap.add_argument("--readout", help="counterfact analyze --json output to compare with")
    ap.add_argument("--json", action="store_true", help="print timings as JSON lines")
    ap.add_argument("--save", help="with --path: write the readout JSON here")
    args = ap.parse_args()
    if args.check:
        docs = [json.loads(pathlib.Path(f).read_text()) for f in args.check]
        docs = [d.get("readout", d) for d in docs]
        worst = max(compare(docs[0], d, f"{args.check[0]} vs {f}")
                    for d, f in zip(docs[1:], args.check[1:]))
        print(f"worst relative difference {worst:.2e}")
        return
    spec = pathlib.Path(args.dir) / "experiment.toml"
    if args.path:
        timing, doc = run_path(args.path, spec)
        if args.save:
            pathlib.Path(args.save).write_text(json.dumps(ref.clean(doc)))
        print(json.dumps(timing))
        return
    docs, timings = {}, []
    for path in args.paths.split(","):
        out = pathlib.Path(args.dir) / f".readout-{path}.json"
        line = subprocess.run([sys.executable, __file__, args.dir, "--path", path, "--save",
                               str(out)], check=True, capture_output=True, text=True).stdout
        timings.append(json.loads(line.strip().splitlines()[-1]))
        docs[path] = json.loads(out.read_text())
        out.unlink()
    for t in timings:
        print(json.dumps(t) if args.json else
              f"{t['path']:7s} wall {t['wall_seconds']:9.3f} s   peak RSS "
              f"{t['peak_rss_bytes'] / 2**20:9.1f} MiB")
    names = list(docs)
    if len(names) == 2:
        compare(docs[names[0]], docs[names[1]], f"{names[0]} vs {names[1]}")
    if args.readout:
        got = json.loads(pathlib.Path(args.readout).read_text())
        got = got.get("readout", got)
        for name in names:
            compare(got, docs[name], f"counterfact vs {name}")


if __name__ == "__main__":
    main()
