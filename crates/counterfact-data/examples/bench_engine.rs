//! Benchmark: engine stage timings on synthetic units and events.
//! `CF_UNITS=1000000 CF_EVENTS=20000000 cargo run --release -p counterfact-data --example bench_engine`
#![allow(clippy::print_stdout)]

#[path = "../tests/fixture/mod.rs"]
mod fixture;

use std::sync::Arc;
use std::time::Instant;

use arrow::array::{ArrayRef, Float64Array, Int64Array, StringArray, TimestampMicrosecondArray};
use std::cell::RefCell;

use counterfact_data::{Progress, prepare_readout};

/// Prints the time of every stage.
struct Timer(RefCell<Option<(String, Instant)>>);

impl Timer {
    fn finish(&self) {
        if let Some((name, t)) = self.0.borrow_mut().take() {
            println!("  {name}: {:?}", t.elapsed());
        }
    }
}

impl Progress for Timer {
    fn stage(&self, name: &str) {
        self.finish();
        *self.0.borrow_mut() = Some((name.to_string(), Instant::now()));
    }
    fn done(&self) {
        self.finish();
    }
}
use fixture::{us, write_parquet};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A small deterministic generator (SplitMix64).
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn unif(i: u64, k: u64) -> f64 {
    (mix(i.wrapping_mul(31).wrapping_add(k)) >> 11) as f64 / (1u64 << 53) as f64
}

fn main() {
    let n_units = env("CF_UNITS", 200_000);
    let n_events = env("CF_EVENTS", 4_000_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let t = Instant::now();
    let ids: Vec<i64> = (0..n_units as i64).collect();
    let variant: Vec<&str> = (0..n_units)
        .map(|i| {
            if unif(i as u64, 1) < 0.5 {
                "control"
            } else {
                "treat"
            }
        })
        .collect();
    let ts = |days: Vec<f64>| -> ArrayRef {
        Arc::new(
            TimestampMicrosecondArray::from(days.into_iter().map(us).collect::<Vec<_>>())
                .with_timezone("UTC"),
        )
    };
    let assigned: Vec<f64> = (0..n_units).map(|i| 5.0 * unif(i as u64, 2)).collect();
    write_parquet(
        &d.join("assignments.parquet"),
        vec![
            (
                "member_id",
                Arc::new(Int64Array::from(ids.clone())) as ArrayRef,
            ),
            ("variant", Arc::new(StringArray::from(variant.clone()))),
            ("assigned_at", ts(assigned.clone())),
        ],
    );
    write_parquet(
        &d.join("exposures.parquet"),
        vec![
            (
                "member_id",
                Arc::new(Int64Array::from(ids.clone())) as ArrayRef,
            ),
            ("exposed_at", ts(assigned.iter().map(|a| a + 0.1).collect())),
        ],
    );
    let devices = ["ios", "android", "web"];
    write_parquet(
        &d.join("members.parquet"),
        vec![
            (
                "member_id",
                Arc::new(Int64Array::from(ids.clone())) as ArrayRef,
            ),
            (
                "pre_watch",
                Arc::new(Float64Array::from(
                    (0..n_units)
                        .map(|i| 10.0 * unif(i as u64, 3))
                        .collect::<Vec<_>>(),
                )),
            ),
            (
                "device",
                Arc::new(StringArray::from(
                    (0..n_units)
                        .map(|i| devices[(mix(i as u64 + 7) % 3) as usize])
                        .collect::<Vec<_>>(),
                )),
            ),
        ],
    );
    let files = 4;
    let per = n_events / files;
    for f in 0..files {
        let base = (f * per) as u64;
        let unit: Vec<i64> = (0..per as u64)
            .map(|e| (mix(base + e) % n_units as u64) as i64)
            .collect();
        let when: Vec<f64> = unit
            .iter()
            .enumerate()
            .map(|(e, u)| assigned[*u as usize] + 0.1 + 16.0 * unif(base + e as u64, 4))
            .collect();
        write_parquet(
            &d.join(format!("viewing/part-{f}.parquet")),
            vec![
                ("member_id", Arc::new(Int64Array::from(unit)) as ArrayRef),
                (
                    "event_id",
                    Arc::new(Int64Array::from(
                        (0..per as i64).map(|e| base as i64 + e).collect::<Vec<_>>(),
                    )),
                ),
                ("ts", ts(when)),
                (
                    "watch_seconds",
                    Arc::new(Float64Array::from(
                        (0..per as u64)
                            .map(|e| 3600.0 * unif(base + e, 5))
                            .collect::<Vec<_>>(),
                    )),
                ),
            ],
        );
    }
    println!(
        "generated {n_units} units, {n_events} events in {:?}",
        t.elapsed()
    );
    let spec = r#"[experiment]
name = "scale"
unit = "member_id"
control = "control"
variants = ["control", "treat"]
end = "2026-02-01T00:00:00Z"
dimension_table = "members"
srm_dimensions = ["device"]
segments = ["device"]

[sources]
members = "members.parquet"
assignments = "assignments.parquet"
exposures = "exposures.parquet"
viewing = "viewing/*.parquet"

[assignment]
table = "assignments"
variant = "variant"
timestamp = "assigned_at"

[exposure]
table = "exposures"
timestamp = "exposed_at"
window_days = 14

[covariates]
table = "members"
columns = ["pre_watch"]

[[metric]]
name = "watch_hours"
kind = "mean"
role = "primary"
table = "viewing"
timestamp = "ts"
value = "watch_seconds / 3600.0"
cuped = ["pre_watch"]

[[metric]]
name = "views"
kind = "count"
role = "secondary"
table = "viewing"
timestamp = "ts"

[[metric]]
name = "long_view"
kind = "proportion"
role = "secondary"
table = "viewing"
timestamp = "ts"
condition = "watch_seconds > 3000"
"#;
    let dedupe_spec = format!(
        "{}\n[[metric]]\nname = \"watch_dedupe\"\nkind = \"sum\"\nrole = \"secondary\"\ntable = \"viewing\"\ntimestamp = \"ts\"\nvalue = \"watch_seconds\"\ndedupe = \"event_id\"\n",
        spec
    );
    for (label, text) in [
        ("one scan, 3 metrics", spec.to_string()),
        ("plus dedupe scan", dedupe_spec),
    ] {
        let path = d.join("experiment.toml");
        std::fs::write(&path, text).expect("spec");
        let t = Instant::now();
        let p = prepare_readout(&path, &Timer(RefCell::new(None))).expect("prepare");
        println!(
            "{label}: prepare_readout {:?} (analysed {:?})",
            t.elapsed(),
            p.population.analysed_units
        );
    }
}
