//! Reads a generated demo data set back with the parquet crate and computes the demo metrics
//! by plain Rust arithmetic from the definitions of docs/experiment-spec.md, independent of
//! the generator's code and of the SQL engine.

#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::path::Path;

use arrow::array::{
    Array, AsArray, BooleanArray, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray,
};
use arrow::datatypes::TimestampMicrosecondType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

pub const VARIANTS: [&str; 3] = ["control", "top_row", "personalized_row"];
pub const DAY: i64 = 86_400_000_000;
/// `end` of the demo spec: 2026-03-08T00:00:00Z.
pub const END: i64 = 20_520 * DAY;
pub const WINDOW: i64 = 14 * DAY;

/// All record batches of the Parquet files `dir/pattern` (a file or `sub/*.parquet`).
pub fn read(dir: &Path, pattern: &str) -> Vec<RecordBatch> {
    let paths: Vec<_> = if let Some(sub) = pattern.strip_suffix("/*.parquet") {
        let mut p: Vec<_> = std::fs::read_dir(dir.join(sub))
            .expect("table directory")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "parquet"))
            .collect();
        p.sort();
        p
    } else {
        vec![dir.join(pattern)]
    };
    let mut batches = Vec::new();
    for path in paths {
        let file = File::open(&path).expect("parquet file");
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .expect("parquet metadata")
            .build()
            .expect("parquet reader");
        for batch in reader {
            batches.push(batch.expect("record batch"));
        }
    }
    batches
}

pub fn i64s(b: &RecordBatch, name: &str) -> Vec<i64> {
    let c = b.column_by_name(name).expect(name);
    if let Some(a) = c.as_any().downcast_ref::<Int64Array>() {
        return a.values().to_vec();
    }
    c.as_primitive::<TimestampMicrosecondType>()
        .values()
        .to_vec()
}

pub fn opt_ts(b: &RecordBatch, name: &str) -> Vec<Option<i64>> {
    let a = b
        .column_by_name(name)
        .expect(name)
        .as_primitive::<TimestampMicrosecondType>();
    (0..a.len())
        .map(|i| (!a.is_null(i)).then(|| a.value(i)))
        .collect()
}

pub fn i32s(b: &RecordBatch, name: &str) -> Vec<i32> {
    let c = b.column_by_name(name).expect(name);
    c.as_any()
        .downcast_ref::<Int32Array>()
        .expect("Int32")
        .values()
        .to_vec()
}

pub fn f64s(b: &RecordBatch, name: &str) -> Vec<f64> {
    let c = b.column_by_name(name).expect(name);
    c.as_any()
        .downcast_ref::<Float64Array>()
        .expect("Float64")
        .values()
        .to_vec()
}

pub fn strs(b: &RecordBatch, name: &str) -> Vec<String> {
    let c = b.column_by_name(name).expect(name);
    let a = c.as_any().downcast_ref::<StringArray>().expect("Utf8");
    (0..a.len()).map(|i| a.value(i).to_owned()).collect()
}

pub fn bools(b: &RecordBatch, name: &str) -> Vec<bool> {
    let c = b.column_by_name(name).expect(name);
    let a = c.as_any().downcast_ref::<BooleanArray>().expect("Boolean");
    (0..a.len()).map(|i| a.value(i)).collect()
}

/// numpy's default (linear) quantile of `xs`.
pub fn numpy_quantile(xs: &mut [f64], q: f64) -> f64 {
    xs.sort_by(f64::total_cmp);
    let vi = (xs.len() - 1) as f64 * q;
    let lo = vi.floor();
    let t = vi - lo;
    let a = xs[lo as usize];
    let b = xs[(lo as usize + 1).min(xs.len() - 1)];
    let d = b - a;
    if t >= 0.5 {
        b - d * (1.0 - t)
    } else {
        a + d * t
    }
}

/// One analysed unit's values, by the spec's definitions.
#[derive(Debug, Clone, Default)]
pub struct Unit {
    pub variant: usize,
    pub exposed_at: i64,
    pub pre_watch_hours: f64,
    pub watch_hours: f64,
    pub sessions: u64,
    pub plays: u64,
    pub retained: bool,
    pub converted: bool,
}

impl Unit {
    pub fn window_matured(&self) -> bool {
        self.exposed_at + WINDOW <= END
    }
    pub fn conversion_matured(&self) -> bool {
        self.exposed_at + 21 * DAY <= END
    }
    pub fn retention_matured(&self) -> bool {
        self.exposed_at + 8 * DAY <= END
    }
}

/// The analysed units and the in-window play delays per variant.
pub struct Observed {
    pub units: HashMap<i64, Unit>,
    pub delays: [Vec<f64>; 3],
    pub assigned_units: u64,
    pub multiple_variant_units: u64,
    pub unexposed_units: u64,
    pub duplicate_rows: u64,
}

pub fn observe(dir: &Path) -> Observed {
    let mut variants: HashMap<i64, (HashSet<usize>, i64)> = HashMap::new();
    for b in read(dir, "assignments.parquet") {
        let (ids, exp, var, at) = (
            i64s(&b, "member_id"),
            strs(&b, "experiment"),
            strs(&b, "variant"),
            i64s(&b, "assigned_at"),
        );
        for i in 0..ids.len() {
            if exp[i] != "homepage-rec-row" {
                continue;
            }
            let v = VARIANTS
                .iter()
                .position(|x| *x == var[i])
                .expect("known variant");
            let e = variants.entry(ids[i]).or_insert((HashSet::new(), i64::MAX));
            e.0.insert(v);
            e.1 = e.1.min(at[i]);
        }
    }
    let mut first_exposure: HashMap<i64, i64> = HashMap::new();
    for b in read(dir, "exposures.parquet") {
        let (ids, at) = (i64s(&b, "member_id"), i64s(&b, "exposed_at"));
        for i in 0..ids.len() {
            let assigned = variants.get(&ids[i]).expect("exposed unit is assigned").1;
            assert!(
                at[i] >= assigned,
                "exposure before assignment for {}",
                ids[i]
            );
            let e = first_exposure.entry(ids[i]).or_insert(i64::MAX);
            *e = (*e).min(at[i]);
        }
    }
    let mut obs = Observed {
        units: HashMap::new(),
        delays: [Vec::new(), Vec::new(), Vec::new()],
        assigned_units: variants.len() as u64,
        multiple_variant_units: 0,
        unexposed_units: 0,
        duplicate_rows: 0,
    };
    for (id, (vs, _)) in &variants {
        if vs.len() > 1 {
            obs.multiple_variant_units += 1;
            continue;
        }
        let Some(&e) = first_exposure.get(id) else {
            obs.unexposed_units += 1;
            continue;
        };
        let variant = *vs.iter().next().expect("one variant");
        obs.units.insert(
            *id,
            Unit {
                variant,
                exposed_at: e,
                ..Unit::default()
            },
        );
    }
    for b in read(dir, "members.parquet") {
        let (ids, pre) = (i64s(&b, "member_id"), f64s(&b, "pre_watch_hours"));
        for i in 0..ids.len() {
            if let Some(u) = obs.units.get_mut(&ids[i]) {
                u.pre_watch_hours = pre[i];
            }
        }
    }
    let mut seen = HashSet::new();
    for b in read(dir, "viewing/*.parquet") {
        let (ev, ids, ts, watch, delay) = (
            i64s(&b, "event_id"),
            i64s(&b, "member_id"),
            i64s(&b, "ts"),
            f64s(&b, "watch_seconds"),
            f64s(&b, "play_delay_ms"),
        );
        for i in 0..ev.len() {
            if !seen.insert(ev[i]) {
                obs.duplicate_rows += 1;
                continue;
            }
            if let Some(u) = obs.units.get_mut(&ids[i])
                && u.window_matured()
                && u.exposed_at <= ts[i]
                && ts[i] < u.exposed_at + WINDOW
            {
                u.watch_hours += watch[i] / 3600.0;
                obs.delays[u.variant].push(delay[i]);
            }
        }
    }
    for b in read(dir, "sessions/*.parquet") {
        let (ids, start, plays) = (i64s(&b, "member_id"), i64s(&b, "start"), i32s(&b, "plays"));
        for i in 0..ids.len() {
            if let Some(u) = obs.units.get_mut(&ids[i]) {
                let e = u.exposed_at;
                if e <= start[i] && start[i] < e + WINDOW {
                    u.sessions += 1;
                    u.plays += plays[i] as u64;
                }
                if e + 7 * DAY <= start[i] && start[i] < e + 8 * DAY {
                    u.retained = true;
                }
            }
        }
    }
    for b in read(dir, "subscriptions.parquet") {
        let (ids, sub, cancel, trial) = (
            i64s(&b, "member_id"),
            i64s(&b, "sub_dt"),
            opt_ts(&b, "cancel_dt"),
            bools(&b, "trial"),
        );
        for i in 0..ids.len() {
            if let Some(u) = obs.units.get_mut(&ids[i]) {
                let e = u.exposed_at;
                let in_window = e <= sub[i] && sub[i] < e + WINDOW;
                let condition = !trial[i] || cancel[i].is_none_or(|c| c >= sub[i] + 7 * DAY);
                if in_window && condition {
                    u.converted = true;
                }
            }
        }
    }
    obs
}

/// The numpy p99 cap of the pooled per-unit watch hours of window-matured units.
pub fn watch_cap(obs: &Observed) -> f64 {
    let mut ys: Vec<f64> = obs
        .units
        .values()
        .filter(|u| u.window_matured())
        .map(|u| u.watch_hours)
        .collect();
    numpy_quantile(&mut ys, 0.99)
}

/// Metric values over the units of `variants` (pooled), as in the manifest's `true_values`.
pub fn pooled_values(obs: &Observed, variants: &[usize], cap: f64) -> HashMap<&'static str, f64> {
    let pick = |u: &&Unit| variants.contains(&u.variant);
    let win: Vec<&Unit> = obs
        .units
        .values()
        .filter(pick)
        .filter(|u| u.window_matured())
        .collect();
    let n = win.len() as f64;
    let conv: Vec<&Unit> = obs
        .units
        .values()
        .filter(pick)
        .filter(|u| u.conversion_matured())
        .collect();
    let ret: Vec<&Unit> = obs
        .units
        .values()
        .filter(pick)
        .filter(|u| u.retention_matured())
        .collect();
    let mut delays: Vec<f64> = variants
        .iter()
        .flat_map(|&v| obs.delays[v].iter().copied())
        .collect();
    let mut m = HashMap::new();
    m.insert(
        "watch_hours_uncapped",
        win.iter().map(|u| u.watch_hours).sum::<f64>() / n,
    );
    m.insert(
        "watch_hours",
        win.iter().map(|u| u.watch_hours.min(cap)).sum::<f64>() / n,
    );
    m.insert(
        "plays_per_session",
        win.iter().map(|u| u.plays).sum::<u64>() as f64
            / win.iter().map(|u| u.sessions).sum::<u64>() as f64,
    );
    m.insert(
        "sessions",
        win.iter().map(|u| u.sessions).sum::<u64>() as f64 / n,
    );
    m.insert("play_delay_p90", numpy_quantile(&mut delays, 0.9));
    m.insert(
        "conversion",
        conv.iter().filter(|u| u.converted).count() as f64 / conv.len() as f64,
    );
    m.insert(
        "retention_d7",
        ret.iter().filter(|u| u.retained).count() as f64 / ret.len() as f64,
    );
    m
}
