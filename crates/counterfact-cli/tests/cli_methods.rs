//! End-to-end tests of the methods on counts, the rank and resampling methods and `adjust`:
//! the binary reports the library's numbers, and every method answers without panicking.

mod support;

use counterfact_stats::Alternative;
use counterfact_stats::parametric;
use serde_json::Value;

use support::{bad_input, data, groups_args, json, num, ok, run, values};

#[test]
fn counts_proportions_and_tables() {
    let p = json(&[
        "test",
        "z-proportions",
        "--successes",
        "12,20",
        "--trials",
        "100,100",
    ]);
    let lib = parametric::z_proportions_test(12, 100, 20, 100, true, Alternative::TwoSided, 0.95)
        .expect("library result");
    assert_eq!(num(&p, "p_value"), lib.p_value);
    let f = json(&["test", "fisher-exact", "--table", "12,5/3,9"]);
    assert_eq!(f["method"], "fisher-exact");
    assert!(f["odds_ratio_mle"].is_f64() || f["estimate"].is_f64());
    // Successes and trials, or a 0/1 column split by group, make the 2x2 table
    // [[successes x, failures x], [successes y, failures y]].
    let from_counts = json(&[
        "test",
        "fisher-exact",
        "--successes",
        "12,20",
        "--trials",
        "100,100",
    ]);
    let from_table = json(&["test", "fisher-exact", "--table", "12,88/20,80"]);
    assert_eq!(from_counts, from_table);
    let file = data("groups.csv");
    let mut args = groups_args(&file, "chi2-independence");
    args[5] = "converted";
    let from_column = json(&args);
    let from_table = json(&["test", "chi2-independence", "--table", "4,2/1,4"]);
    assert_eq!(from_column, from_table);
    let c = json(&["test", "chi2-independence", "--table", "12,5,7/3,9,11"]);
    assert_eq!(num(&c, "df"), 2.0);
    let z = json(&[
        "test", "z-means", "--n", "100,120", "--mean", "1.2,1.5", "--sigma", "0.3,0.4",
    ]);
    let se = (0.3_f64 * 0.3 / 100.0 + 0.4 * 0.4 / 120.0).sqrt();
    assert!(
        (num(&z, "std_error") - se).abs() <= 1e-12 * se,
        "known sigma: {z}"
    );
    let g = json(&[
        "test",
        "chi2-gof",
        "--table",
        "30,20,50",
        "--expected",
        "1,1,2",
    ]);
    assert_eq!(num(&g, "statistic"), 2.0);
}

#[test]
fn adjust_matches_the_library_and_rejects_bad_p_values() {
    let v = json(&["adjust", "--method", "holm", "0.01", "0.04,0.03", "0.2"]);
    let lib = counterfact_stats::adjust::adjust_p_values(
        &[0.01, 0.04, 0.03, 0.2],
        counterfact_stats::adjust::AdjustMethod::Holm,
        0.05,
    )
    .expect("library result");
    let adjusted: Vec<f64> = v["p_adjusted"]
        .as_array()
        .expect("p_adjusted array")
        .iter()
        .filter_map(Value::as_f64)
        .collect();
    assert_eq!(adjusted, lib.p_adjusted);
    assert_eq!(v["method"], "holm");
    assert!(v["reject"].is_array());
    bad_input(
        &["adjust", "--method", "holm", "0.1", "1.5"],
        "outside [0, 1]",
    );
    bad_input(
        &["adjust", "--method", "holm", "0.1", "abc"],
        "not a number",
    );
}

#[test]
fn every_method_answers_without_panicking() {
    let file = data("groups.csv");
    let singleton = data("singleton.csv");
    let help = ok(&["test", "--help"]);
    let methods: Vec<String> = help
        .lines()
        .take_while(|l| !l.starts_with("Options:"))
        .filter_map(|l| l.trim_start().strip_prefix("- "))
        .filter_map(|l| l.split(':').next())
        .map(str::to_string)
        .collect();
    assert_eq!(methods.len(), 17, "{methods:?}");
    for method in &methods {
        let m = method.as_str();
        for args in [
            groups_args(&file, m),
            groups_args(&singleton, m),
            vec!["test", m, "--x", "1,2,3,4", "--y", "2,3,4,9"],
            vec![
                "test", m, "--x", "1,2,3,4", "--y", "2,3,4,9", "--margin", "1",
            ],
            vec!["test", m, "--x", "1", "--y", "2"],
            vec!["test", m, "--x", "3,3,3", "--y", "3,3,3"],
            vec!["test", m, "--x", "1,2,3,4", "--mu0", "0.5"],
            vec!["test", m, "--x", "1e300,-1e300,1e300", "--y", "1e-300,0,5"],
            vec!["test", m, "--n", "5,7", "--mean", "1,2", "--sd", "1,0"],
            vec!["test", m, "--n", "1", "--mean", "1", "--sd", "0"],
            vec!["test", m, "--successes", "0,10", "--trials", "10,10"],
            vec![
                "test",
                m,
                "--successes",
                "3",
                "--trials",
                "10",
                "--mu0",
                "0.5",
            ],
            vec!["test", m, "--table", "3,4/5,6"],
            vec!["test", m, "--table", "0,0/0,0"],
            vec!["test", m, "--table", "5,6,7"],
        ] {
            let out = run(&args);
            let code = out.status.code();
            assert!(matches!(code, Some(0 | 2)), "{args:?} exited with {code:?}");
            if code == Some(2) {
                let stderr = String::from_utf8_lossy(&out.stderr);
                assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
            }
        }
    }
}

#[test]
fn rank_methods_match_the_library() {
    use counterfact_stats::rank;
    let (x, y) = ("1.1,2.3,0.4,5.6,3.3,2.2,4.1", "0.5,1.2,0.3,2.15,1.15,0.9");
    let (xs, ys) = (values(x), values(y));
    let mw = json(&["test", "mann-whitney", "--x", x, "--y", y]);
    let lib = rank::mann_whitney_u(&xs, &ys, &rank::MannWhitneyOptions::default())
        .expect("library result");
    assert_eq!(num(&mw, "p_value"), lib.p_value);
    assert_eq!(num(&mw, "u1"), lib.extra["u1"]);
    let ks = json(&["test", "ks", "--x", x, "--y", y]);
    let lib = rank::ks_2samp(&xs, &ys, &rank::KsOptions::default()).expect("library result");
    assert_eq!(num(&ks, "statistic"), lib.statistic);
    assert_eq!(num(&ks, "p_value"), lib.p_value);
    let (a, b) = ("1.1,2.3,0.4,5.6,3.3,2.2", "0.5,1.2,0.3,2.15,1.15,0.9");
    let w = json(&["test", "wilcoxon", "--x", a, "--y", b]);
    let lib = rank::wilcoxon_paired(&values(a), &values(b), &rank::WilcoxonOptions::default())
        .expect("library result");
    assert_eq!(num(&w, "p_value"), lib.p_value);
    let one = json(&["test", "wilcoxon", "--x", a, "--mu0", "1"]);
    assert!(num(&one, "p_value") > 0.0);
    bad_input(
        &["test", "wilcoxon", "--x", a, "--y", "1,2"],
        "pairs need equal lengths",
    );
}

#[test]
fn resampling_is_seeded_and_matches_the_library() {
    use counterfact_stats::resampling;
    let (x, y) = (
        "1.1,2.3,0.4,5.6,3.3,2.2,4.1,2.8",
        "0.5,1.2,0.3,2.15,1.15,0.9,1.7",
    );
    let (xs, ys) = (values(x), values(y));
    let args = [
        "test",
        "permutation",
        "--x",
        x,
        "--y",
        y,
        "--seed",
        "7",
        "--resamples",
        "999",
    ];
    let p = json(&args);
    assert_eq!(p, json(&args), "same seed, same result");
    let options = resampling::PermutationOptions {
        seed: 7,
        n_resamples: 999,
        ..Default::default()
    };
    let lib = resampling::permutation_test(
        &xs,
        &ys,
        &resampling::TwoSampleStatistic::MeanDiff,
        &options,
    )
    .expect("library result");
    assert_eq!(num(&p, "p_value"), lib.p_value);

    let args = [
        "test",
        "bootstrap",
        "--x",
        x,
        "--y",
        y,
        "--seed",
        "7",
        "--resamples",
        "999",
    ];
    let b = json(&args);
    for key in [
        "method",
        "interval_method",
        "statistic",
        "alternative",
        "estimate",
        "ci",
        "confidence",
        "std_error",
        "n_resamples",
        "n",
        "seed",
    ] {
        assert!(b.get(key).is_some(), "bootstrap JSON lacks {key}: {b}");
    }
    let options = resampling::BootstrapOptions {
        seed: 7,
        n_resamples: 999,
        ..Default::default()
    };
    let lib = resampling::bootstrap_two_sample(
        &xs,
        &ys,
        &resampling::TwoSampleStatistic::MeanDiff,
        &options,
    )
    .expect("library result");
    assert_eq!(b["ci"][0].as_f64(), Some(lib.ci[0]));
    assert_eq!(b["ci"][1].as_f64(), Some(lib.ci[1]));
    let table = ok(&args);
    assert!(table.contains("95% CI"), "{table}");
    assert!(
        !table.contains("p-value"),
        "a bootstrap has no p-value:\n{table}"
    );
    bad_input(
        &[
            "test",
            "bootstrap",
            "--x",
            x,
            "--y",
            y,
            "--statistic",
            "mode",
        ],
        "statistic",
    );
}
