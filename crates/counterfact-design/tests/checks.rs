//! Randomization checks on a seeded synthetic experiment: clean data passes; a covariate shifted
//! by 0.2 SD in one arm, a 52/48 split and a broken hash each fail with the cause named.

#![allow(clippy::print_stdout)]

mod synthetic;

use counterfact_design::HashScheme;
use counterfact_design::checks::{
    AaSetup, BucketColumns, CategoricalColumn, CheckInput, CheckOptions, CheckReport,
    NumericColumn, Status, binomial_ci, run_checks, standardized_mean_difference,
};
use synthetic::{Experiment, SALT, clean, sd};

const N: usize = 20_000;
const SEED: u64 = 20_261_127;

struct Buckets {
    primary: Vec<f64>,
    secondary: Vec<f64>,
}

fn fast_buckets(e: &Experiment) -> Buckets {
    let a = HashScheme::Fast.salted(SALT);
    let b = HashScheme::Fast.salted("independence-check");
    Buckets {
        primary: e.units.iter().map(|u| a.bucket(u)).collect(),
        secondary: e.units.iter().map(|u| b.bucket(u)).collect(),
    }
}

fn check(e: &Experiment, buckets: &Buckets, options: &CheckOptions) -> CheckReport {
    let input = CheckInput {
        arm_names: vec!["control".to_string(), "treatment".to_string()],
        arms: &e.arms,
        weights: None,
        days: Some(&e.days),
        dimensions: vec![CategoricalColumn {
            name: "device",
            values: &e.device,
        }],
        numeric: vec![
            NumericColumn {
                name: "tenure",
                values: &e.tenure,
            },
            NumericColumn {
                name: "spend",
                values: &e.spend,
            },
        ],
        categorical: vec![CategoricalColumn {
            name: "country",
            values: &e.country,
        }],
        buckets: Some(BucketColumns {
            primary: &buckets.primary,
            secondary: &buckets.secondary,
        }),
        placebo: Some(NumericColumn {
            name: "pre_metric",
            values: &e.pre_metric,
        }),
        aa: Some(AaSetup {
            metric: NumericColumn {
                name: "metric",
                values: &e.metric,
            },
            units: Some(&e.units),
            scheme: HashScheme::Fast,
        }),
    };
    run_checks(&input, options).unwrap()
}

fn options() -> CheckOptions {
    CheckOptions {
        seed: SEED,
        aa_runs: 200,
        ..CheckOptions::default()
    }
}

fn print(report: &CheckReport) {
    for c in &report.checks {
        println!("{:?} {}: {}", c.status, c.name, c.reason);
    }
}

#[test]
fn clean_experiment_passes_every_check() {
    let e = clean(N, SEED);
    let report = check(&e, &fast_buckets(&e), &options());
    print(&report);
    assert!(report.passed, "failures: {:?}", report.failures);
    let families: Vec<&str> = report.checks.iter().map(|c| c.family).collect();
    for family in ["srm", "balance", "hash", "placebo", "aa"] {
        assert!(families.contains(&family), "no {family} check");
    }
    // 7 days + 3 devices + overall.
    assert_eq!(
        report.checks.iter().filter(|c| c.family == "srm").count(),
        11
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["passed"], true);
    assert_eq!(json["checks"][0]["status"], "pass");
}

#[test]
fn covariate_shifted_by_a_fifth_of_an_sd_fails_naming_it() {
    let mut e = clean(N, SEED);
    let shift = 0.2 * sd(&e.tenure);
    for (t, &a) in e.tenure.iter_mut().zip(&e.arms) {
        if a == 1 {
            *t += shift;
        }
    }
    let report = check(&e, &fast_buckets(&e), &options());
    print(&report);
    assert!(!report.passed);
    assert!(
        report
            .failures
            .iter()
            .any(|f| f.starts_with("covariate tenure: SMD 0.") && f.contains("≥ 0.1")),
        "{:?}",
        report.failures
    );
    assert!(
        report
            .failures
            .iter()
            .any(|f| f.starts_with("covariate tenure: distributions differ"))
    );
    // Only tenure is blamed.
    assert!(report.failures.iter().all(|f| f.contains("tenure")));
}

#[test]
fn a_52_48_split_fails_as_sample_ratio_mismatch() {
    let mut e = clean(N, SEED);
    let hash = HashScheme::Fast.salted(SALT);
    for (a, u) in e.arms.iter_mut().zip(&e.units) {
        *a = usize::from(hash.bucket(u) >= 0.52);
    }
    let report = check(&e, &fast_buckets(&e), &options());
    print(&report);
    assert!(!report.passed);
    assert!(
        report.failures[0].starts_with("sample ratio mismatch: control"),
        "{:?}",
        report.failures
    );
}

#[test]
fn a_broken_hash_fails_bucket_evenness_and_salt_independence() {
    let e = clean(N, SEED);
    // A digit-sum "hash": clustered buckets, and the same bucket under every salt.
    let digit_sum = |u: &String| {
        let s: u32 = u.bytes().map(u32::from).sum();
        f64::from(s % 97) / 97.0
    };
    let primary: Vec<f64> = e.units.iter().map(digit_sum).collect();
    let buckets = Buckets {
        secondary: primary.clone(),
        primary,
    };
    let report = check(&e, &buckets, &options());
    print(&report);
    assert!(!report.passed);
    assert!(
        report
            .failures
            .iter()
            .any(|f| f.starts_with("bucket unevenness"))
    );
    assert!(
        report
            .failures
            .iter()
            .any(|f| f.starts_with("salt dependence"))
    );
}

#[test]
fn assignment_by_another_hash_fails_consistency() {
    let mut e = clean(N, SEED);
    let options = CheckOptions {
        verify_assignment: true,
        ..options()
    };
    let report = check(&e, &fast_buckets(&e), &options);
    assert!(report.passed, "{:?}", report.failures);
    // Re-assign with another scheme: the split stays 50/50 but the arms no longer follow the hash.
    let other = HashScheme::PlanOut.salted(SALT);
    for (a, u) in e.arms.iter_mut().zip(&e.units) {
        *a = usize::from(other.bucket(u) >= 0.5);
    }
    let report = check(&e, &fast_buckets(&e), &options);
    print(&report);
    assert!(
        report
            .failures
            .iter()
            .any(|f| f.starts_with("broken bucketing: ")),
        "{:?}",
        report.failures
    );
}

#[test]
fn placebo_fails_when_arms_differ_before_exposure() {
    let mut e = clean(N, SEED);
    for (m, &a) in e.pre_metric.iter_mut().zip(&e.arms) {
        if a == 1 {
            *m += 0.5;
        }
    }
    let report = check(&e, &fast_buckets(&e), &options());
    assert!(
        report
            .failures
            .iter()
            .any(|f| f.starts_with("placebo: pre-period metric pre_metric")),
        "{:?}",
        report.failures
    );
}

#[test]
fn aa_rate_is_nominal_over_many_reruns() {
    let e = clean(4_000, SEED);
    let report = check(
        &e,
        &fast_buckets(&e),
        &CheckOptions {
            aa_runs: 2_000,
            ..options()
        },
    );
    let aa = report.checks.iter().find(|c| c.family == "aa").unwrap();
    println!("{}", aa.reason);
    assert_eq!(aa.status, Status::Pass);
    let rate = aa.statistic.unwrap();
    assert!((0.035..=0.065).contains(&rate), "rate {rate}");
}

#[test]
fn clopper_pearson_matches_scipy() {
    // scipy.stats.binomtest(12, 200).proportion_ci(0.95, 'exact')
    let [lo, hi] = binomial_ci(12, 200, 0.95).unwrap();
    // Tolerance 1e-9 relative.
    assert!(
        (lo / 0.031_383_953_893_482_12 - 1.0).abs() < 1e-9,
        "lo {lo}"
    );
    assert!(
        (hi / 0.102_461_831_308_331_59 - 1.0).abs() < 1e-9,
        "hi {hi}"
    );
    assert_eq!(binomial_ci(0, 10, 0.95).unwrap()[0], 0.0);
    assert!(binomial_ci(11, 10, 0.95).is_err());
}

#[test]
fn smd_is_austins_formula() {
    let t = [1.0, 2.0, 3.0, 4.0];
    let c = [0.0, 1.0, 2.0, 3.0];
    // Equal variances 5/3: SMD = 1/√(5/3).
    let smd = standardized_mean_difference(&t, &c).unwrap();
    assert!((smd - 1.0 / (5.0f64 / 3.0).sqrt()).abs() < 1e-12);
    assert!(standardized_mean_difference(&[1.0, 1.0], &[1.0, 1.0]).is_none());
}

#[test]
fn mismatched_lengths_and_bad_arms_are_errors() {
    let arms = [0, 1, 1];
    let short = [1.0, 2.0];
    let input = CheckInput {
        arm_names: vec!["c".into(), "t".into()],
        arms: &arms,
        numeric: vec![NumericColumn {
            name: "x",
            values: &short,
        }],
        ..CheckInput::default()
    };
    let err = run_checks(&input, &CheckOptions::default()).unwrap_err();
    assert!(err.to_string().contains("column 'x'"), "{err}");
    let bad = [0, 2];
    let input = CheckInput {
        arm_names: vec!["c".into(), "t".into()],
        arms: &bad,
        ..CheckInput::default()
    };
    assert!(run_checks(&input, &CheckOptions::default()).is_err());
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn run_checks_never_panics(
            arms in prop::collection::vec(0usize..3, 0..40),
            x in prop::collection::vec(prop_oneof![-5.0..5.0f64, Just(f64::NAN), Just(f64::INFINITY), Just(1.0)], 0..40),
            b in prop::collection::vec(prop_oneof![0.0..1.0f64, Just(1.0), Just(-0.5), Just(f64::NAN)], 0..40),
            levels in prop::collection::vec(0u8..3, 0..40),
            alpha in prop_oneof![0.0..1.0f64, Just(f64::NAN), Just(0.0)],
            runs in 0usize..4,
        ) {
            let labels: Vec<String> = levels.iter().map(|l| l.to_string()).collect();
            let units: Vec<String> = (0..arms.len()).map(|i| format!("u{i}")).collect();
            let input = CheckInput {
                arm_names: vec!["c".into(), "t".into()],
                arms: &arms,
                weights: None,
                days: Some(&labels),
                dimensions: vec![CategoricalColumn { name: "d", values: &labels }],
                numeric: vec![NumericColumn { name: "x", values: &x }],
                categorical: vec![CategoricalColumn { name: "k", values: &labels }],
                buckets: Some(BucketColumns { primary: &b, secondary: &b }),
                placebo: Some(NumericColumn { name: "x", values: &x }),
                aa: Some(AaSetup {
                    metric: NumericColumn { name: "x", values: &x },
                    units: Some(&units),
                    scheme: HashScheme::Fast,
                }),
            };
            let options = CheckOptions { alpha, aa_runs: runs, ..CheckOptions::default() };
            let _ = run_checks(&input, &options);
        }
    }
}
