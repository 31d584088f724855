//! `counterfact sample` and `counterfact check` end to end on seeded synthetic unit tables.

#![allow(clippy::print_stdout)]

mod support;

use std::fmt::Write as _;
use std::path::PathBuf;

use counterfact_design::HashScheme;
use support::{bad_input, json, run};

const SALT: &str = "checkout-v2";

/// A uniform draw for (stream, unit) from the hash itself, so the fixture is the same everywhere.
fn uniform(stream: &str, unit: &str) -> f64 {
    HashScheme::Fast.bucket(stream, unit)
}

fn normal(stream: &str, unit: &str) -> f64 {
    let u1 = 1.0 - uniform(&format!("{stream}/1"), unit);
    let u2 = uniform(&format!("{stream}/2"), unit);
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// How the synthetic experiment is spoiled.
#[derive(Clone, Copy, PartialEq)]
enum Fault {
    None,
    /// Tenure + 0.2 SD in the treatment arm.
    ShiftedCovariate,
    /// Treatment when bucket ≥ 0.52: a 52/48 split.
    Split52,
    /// Variants from PlanOut's hash while --salt claims the fast hash.
    OtherHash,
}

/// Writes a unit table: id, variant (hashed with SALT), day, device, country, tenure, spend,
/// pre_metric, metric.
fn experiment(name: &str, n: usize, fault: Fault) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "counterfact-design-check-{}-{name}.csv",
        std::process::id()
    ));
    let hash = HashScheme::Fast.salted(SALT);
    let cut = if fault == Fault::Split52 { 0.52 } else { 0.5 };
    let mut text = String::from("id,variant,day,device,country,tenure,spend,pre_metric,metric\n");
    for i in 0..n {
        let id = format!("u{i:06}");
        let treated = if fault == Fault::OtherHash {
            HashScheme::PlanOut.bucket(SALT, &id) >= 0.5
        } else {
            hash.bucket(&id) >= cut
        };
        let day = 1 + (uniform("day", &id) * 7.0) as u32;
        let d = uniform("device", &id);
        let device = if d < 0.6 {
            "mobile"
        } else if d < 0.9 {
            "desktop"
        } else {
            "tablet"
        };
        let c = uniform("country", &id);
        let country = if c < 0.5 {
            "US"
        } else if c < 0.8 {
            "DE"
        } else {
            "BR"
        };
        let mut tenure = 12.0 + 4.0 * normal("tenure", &id);
        if fault == Fault::ShiftedCovariate && treated {
            tenure += 0.2 * 4.0;
        }
        let spend = -20.0 * (1.0 - uniform("spend", &id)).ln();
        let pre = 10.0 + 3.0 * normal("pre", &id);
        let metric = 0.7 * pre + 3.0 + 2.0 * normal("metric", &id);
        let _ = writeln!(
            text,
            "{id},{},2026-11-{day:02},{device},{country},{tenure:.4},{spend:.4},{pre:.4},{metric:.4}",
            if treated { "treatment" } else { "control" }
        );
    }
    std::fs::write(&path, text).expect("temp file is writable");
    path
}

fn check_args(path: &str) -> Vec<&str> {
    vec![
        "check",
        "--data",
        path,
        "--variant-col",
        "variant",
        "--day-col",
        "day",
        "--dimensions",
        "device",
        "--numeric",
        "tenure,spend",
        "--categorical",
        "country",
        "--unit-col",
        "id",
        "--salt",
        SALT,
        "--pre-metric",
        "pre_metric",
        "--metric",
        "metric",
        "--aa-runs",
        "100",
        "--seed",
        "3",
    ]
}

#[test]
fn check_passes_on_a_clean_experiment() {
    let path = experiment("clean", 20_000, Fault::None);
    let p = path.to_string_lossy().to_string();
    let out = run(&check_args(&p));
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.starts_with("randomization checks: PASS"));
    let report = json(&check_args(&p));
    assert_eq!(report["passed"], true);
    let families: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["family"].as_str().unwrap())
        .collect();
    for family in ["srm", "balance", "hash", "placebo", "aa"] {
        assert!(families.contains(&family), "no {family} check");
    }
    let _ = std::fs::remove_file(path);
}

#[test]
fn check_fails_on_a_shifted_covariate_naming_it() {
    let path = experiment("shifted", 20_000, Fault::ShiftedCovariate);
    let p = path.to_string_lossy().to_string();
    let out = run(&check_args(&p));
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout.contains("- covariate tenure: SMD 0."), "{stdout}");
    assert!(!stdout.contains("- covariate spend"));
    let _ = std::fs::remove_file(path);
}

#[test]
fn check_fails_on_a_52_48_split_naming_srm() {
    let path = experiment("split", 20_000, Fault::Split52);
    let p = path.to_string_lossy().to_string();
    let mut args = check_args(&p);
    args.push("--json");
    let out = run(&args);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["passed"], false);
    let first = report["failures"][0].as_str().unwrap();
    assert!(
        first.starts_with("sample ratio mismatch: control"),
        "{first}"
    );
    let _ = std::fs::remove_file(path);
}

#[test]
fn check_fails_on_assignment_by_another_hash_naming_broken_bucketing() {
    let path = experiment("otherhash", 5_000, Fault::OtherHash);
    let p = path.to_string_lossy().to_string();
    let args = [
        "check",
        "--data",
        &p,
        "--unit-col",
        "id",
        "--salt",
        SALT,
        "--verify-assignment",
    ];
    let out = run(&args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("- broken bucketing: "), "{stdout}");
    let clean = experiment("verify-clean", 5_000, Fault::None);
    let c = clean.to_string_lossy().to_string();
    let mut args = args.to_vec();
    args[2] = &c;
    assert_eq!(run(&args).status.code(), Some(0));
    let _ = std::fs::remove_file(path);
    let _ = std::fs::remove_file(clean);
}

#[test]
fn check_bad_input_exits_2() {
    let path = experiment("badinput", 200, Fault::None);
    let p = path.to_string_lossy().to_string();
    bad_input(
        &["check", "--data", &p, "--numeric", "nope"],
        "no column 'nope'",
    );
    bad_input(
        &["check", "--data", &p, "--control", "ctrl"],
        "control label 'ctrl' does not occur",
    );
    bad_input(
        &["check", "--data", &p, "--weights", "1,2,3"],
        "has 3 values for 2 variants",
    );
    bad_input(
        &["check", "--data", &p, "--hash", "md5"],
        "unknown --hash 'md5'",
    );
    bad_input(
        &["check", "--data", &p, "--numeric", "device"],
        "is not a number",
    );
    let _ = std::fs::remove_file(path);
}

fn sample_args<'a>(path: &'a str, k: &'a str) -> Vec<&'a str> {
    vec![
        "sample",
        "--units",
        path,
        "--id-col",
        "id",
        "--strata",
        "device,country",
        "--size",
        k,
        "--seed",
        "11",
    ]
}

#[test]
fn sample_matches_stratum_shares_within_one_unit() {
    let path = experiment("sample", 50_000, Fault::None);
    let p = path.to_string_lossy().to_string();
    let out_path = std::env::temp_dir().join(format!(
        "counterfact-design-check-{}-ids.csv",
        std::process::id()
    ));
    let o = out_path.to_string_lossy().to_string();
    let mut args = sample_args(&p, "1000");
    args.extend([
        "--exclude",
        "device == tablet",
        "--matched-control",
        "--out",
        &o,
    ]);
    let report = json(&args);
    assert_eq!(report["size"], 1000);
    assert!(report["max_deviation"].as_f64().unwrap() < 1.0);
    let strata = report["strata"].as_array().unwrap();
    assert_eq!(strata.len(), 9);
    let mut total = 0;
    for s in strata {
        let target = s["target_count"].as_f64().unwrap();
        let achieved = s["achieved"].as_u64().unwrap();
        assert!((achieved as f64 - target).abs() < 1.0, "{s}");
        if s["stratum"].as_str().unwrap().starts_with("tablet") {
            assert_eq!(achieved, 0);
            assert_eq!(s["population"], 0);
        }
        total += achieved;
    }
    assert_eq!(total, 1000);
    let ids = std::fs::read_to_string(&out_path).unwrap();
    assert_eq!(ids.lines().count(), 2001);
    assert_eq!(
        ids.lines().filter(|l| l.ends_with(",control")).count(),
        1000
    );
    let text = support::ok(&sample_args(&p, "500"));
    assert!(text.starts_with("stratified sample: K = 500"), "{text}");
    let _ = std::fs::remove_file(path);
    let _ = std::fs::remove_file(out_path);
}

#[test]
fn sample_errors_are_bad_input() {
    let path = experiment("sample-errors", 300, Fault::None);
    let p = path.to_string_lossy().to_string();
    bad_input(
        &sample_args(&p, "301"),
        "larger than the eligible population of 300",
    );
    let mut args = sample_args(&p, "10");
    args[6] = "device,planet";
    bad_input(&args, "no column 'planet'");
    let mut args = sample_args(&p, "10");
    args.extend(["--allocation", "neyman"]);
    bad_input(&args, "--neyman-col");
    let mut args = sample_args(&p, "10");
    args.extend(["--exclude", "device ==="]);
    bad_input(&args, "--exclude");
    let mut args = sample_args(&p, "200");
    args.extend(["--matched-control"]);
    bad_input(&args, "matched control needs 400");
    let _ = std::fs::remove_file(path);
    let empty = std::env::temp_dir().join(format!(
        "counterfact-design-check-{}-empty-stratum.csv",
        std::process::id()
    ));
    std::fs::write(&empty, "id,device,country\na,mobile,US\nb,,US\n").unwrap();
    let e = empty.to_string_lossy().to_string();
    bad_input(&sample_args(&e, "1"), "empty value");
    let _ = std::fs::remove_file(empty);
}
