//! Calibration of the moment-based tests by seeded simulation: under a true null (A/A), each test
//! at α = 0.05 must reject at a rate inside the 99% binomial interval around 0.05, and 95% CIs
//! must cover the true effect at a rate inside the 99% interval around 0.95. Rates are printed.
#![allow(clippy::print_stdout)]

use counterfact_stats::moments::Moments;
use counterfact_stats::parametric::*;
use counterfact_stats::{Alternative, TestResult};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

const RUNS: usize = 10_000;
const ALPHA: f64 = 0.05;

/// 99% normal-approximation interval of a binomial proportion `p` over `RUNS` trials.
fn band(p: f64) -> (f64, f64) {
    let half = 2.5758 * (p * (1.0 - p) / RUNS as f64).sqrt();
    (p - half, p + half)
}

fn normals(rng: &mut ChaCha8Rng, n: usize, mean: f64, sd: f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(n + 1);
    while out.len() < n {
        // Box–Muller on (0, 1] uniforms.
        let u1: f64 = 1.0 - rng.random::<f64>();
        let u2: f64 = rng.random::<f64>();
        let r = (-2.0 * u1.ln()).sqrt();
        let t = std::f64::consts::TAU * u2;
        out.push(mean + sd * r * t.cos());
        out.push(mean + sd * r * t.sin());
    }
    out.truncate(n);
    out
}

fn normal_moments(rng: &mut ChaCha8Rng, n: usize, mean: f64, sd: f64) -> Moments {
    Moments::from_iter_seq(normals(rng, n, mean, sd))
}

fn binomial(rng: &mut ChaCha8Rng, n: usize, p: f64) -> i64 {
    (0..n).filter(|_| rng.random::<f64>() < p).count() as i64
}

fn check_rate(name: &str, rate: f64, target: f64) {
    let (lo, hi) = band(target);
    println!("{name:<44} {rate:.4}  (99% band [{lo:.4}, {hi:.4}])");
    assert!(
        (lo..=hi).contains(&rate),
        "{name}: rate {rate} outside [{lo}, {hi}]"
    );
}

/// Runs `RUNS` seeded simulations; `sim` returns the test result and the true effect. Checks
/// the rejection rate at α and, when `coverage` is set, the CI coverage of the true effect.
fn calibrate<F>(name: &str, seed: u64, coverage: bool, mut sim: F)
where
    F: FnMut(&mut ChaCha8Rng) -> (TestResult, f64),
{
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut rejected, mut covered) = (0usize, 0usize);
    for _ in 0..RUNS {
        let (r, truth) = sim(&mut rng);
        if r.p_value < ALPHA {
            rejected += 1;
        }
        let [lo, hi] = r.ci.expect("ci");
        if lo <= truth && truth <= hi {
            covered += 1;
        }
    }
    check_rate(
        &format!("{name}: A/A rejection"),
        rejected as f64 / RUNS as f64,
        ALPHA,
    );
    if coverage {
        check_rate(
            &format!("{name}: CI coverage"),
            covered as f64 / RUNS as f64,
            1.0 - ALPHA,
        );
    }
}

const TS: Alternative = Alternative::TwoSided;

#[test]
fn t_tests_are_calibrated() {
    calibrate("one-sample-t n=10", 1, true, |rng| {
        let x = normals(rng, 10, 3.0, 2.0);
        (one_sample_t_test(&x, 3.0, TS, 0.95).unwrap(), 3.0)
    });
    calibrate("student-t n=8,12", 2, true, |rng| {
        let x = normal_moments(rng, 8, 1.0, 2.0);
        let y = normal_moments(rng, 12, 1.0, 2.0);
        (student_t_test_from_moments(&x, &y, TS, 0.95).unwrap(), 0.0)
    });
    calibrate("welch-t n=10,40 sd 1,3", 3, true, |rng| {
        let x = normal_moments(rng, 10, 5.0, 1.0);
        let y = normal_moments(rng, 40, 5.0, 3.0);
        (welch_t_test_from_moments(&x, &y, TS, 0.95).unwrap(), 0.0)
    });
    calibrate("welch-t greater n=6,54 (1:9)", 4, true, |rng| {
        let x = normal_moments(rng, 6, 0.0, 2.0);
        let y = normal_moments(rng, 54, 0.0, 1.0);
        let r = welch_t_test_from_moments(&x, &y, Alternative::Greater, 0.95).unwrap();
        (r, 0.0)
    });
    calibrate("paired-t n=15", 5, true, |rng| {
        let base = normals(rng, 15, 10.0, 3.0);
        let x: Vec<f64> = base
            .iter()
            .zip(normals(rng, 15, 0.0, 1.0))
            .map(|(b, e)| b + e)
            .collect();
        let y: Vec<f64> = base
            .iter()
            .zip(normals(rng, 15, 0.0, 1.0))
            .map(|(b, e)| b + e)
            .collect();
        (paired_t_test(&x, &y, TS, 0.95).unwrap(), 0.0)
    });
}

#[test]
fn z_tests_are_calibrated() {
    calibrate("z-means known sigma n=5,7", 11, true, |rng| {
        let x = normal_moments(rng, 5, 2.0, 1.5);
        let y = normal_moments(rng, 7, 2.0, 0.5);
        (
            z_means_test_from_moments(&x, &y, Some([1.5, 0.5]), TS, 0.95).unwrap(),
            0.0,
        )
    });
    calibrate("z-means one-sample known sigma less n=3", 12, true, |rng| {
        let x = normal_moments(rng, 3, 2.0, 1.5);
        let r = z_mean_one_sample_from_moments(&x, 2.0, Some(1.5), Alternative::Less, 0.95);
        (r.unwrap(), 2.0)
    });
    calibrate("auto (z, estimated sigma) n=1000,1200", 13, true, |rng| {
        let x = normal_moments(rng, 1000, 0.0, 1.0);
        let y = normal_moments(rng, 1200, 0.0, 2.0);
        (
            auto_means_test_from_moments(&x, &y, None, TS, 0.95).unwrap(),
            0.0,
        )
    });
    calibrate("auto (Welch) n=12,20", 14, true, |rng| {
        let x = normal_moments(rng, 12, 0.0, 1.0);
        let y = normal_moments(rng, 20, 0.0, 2.0);
        (
            auto_means_test_from_moments(&x, &y, None, TS, 0.95).unwrap(),
            0.0,
        )
    });
    for (pooled, seed) in [(true, 15), (false, 16)] {
        calibrate(
            &format!("z-proportions pooled={pooled} n=800,1200"),
            seed,
            true,
            |rng| {
                let (a, b) = (binomial(rng, 800, 0.2), binomial(rng, 1200, 0.2));
                (
                    z_proportions_test(a, 800, b, 1200, pooled, TS, 0.95).unwrap(),
                    0.0,
                )
            },
        );
    }
    calibrate("z-proportion one-sample n=2000 p0=0.3", 17, false, |rng| {
        let a = binomial(rng, 2000, 0.3);
        (
            z_proportion_one_sample(a, 2000, 0.3, TS, 0.95).unwrap(),
            0.3,
        )
    });
}

#[test]
fn lift_and_margin_tests_are_calibrated() {
    for (method, seed) in [(LiftMethod::Delta, 21), (LiftMethod::Fieller, 22)] {
        calibrate(
            &format!("relative-lift {} A/A n=300", method.as_str()),
            seed,
            true,
            |rng| {
                let x = normal_moments(rng, 300, 10.0, 4.0);
                let y = normal_moments(rng, 300, 10.0, 4.0);
                (
                    relative_lift_from_moments(&x, &y, method, TS, 0.95).unwrap(),
                    0.0,
                )
            },
        );
    }
    // TOST at the upper bound: the null is true, so the rejection rate must be about α.
    calibrate("tost at the upper bound n=60,60", 23, false, |rng| {
        let x = normal_moments(rng, 60, 0.5, 1.0);
        let y = normal_moments(rng, 60, 0.0, 1.0);
        let r = tost_from_moments(
            &x,
            &y,
            Margin::Absolute(-1.5),
            Margin::Absolute(0.5),
            false,
            0.9,
        );
        (r.unwrap(), 0.5)
    });
    calibrate("non-inferiority at the margin n=40,50", 24, true, |rng| {
        let x = normal_moments(rng, 40, 9.7, 1.0);
        let y = normal_moments(rng, 50, 10.0, 1.5);
        let r = non_inferiority_from_moments(&x, &y, Margin::Absolute(0.3), true, false, 0.95);
        (r.unwrap(), -0.3)
    });
}

#[test]
fn lift_intervals_cover_a_true_lift() {
    for (method, seed) in [(LiftMethod::Delta, 31), (LiftMethod::Fieller, 32)] {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut covered = 0usize;
        for _ in 0..RUNS {
            let x = normal_moments(&mut rng, 400, 11.0, 5.0);
            let y = normal_moments(&mut rng, 400, 10.0, 5.0);
            let r = relative_lift_from_moments(&x, &y, method, TS, 0.95).unwrap();
            let [lo, hi] = r.ci.unwrap();
            if lo <= 0.1 && 0.1 <= hi {
                covered += 1;
            }
        }
        check_rate(
            &format!("relative-lift {} coverage of lift 0.1", method.as_str()),
            covered as f64 / RUNS as f64,
            0.95,
        );
    }
}

#[test]
fn one_sided_fieller_bounds_cover_with_negative_means() {
    let mut rng = ChaCha8Rng::seed_from_u64(33);
    let (mut below, mut above) = (0usize, 0usize);
    for _ in 0..RUNS {
        let x = normal_moments(&mut rng, 200, -11.0, 6.0);
        let y = normal_moments(&mut rng, 200, -10.0, 6.0);
        let g = relative_lift_from_moments(&x, &y, LiftMethod::Fieller, Alternative::Greater, 0.95)
            .unwrap();
        let l = relative_lift_from_moments(&x, &y, LiftMethod::Fieller, Alternative::Less, 0.95)
            .unwrap();
        if g.ci.unwrap()[0] <= 0.1 {
            below += 1;
        }
        if 0.1 <= l.ci.unwrap()[1] {
            above += 1;
        }
    }
    check_rate(
        "fieller greater: lower bound coverage",
        below as f64 / RUNS as f64,
        0.95,
    );
    check_rate(
        "fieller less: upper bound coverage",
        above as f64 / RUNS as f64,
        0.95,
    );
}
