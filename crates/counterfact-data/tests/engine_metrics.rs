//! The engine on a small hand-computed experiment (tests/fixture/mod.rs): windows, maturity,
//! dedupe, exclusions, ratio sums, quantile rows, CUPED cross-products, winsorization, segments
//! and SRM counts. Sums of a handful of exactly representable values: compared exactly.

mod fixture;

use counterfact_data::{NoProgress, PreparedReadout, explain_sql, prepare_readout};
use counterfact_models::readout::{ArmSums, MetricData, MetricInput};
use fixture::*;

fn metrics_spec() -> String {
    let mut s = HEADER.to_string();
    s.push_str(WATCH_HOURS);
    s.push_str(
        r#"
[[metric]]
name = "sessions"
kind = "count"
role = "secondary"
table = "sessions"
timestamp = "start"

[[metric]]
name = "plays_per_session"
kind = "ratio"
role = "secondary"
numerator = { table = "sessions", timestamp = "start", value = "plays" }
denominator = { table = "sessions", timestamp = "start", value = "1" }

[[metric]]
name = "retention_d7"
kind = "retention"
role = "guardrail"
table = "sessions"
timestamp = "start"
day = 7
margin = 0.02

[[metric]]
name = "conversion"
kind = "proportion"
role = "secondary"
table = "subscriptions"
timestamp = "sub_dt"
condition = "NOT trial OR cancel_dt IS NULL OR cancel_dt >= sub_dt + INTERVAL '7 days'"

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
name = "watch_unit_median"
kind = "quantile"
role = "secondary"
table = "viewing"
timestamp = "ts"
value = "watch_seconds / 3600.0"
dedupe = "event_id"
quantile = 0.5
level = "unit"

[[metric]]
name = "watch_capped_q"
kind = "mean"
role = "secondary"
table = "viewing"
timestamp = "ts"
value = "watch_seconds / 3600.0"
dedupe = "event_id"
winsorize = { quantile = 0.5 }

[[metric]]
name = "watch_capped_fixed"
kind = "sum"
role = "secondary"
table = "viewing"
timestamp = "ts"
value = "watch_seconds / 3600.0"
dedupe = "event_id"
winsorize = { value = 2.5 }

[[metric]]
name = "short_window"
kind = "count"
role = "secondary"
table = "viewing"
timestamp = "ts"
dedupe = "event_id"
window_days = 7
maturity_days = 7
"#,
    );
    s
}

fn run() -> (tempfile::TempDir, PreparedReadout) {
    let dir = tempfile::tempdir().expect("tempdir");
    write_default(dir.path());
    let spec = write_spec(dir.path(), &metrics_spec());
    let prepared = prepare_readout(&spec, &NoProgress).expect("prepare");
    (dir, prepared)
}

fn metric<'a>(p: &'a [MetricInput], name: &str) -> &'a MetricInput {
    p.iter()
        .find(|m| m.definition.name == name)
        .unwrap_or_else(|| panic!("metric {name}"))
}

fn sums(data: &MetricData) -> &[ArmSums] {
    match data {
        MetricData::Sums { arms } => arms,
        other => panic!("expected sums, got {other:?}"),
    }
}

/// (n, Σy, Σy²) per arm, control first.
fn nyy(data: &MetricData) -> Vec<(u64, f64, f64)> {
    sums(data)
        .iter()
        .map(|a| (a.n, a.sum_y, a.sum_yy))
        .collect()
}

#[test]
fn population_and_srm_counts() {
    let (_d, p) = run();
    assert_eq!(p.variants, vec!["control", "treat"]);
    assert_eq!(p.population.assigned_units, 9);
    assert_eq!(p.population.multiple_variant_units, 1);
    assert_eq!(p.population.unexposed_units, 1);
    assert_eq!(p.population.analysed_units, vec![3, 4]);
    assert_eq!(p.srm_overall, vec![3, 4]);
    let by: Vec<(&str, Vec<u64>)> = p
        .srm_by_dimension
        .iter()
        .map(|(s, c)| (s.as_str(), c.clone()))
        .collect();
    assert_eq!(
        by,
        vec![
            ("country=DE", vec![1, 2]),
            ("country=US", vec![2, 2]),
            ("device=android", vec![1, 1]),
            ("device=ios", vec![2, 2]),
            ("device=web", vec![0, 1]),
        ]
    );
    assert_eq!(
        p.population.duplicate_rows,
        vec![("viewing".to_string(), 1)]
    );
    assert!(
        p.notes
            .iter()
            .any(|n| n.contains("pre_watch") && n.contains("1 analysed"))
    );
    assert!(p.sql.iter().any(|(s, _)| s == "metric_sums"));
}

#[test]
fn mean_with_window_dedupe_maturity_and_cuped() {
    let (_d, p) = run();
    let m = metric(&p.metrics, "watch_hours");
    assert_eq!(m.definition.covariates, vec!["pre_watch", "tenure"]);
    let arms = sums(&m.data);
    assert_eq!((arms[0].n, arms[0].sum_y, arms[0].sum_yy), (3, 3.5, 9.25));
    assert_eq!((arms[1].n, arms[1].sum_y, arms[1].sum_yy), (3, 4.0, 8.0));
    assert_eq!(arms[0].sum_x, vec![3.0, 60.0]);
    assert_eq!(arms[0].sum_xy, vec![6.5, 40.0]);
    assert_eq!(arms[0].sum_xx, vec![5.0, 40.0, 40.0, 1400.0]);
    assert_eq!(arms[1].sum_x, vec![4.5, 45.0]);
    assert_eq!(arms[1].sum_xy, vec![9.0, 40.0]);
    assert_eq!(arms[1].sum_xx, vec![11.25, 52.5, 52.5, 875.0]);
    assert!(
        p.notes
            .iter()
            .any(|n| n.contains("watch_hours") && n.contains("1 of 7"))
    );
}

#[test]
fn count_ratio_retention_proportion() {
    let (_d, p) = run();
    assert_eq!(
        nyy(&metric(&p.metrics, "sessions").data),
        vec![(3, 3.0, 5.0), (3, 4.0, 10.0)]
    );
    match &metric(&p.metrics, "plays_per_session").data {
        MetricData::Ratio { arms } => {
            let c = &arms[0];
            assert_eq!(
                (c.n, c.sum_a, c.sum_b, c.sum_aa, c.sum_bb, c.sum_ab),
                (3, 5.0, 3.0, 13.0, 5.0, 7.0)
            );
            let t = &arms[1];
            assert_eq!(
                (t.n, t.sum_a, t.sum_b, t.sum_aa, t.sum_bb, t.sum_ab),
                (3, 6.0, 4.0, 26.0, 10.0, 16.0)
            );
        }
        other => panic!("ratio expected, got {other:?}"),
    }
    // Retention matures after day + 1 = 8 days: unit 10 (exposed day 9) counts.
    assert_eq!(
        nyy(&metric(&p.metrics, "retention_d7").data),
        vec![(3, 1.0, 1.0), (4, 2.0, 2.0)]
    );
    assert_eq!(
        nyy(&metric(&p.metrics, "conversion").data),
        vec![(3, 1.0, 1.0), (3, 1.0, 1.0)]
    );
    // 7-day window, 7-day maturity: unit 10 enters (exposed day 9 + 7 <= 20); unit 1 loses e2.
    assert_eq!(
        nyy(&metric(&p.metrics, "short_window").data),
        vec![(3, 2.0, 2.0), (4, 4.0, 6.0)]
    );
}

#[test]
fn quantile_rows_event_and_unit_level() {
    let (_d, p) = run();
    match &metric(&p.metrics, "play_delay_p90").data {
        MetricData::Values { arms } => {
            let mut c: Vec<(f64, u64)> = arms[0]
                .values
                .iter()
                .copied()
                .zip(arms[0].clusters.iter().copied())
                .collect();
            c.sort_by(|a, b| a.0.total_cmp(&b.0));
            assert_eq!(
                c.iter().map(|x| x.0).collect::<Vec<_>>(),
                vec![50.0, 100.0, 200.0]
            );
            // 100 and 200 are unit 1's, 50 is unit 2's.
            assert_eq!(c[1].1, c[2].1);
            assert_ne!(c[0].1, c[1].1);
            let mut t: Vec<(f64, u64)> = arms[1]
                .values
                .iter()
                .copied()
                .zip(arms[1].clusters.iter().copied())
                .collect();
            t.sort_by(|a, b| a.0.total_cmp(&b.0));
            assert_eq!(
                t.iter().map(|x| x.0).collect::<Vec<_>>(),
                vec![250.0, 300.0, 400.0]
            );
            assert_eq!(t[1].1, t[2].1);
            assert_ne!(t[0].1, t[1].1);
        }
        other => panic!("values expected, got {other:?}"),
    }
    match &metric(&p.metrics, "watch_unit_median").data {
        MetricData::Values { arms } => {
            let mut c = arms[0].values.clone();
            c.sort_by(f64::total_cmp);
            assert_eq!(c, vec![0.0, 0.5, 3.0]);
            let mut t = arms[1].values.clone();
            t.sort_by(f64::total_cmp);
            assert_eq!(t, vec![0.0, 2.0, 2.0]);
            assert!(arms[0].clusters.is_empty());
        }
        other => panic!("values expected, got {other:?}"),
    }
}

#[test]
fn winsorization_quantile_and_fixed() {
    let (_d, p) = run();
    let q = metric(&p.metrics, "watch_capped_q");
    let w = q.winsorized.as_ref().expect("winsorized");
    // Pooled unit values [0, 0, 0.5, 2, 2, 3]: numpy median = 1.25.
    assert_eq!(w.cap, 1.25);
    assert_eq!(w.capped_units, 3);
    assert_eq!(nyy(&q.data), vec![(3, 1.75, 1.8125), (3, 2.5, 3.125)]);
    assert_eq!(nyy(&w.uncapped), vec![(3, 3.5, 9.25), (3, 4.0, 8.0)]);
    let f = metric(&p.metrics, "watch_capped_fixed");
    let w = f.winsorized.as_ref().expect("winsorized");
    assert_eq!((w.cap, w.rule.as_str(), w.capped_units), (2.5, "fixed", 1));
    assert_eq!(nyy(&f.data), vec![(3, 3.0, 6.5), (3, 4.0, 8.0)]);
}

#[test]
fn segments_by_device() {
    let (_d, p) = run();
    let keys: Vec<(String, String)> = p
        .segments
        .iter()
        .map(|(d, v, _)| (d.clone(), v.clone()))
        .collect();
    assert_eq!(
        keys,
        vec![
            ("device".to_string(), "android".to_string()),
            ("device".to_string(), "ios".to_string()),
            ("device".to_string(), "web".to_string()),
        ]
    );
    let ios = &p.segments[1].2;
    // ios: control units 1 (3 h) and 3 (0 h), treat 4 (2 h) and 6 (0 h).
    assert_eq!(
        nyy(&metric(ios, "watch_hours").data),
        vec![(2, 3.0, 9.0), (2, 2.0, 4.0)]
    );
    // Quantile cap of the whole experiment (1.25) applies within segments.
    assert_eq!(
        nyy(&metric(ios, "watch_capped_q").data),
        vec![(2, 1.25, 1.5625), (2, 1.25, 1.5625)]
    );
    match &metric(ios, "play_delay_p90").data {
        MetricData::Values { arms } => {
            assert_eq!(arms[0].values.len(), 2);
            assert_eq!(arms[1].values.len(), 2);
        }
        other => panic!("values expected, got {other:?}"),
    }
}

#[test]
fn explain_shows_quoted_pipeline_without_running() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_default(dir.path());
    let spec = write_spec(dir.path(), &metrics_spec());
    let sql = explain_sql(&spec).expect("explain");
    assert!(sql.contains("-- units"));
    assert!(sql.contains("-- metric_sums"));
    assert!(sql.contains("\"watch_seconds\""));
    assert!(sql.contains("GROUPING SETS"));
}

/// RFC 3339 text of a day offset within January 2026.
fn rfc3339(day: f64) -> String {
    let secs = (day * 86_400.0).round() as i64;
    let (d, rest) = (secs / 86_400, secs % 86_400);
    format!(
        "2026-01-{:02}T{:02}:{:02}:{:02}Z",
        d + 1,
        rest / 3600,
        (rest % 3600) / 60,
        rest % 60
    )
}

#[test]
fn csv_source_gives_the_same_sums() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_default(dir.path());
    let rows: &[(i64, f64, i64)] = &[
        (1, 1.0, 2),
        (1, 7.6, 0),
        (2, 1.5, 3),
        (4, 7.3, 1),
        (5, 5.0, 4),
        (5, 6.0, 0),
        (5, 9.5, 1),
        (6, 20.0, 7),
    ];
    let mut csv = String::from("member_id,start,plays\n");
    for (u, d, p) in rows {
        csv.push_str(&format!("{u},{},{p}\n", rfc3339(*d)));
    }
    std::fs::write(dir.path().join("sessions.csv"), csv).expect("csv");
    let spec = format!(
        "{}{}",
        HEADER.replace(
            "sessions = \"sessions.parquet\"",
            "sessions = \"sessions.csv\""
        ),
        r#"
[[metric]]
name = "sessions"
kind = "count"
role = "primary"
table = "sessions"
timestamp = "start"

[[metric]]
name = "plays"
kind = "sum"
role = "secondary"
table = "sessions"
timestamp = "start"
value = "plays"
"#
    );
    let path = write_spec(dir.path(), &spec);
    let p = prepare_readout(&path, &NoProgress).expect("prepare");
    assert_eq!(
        nyy(&metric(&p.metrics, "sessions").data),
        vec![(3, 3.0, 5.0), (3, 4.0, 10.0)]
    );
    assert_eq!(
        nyy(&metric(&p.metrics, "plays").data),
        vec![(3, 5.0, 13.0), (3, 6.0, 26.0)]
    );
}

#[test]
fn same_bits_on_a_second_run() {
    let (_d1, a) = run();
    let (_d2, b) = run();
    assert_eq!(a.metrics, b.metrics);
    assert_eq!(a.segments, b.segments);
}
