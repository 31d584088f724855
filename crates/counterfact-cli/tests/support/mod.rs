//! Helpers shared by the CLI integration tests: run the binary, parse its JSON, check errors.

#![allow(dead_code)]

use std::process::{Command, Output};

use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_counterfact");
pub const WATCH_HOURS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/watch_hours.csv"
);

pub fn data(name: &str) -> String {
    format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))
}

pub fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("the counterfact binary runs")
}

/// Runs a command that must succeed and returns its stdout.
pub fn ok(args: &[&str]) -> String {
    let out = run(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{args:?} failed: {stderr}");
    String::from_utf8(out.stdout).expect("stdout is UTF-8")
}

/// Runs a command with `--json` appended and parses its output.
pub fn json(args: &[&str]) -> Value {
    let mut args = args.to_vec();
    args.push("--json");
    serde_json::from_str(&ok(&args)).expect("stdout is JSON")
}

/// Runs a command that must fail with exit code 2 and a one-line stderr containing `phrase`.
pub fn bad_input(args: &[&str], phrase: &str) {
    let out = run(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: stderr {stderr}");
    assert!(out.stdout.is_empty(), "{args:?} printed to stdout");
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "{args:?}: not one line: {stderr}"
    );
    assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
    assert!(
        stderr.contains(phrase),
        "{args:?}: stderr {stderr:?} lacks {phrase:?}"
    );
}

pub fn num(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("field {key} is not a number in {v}"))
}

/// The watch-hours example split by variant, read independently of the CLI.
pub fn watch_hours() -> (Vec<f64>, Vec<f64>) {
    let text = std::fs::read_to_string(WATCH_HOURS).expect("example exists");
    let (mut control, mut treatment) = (Vec::new(), Vec::new());
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let value: f64 = cells[2].parse().expect("numeric watch_hours");
        match cells[1] {
            "control" => control.push(value),
            "treatment" => treatment.push(value),
            other => panic!("unexpected variant {other}"),
        }
    }
    (control, treatment)
}

pub fn groups_args<'a>(file: &'a str, method: &'a str) -> Vec<&'a str> {
    vec![
        "test",
        method,
        "--data",
        file,
        "--value",
        "value",
        "--group",
        "variant",
        "--control",
        "control",
        "--treatment",
        "treatment",
    ]
}

pub fn values(text: &str) -> Vec<f64> {
    text.split(',')
        .map(|v| v.parse().expect("a number"))
        .collect()
}

/// Asserts that two JSON trees are equal, numbers to `rel` relative: DataFusion's parallel
/// float sums may differ in the last bits between runs (docs/readout.md).
pub fn assert_json_close(a: &Value, b: &Value, rel: f64) {
    fn walk(a: &Value, b: &Value, rel: f64, path: &mut String) {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => {
                let (x, y) = (
                    x.as_f64().unwrap_or(f64::NAN),
                    y.as_f64().unwrap_or(f64::NAN),
                );
                let scale = x.abs().max(y.abs()).max(f64::MIN_POSITIVE);
                assert!(
                    x == y || (x - y).abs() <= rel * scale,
                    "{path}: {x} != {y} (relative {rel})"
                );
            }
            (Value::Array(xs), Value::Array(ys)) => {
                assert_eq!(xs.len(), ys.len(), "{path}: array lengths differ");
                for (i, (x, y)) in xs.iter().zip(ys).enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    walk(x, y, rel, path);
                    path.truncate(len);
                }
            }
            (Value::Object(xs), Value::Object(ys)) => {
                let keys: Vec<&String> = xs.keys().collect();
                assert_eq!(keys, ys.keys().collect::<Vec<_>>(), "{path}: keys differ");
                for (k, x) in xs {
                    let len = path.len();
                    path.push('.');
                    path.push_str(k);
                    walk(x, &ys[k], rel, path);
                    path.truncate(len);
                }
            }
            _ => assert_eq!(a, b, "{path}"),
        }
    }
    walk(a, b, rel, &mut String::new());
}
