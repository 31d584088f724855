//! Permutation tests and bootstrap intervals against scipy (tests/data/resampling.json, written
//! by tests/reference/gen_resampling.py).
#![allow(clippy::print_stdout)]

mod common;

use common::{assert_close, cases, num, nums};
use counterfact_stats::resampling::bca::{
    bias_correction, jackknife_acceleration_one_sample, jackknife_acceleration_two_sample,
};
use counterfact_stats::resampling::{
    BootstrapOptions, IntervalMethod, OneSampleStatistic, PermutationOptions, Statistic,
    TwoSampleStatistic, bootstrap_one_sample, bootstrap_two_sample, permutation_test,
    poisson_bootstrap_mean, poisson_bootstrap_mean_diff,
};
use counterfact_stats::{Alternative, StatsError};
use serde_json::Value;

fn kind(k: &str) -> Vec<Value> {
    cases("resampling")
        .into_iter()
        .filter(|c| c["kind"] == k)
        .collect()
}

fn alt(c: &Value) -> Alternative {
    c["alternative"].as_str().unwrap().parse().unwrap()
}

fn stat(c: &Value) -> Statistic {
    c["statistic"].as_str().unwrap().parse().unwrap()
}

#[test]
fn fixture_has_enough_cases() {
    assert!(cases("resampling").len() >= 40);
}

#[test]
fn exact_permutation_p_values_match_scipy() {
    let all = kind("permutation_exact");
    assert!(all.len() >= 30);
    for c in &all {
        let (x, y) = (nums(&c["x"]), nums(&c["y"]));
        let Statistic::Two(s) = stat(c) else {
            panic!("two-sample statistic expected")
        };
        let opts = PermutationOptions {
            n_resamples: c["n_resamples"].as_u64().unwrap(),
            alternative: alt(c),
            seed: 3,
        };
        let r = permutation_test(&x, &y, &s, &opts).unwrap();
        let ctx = format!("{} {} {}", c["label"], c["statistic"], c["alternative"]);
        // Exact enumeration: the same proportion as scipy's, to 1e-12 relative.
        assert_close(r.p_value, num(&c["p_value"]), 1e-12, &ctx);
        assert_close(r.statistic, num(&c["observed"]), 1e-12, &ctx);
        assert_eq!(r.extra["exact"], 1.0, "{ctx}");
        assert_eq!(r.extra["n_resamples"], num(&c["n_splits"]), "{ctx}");
    }
}

#[test]
fn monte_carlo_permutation_p_values_agree_with_scipy_statistically() {
    for c in kind("permutation_mc") {
        let (x, y) = (nums(&c["x"]), nums(&c["y"]));
        let Statistic::Two(s) = stat(&c) else {
            panic!("two-sample statistic expected")
        };
        let b = c["n_resamples"].as_u64().unwrap();
        let alternative = alt(&c);
        let opts = PermutationOptions {
            n_resamples: b,
            alternative,
            seed: 11,
        };
        let r = permutation_test(&x, &y, &s, &opts).unwrap();
        let want = num(&c["p_value"]);
        // Both p-values estimate the same tail share with B = 100,000 draws each: allow 5
        // standard deviations of their difference (twice the one-sided sd when two-sided).
        let (factor, tail) = match alternative {
            Alternative::TwoSided => (2.0, want / 2.0),
            _ => (1.0, want),
        };
        let sd = factor * (tail * (1.0 - tail) / b as f64).sqrt();
        let tol = 5.0 * std::f64::consts::SQRT_2 * sd + 2.0 / b as f64;
        println!(
            "permutation MC {}: ours {} scipy {want} tol {tol:.2e}",
            c["statistic"], r.p_value
        );
        assert!(
            (r.p_value - want).abs() <= tol,
            "ours {} scipy {want}",
            r.p_value
        );
        assert_eq!(r.extra["exact"], 0.0);
        assert_close(
            r.statistic,
            num(&c["observed"]),
            1e-12,
            "observed statistic",
        );
    }
}

#[test]
fn jackknife_acceleration_matches_high_precision_reference() {
    let all = kind("bca_acceleration");
    assert!(all.len() >= 10);
    for c in &all {
        let x = nums(&c["x"]);
        let want = num(&c["acceleration"]);
        let got = match stat(c) {
            Statistic::One(s) => jackknife_acceleration_one_sample(&x, &s).unwrap(),
            Statistic::Two(s) => jackknife_acceleration_two_sample(&x, &nums(&c["y"]), &s).unwrap(),
        };
        // 1e-12 relative to the 50-digit reference (absolute 1e-15 where a is exactly 0, as for
        // the one-sample median).
        let err = (got - want).abs();
        assert!(
            err <= 1e-12 * want.abs() + 1e-15,
            "{}: got {got:e}, want {want:e}",
            c["statistic"]
        );
    }
}

#[test]
fn bias_correction_matches_scipy() {
    for c in kind("bias_correction") {
        let z0 = bias_correction(&nums(&c["replicates"]), num(&c["estimate"]));
        // The normal quantile of the distribution layer is accurate to ~1e-9 here.
        assert_close(z0, num(&c["z0"]), 1e-9, "z0");
    }
}

#[test]
fn bootstrap_intervals_agree_with_scipy_within_monte_carlo_error() {
    let all = kind("bootstrap_ci");
    assert!(all.len() >= 12);
    for c in &all {
        let x = nums(&c["x"]);
        let opts = BootstrapOptions {
            n_resamples: c["n_resamples"].as_u64().unwrap(),
            confidence: num(&c["confidence"]),
            interval: c["interval"].as_str().unwrap().parse().unwrap(),
            alternative: alt(c),
            seed: 2024,
        };
        let name = c["statistic"].as_str().unwrap();
        let r = match stat(c) {
            Statistic::One(s) => bootstrap_one_sample(&x, &s, &opts).unwrap(),
            Statistic::Two(s) => bootstrap_two_sample(&x, &nums(&c["y"]), &s, &opts).unwrap(),
        };
        let se = num(&c["std_error"]);
        let want = nums(&c["ci"]);
        // Each 2.5% endpoint of B = 100,000 replicates has a Monte Carlo sd of ~0.0085 SE
        // for a smooth statistic, so two independent runs differ by 0.012 SE (sd): allow 0.06 SE
        // (5 sd). Medians and quantiles have a lumpy bootstrap distribution whose endpoints can
        // land on neighbouring atoms: allow 0.3 SE.
        let smooth = !(name.contains("median") || name.contains("quantile"));
        let tol = if smooth { 0.06 * se } else { 0.3 * se };
        println!(
            "bootstrap {name} {}: ours [{:.6}, {:.6}] scipy [{:.6}, {:.6}] se {se:.5} tol {tol:.2e}",
            c["interval"], r.ci[0], r.ci[1], want[0], want[1]
        );
        for (got, want) in r.ci.iter().zip(&want) {
            if want.is_infinite() {
                assert_eq!(got, want, "{name}");
            } else {
                assert!(
                    (got - want).abs() <= tol,
                    "{name}: got {got}, want {want}, tol {tol}"
                );
            }
        }
        // The bootstrap SE's relative Monte Carlo error is ~1/sqrt(2B) = 0.2%: allow 2%.
        assert_close(r.std_error, se, 0.02, name);
    }
}

#[test]
fn large_sample_bootstrap_of_the_mean_matches_theory() {
    // n ≥ 16,384 takes the multinomial-count path. The bootstrap distribution of a mean of
    // 40,000 values is normal to high accuracy with sd = sd_ML/√n. With B = 4000, the SE has a
    // relative Monte Carlo sd of 1.1% (allow 5%) and each 2.5% endpoint an sd of 0.042 SE
    // (allow 0.15 SE).
    let x: Vec<f64> = (0..40_000u64)
        .map(|i| ((i * 7919) % 10_007) as f64 / 1000.0)
        .collect();
    let y: Vec<f64> = (0..30_000u64)
        .map(|i| ((i * 104_729) % 9973) as f64 / 700.0)
        .collect();
    let se_ml = |v: &[f64]| {
        let n = v.len() as f64;
        let m = v.iter().sum::<f64>() / n;
        (v.iter().map(|t| (t - m) * (t - m)).sum::<f64>() / n).sqrt() / n.sqrt()
    };
    let opts = BootstrapOptions {
        n_resamples: 4000,
        interval: IntervalMethod::Percentile,
        seed: 77,
        ..Default::default()
    };
    let one = bootstrap_one_sample(&x, &OneSampleStatistic::Mean, &opts).unwrap();
    let two = bootstrap_two_sample(&x, &y, &TwoSampleStatistic::MeanDiff, &opts).unwrap();
    let se_two = (se_ml(&x).powi(2) + se_ml(&y).powi(2)).sqrt();
    for (r, se) in [(one, se_ml(&x)), (two, se_two)] {
        println!(
            "large-n bootstrap {}: se {} theory {se}, ci {:?}",
            r.statistic, r.std_error, r.ci
        );
        assert_close(r.std_error, se, 0.05, &r.statistic);
        let z = 1.959_963_984_540_054;
        for (got, want) in r.ci.iter().zip([r.estimate - z * se, r.estimate + z * se]) {
            assert!(
                (got - want).abs() < 0.15 * se,
                "{}: {got} vs {want}",
                r.statistic
            );
        }
    }
}

#[test]
fn poisson_bootstrap_agrees_with_multinomial_bootstrap() {
    // Both schemes estimate the same sampling distribution of the mean to O(1/n): with n = 4000
    // and B = 20,000 the percentile endpoints agree to a few percent of the SE.
    let x: Vec<f64> = (0..4000)
        .map(|i| ((i * 7919) % 1009) as f64 / 100.0)
        .collect();
    let y: Vec<f64> = (0..3000)
        .map(|i| ((i * 104_729) % 997) as f64 / 90.0)
        .collect();
    let opts = BootstrapOptions {
        n_resamples: 20_000,
        interval: IntervalMethod::Percentile,
        seed: 5,
        ..Default::default()
    };
    let p = poisson_bootstrap_mean(&x, &opts).unwrap();
    let m = bootstrap_one_sample(&x, &OneSampleStatistic::Mean, &opts).unwrap();
    println!("poisson {:?} multinomial {:?}", p.ci, m.ci);
    for (a, b) in p.ci.iter().zip(&m.ci) {
        assert!((a - b).abs() < 0.1 * m.std_error);
    }
    let pd = poisson_bootstrap_mean_diff(&x, &y, &opts).unwrap();
    let md = bootstrap_two_sample(&x, &y, &TwoSampleStatistic::MeanDiff, &opts).unwrap();
    for (a, b) in pd.ci.iter().zip(&md.ci) {
        assert!((a - b).abs() < 0.1 * md.std_error);
    }
    assert_eq!(pd.method, "poisson-bootstrap");
    let bca = BootstrapOptions {
        interval: IntervalMethod::Bca,
        ..opts
    };
    assert!(matches!(
        poisson_bootstrap_mean(&x, &bca),
        Err(StatsError::InvalidArgument { .. })
    ));
}

#[test]
fn results_are_identical_on_one_thread_and_many() {
    let x: Vec<f64> = (0..3000).map(|i| (i as f64 * 0.37).sin() * 3.0).collect();
    let y: Vec<f64> = (0..2500).map(|i| (i as f64 * 0.53).cos() + 0.05).collect();
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let perm = PermutationOptions {
        n_resamples: 2000,
        ..Default::default()
    };
    for s in [TwoSampleStatistic::MeanDiff, TwoSampleStatistic::MedianDiff] {
        let a = one.install(|| permutation_test(&x, &y, &s, &perm).unwrap());
        let b = permutation_test(&x, &y, &s, &perm).unwrap();
        assert_eq!(a, b);
    }
    let boot = BootstrapOptions {
        n_resamples: 1000,
        ..Default::default()
    };
    let a = one.install(|| bootstrap_one_sample(&x, &OneSampleStatistic::Quantile(0.9), &boot));
    assert_eq!(
        a.unwrap(),
        bootstrap_one_sample(&x, &OneSampleStatistic::Quantile(0.9), &boot).unwrap()
    );
    let pois = BootstrapOptions {
        interval: IntervalMethod::Basic,
        ..boot
    };
    let a = one.install(|| poisson_bootstrap_mean_diff(&x, &y, &pois).unwrap());
    assert_eq!(a, poisson_bootstrap_mean_diff(&x, &y, &pois).unwrap());
}

#[test]
fn custom_statistic_matches_builtin() {
    // 8 + 7 observations: all C(15, 7) = 6435 splits are enumerated for both statistics.
    let x: Vec<f64> = (0..8).map(|i| (i as f64 * 0.7).sin()).collect();
    let y: Vec<f64> = (0..7).map(|i| (i as f64 * 0.3).cos()).collect();
    let custom = TwoSampleStatistic::custom("my-mean-diff", |a, b| {
        a.iter().sum::<f64>() / a.len() as f64 - b.iter().sum::<f64>() / b.len() as f64
    });
    let opts = PermutationOptions::default();
    let a = permutation_test(&x, &y, &custom, &opts).unwrap();
    let b = permutation_test(&x, &y, &TwoSampleStatistic::MeanDiff, &opts).unwrap();
    assert_eq!(a.extra["exact"], 1.0);
    assert_close(
        a.p_value,
        b.p_value,
        1e-12,
        "custom vs built-in mean difference",
    );
    let boot = BootstrapOptions {
        n_resamples: 2000,
        ..Default::default()
    };
    let r = bootstrap_two_sample(&x, &y, &custom, &boot).unwrap();
    assert_eq!(r.statistic, "my-mean-diff");
    assert!(r.ci[0] < r.estimate && r.estimate < r.ci[1]);
}

#[test]
fn bad_input_gives_typed_errors() {
    let x = [1.0, 2.0, 3.0];
    let s = TwoSampleStatistic::MeanDiff;
    let p = PermutationOptions::default();
    assert!(matches!(
        permutation_test(&[], &x, &s, &p),
        Err(StatsError::Empty { .. })
    ));
    assert!(matches!(
        permutation_test(&[1.0], &x, &s, &p),
        Err(StatsError::TooFew { .. })
    ));
    assert!(matches!(
        permutation_test(&[1.0, f64::NAN], &x, &s, &p),
        Err(StatsError::NonFinite { .. })
    ));
    let zero = PermutationOptions {
        n_resamples: 0,
        ..p
    };
    assert!(matches!(
        permutation_test(&x, &x, &s, &zero),
        Err(StatsError::InvalidArgument { .. })
    ));
    assert!(matches!(
        permutation_test(&x, &[0.0, 0.0], &TwoSampleStatistic::MeanRatio, &p),
        Err(StatsError::Degenerate(_))
    ));
    let b = BootstrapOptions {
        confidence: 1.0,
        ..Default::default()
    };
    assert!(bootstrap_one_sample(&x, &OneSampleStatistic::Mean, &b).is_err());
    let q = OneSampleStatistic::Quantile(1.5);
    assert!(bootstrap_one_sample(&x, &q, &BootstrapOptions::default()).is_err());
    assert!(matches!(
        bootstrap_one_sample(
            &[1.0],
            &OneSampleStatistic::Mean,
            &BootstrapOptions::default()
        ),
        Err(StatsError::TooFew { .. })
    ));
}

#[test]
fn results_serialize_with_stable_names() {
    let x: Vec<f64> = (0..30).map(|i| i as f64 * 0.5 + (i % 4) as f64).collect();
    let opts = BootstrapOptions {
        n_resamples: 500,
        alternative: Alternative::Greater,
        ..Default::default()
    };
    let r = bootstrap_one_sample(&x, &OneSampleStatistic::Mean, &opts).unwrap();
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["method"], "bootstrap");
    assert_eq!(v["interval_method"], "bca");
    assert_eq!(v["statistic"], "mean");
    assert!(
        v["ci"][1].is_null(),
        "infinite upper end of a one-sided bound is null"
    );
    assert!(v["acceleration"].is_number() && v["bias_correction"].is_number());
    let t = serde_json::to_value(r.to_test_result()).unwrap();
    assert_eq!(t["method"], "bootstrap-bca");
    assert!(t["p_value"].is_null());
    assert_eq!(t["n_resamples"], 500.0);
}
