//! Calibration of the rank tests by seeded simulation: false-positive rates under the null
//! (A/A) at α = 0.05 and coverage of the Hodges-Lehmann intervals.
#![allow(clippy::print_stdout)]

use counterfact_stats::rank::{
    KsOptions, MannWhitneyOptions, PValueMethod, WilcoxonOptions, ks_2samp, mann_whitney_u,
    wilcoxon_signed_rank,
};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

const RUNS: u64 = 10_000;
const ALPHA: f64 = 0.05;
/// 99% binomial interval of the rejection rate over 10,000 runs at α = 0.05.
const LOWER: f64 = 0.0445;
const UPPER: f64 = 0.0557;
/// 99% Monte Carlo interval of the coverage of a 95% interval over 10,000 runs.
const COVER_LOWER: f64 = 0.9443;
const COVER_UPPER: f64 = 0.9557;

/// Uniform samples of run `run`: one ChaCha stream per run, so results do not depend on threads.
fn draw(seed: u64, run: u64, n: usize) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(run);
    (0..n).map(|_| rng.random::<f64>()).collect()
}

/// Rejection rate and interval coverage of `test` over the runs.
fn simulate(seed: u64, test: impl Fn(&[f64]) -> (f64, Option<bool>) + Sync) -> (f64, f64) {
    let (rejected, covered, with_ci) = (0..RUNS)
        .into_par_iter()
        .map(|run| {
            let (p, cover) = test(&draw(seed, run, 200));
            (
                u64::from(p <= ALPHA),
                u64::from(cover == Some(true)),
                u64::from(cover.is_some()),
            )
        })
        .reduce(|| (0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2));
    let rate = rejected as f64 / RUNS as f64;
    let coverage = if with_ci > 0 {
        covered as f64 / with_ci as f64
    } else {
        f64::NAN
    };
    (rate, coverage)
}

fn covers(ci: Option<[f64; 2]>, truth: f64) -> Option<bool> {
    ci.map(|[lo, hi]| lo <= truth && truth <= hi)
}

#[test]
fn mann_whitney_asymptotic_is_calibrated() {
    let options = MannWhitneyOptions {
        method: PValueMethod::Asymptotic,
        ..Default::default()
    };
    // y is shifted by 0.25, so the HL interval must cover x − y = −0.25.
    let (rate, coverage) = simulate(1, |u| {
        let (x, y) = u[..60].split_at(25);
        let y: Vec<f64> = y.iter().map(|v| v + 0.25).collect();
        let shifted = mann_whitney_u(x, &y, &options).unwrap();
        let null = mann_whitney_u(x, &u[25..60], &options).unwrap();
        (null.p_value, covers(shifted.ci, -0.25))
    });
    println!("mann-whitney asymptotic (25 vs 35): rate {rate:.4}, HL coverage {coverage:.4}");
    assert!((LOWER..=UPPER).contains(&rate), "rate {rate}");
    assert!(
        (COVER_LOWER..=COVER_UPPER).contains(&coverage),
        "coverage {coverage}"
    );
}

#[test]
fn mann_whitney_large_sample_interval_covers() {
    // 60 vs 70: both ≥ 50, so the interval uses the normal approximation.
    let options = MannWhitneyOptions::default();
    let (rate, coverage) = simulate(2, |u| {
        let (x, y) = u[..130].split_at(60);
        let r = mann_whitney_u(x, y, &options).unwrap();
        (r.p_value, covers(r.ci, 0.0))
    });
    println!("mann-whitney 60 vs 70: rate {rate:.4}, HL coverage {coverage:.4}");
    assert!((LOWER..=UPPER).contains(&rate), "rate {rate}");
    assert!(
        (COVER_LOWER..=COVER_UPPER).contains(&coverage),
        "coverage {coverage}"
    );
}

#[test]
fn mann_whitney_exact_is_valid() {
    let options = MannWhitneyOptions::default();
    let (rate, coverage) = simulate(3, |u| {
        let r = mann_whitney_u(&u[..6], &u[6..14], &options).unwrap();
        (r.p_value, covers(r.ci, 0.0))
    });
    // Discrete: the exact test may be conservative, never anti-conservative.
    println!("mann-whitney exact (6 vs 8): rate {rate:.4}, HL coverage {coverage:.4}");
    assert!(rate <= UPPER, "rate {rate}");
    assert!(coverage >= COVER_LOWER, "coverage {coverage}");
}

#[test]
fn wilcoxon_is_calibrated() {
    for (n, method) in [(20, PValueMethod::Auto), (80, PValueMethod::Asymptotic)] {
        let options = WilcoxonOptions {
            method,
            ..Default::default()
        };
        let (rate, coverage) = simulate(4 + n as u64, |u| {
            let d: Vec<f64> = u[..n].iter().map(|v| v - 0.5).collect();
            let r = wilcoxon_signed_rank(&d, &options).unwrap();
            (r.p_value, covers(r.ci, 0.0))
        });
        println!("wilcoxon n = {n} ({method}): rate {rate:.4}, HL coverage {coverage:.4}");
        if method == PValueMethod::Auto {
            assert!(rate <= UPPER, "rate {rate}");
            assert!(coverage >= COVER_LOWER, "coverage {coverage}");
        } else {
            assert!((LOWER..=UPPER).contains(&rate), "rate {rate}");
            assert!(
                (COVER_LOWER..=COVER_UPPER).contains(&coverage),
                "coverage {coverage}"
            );
        }
    }
}

#[test]
fn ks_is_valid() {
    // The KS null distribution is discrete at these sizes: conservative, never liberal.
    for (n1, method) in [(40, PValueMethod::Exact), (90, PValueMethod::Asymptotic)] {
        let options = KsOptions {
            method,
            ..Default::default()
        };
        let (rate, _) = simulate(10 + n1 as u64, |u| {
            let r = ks_2samp(&u[..n1], &u[n1..200], &options).unwrap();
            (r.p_value, None)
        });
        println!("ks {n1} vs {} ({method}): rate {rate:.4}", 200 - n1);
        assert!(rate <= UPPER, "rate {rate}");
        assert!(rate >= 0.03, "rate {rate} implausibly low");
    }
}
