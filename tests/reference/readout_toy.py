"""Write a small seeded experiment in the schema of docs/experiment-spec.md (the toy data set of
the readout reference).

Every awkward case the spec defines appears at least once: rows of another experiment, units
assigned to two variants, a unit assigned twice to the same variant, units never exposed,
exposures before the assignment (`before_assignment = "ignore"`), repeated exposures, rows before
the exposure and after the window, duplicate deliveries (`dedupe`), units whose window has not
matured, a CSV source with nulls and booleans, sources given as globs. Run from the repository
root:

    /work/refvenv/bin/python tests/reference/readout_toy.py OUT_DIR [--members 3000] [--seed 7]

and then `gen_readout.py OUT_DIR/experiment.toml`.
"""

import argparse
import pathlib

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

EXPERIMENT = "homepage-rec-row"
VARIANTS = ["control", "top_row", "personalized_row"]
START = np.datetime64("2026-02-01T00:00:00", "us")
END = "2026-03-08T00:00:00Z"
DAY_US = 86_400 * 1_000_000

SPEC = """\
[experiment]
name = "homepage-rec-row"
unit = "member_id"
control = "control"
variants = ["control", "top_row", "personalized_row"]
weights = [1.0, 1.0, 1.0]
alpha = 0.05
correction = "holm"
srm_alpha = 0.001
end = "2026-03-08T00:00:00Z"
dimension_table = "members"
srm_dimensions = ["country", "device", "plan"]
segments = ["device"]

[sources]
members = "members.parquet"
assignments = "assignments.parquet"
exposures = "exposures.parquet"
sessions = "sessions/*.parquet"
viewing = "viewing/*.parquet"
subscriptions = { path = "subscriptions.csv", format = "csv" }

[assignment]
table = "assignments"
variant = "variant"
timestamp = "assigned_at"
experiment_column = "experiment"
multiple_variants = "exclude"

[exposure]
table = "exposures"
timestamp = "exposed_at"
window_days = 14
before_assignment = "ignore"

[covariates]
table = "members"
columns = ["pre_watch_hours", "tenure_days"]

[[metric]]
name = "watch_hours"
kind = "mean"
role = "primary"
table = "viewing"
timestamp = "ts"
value = "watch_seconds / 3600.0"
dedupe = "event_id"
cuped = ["pre_watch_hours"]
winsorize = { quantile = 0.99 }
higher_is_better = true

[[metric]]
name = "watch_hours_2cov"
kind = "mean"
role = "secondary"
table = "viewing"
timestamp = "ts"
value = "watch_seconds / 3600.0"
dedupe = "event_id"
cuped = ["pre_watch_hours", "tenure_days"]

[[metric]]
name = "conversion"
kind = "proportion"
role = "secondary"
table = "subscriptions"
timestamp = "sub_dt"
condition = "NOT trial OR cancel_dt IS NULL OR cancel_dt >= sub_dt + INTERVAL '7 days'"
window_days = 14
maturity_days = 21

[[metric]]
name = "plays_per_session"
kind = "ratio"
role = "secondary"
numerator = { table = "sessions", timestamp = "start", value = "plays" }
denominator = { table = "sessions", timestamp = "start", value = "1" }

[[metric]]
name = "play_delay_p90"
kind = "quantile"
role = "guardrail"
table = "viewing"
timestamp = "ts"
value = "play_delay_ms"
dedupe = "event_id"
quantile = 0.9
level = "event"
higher_is_better = false
margin = 0.05

[[metric]]
name = "watch_hours_p50_unit"
kind = "quantile"
role = "secondary"
table = "viewing"
timestamp = "ts"
value = "watch_seconds / 3600.0"
dedupe = "event_id"
quantile = 0.5
level = "unit"

[[metric]]
name = "retention_d7"
kind = "retention"
role = "guardrail"
table = "sessions"
timestamp = "start"
day = 7
margin = 0.02

[[metric]]
name = "sessions"
kind = "count"
role = "secondary"
table = "sessions"
timestamp = "start"
winsorize = { value = 12.0 }

[[metric]]
name = "plays_total"
kind = "sum"
role = "secondary"
table = "sessions"
timestamp = "start"
value = "plays"
"""


def ts(offset_us):
    return START + np.asarray(offset_us, dtype="int64").astype("timedelta64[us]")


def ts_array(values):
    return pa.array(values, type=pa.timestamp("us", tz="UTC"))


def generate(out, members, seed):
    rng = np.random.default_rng(seed)
    out = pathlib.Path(out)
    (out / "sessions").mkdir(parents=True, exist_ok=True)
    (out / "viewing").mkdir(parents=True, exist_ok=True)

    ids = np.arange(1, members + 1, dtype="int64") * 7 + 1000
    country = rng.choice(["US", "DE", "BR", "IN"], members, p=[0.4, 0.2, 0.2, 0.2])
    device = rng.choice(["tv", "mobile", "web"], members)
    plan = rng.choice(["basic", "standard", "premium"], members, p=[0.5, 0.3, 0.2])
    pre = rng.gamma(2.0, 3.0, members)
    tenure = rng.integers(0, 2000, members)
    pq.write_table(pa.table({
        "member_id": ids, "country": country, "device": device, "plan": plan,
        "pre_watch_hours": pre, "tenure_days": tenure,
    }), out / "members.parquet")

    arm = rng.integers(0, 3, members)
    assigned = rng.integers(0, 21 * DAY_US, members)
    a_id, a_exp, a_var, a_ts = [ids], [np.full(members, EXPERIMENT)], [np.array(VARIANTS)[arm]], [assigned]
    # A second experiment sharing the table: its rows must be ignored.
    other = rng.choice(members, members // 5, replace=False)
    a_id.append(ids[other])
    a_exp.append(np.full(other.size, "other-test"))
    a_var.append(rng.choice(["a", "b"], other.size))
    a_ts.append(rng.integers(0, 21 * DAY_US, other.size))
    # Units assigned to two variants (excluded) and one assigned twice to the same variant.
    multi = rng.choice(members, 25, replace=False)
    a_id.append(ids[multi])
    a_exp.append(np.full(multi.size, EXPERIMENT))
    a_var.append(np.array(VARIANTS)[(arm[multi] + 1) % 3])
    a_ts.append(assigned[multi] + DAY_US)
    twice = np.setdiff1d(np.arange(members), multi)[:10]
    a_id.append(ids[twice])
    a_exp.append(np.full(twice.size, EXPERIMENT))
    a_var.append(np.array(VARIANTS)[arm[twice]])
    a_ts.append(assigned[twice] + 3 * DAY_US)
    pq.write_table(pa.table({
        "member_id": np.concatenate(a_id), "experiment": np.concatenate(a_exp),
        "variant": np.concatenate(a_var),
        "assigned_at": ts_array(ts(np.concatenate(a_ts))),
    }), out / "assignments.parquet")

    exposed_mask = rng.random(members) > 0.08
    delay = rng.integers(0, 3 * DAY_US, members)
    exposed_at = assigned + delay
    e_id, e_ts = [ids[exposed_mask]], [exposed_at[exposed_mask]]
    again = exposed_mask & (rng.random(members) < 0.3)
    e_id.append(ids[again])
    e_ts.append(exposed_at[again] + rng.integers(1, 5 * DAY_US, again.sum()))
    early = rng.random(members) < 0.05
    e_id.append(ids[early])
    e_ts.append(assigned[early] - rng.integers(1, 2 * DAY_US, early.sum()))
    pq.write_table(pa.table({
        "member_id": np.concatenate(e_id),
        "exposed_at": ts_array(ts(np.concatenate(e_ts))),
    }), out / "exposures.parquet")

    # Effects: top_row +5% watch, personalized_row +12% watch, slightly more delay.
    lift = np.array([1.0, 1.05, 1.12])[arm]
    activity = pre / 6.0
    base = exposed_at - 2 * DAY_US

    n_sess = rng.poisson(4.0 * (0.3 + activity) * np.array([1.0, 1.03, 1.06])[arm])
    s_unit = np.repeat(np.arange(members), n_sess)
    s_start = base[s_unit] + rng.integers(0, 22 * DAY_US, s_unit.size)
    plays = rng.poisson(2.0 * np.array([1.0, 1.0, 1.1])[arm][s_unit]) + 1
    half = s_unit.size // 2
    for part, sl in enumerate([slice(0, half), slice(half, None)]):
        pq.write_table(pa.table({
            "member_id": ids[s_unit[sl]],
            "session_id": np.arange(s_unit.size)[sl],
            "start": ts_array(ts(s_start[sl])),
            "plays": plays[sl],
        }), out / "sessions" / f"part-{part}.parquet")

    n_view = rng.poisson(6.0 * (0.2 + activity))
    v_unit = np.repeat(np.arange(members), n_view)
    v_ts = base[v_unit] + rng.integers(0, 20 * DAY_US, v_unit.size)
    watch = rng.gamma(1.5, 1800.0, v_unit.size) * lift[v_unit]
    heavy = rng.random(v_unit.size) < 0.003
    watch[heavy] *= 40.0
    play_delay = rng.lognormal(6.5, 0.5, v_unit.size) * np.array([1.0, 1.01, 1.03])[arm][v_unit]
    event_id = np.arange(v_unit.size, dtype="int64") + 10_000
    dup = rng.random(v_unit.size) < 0.02
    cols = {
        "event_id": np.concatenate([event_id, event_id[dup]]),
        "member_id": ids[np.concatenate([v_unit, v_unit[dup]])],
        "ts": np.concatenate([v_ts, v_ts[dup]]),
        "watch_seconds": np.concatenate([watch, watch[dup]]),
        "play_delay_ms": np.concatenate([play_delay, play_delay[dup]]),
    }
    order = rng.permutation(cols["event_id"].size)
    cols = {k: v[order] for k, v in cols.items()}
    cols["ts"] = ts_array(ts(cols["ts"]))
    third = order.size // 3
    for part, sl in enumerate([slice(0, third), slice(third, 2 * third), slice(2 * third, None)]):
        pq.write_table(pa.table({k: v[sl] for k, v in cols.items()}),
                       out / "viewing" / f"part-{part}.parquet")

    subscriber = rng.random(members) < np.array([0.08, 0.10, 0.11])[arm]
    sub_unit = np.nonzero(subscriber)[0]
    sub_ts = base[sub_unit] + rng.integers(0, 18 * DAY_US, sub_unit.size)
    trial = (arm[sub_unit] > 0) & (rng.random(sub_unit.size) < 0.6)
    cancelled = trial & (rng.random(sub_unit.size) < 0.4)
    cancel_ts = sub_ts + rng.integers(0, 14 * DAY_US, sub_unit.size)
    # RFC 3339 text ("2026-02-03T10:00:00.123456Z"), an empty field for null.
    iso = lambda a: np.char.add(np.datetime_as_string(ts(a), unit="us"), "Z")
    lines = ["member_id,sub_dt,trial,cancel_dt"]
    for m, s_, t_, c_, cancel in zip(ids[sub_unit], iso(sub_ts), trial, cancelled, iso(cancel_ts)):
        lines.append(f"{m},{s_},{'true' if t_ else 'false'},{cancel if c_ else ''}")
    (out / "subscriptions.csv").write_text("\n".join(lines) + "\n")

    (out / "experiment.toml").write_text(SPEC)
    return out / "experiment.toml"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--members", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    print(generate(args.out, args.members, args.seed))


if __name__ == "__main__":
    main()
