//! End-to-end tests of the `counterfact` binary: input modes, direction conventions, the JSON
//! shape, equality with the library's numbers, and one-line errors with exit code 2.

mod support;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use counterfact_stats::Alternative;
use counterfact_stats::parametric;
use parquet::arrow::ArrowWriter;

use support::{BIN, WATCH_HOURS, bad_input, data, groups_args, json, num, ok, watch_hours};

#[test]
fn readme_example_prints_a_table() {
    let out = ok(&[
        "test",
        "welch-t",
        "--data",
        WATCH_HOURS,
        "--value",
        "watch_hours",
        "--group",
        "variant",
        "--control",
        "control",
        "--treatment",
        "treatment",
    ]);
    for needle in [
        "welch-t",
        "treatment − control",
        "95% CI",
        "p-value",
        "treatment: 400",
    ] {
        assert!(out.contains(needle), "table lacks {needle:?}:\n{out}");
    }
}

#[test]
fn json_has_the_documented_fields_and_the_library_numbers() {
    let v = json(&[
        "test",
        "welch-t",
        "--data",
        WATCH_HOURS,
        "--value",
        "watch_hours",
        "--group",
        "variant",
        "--control",
        "control",
        "--treatment",
        "treatment",
    ]);
    let keys: Vec<&str> = v
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    for key in [
        "method",
        "alternative",
        "statistic",
        "p_value",
        "df",
        "estimate",
        "std_error",
        "ci",
        "confidence",
        "n",
        "notes",
    ] {
        assert!(keys.contains(&key), "missing field {key} in {keys:?}");
    }
    assert_eq!(v["method"], "welch-t");
    assert_eq!(v["alternative"], "two-sided");
    let (control, treatment) = watch_hours();
    let lib = parametric::welch_t_test(&treatment, &control, Alternative::TwoSided, 0.95)
        .expect("library result");
    // The CLI is plumbing: the numbers must be the library's, bit for bit (JSON round-trips f64).
    assert_eq!(num(&v, "statistic"), lib.statistic);
    assert_eq!(num(&v, "p_value"), lib.p_value);
    assert_eq!(v["df"].as_f64(), lib.df);
    assert_eq!(v["estimate"].as_f64(), lib.estimate);
    let ci = lib.ci.expect("a CI");
    assert_eq!(v["ci"][0].as_f64(), Some(ci[0]));
    assert_eq!(v["ci"][1].as_f64(), Some(ci[1]));
    assert_eq!(v["n"], serde_json::json!([400, 400]));
}

#[test]
fn one_sided_ci_has_a_null_end() {
    let v = json(&[
        "test",
        "welch-t",
        "--x",
        "1,2,3,4",
        "--y",
        "2,3,4,5,9",
        "--alternative",
        "greater",
    ]);
    assert_eq!(v["alternative"], "greater");
    assert!(v["ci"][0].is_f64());
    assert!(v["ci"][1].is_null(), "upper end of a 'greater' CI: {v}");
}

#[test]
fn direction_is_treatment_minus_control_and_x_minus_y() {
    let file = data("groups.csv");
    let v = json(&groups_args(&file, "welch-t"));
    let estimate = num(&v, "estimate");
    assert!(
        estimate > 0.0,
        "treatment has the larger values: {estimate}"
    );
    let swapped = json(&[
        "test",
        "welch-t",
        "--data",
        &file,
        "--value",
        "value",
        "--group",
        "variant",
        "--control",
        "treatment",
        "--treatment",
        "control",
    ]);
    assert_eq!(num(&swapped, "estimate"), -estimate);
    // The same groups typed inline as x = treatment, y = control give the same result.
    let treatment = "6.3,7.0,6.1,6.8,6.6,5.9";
    let control = "5.1,4.8,5.5,5.0,4.6";
    let inline = json(&["test", "welch-t", "--x", treatment, "--y", control]);
    assert_eq!(num(&inline, "estimate"), estimate);
    assert_eq!(num(&inline, "p_value"), num(&v, "p_value"));
    let reversed = json(&["test", "welch-t", "--x", control, "--y", treatment]);
    assert_eq!(num(&reversed, "statistic"), -num(&v, "statistic"));
}

#[test]
fn paired_columns_and_summary_statistics() {
    let file = data("groups.csv");
    let v = json(&[
        "test", "paired-t", "--data", &file, "--x", "before", "--y", "after",
    ]);
    let before = [
        10.2, 11.0, 9.7, 10.5, 10.9, 9.9, 10.1, 10.4, 10.0, 9.6, 10.8, 10.3,
    ];
    let after = [
        9.8, 10.1, 9.9, 9.6, 10.0, 9.1, 9.5, 9.7, 10.0, 9.2, 10.2, 9.4,
    ];
    let lib = parametric::paired_t_test(&before, &after, Alternative::TwoSided, 0.95)
        .expect("library result");
    assert_eq!(num(&v, "statistic"), lib.statistic);
    assert_eq!(num(&v, "p_value"), lib.p_value);

    let s = json(&[
        "test",
        "student-t",
        "--n",
        "100,120",
        "--mean",
        "1.2,1.5",
        "--sd",
        "0.3,0.4",
    ]);
    let x = counterfact_stats::moments::Moments::from_mean_sd(100, 1.2, 0.3).expect("moments");
    let y = counterfact_stats::moments::Moments::from_mean_sd(120, 1.5, 0.4).expect("moments");
    let lib = parametric::student_t_test_from_moments(&x, &y, Alternative::TwoSided, 0.95)
        .expect("library result");
    assert_eq!(num(&s, "statistic"), lib.statistic);
    assert!(num(&s, "estimate") < 0.0, "first − second = 1.2 − 1.5");

    let d = json(&[
        "test", "paired-t", "--n", "12", "--mean", "0.575", "--sd", "0.367",
    ]);
    let one = json(&[
        "test",
        "one-sample-t",
        "--n",
        "12",
        "--mean",
        "0.575",
        "--sd",
        "0.367",
    ]);
    assert_eq!(num(&d, "statistic"), num(&one, "statistic"));
    let one = json(&["test", "one-sample-t", "--x", "1,2,3,4,5", "--mu0", "2"]);
    assert_eq!(num(&one, "estimate"), 3.0);
}

#[test]
fn parquet_input_gives_the_same_result_as_csv() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join("groups.parquet");
    let variant: ArrayRef = Arc::new(StringArray::from(vec![
        "control",
        "treatment",
        "control",
        "treatment",
        "control",
        "treatment",
        "control",
        "treatment",
        "holdout",
        "control",
        "treatment",
        "treatment",
    ]));
    let value: ArrayRef = Arc::new(Float64Array::from(vec![
        5.1, 6.3, 4.8, 7.0, 5.5, 6.1, 5.0, 6.8, 3.0, 4.6, 6.6, 5.9,
    ]));
    let arm: ArrayRef = Arc::new(Int64Array::from(vec![0, 1, 0, 1, 0, 1, 0, 1, 2, 0, 1, 1]));
    let batch = RecordBatch::try_from_iter([("variant", variant), ("value", value), ("arm", arm)])
        .expect("batch");
    let file = std::fs::File::create(&path).expect("temp file");
    let mut writer = ArrowWriter::try_new(file, batch.schema(), None).expect("writer");
    writer.write(&batch).expect("write");
    writer.close().expect("close");
    let path = path.to_string_lossy().to_string();

    let from_parquet = json(&groups_args(&path, "welch-t"));
    let from_csv = json(&groups_args(&data("groups.csv"), "welch-t"));
    assert_eq!(from_parquet, from_csv);
    // Integer group labels work too.
    let by_arm = json(&[
        "test",
        "welch-t",
        "--data",
        &path,
        "--value",
        "value",
        "--group",
        "arm",
        "--control",
        "0",
        "--treatment",
        "1",
    ]);
    assert_eq!(num(&by_arm, "statistic"), num(&from_csv, "statistic"));
    bad_input(
        &[
            "test",
            "welch-t",
            "--data",
            &path,
            "--value",
            "nope",
            "--group",
            "arm",
            "--control",
            "0",
            "--treatment",
            "1",
        ],
        "no column 'nope'; columns present: 'variant', 'value', 'arm'",
    );
}

#[test]
fn help_lists_each_method_on_one_line() {
    let help = ok(&["test", "--help"]);
    for method in [
        "welch-t",
        "student-t",
        "paired-t",
        "one-sample-t",
        "z-means",
        "z-proportions",
        "chi2-gof",
        "chi2-independence",
        "g-test",
        "fisher-exact",
        "mann-whitney",
        "wilcoxon",
        "ks",
        "permutation",
        "bootstrap",
        "tost",
        "non-inferiority",
    ] {
        let line = help
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("- {method}:")))
            .unwrap_or_else(|| panic!("--help lacks {method}:\n{help}"));
        let index = help.lines().position(|l| l == line).unwrap_or_default();
        let next = help.lines().nth(index + 1).unwrap_or_default();
        assert!(
            next.trim_start().starts_with("- ") || next.trim().is_empty(),
            "{method}'s description wraps: {line:?} / {next:?}"
        );
    }
}

#[test]
fn bad_files_and_columns_are_exit_2_with_one_line() {
    let groups = data("groups.csv");
    let mut args = groups_args(&groups, "welch-t");
    args[5] = "valu";
    bad_input(&args, "no column 'valu'; columns present:");
    let mut args = groups_args(&groups, "welch-t");
    args[9] = "ctrl";
    bad_input(
        &args,
        "--control label 'ctrl' does not occur in column 'variant'",
    );
    bad_input(&args, "labels present: 'control', 'holdout', 'treatment'");
    let nan = data("nan.csv");
    bad_input(
        &groups_args(&nan, "welch-t"),
        "column 'value', row 3: non-finite value NaN",
    );
    let inf = data("inf.csv");
    bad_input(&groups_args(&inf, "welch-t"), "row 2: non-finite value inf");
    let missing = data("missing.csv");
    bad_input(&groups_args(&missing, "welch-t"), "row 2: missing value");
    let text = data("text.csv");
    bad_input(
        &groups_args(&text, "welch-t"),
        "row 3: 'abc' is not a number",
    );
    let malformed = data("malformed.csv");
    bad_input(&groups_args(&malformed, "welch-t"), "malformed CSV");
    let header_only = data("header_only.csv");
    bad_input(&groups_args(&header_only, "welch-t"), "no data rows");
    let missing_label = data("missing_label.csv");
    bad_input(
        &groups_args(&missing_label, "welch-t"),
        "row 2: missing group label",
    );
    bad_input(&groups_args("nope.csv", "welch-t"), "cannot open the file");
    bad_input(&groups_args("data.xlsx", "welch-t"), "unknown file type");
}

#[test]
fn undefined_methods_and_bad_values_are_exit_2_with_one_line() {
    let singleton = data("singleton.csv");
    bad_input(
        &groups_args(&singleton, "welch-t"),
        "needs at least 2 observations, got 1",
    );
    bad_input(
        &groups_args(&singleton, "welch-t"),
        "sample y is group 'control' of column 'variant'",
    );
    bad_input(&["test", "welch-t", "--x", "1,2,3", "--y", "5"], "got 1");
    bad_input(
        &["test", "welch-t", "--x", "", "--y", "1,2"],
        "--x is empty",
    );
    bad_input(
        &["test", "welch-t", "--x", "1,nan", "--y", "1,2"],
        "non-finite",
    );
    bad_input(
        &["test", "welch-t", "--x", "1,inf", "--y", "1,2"],
        "non-finite",
    );
    bad_input(
        &["test", "welch-t", "--x", "1,2", "--y", "1,x"],
        "not a number",
    );
    bad_input(
        &[
            "test", "welch-t", "--n", "0,5", "--mean", "1,2", "--sd", "1,1",
        ],
        "--n: entry 1 is 0, an empty group",
    );
    bad_input(
        &[
            "test", "welch-t", "--n", "5,5", "--mean", "1,2", "--sd", "1,-1",
        ],
        "negative standard deviation",
    );
    bad_input(
        &[
            "test",
            "z-proportions",
            "--successes",
            "12,-3",
            "--trials",
            "100,100",
        ],
        "negative count",
    );
    bad_input(
        &[
            "test",
            "z-proportions",
            "--successes",
            "120,3",
            "--trials",
            "100,100",
        ],
        "more than its 100 --trials",
    );
    bad_input(
        &["test", "fisher-exact", "--table", "1,-2/3,4"],
        "negative count",
    );
    bad_input(
        &["test", "chi2-independence", "--table", "1,2/3"],
        "equal length",
    );
    for confidence in ["0", "1", "1.5", "-0.1", "nan"] {
        bad_input(
            &[
                "test",
                "welch-t",
                "--x",
                "1,2,3",
                "--y",
                "2,3,4",
                "--confidence",
                confidence,
            ],
            "--confidence",
        );
    }
    bad_input(
        &[
            "test", "welch-t", "--x", "1,2,3", "--y", "2,3,4", "--mu0", "1",
        ],
        "--mu0 does not apply",
    );
    bad_input(
        &groups_args(&data("groups.csv"), "paired-t"),
        "groups split by --control/--treatment are not paired",
    );
    bad_input(&["test", "welch-t"], "no input given");
    bad_input(
        &[
            "test",
            "bootstrap",
            "--x",
            "1,2",
            "--resamples",
            "1000000000000",
        ],
        "invalid --resamples",
    );
    bad_input(
        &["test", "welch-tt", "--x", "1"],
        "invalid value 'welch-tt'",
    );
    bad_input(
        &["test", "welch-t", "--x", "1", "--bogus"],
        "unexpected argument",
    );
    bad_input(
        &["test", "wilcoxon", "--x", "1,2,3", "--p-method", "foo"],
        "invalid --p-method 'foo'",
    );
    bad_input(
        &["test", "welch-t", "--x", "5,5,5", "--y", "5,5,5"],
        "welch-t: zero variance",
    );
    bad_input(
        &["test", "welch-t", "--x", "1,2", "--table", "1,2/3,4"],
        "two different inputs",
    );
    bad_input(
        &["test", "tost", "--x", "1,2,3", "--y", "2,3,4"],
        "needs --margin",
    );
}

#[test]
fn a_closed_stdout_counts_as_success() {
    let mut child = Command::new(BIN)
        .args(["test", "welch-t", "--data", WATCH_HOURS])
        .args(["--value", "watch_hours", "--group", "variant"])
        .args(["--control", "control", "--treatment", "treatment"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
