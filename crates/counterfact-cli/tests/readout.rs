//! `counterfact analyze` end to end on tiny CSV/Parquet fixtures written into a temporary
//! directory: a readout on good data, and one-line errors with exit code 2 on bad specs and data.

mod support;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, RecordBatch, StringArray, TimestampMicrosecondArray};
use parquet::arrow::ArrowWriter;
use serde_json::Value;

use support::{bad_input, run};

/// 2026-03-01T00:00:00Z in microseconds since the epoch.
const MARCH_1: i64 = 1_772_323_200_000_000;
const HOUR: i64 = 3_600_000_000;

const SPEC: &str = r#"[experiment]
name = "tiny"
unit = "member_id"
control = "control"
variants = ["control", "treatment"]
end = "2026-03-31T00:00:00Z"

[sources]
assignments = { path = "assignments.csv", format = "csv" }
exposures = { path = "exposures.csv", format = "csv" }
viewing = "viewing.parquet"

[assignment]
table = "assignments"
variant = "variant"
timestamp = "assigned_at"

[exposure]
table = "exposures"
timestamp = "exposed_at"
window_days = 7

[[metric]]
name = "watch_hours"
kind = "mean"
role = "primary"
table = "viewing"
timestamp = "ts"
value = "hours"
"#;

/// A temporary directory holding the tiny experiment: 60 units, alternately control and
/// treatment, all exposed an hour after assignment, two viewing rows each (treatment +0.5 h).
struct Fixture {
    dir: tempfile::TempDir,
}

fn iso(micros: i64) -> String {
    let seconds = micros / 1_000_000;
    let day = seconds / 86_400 - 20_513;
    let rest = seconds % 86_400;
    format!(
        "2026-03-{:02}T{:02}:{:02}:00Z",
        day + 1,
        rest / 3600,
        rest % 3600 / 60
    )
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let fixture = Fixture { dir };
        fixture.write("experiment.toml", SPEC);
        fixture.write_assignments(|i| if i % 2 == 0 { "control" } else { "treatment" });
        let mut exposures = String::from("member_id,exposed_at\n");
        for i in 0..60 {
            let _ = writeln!(exposures, "m{i:03},{}", iso(MARCH_1 + HOUR));
        }
        fixture.write("exposures.csv", &exposures);
        fixture.write_viewing(&["member_id", "ts", "hours"]);
        fixture
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn spec(&self) -> String {
        self.path("experiment.toml").display().to_string()
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path(name), text).expect("the fixture is writable");
    }

    fn write_assignments(&self, variant: impl Fn(usize) -> &'static str) {
        let mut text = String::from("member_id,variant,assigned_at\n");
        for i in 0..60 {
            let _ = writeln!(text, "m{i:03},{},{}", variant(i), iso(MARCH_1));
        }
        self.write("assignments.csv", &text);
    }

    /// Writes viewing.parquet with the named columns (a subset of member_id, ts, hours).
    fn write_viewing(&self, columns: &[&str]) {
        let (mut units, mut ts, mut hours) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..60_i64 {
            for k in 0..2_i64 {
                units.push(format!("m{i:03}"));
                ts.push(MARCH_1 + (24 + 10 * k) * HOUR);
                #[allow(clippy::cast_precision_loss)]
                let base = 1.0 + ((i * 7 + k * 3) % 11) as f64 / 4.0;
                hours.push(if i % 2 == 1 { base + 0.25 } else { base });
            }
        }
        let mut fields: Vec<(&str, ArrayRef)> = Vec::new();
        for &name in columns {
            let array: ArrayRef = match name {
                "member_id" => Arc::new(StringArray::from(units.clone())),
                "ts" => Arc::new(TimestampMicrosecondArray::from(ts.clone()).with_timezone("UTC")),
                "hours" => Arc::new(Float64Array::from(hours.clone())),
                other => panic!("no fixture column {other}"),
            };
            fields.push((name, array));
        }
        let batch = RecordBatch::try_from_iter(fields).expect("a valid batch");
        let file = std::fs::File::create(self.path("viewing.parquet")).expect("writable");
        let mut writer = ArrowWriter::try_new(file, batch.schema(), None).expect("a writer");
        writer.write(&batch).expect("the batch is written");
        writer.close().expect("the file is closed");
    }
}

fn analyze_json(spec: &str) -> Value {
    let out = run(&["analyze", spec, "--json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "analyze failed: {stderr}");
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

#[test]
fn tiny_experiment_reads_out() {
    let fixture = Fixture::new();
    let tree = analyze_json(&fixture.spec());
    assert_eq!(tree["schema"], "counterfact.readout/1");
    assert_eq!(tree["trustworthy"], true);
    assert_eq!(
        tree["population"]["analysed_units"],
        serde_json::json!([30, 30])
    );
    let comparison = &tree["metrics"][0]["comparisons"][0];
    assert_eq!(comparison["variant"], "treatment");
    let effect = comparison["absolute"]["estimate"]
        .as_f64()
        .expect("a numeric effect");
    // Each treatment unit has two rows of +0.25 h: +0.5 h per unit on top of base values that
    // differ only through (i * 7 + k * 3) % 11, computed here independently.
    let per_unit = |i: i64| -> f64 {
        (0..2)
            .map(|k| {
                #[allow(clippy::cast_precision_loss)]
                let base = 1.0 + ((i * 7 + k * 3) % 11) as f64 / 4.0;
                base
            })
            .sum()
    };
    let mean = |odd: i64| -> f64 { (0..30).map(|j| per_unit(2 * j + odd)).sum::<f64>() / 30.0 };
    let want = mean(1) + 0.5 - mean(0);
    assert!(
        (effect - want).abs() <= 1e-9 * want.abs().max(1.0),
        "effect {effect} != {want} (tolerance 1e-9 relative)"
    );
}

/// `[monitoring]` adds the anytime-valid test and the Bayesian readout to every comparison;
/// significance then follows the anytime-valid p-value.
#[test]
fn monitoring_adds_sequential_and_bayesian_readouts() {
    let fixture = Fixture::new();
    fixture.write(
        "experiment.toml",
        &format!("{SPEC}\n[monitoring]\nsequential = true\nbayesian = true\n"),
    );
    let tree = analyze_json(&fixture.spec());
    assert_eq!(tree["monitoring"]["sequential_tuning_n"], 5000.0);
    let c = &tree["metrics"][0]["comparisons"][0];
    let num = |v: &Value| v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"));
    let (p, seq_p) = (num(&c["p_value"]), num(&c["sequential"]["p_value"]));
    assert!(
        seq_p >= p,
        "anytime-valid p {seq_p} below the fixed-horizon {p}"
    );
    assert_eq!(
        num(&c["p_value_adjusted"]),
        seq_p,
        "one comparison: Holm leaves it"
    );
    assert_eq!(c["significant"], seq_p < 0.05);
    let (ci, seq_ci) = (&c["absolute"]["ci"], &c["sequential"]["ci"]);
    assert!(
        num(&seq_ci[0]) < num(&ci[0]) && num(&ci[1]) < num(&seq_ci[1]),
        "{c}"
    );
    // Flat prior: the posterior of the relative lift is the delta-method estimate itself.
    let b = &c["bayesian"];
    let rel = &c["relative"];
    for (got, want) in [
        (&b["mean"], &rel["estimate"]),
        (&b["sd"], &rel["std_error"]),
        (&b["ci"][0], &rel["ci"][0]),
        (&b["ci"][1], &rel["ci"][1]),
    ] {
        assert!(
            (num(got) - num(want)).abs() <= 1e-12 * num(want).abs(),
            "{b} vs {rel}"
        );
    }
    let chance = num(&b["chance_to_beat_control"]);
    assert!(chance > 0.5 && chance <= 1.0, "{b}");
    assert!(num(&b["risk_ship"]) < num(&b["risk_keep_control"]), "{b}");
    let text = support::ok(&["analyze", &fixture.spec()]);
    assert!(text.contains("anytime-valid"), "{text}");
    assert!(text.contains("P(better)"), "{text}");
}

#[test]
fn tables_show_the_decision_first() {
    let fixture = Fixture::new();
    let out = run(&["analyze", &fixture.spec()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let decision = stdout.find("DECISION").expect("a decision section");
    let metrics = stdout.find("PRIMARY METRICS").expect("a metrics section");
    assert!(decision < metrics, "{stdout}");
    assert!(stdout.contains("watch_hours"), "{stdout}");
}

#[test]
fn show_sql_prints_the_queries() {
    let fixture = Fixture::new();
    let out = run(&["analyze", &fixture.spec(), "--show-sql"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.to_uppercase().contains("SELECT"), "{stdout}");
    let json = run(&["analyze", &fixture.spec(), "--show-sql", "--json"]);
    assert_eq!(json.status.code(), Some(0));
    let tree: Value = serde_json::from_slice(&json.stdout).expect("stdout stays JSON");
    assert_eq!(tree["schema"], "counterfact.readout/1");
    assert!(
        String::from_utf8_lossy(&json.stderr)
            .to_uppercase()
            .contains("SELECT")
    );
}

#[test]
fn missing_spec_file_is_bad_input() {
    let fixture = Fixture::new();
    let missing = fixture.path("nope.toml").display().to_string();
    bad_input(&["analyze", &missing], "nope.toml");
}

#[test]
fn unknown_key_names_its_line() {
    let fixture = Fixture::new();
    let spec = SPEC.replace("window_days = 7", "window_days = 7\nwindow_dayz = 8");
    fixture.write("experiment.toml", &spec);
    let line = spec
        .lines()
        .position(|l| l.starts_with("window_dayz"))
        .map(|i| i + 1)
        .expect("the key is in the spec");
    bad_input(&["analyze", &fixture.spec()], "window_dayz");
    bad_input(&["analyze", &fixture.spec()], &format!(":{line}:"));
}

#[test]
fn control_not_among_the_variants_is_bad_input() {
    let fixture = Fixture::new();
    fixture.write(
        "experiment.toml",
        &SPEC.replace("control = \"control\"", "control = \"baseline\""),
    );
    bad_input(&["analyze", &fixture.spec()], "baseline");
}

#[test]
fn control_without_units_is_bad_input() {
    let fixture = Fixture::new();
    fixture.write_assignments(|_| "treatment");
    bad_input(&["analyze", &fixture.spec()], "control");
}

#[test]
fn missing_csv_column_is_named() {
    let fixture = Fixture::new();
    let spec = SPEC.replace("variant = \"variant\"", "variant = \"arm\"");
    fixture.write("experiment.toml", &spec);
    bad_input(&["analyze", &fixture.spec()], "arm");
    bad_input(&["analyze", &fixture.spec()], "assignments");
}

#[test]
fn missing_parquet_column_is_named() {
    let fixture = Fixture::new();
    fixture.write_viewing(&["member_id", "ts"]);
    bad_input(&["analyze", &fixture.spec()], "hours");
}

#[test]
fn missing_source_file_is_named() {
    let fixture = Fixture::new();
    std::fs::remove_file(fixture.path("exposures.csv")).expect("the file exists");
    bad_input(&["analyze", &fixture.spec()], "exposures");
}

#[test]
fn zero_partitions_is_a_syntax_error() {
    let fixture = Fixture::new();
    let out = run(&["analyze", &fixture.spec(), "--partitions", "0"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn memory_limit_takes_sizes() {
    let fixture = Fixture::new();
    for size in ["64M", "1g", "100000000"] {
        support::ok(&["analyze", &fixture.spec(), "--json", "--memory-limit", size]);
    }
    for size in ["0", "4X", "lots", "99999999999T"] {
        let out = run(&["analyze", &fixture.spec(), "--memory-limit", size]);
        assert_eq!(out.status.code(), Some(2), "{size}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("--memory-limit"),
            "{size}"
        );
    }
}
