//! End-to-end tests of `counterfact assign`: agreement with the library, output formats,
//! summaries, and one-line errors with exit code 2.

use std::process::{Command, Output};

use counterfact_design::{Assigner, Assignment, DesignSpec, ExperimentSpec, HashScheme};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_counterfact");

fn data(name: &str) -> String {
    format!("{}/tests/data/assign/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("assign")
        .args(args)
        .output()
        .expect("the counterfact binary runs")
}

fn ok(args: &[&str]) -> (String, String) {
    let out = run(args);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(0), "{args:?} failed: {stderr}");
    (String::from_utf8(out.stdout).expect("UTF-8"), stderr)
}

fn bad_input(args: &[&str], phrase: &str) {
    let out = run(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: stderr {stderr}");
    assert!(out.stdout.is_empty(), "{args:?} printed to stdout");
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "not one line: {stderr}"
    );
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains(phrase), "{stderr:?} lacks {phrase:?}");
}

fn tmp(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("counterfact-assign-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name).display().to_string()
}

const IDS: [&str; 5] = ["007", "8", "9", "abc", "010"];

#[test]
fn flags_mode_matches_the_library_for_every_scheme() {
    let units = data("units.csv");
    for scheme in HashScheme::ALL {
        let (stdout, stderr) = ok(&[
            "--units",
            &units,
            "--id-col",
            "member_id",
            "--salt",
            "s1",
            "--variants",
            "a,b,c",
            "--weights",
            "1,1,2",
            "--scheme",
            scheme.name(),
        ]);
        assert!(stderr.contains("5 units assigned"), "{stderr}");
        let spec = DesignSpec::single(
            scheme,
            ExperimentSpec::new(
                "experiment",
                "s1",
                vec!["a".into(), "b".into(), "c".into()],
                Some(vec![1.0, 1.0, 2.0]),
            ),
        );
        let assigner = Assigner::new(&spec, &[]).unwrap();
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines[0], "member_id,variant,bucket,reason");
        for (line, id) in lines[1..].iter().zip(IDS) {
            let Assignment::Variant { variant, bucket } = assigner.assign(id, &[])[0] else {
                panic!("{id} not assigned");
            };
            let want = format!("{id},{},{bucket},", assigner.variants(0)[variant]);
            assert_eq!(*line, want, "{scheme}");
        }
    }
}

#[test]
fn ids_are_text_and_targeting_reads_columns() {
    let out = tmp("targeted.csv");
    let (stdout, _) = ok(&[
        "--units",
        &data("units.csv"),
        "--id-col",
        "member_id",
        "--salt",
        "s1",
        "--targeting",
        "country in [US, CA] and tenure_days >= 30 and device ~ \"tv.*\"",
        "--out",
        &out,
        "--json",
    ]);
    let summary: Value = serde_json::from_str(&stdout).unwrap();
    let e = &summary["experiments"][0];
    assert_eq!(e["excluded"]["not_targeted"], 2, "{summary}");
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(
        written.contains("\n007,") && written.contains("\n010,"),
        "{written}"
    );
    assert!(written.contains("\n8,,,not_targeted"), "{written}");
    assert!(written.contains("\n9,,,not_targeted"), "{written}");
}

#[test]
fn spec_file_with_layers_and_holdout() {
    let out = tmp("spec.parquet");
    let (stdout, _) = ok(&[
        "--units",
        &data("units.csv"),
        "--id-col",
        "member_id",
        "--spec",
        &data("spec.toml"),
        "--out",
        &out,
        "--json",
    ]);
    let summary: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(summary["experiments"].as_array().unwrap().len(), 2);
    let text = std::fs::read_to_string(data("spec.toml")).unwrap();
    let spec: DesignSpec = toml::from_str(&text).unwrap();
    let names = ["country"];
    let assigner = Assigner::new(&spec, &names).unwrap();
    let countries = ["US", "CA", "FR", "US", "CA"];
    let mut in_checkout = 0;
    for (id, country) in IDS.iter().zip(countries) {
        let outcomes = assigner.assign(id, &[Some(country)]);
        let enrolled = outcomes
            .iter()
            .filter(|o| matches!(o, Assignment::Variant { .. }))
            .count();
        assert!(enrolled <= 1, "{id} is in two experiments of one layer");
        in_checkout += enrolled;
    }
    let counted: u64 = summary["experiments"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["counts"].as_array().unwrap().iter())
        .map(|c| c.as_u64().unwrap())
        .sum();
    assert_eq!(counted, in_checkout as u64, "{summary}");
    assert!(std::fs::metadata(&out).unwrap().len() > 0);
}

#[test]
fn errors_exit_2_with_one_line() {
    let units = data("units.csv");
    let base = [
        "--units",
        units.as_str(),
        "--id-col",
        "member_id",
        "--salt",
        "s",
    ];
    let with = |extra: &[&str]| -> Vec<String> {
        base.iter().chain(extra).map(|s| s.to_string()).collect()
    };
    let check = |extra: &[&str], phrase: &str| {
        let args = with(extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        bad_input(&args, phrase);
    };
    check(&["--weights", "0,0"], "positive");
    check(&["--weights", "1,-1"], "negative");
    check(&["--weights", "1,x"], "not a number");
    check(&["--weights", "1,1,1"], "2 variants but 3 weights");
    check(&["--targeting", "plan == pro"], "unknown attribute 'plan'");
    check(&["--targeting", "device ~ \"*tv\""], "invalid pattern");
    check(&["--targeting", "device ~ \"tv**\""], "invalid pattern");
    check(&["--targeting", "country in [US"], "invalid targeting rule");
    check(&["--coverage", "1.5"], "coverage");
    bad_input(
        &[
            "--units",
            &units,
            "--id-col",
            "member_id",
            "--spec",
            &data("overlap.toml"),
        ],
        "overlaps",
    );
    bad_input(
        &["--units", &units, "--id-col", "nope", "--salt", "s"],
        "no column 'nope'",
    );
    bad_input(
        &[
            "--units",
            &data("missing.csv"),
            "--id-col",
            "member_id",
            "--salt",
            "s",
        ],
        "cannot open",
    );
}
