//! The demo files: schemas, row counts, duplicates and late parts, the SRM bug, the CUPED
//! covariate, and naive estimates near the true effects.
#![allow(clippy::print_stdout)]

mod demo_common;

use std::path::PathBuf;

use arrow::datatypes::{DataType, TimeUnit};
use counterfact_data::demo::{DemoConfig, DemoError, DemoManifest, generate};
use demo_common::{Observed, Unit, VARIANTS, observe, read};

fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("counterfact-demo-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn effect(m: &DemoManifest, metric: &str, variant: &str) -> f64 {
    m.true_effects
        .iter()
        .find(|t| t.metric == metric && t.variant == variant)
        .unwrap_or_else(|| panic!("true effect of {metric} for {variant}"))
        .absolute
}

/// Name, type and nullability of a column.
type Column = (&'static str, DataType, bool);

fn ts() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

#[test]
fn tables_have_the_documented_schemas_and_counts() {
    let dir = out_dir("schema");
    let config = DemoConfig {
        members: 30_000,
        seed: 3,
        srm_bug: false,
    };
    let calls = std::cell::Cell::new(0u64);
    let m = generate(&config, &dir, &|done, total| {
        assert!(done <= total);
        calls.set(calls.get() + 1);
    })
    .expect("demo");
    assert!(calls.get() >= 2, "progress is reported");
    let expect: [(&str, &[Column]); 6] = [
        (
            "members.parquet",
            &[
                ("member_id", DataType::Int64, false),
                ("signup_date", DataType::Date32, false),
                ("country", DataType::Utf8, false),
                ("device", DataType::Utf8, false),
                ("plan", DataType::Utf8, false),
                ("tenure_days", DataType::Int32, false),
                ("engagement_tier", DataType::Utf8, false),
                ("pre_watch_hours", DataType::Float64, false),
            ],
        ),
        (
            "assignments.parquet",
            &[
                ("member_id", DataType::Int64, false),
                ("experiment", DataType::Utf8, false),
                ("variant", DataType::Utf8, false),
                ("assigned_at", ts(), false),
            ],
        ),
        (
            "exposures.parquet",
            &[
                ("member_id", DataType::Int64, false),
                ("exposed_at", ts(), false),
            ],
        ),
        (
            "sessions/*.parquet",
            &[
                ("member_id", DataType::Int64, false),
                ("session_id", DataType::Int64, false),
                ("start", ts(), false),
                ("plays", DataType::Int32, false),
            ],
        ),
        (
            "viewing/*.parquet",
            &[
                ("event_id", DataType::Int64, false),
                ("member_id", DataType::Int64, false),
                ("ts", ts(), false),
                ("title_id", DataType::Int32, false),
                ("watch_seconds", DataType::Float64, false),
                ("play_delay_ms", DataType::Float64, false),
                ("received_at", ts(), false),
            ],
        ),
        (
            "subscriptions.parquet",
            &[
                ("member_id", DataType::Int64, false),
                ("sub_dt", ts(), false),
                ("cancel_dt", ts(), true),
                ("trial", DataType::Boolean, false),
            ],
        ),
    ];
    for (pattern, fields) in expect {
        let batches = read(&dir, pattern);
        let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
        let table = pattern.split(['.', '/']).next().expect("name");
        assert_eq!(rows as u64, m.rows[table], "{table} rows");
        let schema = batches[0].schema();
        let got: Vec<_> = schema
            .fields()
            .iter()
            .map(|f| (f.name().as_str(), f.data_type().clone(), f.is_nullable()))
            .collect();
        let want: Vec<_> = fields.iter().map(|(n, t, z)| (*n, t.clone(), *z)).collect();
        assert_eq!(got, want, "{table} schema");
    }
    assert_eq!(m.rows["members"], 30_000);
    for f in &m.files {
        assert!(dir.join(f).is_file(), "{f} listed and written");
    }
    let parts = |sub: &str, prefix: &str| {
        std::fs::read_dir(dir.join(sub))
            .expect("dir")
            .filter(|e| {
                e.as_ref()
                    .expect("entry")
                    .file_name()
                    .to_string_lossy()
                    .starts_with(prefix)
            })
            .count()
    };
    assert!(parts("sessions", "part-") >= 2 && parts("viewing", "part-late-") >= 2);
    let spec = std::fs::read_to_string(dir.join("experiment.toml")).expect("spec");
    assert!(
        spec.contains("name = \"homepage-rec-row\"")
            && spec.contains("viewing = \"viewing/*.parquet\"")
    );

    // Duplicates (same event id) and late parts are present; received_at is days late there.
    let obs = observe(&dir);
    assert_eq!(obs.duplicate_rows, m.duplicate_viewing_rows);
    let share = m.duplicate_viewing_rows as f64 / m.rows["viewing"] as f64;
    assert!((0.005..0.015).contains(&share), "duplicate share {share}");
    let mut late_rows = 0;
    for entry in std::fs::read_dir(dir.join("viewing")).expect("dir") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        if name.starts_with("part-late-") {
            for b in read(&dir, &format!("viewing/{name}")) {
                let (t, r) = (
                    demo_common::i64s(&b, "ts"),
                    demo_common::i64s(&b, "received_at"),
                );
                assert!(t.iter().zip(&r).all(|(t, r)| r - t >= demo_common::DAY));
                late_rows += b.num_rows() as u64;
            }
        }
    }
    assert_eq!(late_rows, m.late_viewing_rows);
    assert!(late_rows as f64 / m.rows["viewing"] as f64 > 0.01);

    // The population the readout should count.
    assert_eq!(obs.assigned_units, m.population.assigned_units);
    assert_eq!(
        obs.multiple_variant_units,
        m.population.multiple_variant_units
    );
    assert_eq!(obs.unexposed_units, m.population.unexposed_units);
    let exposed = obs.units.len() as f64 / obs.assigned_units as f64;
    assert!((0.82..0.88).contains(&exposed), "exposed share {exposed}");
    for (v, n) in m.population.analysed_units.iter().enumerate() {
        assert_eq!(
            *n,
            obs.units.values().filter(|u| u.variant == v).count() as u64
        );
    }
    // Some units' conversion windows have not matured by `end`.
    let immature = obs
        .units
        .values()
        .filter(|u| !u.conversion_matured())
        .count();
    assert!(
        immature > obs.units.len() / 10,
        "immature conversion units {immature}"
    );
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

#[test]
fn srm_bug_drops_a_share_of_one_arm() {
    let config = DemoConfig {
        members: 150_000,
        seed: 5,
        srm_bug: false,
    };
    let (a, b) = (out_dir("srm-off"), out_dir("srm-on"));
    let ok = generate(&config, &a, &|_, _| {}).expect("demo");
    let bug = generate(
        &DemoConfig {
            srm_bug: true,
            ..config
        },
        &b,
        &|_, _| {},
    )
    .expect("demo");
    let (n0, n1) = (
        &ok.population.analysed_units,
        &bug.population.analysed_units,
    );
    println!("analysed without bug {n0:?}, with bug {n1:?}");
    assert_eq!((n0[0], n0[2]), (n1[0], n1[2]));
    let drop = 1.0 - n1[1] as f64 / n0[1] as f64;
    assert!((0.02..0.04).contains(&drop), "top_row drop {drop}");
    // Pearson chi-square against equal weights: p far below srm_alpha = 0.001 (df 2: 13.8).
    let total: u64 = n1.iter().sum();
    let expected = total as f64 / 3.0;
    let chi2: f64 = n1
        .iter()
        .map(|&o| (o as f64 - expected).powi(2) / expected)
        .sum();
    assert!(chi2 > 13.8, "chi2 {chi2}");
    assert_eq!(
        ok.rows["viewing"], bug.rows["viewing"],
        "only exposures change"
    );
    assert!(bug.rows["exposures"] < ok.rows["exposures"]);
    std::fs::remove_dir_all(&a).expect("cleanup");
    std::fs::remove_dir_all(&b).expect("cleanup");
}

#[test]
fn invalid_configurations_are_errors() {
    let dir = out_dir("invalid");
    let err = generate(
        &DemoConfig {
            members: 10,
            ..DemoConfig::default()
        },
        &dir,
        &|_, _| {},
    );
    assert!(matches!(err, Err(DemoError::InvalidConfig(_))));
}

fn mean_and_var(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    (
        mean,
        xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0),
    )
}

fn arm(obs: &Observed, v: usize) -> Vec<&Unit> {
    obs.units
        .values()
        .filter(|u| u.variant == v && u.window_matured())
        .collect()
}

#[test]
fn naive_estimates_are_near_the_true_effects() {
    let dir = out_dir("estimates");
    let m = generate(
        &DemoConfig {
            members: 60_000,
            seed: 2026,
            srm_bug: false,
        },
        &dir,
        &|_, _| {},
    )
    .expect("demo");
    let obs = observe(&dir);
    let cap = m.watch_hours_cap.expect("cap");
    let control = arm(&obs, 0);
    for (v, variant) in VARIANTS.iter().enumerate().skip(1) {
        let treated = arm(&obs, v);
        for (metric, f) in [
            (
                "watch_hours_uncapped",
                (|u: &Unit, _c: f64| u.watch_hours) as fn(&Unit, f64) -> f64,
            ),
            ("watch_hours", |u: &Unit, c: f64| u.watch_hours.min(c)),
            ("sessions", |u: &Unit, _c: f64| u.sessions as f64),
        ] {
            let yt: Vec<f64> = treated.iter().map(|u| f(u, cap)).collect();
            let yc: Vec<f64> = control.iter().map(|u| f(u, cap)).collect();
            let ((mt, vt), (mc, vc)) = (mean_and_var(&yt), mean_and_var(&yc));
            let se = (vt / yt.len() as f64 + vc / yc.len() as f64).sqrt();
            let truth = effect(&m, metric, variant);
            let z = (mt - mc - truth) / se;
            println!(
                "{variant} {metric}: naive {:.5} truth {truth:.5} se {se:.5} z {z:.2}",
                mt - mc
            );
            // Seeded data: within 4 standard errors of the truth.
            assert!(z.abs() < 4.0, "{variant} {metric}: z = {z}");
        }
    }
    // The CUPED covariate: pre_watch_hours correlates with in-window capped watch hours.
    let all: Vec<&Unit> = obs.units.values().filter(|u| u.window_matured()).collect();
    let x: Vec<f64> = all.iter().map(|u| u.pre_watch_hours).collect();
    let y: Vec<f64> = all.iter().map(|u| u.watch_hours.min(cap)).collect();
    let ((mx, vx), (my, vy)) = (mean_and_var(&x), mean_and_var(&y));
    let cov = x
        .iter()
        .zip(&y)
        .map(|(a, b)| (a - mx) * (b - my))
        .sum::<f64>()
        / (x.len() as f64 - 1.0);
    let rho = cov / (vx * vy).sqrt();
    let zeros = y.iter().filter(|&&y| y == 0.0).count() as f64 / y.len() as f64;
    println!("rho(pre_watch_hours, capped watch_hours) = {rho:.3}, zero share {zeros:.3}");
    assert!((0.55..0.75).contains(&rho), "rho {rho}");
    assert!(zeros > 0.2, "zero-inflated: {zeros}");
    std::fs::remove_dir_all(&dir).expect("cleanup");
}
