//! `counterfact demo` end to end: the JSON tree and its documented fields, true effects inside
//! their confidence intervals at the default seed, `analyze` on the written spec giving the same
//! tree, `--srm-bug` failing loudly, and `counterfact check` on the demo's unit table.

#![allow(clippy::print_stdout)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use serde_json::Value;

use support::run;

/// Small runs for the coverage-over-seeds check.
const MEMBERS: &str = "20000";
const SEEDS: std::ops::RangeInclusive<u64> = 1..=12;

/// One demo run kept for all tests: its directory, exit code and JSON tree.
struct DemoRun {
    dir: tempfile::TempDir,
    code: Option<i32>,
    tree: Value,
}

/// The demo at its defaults (200,000 members, the default seed), as the README runs it.
fn demo(srm_bug: bool) -> DemoRun {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = dir.path().display().to_string();
    let mut args = vec!["demo", "--out", &out, "--json"];
    if srm_bug {
        args.push("--srm-bug");
    }
    let started = std::time::Instant::now();
    let output = run(&args);
    println!("{args:?}: {:.1} s", started.elapsed().as_secs_f64());
    let tree = parse(&output, &args);
    DemoRun {
        dir,
        code: output.status.code(),
        tree,
    }
}

fn parse(output: &Output, args: &[&str]) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: stdout is not JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn healthy() -> &'static DemoRun {
    static RUN: OnceLock<DemoRun> = OnceLock::new();
    RUN.get_or_init(|| demo(false))
}

fn broken() -> &'static DemoRun {
    static RUN: OnceLock<DemoRun> = OnceLock::new();
    RUN.get_or_init(|| demo(true))
}

fn spec(dir: &Path) -> String {
    dir.join("experiment.toml").display().to_string()
}

fn units(dir: &Path) -> PathBuf {
    dir.join("units.parquet")
}

/// Every comparison of the top-level metrics, and the uncapped ones beside winsorized metrics.
fn comparisons(tree: &Value) -> Vec<(String, &Value)> {
    tree["metrics"]
        .as_array()
        .expect("metrics is an array")
        .iter()
        .flat_map(|m| {
            let name = m["name"].as_str().expect("a metric name");
            m["comparisons"]
                .as_array()
                .expect("comparisons is an array")
                .iter()
                .flat_map(move |c| {
                    let uncapped = (!c["uncapped"].is_null())
                        .then(|| (format!("{name} (uncapped)"), &c["uncapped"]));
                    std::iter::once((name.to_string(), c)).chain(uncapped)
                })
        })
        .collect()
}

#[test]
fn demo_json_has_the_documented_fields() {
    let run = healthy();
    assert_eq!(run.code, Some(0), "{}", run.tree);
    let tree = &run.tree;
    assert_eq!(tree["schema"], "counterfact.readout/1");
    for key in [
        "experiment",
        "control",
        "variants",
        "alpha",
        "correction",
        "decision_rule",
        "trustworthy",
        "decisions",
        "srm",
        "population",
        "metrics",
        "segments",
        "notes",
    ] {
        assert!(tree.get(key).is_some(), "missing {key}");
    }
    assert_eq!(tree["trustworthy"], true);
    assert_eq!(tree["srm"]["passed"], true);
    let variants = tree["variants"].as_array().expect("variants");
    assert_eq!(
        tree["decisions"].as_array().map(Vec::len),
        Some(variants.len() - 1)
    );
    for role in ["primary", "guardrail", "secondary"] {
        assert!(
            tree["metrics"]
                .as_array()
                .expect("metrics")
                .iter()
                .any(|m| m["role"] == role),
            "no {role} metric"
        );
    }
    let analysed: u64 = tree["population"]["analysed_units"]
        .as_array()
        .expect("analysed units")
        .iter()
        .filter_map(Value::as_u64)
        .sum();
    assert!(analysed > 0 && analysed <= 200_000, "analysed {analysed}");
}

/// The true effect and the 95% interval of every comparison that carries one, with a miss flag.
fn coverage(tree: &Value) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for (metric, c) in comparisons(tree) {
        let Some(truth) = c["true_effect"].as_f64() else {
            continue;
        };
        let bound = |k: usize| c["absolute"]["ci"][k].as_f64().expect("a finite bound");
        let (lo, hi) = (bound(0), bound(1));
        let covered = lo <= truth && truth <= hi;
        println!(
            "{metric} {}: true {truth:.6}, estimate {}, CI [{lo:.6}, {hi:.6}]{}",
            c["variant"],
            c["absolute"]["estimate"],
            if covered { "" } else { "  MISS" }
        );
        out.push((format!("{metric} {}", c["variant"]), covered));
    }
    out
}

/// The README's main command: at the defaults, every one of the 14 true effects (six metrics ×
/// two arms, and the uncapped watch hours) lies inside its 95% interval. That holds for most
/// seeds, not all (the intervals are 95% ones and share the control arm); the seeds test below
/// checks the rate.
#[test]
fn true_effects_lie_in_their_intervals() {
    let checks = coverage(&healthy().tree);
    assert!(
        checks.len() >= 14,
        "only {} comparisons carry a true effect",
        checks.len()
    );
    let misses: Vec<&String> = checks.iter().filter(|c| !c.1).map(|c| &c.0).collect();
    assert!(
        misses.is_empty(),
        "intervals miss their true effect: {misses:?}"
    );
}

/// Calibration over seeds: 12 demos of 20,000 members, 168 intervals of nominal 95%. A miss
/// rate above 10% (expected 5%; the intervals of one demo are correlated through the shared
/// control arm) means the intervals are too narrow or the estimates biased.
#[test]
fn true_effects_are_covered_at_the_nominal_rate_over_seeds() {
    let (mut total, mut misses) = (0, 0);
    for seed in SEEDS {
        let seed = seed.to_string();
        let args = ["demo", "--members", MEMBERS, "--seed", &seed, "--json"];
        let output = run(&args);
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        let checks = coverage(&parse(&output, &args));
        total += checks.len();
        misses += checks.iter().filter(|c| !c.1).count();
    }
    println!("{misses} of {total} intervals miss");
    assert!(total >= 14 * SEEDS.count());
    assert!(
        misses * 10 <= total,
        "{misses} of {total} 95% intervals miss their true effect"
    );
}

#[test]
fn analyze_on_the_written_spec_prints_the_same_tree() {
    let run = healthy();
    let args = ["analyze", &spec(run.dir.path()), "--json"];
    let output = support::run(&args);
    assert_eq!(output.status.code(), Some(0));
    let mut analyzed = parse(&output, &args);
    let mut demo = run.tree.clone();
    // Only the demo knows the true effects.
    fn forget_true_effects(v: &mut Value) {
        match v {
            Value::Object(map) => {
                if let Some(t) = map.get_mut("true_effect") {
                    *t = Value::Null;
                }
                map.values_mut().for_each(forget_true_effects);
            }
            Value::Array(xs) => xs.iter_mut().for_each(forget_true_effects),
            _ => {}
        }
    }
    forget_true_effects(&mut analyzed);
    forget_true_effects(&mut demo);
    support::assert_json_close(&analyzed, &demo, 1e-9);
}

#[test]
fn the_same_seed_gives_the_same_readout_without_out() {
    let args = ["demo", "--json"];
    let output = support::run(&args);
    assert_eq!(output.status.code(), Some(0));
    support::assert_json_close(&parse(&output, &args), &healthy().tree, 1e-9);
}

#[test]
fn srm_bug_is_untrustworthy_and_never_ships() {
    let run = broken();
    assert_eq!(run.code, Some(1), "{}", run.tree);
    assert_eq!(run.tree["trustworthy"], false);
    assert_eq!(run.tree["srm"]["passed"], false);
    let decisions = run.tree["decisions"].as_array().expect("decisions");
    assert!(!decisions.is_empty());
    for d in decisions {
        assert_eq!(d["verdict"], "dont_ship", "{d}");
    }
}

#[test]
fn srm_bug_table_has_the_banner() {
    let dir = broken().dir.path();
    let output = support::run(&["analyze", &spec(dir)]);
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8_lossy(&output.stdout);
    let banner = text
        .find("UNTRUSTWORTHY: sample ratio mismatch")
        .unwrap_or_else(|| panic!("no banner in\n{text}"));
    assert!(
        banner < text.find("DECISION").expect("a decision"),
        "{text}"
    );
    assert!(text.contains("DON'T SHIP"), "{text}");
}

fn check(units: &Path) -> Output {
    let data = units.display().to_string();
    run(&[
        "check",
        "--data",
        &data,
        "--variants",
        "control,top_row,personalized_row",
        "--dimensions",
        "country,device,plan",
        "--numeric",
        "pre_watch_hours,tenure_days",
        "--categorical",
        "country,device,plan",
    ])
}

#[test]
fn check_passes_on_the_demo_units() {
    let run = healthy();
    let output = check(&units(run.dir.path()));
    let text = String::from_utf8_lossy(&output.stdout);
    println!("{text}");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let counts: Vec<u64> = run.tree["population"]["analysed_units"]
        .as_array()
        .expect("analysed units")
        .iter()
        .filter_map(Value::as_u64)
        .collect();
    assert!(
        text.contains(&format!("{} units", counts.iter().sum::<u64>())),
        "check counts other units than the readout's {counts:?}:\n{text}"
    );
}

#[test]
fn check_fails_on_the_srm_bug_units() {
    let output = check(&units(broken().dir.path()));
    let text = String::from_utf8_lossy(&output.stdout);
    println!("{text}");
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("FAIL"), "{text}");
}

#[test]
fn demo_rejects_too_few_members() {
    support::bad_input(&["demo", "--members", "3", "--json"], "members");
}
